package helmholtz

import (
	"fmt"
	"math"

	"helmholtz/internal/libm"
)

// An Optimizer turns a step's gradients into changes of the parameters.
// Learners that train in batches (WakeSleep and Reweighted with Batch > 1,
// or any Opt set) pass it each group of parameters with its gradient, an
// ascent direction averaged over the batch: slot names the group (see the
// Slot constants), so that an optimizer with state keeps it per group.
// A nil Optimizer is plain gradient ascent, p += rate·g.
type Optimizer interface {
	Update(slot int, p, g [][]float64, rate float64)
}

// The groups of parameters an optimizer is given, as slots.
const (
	SlotGenBias    = iota // B
	SlotGenWeights        // W
	SlotRecBias           // C
	SlotRecWeights        // R
	NumSlots
)

// Adam is the optimizer of Kingma & Ba ("Adam: a method for stochastic
// optimization", ICLR 2015), with bias-corrected moment estimates,
// ascending:
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
//	p ← p + rate · (m/(1−β1^t)) / (√(v/(1−β2^t)) + ε),
//
// t counting the updates of the slot. Its step counts and moments are
// state that a snapshot must keep to resume bit for bit.
type Adam struct {
	Beta1, Beta2, Eps float64

	T    [NumSlots]float64     // updates made, per slot (counts, as floats for snapshots)
	M, V [NumSlots][][]float64 // first and second moments, per slot and layer
}

// NewAdam returns Adam with the paper's β1 = 0.9, β2 = 0.999, ε = 1e-8.
func NewAdam() *Adam { return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Update applies one Adam step to the parameters of slot.
func (a *Adam) Update(slot int, p, g [][]float64, rate float64) {
	c := a.begin(slot, p, g, rate)
	for l := range p {
		// Element by element, so the parts may go to different cores
		// and give the same bits.
		parallel(len(p[l]), func(lo, hi int) { a.apply(&c, slot, l, p[l], g[l], lo, hi) })
	}
}

// begin counts an update of slot, whose parameters are p and gradients
// g, and returns its constants, for apply.
func (a *Adam) begin(slot int, p, g [][]float64, rate float64) adamConsts {
	if a.M[slot] == nil {
		a.M[slot], a.V[slot] = zeros(p), zeros(p)
	}
	for l, pl := range p {
		if len(a.M[slot][l]) != len(pl) || len(a.V[slot][l]) != len(pl) || len(g[l]) != len(pl) {
			panic(fmt.Sprintf("helmholtz: Adam slot %d layer %d: %d parameters, %d moments, %d gradients", slot, l, len(pl), len(a.M[slot][l]), len(g[l])))
		}
	}
	a.T[slot]++
	t := a.T[slot]
	c1 := 1 - libm.Pow(a.Beta1, t)
	c2 := 1 - libm.Pow(a.Beta2, t)
	return adamConsts{b1: a.Beta1, nb1: 1 - a.Beta1, b2: a.Beta2, nb2: 1 - a.Beta2, c2: c2, step: rate / c1, eps: a.Eps}
}

// apply makes the update begun with constants c to elements [lo, hi) of
// slot's layer l, parameters p and gradients g.
func (a *Adam) apply(c *adamConsts, slot, l int, p, g []float64, lo, hi int) {
	m, v := a.M[slot][l], a.V[slot][l]
	adamStep(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], c)
}

// adamConsts are the constants of one Adam update, in the order
// adamAVX2 reads them.
type adamConsts struct {
	b1, nb1, b2, nb2 float64 // β1, 1 − β1, β2, 1 − β2
	c2, step, eps    float64 // 1 − β2^t, rate/(1 − β1^t), ε
}

// adamGo makes the Adam update of p[from:] with gradient g, moments m and v.
func adamGo(p, g, m, v []float64, c *adamConsts, from int) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := from; i < len(p); i++ {
		x := g[i]
		m[i] = float64(c.b1*m[i]) + float64(c.nb1*x)
		v[i] = float64(c.b2*v[i]) + float64(float64(c.nb2*x)*x)
		p[i] += float64(c.step*m[i]) / (math.Sqrt(v[i]/c.c2) + c.eps)
	}
}

// Init allocates the moments of every slot for machine m, so that its
// state has the same shape whether or not a slot has been updated.
func (a *Adam) Init(m *Machine) {
	for slot, p := range [NumSlots][][]float64{m.B, m.W, m.C, m.R} {
		a.M[slot], a.V[slot] = zeros(p), zeros(p)
	}
}

// zeros returns arrays of zeros shaped as p.
func zeros(p [][]float64) [][]float64 {
	z := make([][]float64, len(p))
	for l := range p {
		z[l] = make([]float64, len(p[l]))
	}
	return z
}

// update applies opt (nil: plain ascent) to one group.
func update(opt Optimizer, slot int, p, g [][]float64, rate float64) {
	if opt == nil {
		for l := range p {
			axpy(p[l], g[l], rate)
		}
		return
	}
	opt.Update(slot, p, g, rate)
}
