package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"helmholtz"
)

// inMachine returns a two-layer machine holding a random RBM, mirrored.
func inMachine(nv, nh int, scale float64, seed uint64) *helmholtz.Machine {
	m := helmholtz.New([]int{nv, nh})
	r := random(nv, nh, scale, seed)
	v := View(m)
	copy(v.W, r.W)
	copy(v.BV, r.BV)
	copy(v.BH, r.BH)
	Mirror(m)
	return m
}

// TestViewAndMirror: the view shares the machine's arrays, and after
// Mirror the machine's recognition net gives the RBM's p(h | v) and its
// generative net the RBM's p(v | h).
func TestViewAndMirror(t *testing.T) {
	m := inMachine(5, 3, 1, 7)
	r := View(m)
	r.W[4] = 0.25
	if m.R[0][4] != 0.25 {
		t.Fatal("the view does not share the machine's weights")
	}
	Mirror(m)
	ph, pv := make([]float64, 3), make([]float64, 5)
	v := []float64{1, 0, 1, 1, 0}
	r.hiddenOf(ph, v, true)
	a := make([]float64, 3)
	vb := []uint8{1, 0, 1, 1, 0}
	m.RecInput(0, vb, a)
	for j := range ph {
		if got := helmholtz.FastSigmoid(a[j]); got != ph[j] {
			t.Errorf("q(h_%d | v) = %v, the RBM's p(h | v) = %v", j, got, ph[j])
		}
	}
	h := []float64{0, 1, 1}
	r.visibleOf(pv, h)
	b := make([]float64, 5)
	m.GenInput(0, []uint8{0, 1, 1}, b)
	for i := range pv {
		if got := helmholtz.FastSigmoid(b[i]); got != pv[i] {
			t.Errorf("p(v_%d | h) = %v, the RBM's %v", i, got, pv[i])
		}
	}
}

// TestGibbsDrawsTheModel: the fantasies of a small RBM follow its exact
// p(v) (χ² over the 2^5 visible states, 30 000 fantasies).
func TestGibbsDrawsTheModel(t *testing.T) {
	const nv, nh, n = 5, 3, 30000
	m := inMachine(nv, nh, 1.2, 3)
	r := View(m)
	logZ := r.LogZ()
	counts := make([]float64, 1<<nv)
	g := Gibbs{M: m, Sweeps: 20}
	rng := rand.New(rand.NewPCG(1, 2))
	x := [][]uint8{make([]uint8, nv), make([]uint8, nh)}
	for range n {
		g.Dream(rng, x)
		s := 0
		for i, b := range x[0] {
			s |= int(b) << i
		}
		counts[s]++
	}
	chi2 := 0.0
	for s := range counts {
		e := n * math.Exp(r.LogUnnorm(pattern(s, nv))-logZ)
		chi2 += (counts[s] - e) * (counts[s] - e) / e
	}
	// 31 degrees of freedom: the 0.999 quantile is 61.1.
	if chi2 > 61.1 {
		t.Errorf("χ² = %.1f over 31 degrees of freedom", chi2)
	}
}
