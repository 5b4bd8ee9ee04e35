package helmholtz

import (
	"math/rand/v2"
	"slices"

	"helmholtz/internal/libm"
)

// Gibbs is the Gibbs machine (Neal, "Connectionist learning of belief
// networks", Artificial Intelligence 56, 1992): the Helmholtz machine's
// generative net without a recognition net. For each pattern it samples
// the hidden layers from their posterior by Gibbs sampling, annealed:
// Sweeps sweeps over the hidden units, bottom layer first, at temperature
// T0, T0·Cool, T0·Cool², …; then it makes the wake phase's delta rule on
// the state reached. The chain starts from a fantasy of the hidden layers
// (a draw from the generative net's prior).
//
// The recognition weights are left as they are: Gibbs trains only B and W.
type Gibbs struct {
	M      *Machine
	Rate   float64 // ε of the delta rule
	Sweeps int     // sweeps per pattern
	T0     float64 // temperature of the first sweep
	Cool   float64 // the temperature's factor per sweep

	ws *WakeSleep  // workspace: states, and the delta rule
	a  [][]float64 // a[l]: generative logits of layer l < top given layer l+1; a[top] = B[top]

	// e^W and e^−W, made at each Sample; and, during a sweep, per child,
	// e^c and e^−c of its logit c now (e, en) and if the unit being
	// resampled flips (e1, en1).
	ew, enw        [][]float64
	e, en, e1, en1 []float64
	zero, one      []float64 // 0s and 1s, for gibbsStart
}

// The annealing schedule of Frey, Hinton & Dayan (1995): from temperature
// 5.0, times 0.9227 per sweep, for 20 sweeps (the last at about 1.0).
const (
	GibbsSweeps = 20
	GibbsT0     = 5.0
	GibbsCool   = 0.9227
)

// NewGibbs returns a Gibbs machine learner for m at rate eps with the
// 1995 annealing schedule.
func NewGibbs(m *Machine, eps float64) *Gibbs {
	g := &Gibbs{M: m, Rate: eps, Sweeps: GibbsSweeps, T0: GibbsT0, Cool: GibbsCool,
		ws: NewWakeSleep(m, eps, 0, 1), a: make([][]float64, len(m.Sizes)),
		ew: like[float64](m.W), enw: like[float64](m.W)}
	for l, n := range m.Sizes {
		g.a[l] = make([]float64, n)
	}
	n := maxSize(m.Sizes)
	g.e, g.en, g.e1, g.en1 = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	g.zero, g.one = make([]float64, n), slices.Repeat([]float64{1}, n)
	return g
}

// SetRates sets the rate of the steps that follow; the Gibbs machine has
// no recognition net, so rec is unused.
func (g *Gibbs) SetRates(gen, rec float64) { g.Rate = gen }

// Step draws a pattern from data, samples the hidden layers by annealed
// Gibbs sampling and makes the delta rule's update on the state reached.
// Random numbers: the pattern, the initial fantasy (top down), then one
// uniform per hidden unit per sweep.
func (g *Gibbs) Step(data Data, rng *rand.Rand) {
	g.Sample(data, rng)
	g.ws.learnGen(g.Rate, g.M.B, g.M.W)
}

// Sample draws a pattern from data and leaves the workspace in the state
// annealed Gibbs sampling reaches from a fantasy of the hidden layers.
func (g *Gibbs) Sample(data Data, rng *rand.Rand) {
	ws, m := g.ws, g.M
	g.exps()
	g.fantasy(data, rng)
	top := len(m.Sizes) - 1
	t := g.T0
	for range g.Sweeps {
		for l := 1; l <= top; l++ {
			g.sweep(l, 1/t, rng)
		}
		t *= g.Cool
	}
	for l := 1; l <= top; l++ {
		act := ws.act[l][:0]
		for j, x := range ws.x[l] {
			if x != 0 {
				act = append(act, int32(j))
			}
		}
		ws.act[l] = act
	}
}

// fantasy draws a pattern from data into layer 0 and the hidden layers
// from the generative net's prior (top down), and sets their logits.
func (g *Gibbs) fantasy(data Data, rng *rand.Rand) {
	ws, m := g.ws, g.M
	m.mustBeShaped(ws.x)
	ws.observe(data, rng)
	top := len(m.Sizes) - 1
	ws.sample(top, m.B[top], nil, nil, rng)
	for l := top - 1; l >= 1; l-- {
		ws.sample(l, m.B[l], m.W[l], ws.act[l+1], rng)
	}
	copy(g.a[top], m.B[top])
	for l := top - 1; l >= 0; l-- {
		sumRowsGo(g.a[l], m.B[l], m.W[l], ws.act[l+1], 0)
	}
}

// set turns unit j of layer l on (now) or off, adding its weights w to its
// children's logits child or taking them away.
func (g *Gibbs) set(l, j int, now bool, w, child []float64) {
	s := 1.0
	if !now {
		s = -1
	}
	g.ws.x[l][j] = float64(bit(now))
	axpy(child, w, s) // c ± w: s·w is exact
}

// exps makes e^W and e^−W of the weights as they are.
func (g *Gibbs) exps() {
	for l, w := range g.M.W {
		expPair(g.ew[l], g.enw[l], w)
	}
}

// expPair sets e = e^x and en = e^−x.
func expPair(e, en, x []float64) {
	en = en[:len(x)]
	for i, y := range x {
		en[i] = -y
	}
	expRow(e, x)
	expRow(en, en)
}

// sweep resamples each unit of layer l ≥ 1 in turn from its conditional
// at inverse temperature beta: its log odds are its own logit plus the
// change in its children's log-likelihood when it turns on.
func (g *Gibbs) sweep(l int, beta float64, rng *rand.Rand) {
	g.resample(l, beta, 1, rng)
}

// resample resamples each unit of layer l ≥ 1 in turn from its
// conditional: σ of beta times its own logit plus scale times the change
// of its children's log-likelihood Σ log σ(±c) when it turns on (the
// sign − where a child is off).
//
// Each term is log σ(y) = min(y, 0) − log(1 + e^−|y|), and the change is
// summed as Σ (min(y1, 0) − min(y0, 0)) + log(Π(1 + e^−|y0|) / Π(1 +
// e^−|y1|)), y1 and y0 the child's signed logit with the unit on and off:
// a product of factors in (1, 2], one log a unit, where a sum of logs
// took one a child. e^−|c| is the smaller of e^c and e^−c, which a
// flip multiplies by e^±w: the exponentials are made once a sweep, from
// the logits, and once a Sample, of the weights. The sums and products go
// in eight lanes, child i in lane i mod 8; the flip's lanes become the
// state's when the unit flips. The exponentials are finite, and the
// change as exact as the table's was, while logits and weights stay
// within about ±700, hundreds of times what a net that learns reaches.
func (g *Gibbs) resample(l int, beta, scale float64, rng *rand.Rand) {
	m, x := g.M, g.ws.x
	n := m.Sizes[l-1]
	child, xc := g.a[l-1][:n], x[l-1][:n]
	e, en, e1, en1 := g.e[:n], g.en[:n], g.e1[:n], g.en1[:n]
	var sm0, pr0 [gibbsLanes]float64
	gibbsStart(&sm0, &pr0, child, xc, e, en, e1, en1, g.zero, g.one)
	s0, p0 := reduceLanes(&sm0, &pr0)
	for j := range m.Sizes[l] {
		k := j * n
		w, f, h := m.W[l-1][k:k+n], g.ew[l-1][k:k+n], g.enw[l-1][k:k+n]
		on := x[l][j] != 0
		if on {
			f, h = h, f
		}
		sm1, pr1 := [gibbsLanes]float64{}, gibbsOnes
		gibbsFlip(&sm1, &pr1, child, w, xc, e, en, f, h, e1, en1, on)
		d, s1, p1 := gibbsChange(s0, p0, &pr0, &sm1, &pr1, n)
		if on {
			d = -d
		}
		d = g.a[l][j] + float64(scale*d)
		now := rng.Float64() < sigmoid(float64(beta*d)) // unfused: sigmoid adds to it
		if now == on {
			continue
		}
		g.set(l, j, now, w, child)
		e, e1, en, en1 = e1, e, en1, en
		pr0, s0, p0 = pr1, s1, p1
	}
}

// gibbsLanes is the number of partial sums and products of a sweep's
// kernels: the float64 lanes of a 512-bit register.
const gibbsLanes = 8

var gibbsOnes = [gibbsLanes]float64{1, 1, 1, 1, 1, 1, 1, 1}

// gibbsStart sets e = e^c and en = e^−c of the children's logits c, and
// the lanes of their state: those gibbsFlip makes for a unit whose
// weights (zero) are 0 and factors (one) 1 (sm[i mod 8] adds min(y, 0),
// y the child's logit negated where it is off, and pr[i mod 8] multiplies
// by 1 + min(e, en); c + 0 and e·1 are c and e, but for −0, which a lane
// sum adds as +0), e1 and en1 its scratch.
func gibbsStart(sm, pr *[gibbsLanes]float64, c, xc, e, en, e1, en1, zero, one []float64) {
	n := len(c)
	expPair(e, en, c)
	*sm, *pr = [gibbsLanes]float64{}, gibbsOnes
	gibbsFlip(sm, pr, c, zero[:n], xc, e, en, one[:n], one[:n], e1, en1, false)
}

// gibbsFlipGo computes, for each child i ≥ from, the lanes of the state in
// which the unit whose weights to the children are w flips: its logit c1
// = c − w if the unit is on (on), c + w if not, and e1 = e·f, en1 = en·h
// (f and h: e^−w and e^w if it is on, e^w and e^−w if not), stored; sm[i
// mod 8] adds min(y1, 0), y1 = c1 negated where the child is off, and
// pr[i mod 8] multiplies by 1 + min(e1, en1), in order. min is Go's (a
// NaN if either is, −0 below +0); without a branch, as the signs are
// multiplications by ±1, which are exact.
func gibbsFlipGo(sm, pr *[gibbsLanes]float64, c, w, xc, e, en, f, h, e1, en1 []float64, on bool, from int) {
	n := len(w)
	c, xc, e, en, f, h, e1, en1 = c[:n], xc[:n], e[:n], en[:n], f[:n], h[:n], e1[:n], en1[:n]
	s := 1.0
	if on {
		s = -1
	}
	for i := from; i < n; i++ {
		y := (c[i] + s*w[i]) * (2*xc[i] - 1)
		a, b := e[i]*f[i], en[i]*h[i]
		e1[i], en1[i] = a, b
		sm[i%gibbsLanes] += min(y, 0)
		pr[i%gibbsLanes] *= 1 + min(a, b)
	}
}

// reduceLanes returns the sum of the lanes sm and the product of the
// lanes pr, in lane order: Σ min(y, 0) and Π (1 + e^−|y|) of a state.
func reduceLanes(sm, pr *[gibbsLanes]float64) (s, p float64) {
	p = 1
	for k := range gibbsLanes {
		s += sm[k]
		p *= pr[k]
	}
	return s, p
}

// gibbsChange returns the change of n children's log-likelihood when the
// unit turns on, d, from the lanes of the state with it as it is (its sum
// s0, product p0 and lanes pr0) and flipped (sm1, pr1), the sign then the
// caller's: (Σ sm1 − s0) + log(p0 / Π pr1); and the flipped state's sum
// and product.
func gibbsChange(s0, p0 float64, pr0, sm1, pr1 *[gibbsLanes]float64, n int) (d, s1, p1 float64) {
	s1, p1 = reduceLanes(sm1, pr1)
	if n <= gibbsOneLog {
		return (s1 - s0) + libm.Log(p0/p1), s1, p1
	}
	return (s1 - s0) + logRatios(pr0, pr1), s1, p1
}

// gibbsOneLog is the most children whose products of factors in (1, 2]
// resample divides before one log: 2^1000 is finite. Above it, logRatios
// takes the log of each lane's ratio.
const gibbsOneLog = 1000

// logRatios returns Σ log(pr0[k] / pr1[k]) in lane order.
func logRatios(pr0, pr1 *[gibbsLanes]float64) float64 {
	var l float64
	for k := range gibbsLanes {
		l += libm.Log(pr0[k] / pr1[k])
	}
	return l
}
