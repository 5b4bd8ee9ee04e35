package helmholtz

import (
	"math/rand/v2"
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

	// During a sweep, per child: log σ(±c) of its logit c now (ls) and
	// of its logit if the unit being resampled flips (other).
	ls, other []float64
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
		ls: make([]float64, maxSize(m.Sizes)), other: make([]float64, maxSize(m.Sizes))}
	for l, n := range m.Sizes {
		g.a[l] = make([]float64, n)
	}
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
	for i, wi := range w {
		child[i] += float64(s * wi)
	}
}

// sweep resamples each unit of layer l ≥ 1 in turn from its conditional
// at inverse temperature beta: its log odds are its own logit plus the
// change in its children's log-likelihood when it turns on. The
// children's log-likelihood terms now are kept from unit to unit: the
// terms a unit would give them if it flipped become theirs when it does
// (c ± w is the logit the children's sums then hold, to the bit).
func (g *Gibbs) sweep(l int, beta float64, rng *rand.Rand) {
	m, x := g.M, g.ws.x
	n := m.Sizes[l-1]
	child, xc := g.a[l-1], x[l-1]
	ls, other := g.ls[:n], g.other[:n]
	logSigRow(ls, child, xc)
	for j := range m.Sizes[l] {
		w := m.W[l-1][j*n : (j+1)*n]
		on := x[l][j] != 0
		d := gibbsOdds(g.a[l][j], child, w, xc, ls, other, on)
		now := rng.Float64() < sigmoid(float64(beta*d)) // unfused: sigmoid adds to it
		if now == on {
			continue
		}
		g.set(l, j, now, w, child)
		ls, other = other, ls
	}
}

// gibbsOddsGo returns d plus, for each child i ≥ from of a unit whose
// weights to them are w, in order, the change of the child's log-likelihood
// when the unit turns on: log σ(±c1) − log σ(±c0), c1 and c0 the child's
// logit with the unit on and off, the sign − where the child is off. ls
// holds the term of the child's logit c now (c1 if the unit is on, c0 if
// not); the other term, of c − w if the unit is on and c + w if not, is
// computed and left in other.
func gibbsOddsGo(d float64, child, w, xc, ls, other []float64, on bool, from int) float64 {
	n := len(w)
	child, xc, ls, other = child[:n], xc[:n], ls[:n], other[:n]
	for i := from; i < n; i++ {
		c := child[i] + w[i]
		if on {
			c = child[i] - w[i]
		}
		if xc[i] == 0 {
			c = -c
		}
		o := logSigmoid(c)
		other[i] = o
		if on {
			d += ls[i] - o
		} else {
			d += o - ls[i]
		}
	}
	return d
}

// logSigRowGo sets ls[i] = log σ(±c[i]) for i ≥ from, the sign − where
// xc[i] is 0.
func logSigRowGo(ls, c, xc []float64, from int) {
	n := len(c)
	ls, xc = ls[:n], xc[:n]
	for i := from; i < n; i++ {
		y := c[i]
		if xc[i] == 0 {
			y = -y
		}
		ls[i] = logSigmoid(y)
	}
}
