package helmholtz

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Lanes is wake-sleep on up to LaneWidth machines of one shape at once,
// each machine in one lane of the vector registers: for independent
// chains (different seeds, or a run's restart candidates) that train by
// the same rule. Every parameter is stored lane-interleaved, element e of
// lane c at [e·LaneWidth + c], and every layer is computed densely, each
// unit's logit summing x_i·w_i over all its inputs in index order: a
// product with x_i = 0 adds nothing and one with x_i = 1 adds w_i
// exactly, so each lane does the same floating-point operations, in the
// same order, as WakeSleep.Step on its machine alone and ends with the
// same bits (TestLanesAreChainsAlone), while its dense loops have no
// data-dependent branches and its kernels step four chains per
// instruction.
//
// The step is online (batch size 1) and applies Options after each step,
// as WakeSleep does.
type Lanes struct {
	Sizes            []int
	GenRate, RecRate float64
	Options

	// The lanes' parameters, shaped as a Machine's times LaneWidth.
	B, W, C, R [][]float64

	x    [][]float64 // the layers' states, interleaved
	d    []float64   // one layer's probabilities or deltas, interleaved
	rnd  [LaneWidth][]uint64
	srcs [LaneWidth]*rand.PCG // the chains' sources, and Rands drawing from them
	rngs [LaneWidth]*rand.Rand
	u    []uint32 // one layer's uniforms, interleaved
	v    []uint8
}

// LaneWidth is the number of chains a Lanes steps together.
const LaneWidth = 4

// NewLanes returns lanes for machines of the given layer sizes, with all
// parameters zero.
func NewLanes(sizes []int, genRate, recRate float64) *Lanes {
	z := New(sizes) // checks the sizes
	l := &Lanes{Sizes: slices.Clone(sizes), GenRate: genRate, RecRate: recRate,
		x: make([][]float64, len(sizes)), d: make([]float64, maxSize(sizes)*LaneWidth),
		u: make([]uint32, maxSize(sizes)*LaneWidth), v: make([]uint8, sizes[0])}
	widen := func(ps [][]float64) [][]float64 {
		out := make([][]float64, len(ps))
		for i, p := range ps {
			out[i] = make([]float64, len(p)*LaneWidth)
		}
		return out
	}
	l.B, l.W, l.C, l.R = widen(z.B), widen(z.W), widen(z.C), widen(z.R)
	for i, n := range sizes {
		l.x[i] = make([]float64, n*LaneWidth)
	}
	for c := range l.rnd {
		l.rnd[c] = make([]uint64, (maxSize(sizes)+1)/2)
	}
	return l
}

// groups returns the parameter groups of l and m in one order.
func (l *Lanes) groups(m *Machine) (lanes, machine [4][][]float64) {
	if !slices.Equal(m.Sizes, l.Sizes) {
		panic(fmt.Sprintf("helmholtz: a machine of layers %v in lanes of %v", m.Sizes, l.Sizes))
	}
	return [4][][]float64{l.B, l.W, l.C, l.R}, [4][][]float64{m.B, m.W, m.C, m.R}
}

// Load copies machine m into lane c.
func (l *Lanes) Load(c int, m *Machine) {
	lg, mg := l.groups(m)
	for g := range lg {
		for i, p := range mg[g] {
			for e, v := range p {
				lg[g][i][e*LaneWidth+c] = v
			}
		}
	}
}

// Store copies lane c into machine m.
func (l *Lanes) Store(c int, m *Machine) {
	lg, mg := l.groups(m)
	for g := range lg {
		for i, p := range mg[g] {
			for e := range p {
				p[e] = lg[g][i][e*LaneWidth+c]
			}
		}
	}
}

// Step makes one wake-sleep step of each lane c < len(srcs), drawing its
// pattern and its random numbers from srcs[c] exactly as WakeSleep.Step
// does from rand.New(srcs[c]); lanes beyond are stepped too, with every
// uniform 0, and their contents mean nothing. (The sources, not Rands,
// so that the uniforms' draws inline.)
func (l *Lanes) Step(data Data, srcs []*rand.PCG) {
	if len(srcs) > LaneWidth {
		panic(fmt.Sprintf("helmholtz: %d chains in %d lanes", len(srcs), LaneWidth))
	}
	rngs := l.rngs[:len(srcs)]
	for c, src := range srcs {
		if l.srcs[c] != src {
			l.srcs[c], l.rngs[c] = src, rand.New(src)
		}
	}
	top := len(l.Sizes) - 1
	// Wake: a pattern per lane, the recognition net bottom-up, the
	// generative delta rule top-down.
	for c, rng := range rngs {
		data.Sample(l.v, rng)
		x := l.x[0]
		for i, on := range l.v {
			x[i*LaneWidth+c] = float64(on & 1)
		}
	}
	for k := range top {
		l.sample(k+1, l.C[k+1], l.R[k], l.x[k], srcs)
	}
	l.learn(l.B[top], nil, nil, l.x[top], l.GenRate)
	for k := top - 1; k >= 0; k-- {
		l.learn(l.B[k], l.W[k], l.x[k+1], l.x[k], l.GenRate)
	}
	// Sleep: a fantasy per lane top-down, the recognition delta rule.
	l.sample(top, l.B[top], nil, nil, srcs)
	for k := top - 1; k >= 0; k-- {
		l.sample(k, l.B[k], l.W[k], l.x[k+1], srcs)
	}
	for k := range top {
		l.learn(l.C[k+1], l.R[k], l.x[k], l.x[k+1], l.RecRate)
	}
	if l.Options != (Options{}) {
		l.constrain()
	}
}

// sample draws layer t of every lane: unit k on with probability
// σ(bias_k + Σ_i x_i·rows_ik), against the uniform that WakeSleep.sample
// gives it (the high half of word k/2 for even k, the low half for odd).
func (l *Lanes) sample(t int, bias, rows, x []float64, srcs []*rand.PCG) {
	n := l.Sizes[t]
	words := (n + 1) / 2
	for c, src := range srcs {
		r := l.rnd[c][:words]
		for i := range r {
			r[i] = src.Uint64()
		}
	}
	u := l.u[:n*LaneWidth]
	for c := range LaneWidth {
		if c >= len(srcs) {
			for k := range n {
				u[k*LaneWidth+c] = 0
			}
			continue
		}
		for w, r := range l.rnd[c][:words] {
			u[2*w*LaneWidth+c] = uint32(r >> 32)
			if 2*w+1 < n {
				u[(2*w+1)*LaneWidth+c] = uint32(r)
			}
		}
	}
	laneSample(l.x[t][:n*LaneWidth], bias, rows, x, u, len(x)/LaneWidth, n)
}

// learn applies the delta rule eps·(xt − σ(bias + Σ_i x_i·rows_i)) to the
// biases and weights of a layer in state xt with inputs x.
func (l *Lanes) learn(bias, rows, x, xt []float64, eps float64) {
	m, n := len(x)/LaneWidth, len(bias)/LaneWidth
	d := l.d[:n*LaneWidth]
	laneDeltas(d, bias, rows, x, xt, m, n, eps)
	laneAdd(bias, rows, d, x, m, n)
}

// constrain applies the options to every lane, element by element as
// Options.apply does to one machine.
func (l *Lanes) constrain() {
	o := l.Options
	if d := o.Decay; d > 0 {
		scaleAll(l.W, 1-float64(l.GenRate*d))
		scaleAll(l.R, 1-float64(l.RecRate*d))
	}
	if o.NonNegative {
		nonNegative(l.W[0])
	}
	if o.CapHidden && len(l.Sizes) > 2 {
		b, w, n := l.B[1], l.W[1], l.Sizes[1]
		for j := range n {
			for c := range LaneWidth {
				bj := min(b[j*LaneWidth+c], o.HiddenCap)
				b[j*LaneWidth+c] = bj
				for k := range l.Sizes[2] {
					e := (k*n+j)*LaneWidth + c
					w[e] = min(w[e], o.HiddenCap-bj)
				}
			}
		}
	}
}

// The lane kernels in portable Go; kernel_amd64.s has AVX2 versions of
// the same operations. Each works on all LaneWidth lanes of n units
// whose inputs are m units: unit k's bias at [k·4, k·4+4), input i's
// state at [i·4, i·4+4) and the weight from input i to unit k at
// [(i·n+k)·4, (i·n+k)·4+4). rows may be nil when m is 0.

// laneLogitsGo sets a to the logits bias + Σ_{i<m} x_i·rows_i, summed in
// index order, each product rounded on its own (it is exact).
func laneLogitsGo(a, bias, rows, x []float64, m, n int) {
	for k := range n {
		b := bias[k*4 : k*4+4 : k*4+4]
		s0, s1, s2, s3 := b[0], b[1], b[2], b[3]
		for i := range m {
			xi := x[i*4 : i*4+4 : i*4+4]
			r := rows[(i*n+k)*4:][:4:4]
			s0 += float64(xi[0] * r[0])
			s1 += float64(xi[1] * r[1])
			s2 += float64(xi[2] * r[2])
			s3 += float64(xi[3] * r[3])
		}
		o := a[k*4 : k*4+4 : k*4+4]
		o[0], o[1], o[2], o[3] = s0, s1, s2, s3
	}
}

// laneSampleGo sets xt to the states drawn with the uniforms u:
// xt = 1 where u < ⌊σ(logit)·2^32⌋, as WakeSleep.sample tests it.
func laneSampleGo(xt, bias, rows, x []float64, u []uint32, m, n int) {
	laneLogitsGo(xt, bias, rows, x, m, n)
	u = u[:len(xt)]
	for i, a := range xt[:n*4] {
		xt[i] = float64((uint64(u[i]) - uint64(int64(sigmoid(a)*0x1p32))) >> 63)
	}
}

// laneDeltasGo sets d to eps·(xt − σ(logits)).
func laneDeltasGo(d, bias, rows, x, xt []float64, m, n int, eps float64) {
	laneLogitsGo(d, bias, rows, x, m, n)
	for i, a := range d[:n*4] {
		d[i] = eps * (xt[i] - sigmoid(a))
	}
}

// laneAddGo adds d to the biases and d·x_i to the weights from input i.
func laneAddGo(bias, rows, d, x []float64, m, n int) {
	for i, v := range d[:n*4] {
		bias[i] += v
	}
	for i := range m {
		xi := x[i*4 : i*4+4 : i*4+4]
		for k := range n {
			e := d[k*4 : k*4+4 : k*4+4]
			r := rows[(i*n+k)*4:][:4:4]
			r[0] += float64(e[0] * xi[0])
			r[1] += float64(e[1] * xi[1])
			r[2] += float64(e[2] * xi[2])
			r[3] += float64(e[3] * xi[3])
		}
	}
}

// SetRates sets the rates of the steps that follow, for every lane.
func (l *Lanes) SetRates(gen, rec float64) { l.GenRate, l.RecRate = gen, rec }
