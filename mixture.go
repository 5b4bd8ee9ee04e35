package helmholtz

import (
	"fmt"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// Mixture is wake-sleep with a mixture of recognition nets, the variant
// the seed proposes to tell recognition error from generative error:
//
//	q(x | v) = Σ_c π_c(v) q_c(x | v),  π(v) = softmax(Gb + v·G),
//
// each q_c a bottom-up factorial net like the machine's own, which is
// component 0. A mixture can put its mass on both modes of a bimodal
// posterior (vertical or horizontal bars?) where one factorial net must
// choose.
//
// The wake phase picks a component c with probability π_c(v), samples the
// latent layers from q_c and makes the wake update. The sleep phase
// fantasises (v, x) from the generative net and climbs log q(x | v): each
// component's delta rule weighted by its responsibility
// r_c = π_c(v) q_c(x | v) / q(x | v), and the gate's softmax delta rule
// ε (r_c − π_c) for its logit. Both are the exact gradient of log q(x | v)
// (TestMixtureRulesAreGradients). With one component there is no gate
// and no draw to pick one: it is wake-sleep, bit for bit.
type Mixture struct {
	M                *Machine
	GenRate, RecRate float64
	Options

	// The recognition biases and weights of components 1, 2, ...
	// (component 0 is M.C, M.R), laid out as Machine.C and Machine.R.
	C, R [][][]float64
	// The gate: G (Sizes[0] rows, one column per component) and Gb.
	G, Gb []float64

	ws     *WakeSleep
	logit  []float64 // gate logits, then log π(v)
	logq   []float64 // per component: log q_c(x | v), then responsibilities
	active []int32   // the fantasy's active pixels
}

// NewMixture returns a mixture trainer for m with n ≥ 1 components. The
// extra components start with zero parameters (see Init) and the gate
// uniform.
func NewMixture(m *Machine, genRate, recRate float64, n int) *Mixture {
	if n < 1 {
		panic(fmt.Sprintf("helmholtz: %d mixture components", n))
	}
	mx := &Mixture{M: m, GenRate: genRate, RecRate: recRate, ws: NewWakeSleep(m, genRate, recRate, 1),
		G: make([]float64, m.Sizes[0]*n), Gb: make([]float64, n),
		logit: make([]float64, n), logq: make([]float64, n)}
	for range n - 1 {
		c := New(m.Sizes)
		mx.C, mx.R = append(mx.C, c.C), append(mx.R, c.R)
	}
	return mx
}

// Components returns the number of components.
func (mx *Mixture) Components() int { return len(mx.Gb) }

// Init draws the recognition weights of the extra components from
// N(0, scale²), in order, and sets their hidden-layer biases to
// hiddenBias; the gate starts uniform. (Component 0 is the machine's.)
func (mx *Mixture) Init(rng *rand.Rand, scale, hiddenBias float64) {
	top := len(mx.M.Sizes) - 1
	for c := range mx.R {
		for _, r := range mx.R[c] {
			for i := range r {
				r[i] = scale * libm.NormFloat64(rng)
			}
		}
		for l := 1; l <= top; l++ {
			b := 0.0
			if l < top {
				b = hiddenBias
			}
			for i := range mx.C[c][l] {
				mx.C[c][l][i] = b
			}
		}
	}
	clear(mx.G)
	clear(mx.Gb)
}

// SetRates sets the rates of the steps that follow.
func (mx *Mixture) SetRates(gen, rec float64) { mx.GenRate, mx.RecRate = gen, rec }

// component returns the recognition biases and weights of component c.
func (mx *Mixture) component(c int) ([][]float64, [][]float64) {
	if c == 0 {
		return mx.M.C, mx.M.R
	}
	return mx.C[c-1], mx.R[c-1]
}

// Step performs one wake and one sleep update. Random numbers: the
// pattern, the component (with more than one), the wake sample, the
// fantasy.
func (mx *Mixture) Step(data Data, rng *rand.Rand) {
	ws, m := mx.ws, mx.M
	m.mustBeShaped(ws.x)
	n := mx.Components()
	ws.observe(data, rng)
	c := 0
	if n > 1 {
		mx.gate(ws.act[0])
		c = pick(mx.logit, rng.Float64())
	}
	rc, rr := mx.component(c)
	ws.recognize(rng, rc, rr)
	ws.learnGen(mx.GenRate, m.B, m.W)

	ws.dream(rng)
	if n == 1 {
		ws.learnRec(mx.RecRate, m.C, m.R)
	} else {
		mx.active = append(mx.active[:0], ws.act[0]...)
		mx.gate(mx.active)
		mx.responsibilities()
		for c, r := range mx.logq {
			rc, rr := mx.component(c)
			ws.learnRecOf(rc, rr, float64(mx.RecRate*r), rc, rr)
		}
		// The gate: ε (r_c − π_c) into its bias and the rows of the
		// fantasy's active pixels.
		for c, r := range mx.logq {
			d := float64(mx.RecRate * (r - libm.Exp(mx.logit[c])))
			mx.Gb[c] += d
			for _, i := range mx.active {
				mx.G[int(i)*n+c] += d
			}
		}
	}
	mx.Options.apply(m, mx.GenRate, mx.RecRate)
	if d := mx.Options.Decay; d > 0 {
		for c := range mx.R {
			scaleAll(mx.R[c], 1-float64(mx.RecRate*d))
		}
	}
}

// gate sets mx.logit to log π(v) for the pattern whose active pixels are
// given.
func (mx *Mixture) gate(active []int32) {
	n := mx.Components()
	copy(mx.logit, mx.Gb)
	for _, i := range active {
		addTo(mx.logit, mx.G[int(i)*n:(int(i)+1)*n])
	}
	logSoftmax(mx.logit)
}

// LogPi writes log π_c(v) for pattern v into dst.
func (mx *Mixture) LogPi(v []uint8, dst []float64) {
	n := mx.Components()
	copy(dst, mx.Gb)
	for i, on := range v {
		if on != 0 {
			addTo(dst, mx.G[i*n:(i+1)*n])
		}
	}
	logSoftmax(dst)
}

// responsibilities sets mx.logq to r_c ∝ π_c(v) q_c(x | v) for the state
// in the workspace.
func (mx *Mixture) responsibilities() {
	for c := range mx.logq {
		rc, rr := mx.component(c)
		mx.logq[c] = mx.logit[c] + logRecognitionOf(mx.ws, rc, rr)
	}
	logSoftmax(mx.logq)
	for c, l := range mx.logq {
		mx.logq[c] = libm.Exp(l)
	}
}

// logSoftmax replaces z by z − log Σ exp(z).
func logSoftmax(z []float64) {
	mx := z[0]
	for _, v := range z {
		mx = max(mx, v)
	}
	var s float64
	for _, v := range z {
		s += libm.Exp(v - mx)
	}
	l := mx + libm.Log(s)
	for i := range z {
		z[i] -= l
	}
}

// pick returns the index drawn from log probabilities logp with the
// uniform u: the first whose cumulative probability exceeds u (the last if
// rounding leaves u beyond them all).
func pick(logp []float64, u float64) int {
	var c float64
	for i, l := range logp {
		c += libm.Exp(l)
		if u < c {
			return i
		}
	}
	return len(logp) - 1
}
