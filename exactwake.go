package helmholtz

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// ExactWake is wake-sleep with the recognition net taken out of the wake
// phase: each pattern's latent state is drawn from the exact posterior
// p(x | v) of the generative net, found by enumerating every latent
// state, so the wake update is stochastic maximum likelihood. The
// recognition net still learns by the sleep rule, so its gap can be
// measured, but it no longer steers learning: what the generative net
// reaches this way is the ceiling of the architecture without recognition
// error.
//
// Probabilities are products of the fast sigmoid's values (as in the
// wake-sleep step, within 1e-8 of σ and constant beyond ±30), taken in
// Gray-code order of the first hidden layer so that one weight row
// changes per state. The latent layers together may hold at most
// ExactBits units.
type ExactWake struct {
	M                *Machine
	GenRate, RecRate float64
	Options

	ws    *WakeSleep
	upper int         // states of the layers above the first hidden one
	pu    []float64   // per upper state u: p(u)
	on    [][]float64 // per state of layer 2 (one, if layer 1 is the top): for each unit j of layer 1, σ(a_j)/σ(−a_j) then its inverse
	ph    []float64   // per state of layer 2: p(h | x_2) along the walk
	cw    []float64   // cumulative weights p(v, h, u) in walk order
	hs    []int32     // the h of each walk position
	a     []float64   // visible logits
	ex    []float64   // the exponential walk: e^(−s_i·a_i) per pixel (see expFactors)
	g     []float64   // its factors per hidden unit switched on, then off
	wc    []float64   // the weights W[0] that ew was computed from
	ew    []float64   // e^w and 1/e^w of each weight of W[0], interleaved
	bit   []int       // the pattern's pixels
	flips []int32     // per walk position: the byte offset in g of its flip's factors
	pvs   []float64   // p(v | h) of a chunk of walk positions (expWalk)
	sign  []float64   // +1 for pixels on, −1 off
	up    [][]uint8   // a state of the upper layers
	upAct [][]int32
}

// ExactBits bounds the latent units of a machine that ExactWake trains:
// 2^16 states per step.
const ExactBits = 16

// CheckExact reports whether ExactWake can train a machine with these
// sizes, and if not, why.
func CheckExact(sizes []int) error {
	n := 0
	for _, s := range sizes[1:] {
		n += s
	}
	if len(sizes) < 2 || n > ExactBits {
		return fmt.Errorf("the exact posterior of layers %v has 2^%d latent states; exact learning enumerates at most 2^%d per step", sizes, n, ExactBits)
	}
	return nil
}

// NewExactWake returns an exact-posterior trainer for m, which must pass
// CheckExact.
func NewExactWake(m *Machine, genRate, recRate float64) *ExactWake {
	if err := CheckExact(m.Sizes); err != nil {
		panic("helmholtz: " + err.Error())
	}
	sizes := m.Sizes
	n1, top := sizes[1], len(sizes)-1
	upper, n2 := 0, 0
	for _, s := range sizes[2:] {
		upper += s
	}
	if top >= 2 {
		n2 = sizes[2]
	}
	e := &ExactWake{M: m, GenRate: genRate, RecRate: recRate, ws: NewWakeSleep(m, genRate, recRate, 1),
		upper: 1 << upper, pu: make([]float64, 1<<upper), ph: make([]float64, 1<<n2),
		cw: make([]float64, 1<<(n1+upper)), hs: make([]int32, 1<<n1),
		a: make([]float64, sizes[0]), sign: make([]float64, sizes[0]),
		ex: make([]float64, sizes[0]), g: make([]float64, 2*n1*sizes[0]),
		wc: make([]float64, n1*sizes[0]), ew: make([]float64, 2*n1*sizes[0]), bit: make([]int, sizes[0]),
		up: make([][]uint8, len(sizes)), upAct: make([][]int32, len(sizes))}
	e.on = make([][]float64, 1<<n2)
	for s := range e.on {
		e.on[s] = make([]float64, 2*n1)
	}
	for l, n := range sizes {
		e.up[l], e.upAct[l] = make([]uint8, n), make([]int32, 0, n)
	}
	for k := range e.wc {
		e.wc[k] = math.NaN() // equal to no weight: computed at the first step
	}
	e.flips, e.pvs = make([]int32, 1<<n1), make([]float64, min(256, 1<<n1))
	for i := 1; i < 1<<n1; i++ {
		j := bits.TrailingZeros(uint(i))
		f := n1 + j // unit j switched off
		if (i^(i>>1))&(1<<j) != 0 {
			f = j
		}
		e.flips[i] = int32(f * sizes[0] * 8)
	}
	return e
}

// SetRates sets the rates of the steps that follow.
func (e *ExactWake) SetRates(gen, rec float64) { e.GenRate, e.RecRate = gen, rec }

// Step draws a pattern, draws its latent state from the exact posterior
// (one uniform), makes the wake update, then a sleep update as wake-sleep
// does.
func (e *ExactWake) Step(data Data, rng *rand.Rand) {
	ws, m := e.ws, e.M
	m.mustBeShaped(ws.x)
	ws.observe(data, rng)
	if !e.posterior(true) {
		e.posterior(false)
	}
	e.draw(rng.Float64())
	ws.learnGen(e.GenRate, m.B, m.W)
	ws.sleep(rng, e.RecRate, m.C, m.R)
	e.Options.apply(m, e.GenRate, e.RecRate)
}

// posterior fills cw with the cumulative p(v, h, u) over every latent
// state, h in Gray-code order, for the pattern in layer 0, by the
// exponential walk if fast and the weights allow it, else by the fast
// sigmoid. It reports whether the total is positive.
func (e *ExactWake) posterior(fast bool) bool {
	m, ws := e.M, e.ws
	sizes := m.Sizes
	nv, n1, top := sizes[0], sizes[1], len(sizes)-1
	// p(u) for every state of the upper layers, and for every state of
	// layer 2 the factors of p(h | x_2): σ(±a_j) and their ratios.
	n2 := 0
	if top >= 2 {
		n2 = sizes[2]
	}
	for s := range e.on {
		var bias []float64
		if top == 1 {
			bias = m.B[1] // layer 1 is the top: its prior
		} else {
			e.setUpper(2, s)
			sumRowsGo(ws.buf[:n1], m.B[1], m.W[1], e.upAct[2], 0)
			bias = ws.buf[:n1]
		}
		f := e.on[s]
		p0 := 1.0
		for j, a := range bias[:n1] {
			on, off := sigmoid(a), sigmoid(-a)
			f[j], f[n1+j] = on/off, off/on // switching unit j on, off
			p0 *= off
		}
		e.ph[s] = p0 // h = 0
	}
	for u := range e.upper {
		p := 1.0
		if top >= 2 {
			shift := 0
			for l := 2; l <= top; l++ {
				e.setUpper(l, u>>shift)
				shift += sizes[l]
			}
			p = layerProb(ws.buf, m.B[top], nil, nil, e.up[top])
			for l := top - 1; l >= 2; l-- {
				p *= layerProb(ws.buf, m.B[l], m.W[l], e.upAct[l+1], e.up[l])
			}
		}
		e.pu[u] = p
	}
	for i, x := range ws.x[0] {
		e.sign[i] = 2*x - 1
	}
	fast = fast && e.expFactors()
	a := e.a
	var cum float64
	walked := false              // this chunk of 256 states walked by the kernel into pvs
	for i := 0; i < 1<<n1; i++ { // (walkTwo moves i on by a chunk)
		h := i ^ (i >> 1)
		var g []float64 // the exponential walk's factors of this state's flip
		if i > 0 {
			j := bits.TrailingZeros(uint(i))
			f := n1 + j // unit j switched off
			if h&(1<<j) != 0 {
				f = j
			}
			for s := range e.ph {
				e.ph[s] *= e.on[s][f]
			}
			g = e.g[f*nv : (f+1)*nv]
			if i%256 != 0 && !fast {
				if row := m.W[0][j*nv : (j+1)*nv]; f == j {
					addTo(a, row)
				} else {
					subFrom(a, row)
				}
			}
		}
		if i%256 == 0 {
			// From scratch now and then, so that rounding cannot build up.
			copy(a, m.B[0])
			for j := range n1 {
				if h&(1<<j) != 0 {
					addTo(a, m.W[0][j*nv:(j+1)*nv])
				}
			}
			if fast {
				for k, x := range a {
					e.ex[k] = libm.Exp(-e.sign[k] * x)
				}
				g = nil
				chunk := min(256, 1<<n1-i)
				walked = expWalk(e.ex, e.g, e.flips[i:i+chunk], e.pvs[:chunk])
				if walked && len(e.ph) == 2 && len(e.pu) == 2 {
					// One unit above the first hidden layer (16-8-1): the
					// same sums as below, with everything in registers.
					cum = e.walkTwo(i, chunk, cum)
					i += chunk - 1
					continue
				}
			}
		}
		var pv float64
		if walked {
			pv = e.pvs[i%256]
		} else if fast {
			pv = expStep(e.ex, g)
		} else {
			pv = sigmoidProduct(a, e.sign)
		}
		e.hs[i] = int32(h)
		for u, pu := range e.pu {
			cum += float64(float64(pv*e.ph[u&(1<<n2-1)]) * pu) // unfused: the same bits everywhere
			e.cw[i*e.upper+u] = cum
		}
	}
	return cum > 0
}

// walkTwo accumulates the walk positions [i, i+n), whose p(v | h) are in
// pvs and whose first has its ph already, into cw from cum, for two states of the layers above (ph and pu of
// length 2), as the general loop of posterior does, and returns the sum.
func (e *ExactWake) walkTwo(i, n int, cum float64) float64 {
	n1 := e.M.Sizes[1]
	ph0, ph1 := e.ph[0], e.ph[1]
	on0, on1 := e.on[0][:2*n1], e.on[1][:2*n1]
	pu0, pu1 := e.pu[0], e.pu[1]
	cw, hs, pvs := e.cw[2*i:2*(i+n)], e.hs[i:i+n], e.pvs[:n]
	for t := range n {
		s := i + t
		h := s ^ (s >> 1)
		if t > 0 { // the caller has moved ph to position i
			j := bits.TrailingZeros(uint(s))
			f := n1 + j
			if h&(1<<j) != 0 {
				f = j
			}
			ph0 *= on0[f]
			ph1 *= on1[f]
		}
		pv := pvs[t]
		cum += float64(float64(pv*ph0) * pu0)
		cw[2*t] = cum
		cum += float64(float64(pv*ph1) * pu1)
		cw[2*t+1] = cum
		hs[t] = int32(h)
	}
	e.ph[0], e.ph[1] = ph0, ph1
	return cum
}

// expLimit bounds |b_i| + Σ_j |W_ji| for every visible unit i for the
// exponential walk: every e^(−s_i·a_i) then lies within e^±700, so the
// walk's multiplications neither overflow nor underflow. Their products
// may overflow, making p(v | h) 0 for a state whose probability is below
// e^−709, as it should be; if every state's is, the step takes the
// sigmoid path instead.
const expLimit = 700

// expFactors prepares the exponential walk of p(v | h) for the pattern
// in sign, and reports whether the weights allow it: for each hidden unit
// j the factors g[j] = e^(−s_i·W_ji)
// that switching it on multiplies ex by, g[n1+j] their inverses. Then
// p(v | h) = Π_i 1/(1 + ex_i) exactly (as σ(s·a) = 1/(1 + e^(−s·a))),
// one multiply per pixel per state instead of a sigmoid.
func (e *ExactWake) expFactors() bool {
	m := e.M
	nv, n1 := m.Sizes[0], m.Sizes[1]
	for i, b := range m.B[0][:nv] {
		r := math.Abs(b)
		for j := range n1 {
			r += math.Abs(m.W[0][j*nv+i])
		}
		if !(r <= expLimit) {
			return false
		}
	}
	// e^w and e^−w of every weight, computed again only where the weight
	// changed since the last step (the wake update changes the rows of
	// the active units only, unless an option touches them all).
	for k, w := range m.W[0][:n1*nv] {
		if w != e.wc[k] {
			x := libm.Exp(w)
			e.wc[k], e.ew[2*k], e.ew[2*k+1] = w, x, 1/x
		}
	}
	// Switching unit j on multiplies by e^(−s·w): e^−w for a pixel on,
	// e^w for one off; chosen by index, not by a branch on the pixel.
	on := e.bit[:nv]
	for i, x := range e.ws.x[0][:nv] {
		on[i] = int(x)
	}
	for j := range n1 {
		up, down := e.g[j*nv:(j+1)*nv], e.g[(n1+j)*nv:(n1+j+1)*nv]
		ew := e.ew[2*j*nv : 2*(j+1)*nv]
		for i, b := range on {
			up[i], down[i] = ew[2*i+b], ew[2*i+1-b]
		}
	}
	return true
}

// draw sets the workspace's latent layers to the state whose cumulative
// weight first exceeds u times the total.
func (e *ExactWake) draw(u float64) {
	cw := e.cw
	target := u * cw[len(cw)-1]
	lo, hi := 0, len(cw)-1
	for lo < hi { // the first index with cw > target
		mid := (lo + hi) / 2
		if cw[mid] > target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	ws, sizes := e.ws, e.M.Sizes
	h, up := int(e.hs[lo/e.upper]), lo%e.upper
	setLayer(ws, 1, h)
	shift := 0
	for l := 2; l < len(sizes); l++ {
		setLayer(ws, l, up>>shift)
		shift += sizes[l]
	}
}

// setUpper sets layer l of the upper state scratch to the low bits of s.
func (e *ExactWake) setUpper(l, s int) {
	e.upAct[l] = e.upAct[l][:0]
	for i := range e.up[l] {
		e.up[l][i] = uint8(s >> i & 1)
		if s>>i&1 != 0 {
			e.upAct[l] = append(e.upAct[l], int32(i))
		}
	}
}

// setLayer sets layer l of the workspace to the low bits of s.
func setLayer(ws *WakeSleep, l, s int) {
	act := ws.act[l][:0]
	for i := range ws.x[l] {
		on := s >> i & 1
		ws.x[l][i] = float64(on)
		if on != 0 {
			act = append(act, int32(i))
		}
	}
	ws.act[l] = act
}

// layerProb returns p(x) for a layer in state x whose logits are
// bias + Σ_{i∈active} rows[i,:], by the fast sigmoid; d is scratch.
func layerProb(d, bias, rows []float64, active []int32, x []uint8) float64 {
	d = d[:len(bias)]
	sumRowsGo(d, bias, rows, active, 0)
	p := 1.0
	for i, a := range d {
		if x[i] != 0 {
			p *= sigmoid(a)
		} else {
			p *= sigmoid(-a)
		}
	}
	return p
}

func subFrom(dst, src []float64) {
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] -= s
	}
}
