package rbm

import (
	"fmt"
	"math/rand/v2"

	"helmholtz"
)

// An RBM trained through package train lives in the arrays of a
// two-layer Helmholtz machine (visible, hidden), so that snapshots, the
// figures and the unit diagnosis read it like any other run:
//
//	W  = R[0] (visible × hidden), the recognition weights
//	BV = B[0], the visible biases
//	BH = C[1], the recognition biases of the hidden layer
//
// and Mirror keeps the generative side equal to them: W[0] = Wᵀ and
// B[1] = BH. Then the machine's recognition net is the RBM's exact
// conditional p(h | v) = σ(BH + Wᵀv), its generative net's p(v | h) is the
// RBM's σ(BV + Wh), and only the prior over h (and so fantasies and the
// likelihood) differs: those are the RBM's own (Gibbs, KL).

// View returns the RBM whose arrays are those of the two-layer machine m:
// a change to one is a change to the other.
func View(m *helmholtz.Machine) *RBM {
	if len(m.Sizes) != 2 {
		panic(fmt.Sprintf("rbm: a machine of layers %v is not an RBM's (visible, hidden)", m.Sizes))
	}
	return &RBM{NV: m.Sizes[0], NH: m.Sizes[1], W: m.R[0], BV: m.B[0], BH: m.C[1]}
}

// Mirror sets the generative side of the two-layer machine m to its RBM:
// W[0] = R[0]ᵀ and B[1] = C[1].
func Mirror(m *helmholtz.Machine) {
	nv, nh := m.Sizes[0], m.Sizes[1]
	for i := range nv {
		for j := range nh {
			m.W[0][j*nv+i] = m.R[0][i*nh+j]
		}
	}
	copy(m.B[1], m.C[1])
}

// Learner is CD-k (see CD) on the RBM of a two-layer machine (View), a
// helmholtz.Learner: after each step the machine's generative side is
// mirrored again.
type Learner struct {
	*CD
	m *helmholtz.Machine
}

// NewLearner returns a CD-k learner of the RBM in machine m.
func NewLearner(m *helmholtz.Machine, k int, rate, momentum, decay float64) *Learner {
	return &Learner{CD: NewCD(View(m), k, rate, momentum, decay), m: m}
}

// Mirror sets the generative side of the learner's machine to its RBM
// (see the package's Mirror), as after a step.
func (l *Learner) Mirror() { Mirror(l.m) }

// Step makes one CD-k update (CD.Step) and mirrors it.
func (l *Learner) Step(data helmholtz.Data, rng *rand.Rand) {
	l.CD.Step(data, rng)
	Mirror(l.m)
}

// SetRates sets the rate of the steps that follow to gen; CD has one rate.
func (l *Learner) SetRates(gen, _ float64) { l.Rate = gen }

// Gibbs draws fantasies from the RBM of a two-layer machine by block
// Gibbs sampling: from visible units on with probability 1/2, Sweeps
// alternations h ~ p(h | v), v ~ p(v | h). It is a helmholtz.Dreamer.
type Gibbs struct {
	M      *helmholtz.Machine
	Sweeps int
}

// Dream draws one fantasy into x[0] (the visible units) and x[1] (the
// hidden units of the last sweep).
func (g Gibbs) Dream(rng *rand.Rand, x [][]uint8) {
	r := View(g.M)
	v, h := make([]float64, r.NV), make([]float64, r.NH)
	pv, ph := make([]float64, r.NV), make([]float64, r.NH)
	for i := range v {
		v[i] = float64(rng.Uint64() & 1)
	}
	for range g.Sweeps {
		r.hiddenOf(ph, v, true)
		for j, p := range ph {
			h[j] = float64(bit(rng.Float64() < p))
		}
		r.visibleOf(pv, h)
		for i, p := range pv {
			v[i] = float64(bit(rng.Float64() < p))
		}
	}
	for i := range v {
		x[0][i] = uint8(v[i])
	}
	for j := range h {
		x[1][j] = uint8(h[j])
	}
}

func bit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// Cost returns the operations of one exact evaluation (LogZ, then
// LogUnnorm of n patterns) of an RBM of nv visible and nh hidden units.
func Cost(nv, nh, n int) float64 {
	return float64(uint64(1)<<nh)*float64(nv+nh) + float64(n)*float64(nv*nh)
}
