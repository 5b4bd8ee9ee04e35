package helmholtz

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMeanFieldBound: the mean-field bound is a lower bound on log p(v)
// (enumerated) on small nets of one, two and three hidden layers, and
// fitting makes it tighter than Q at its starting point.
func TestMeanFieldBound(t *testing.T) {
	for i, sizes := range [][]int{{6, 4}, {5, 4, 2}, {6, 3, 3, 2}} {
		m := randomMachine(sizes, 1.5, uint64(10+i))
		f := NewMeanField(m, 0)
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		for range 20 {
			v := make([]uint8, sizes[0])
			for k := range v {
				v[k] = uint8(rng.IntN(2))
			}
			exact := logProb(m, v)
			b := f.Bound(v)
			if !(b <= exact+1e-9) {
				t.Errorf("%v, v = %v: bound %.6f above log p(v) = %.6f", sizes, v, b, exact)
			}
			f.Iters = 0
			start := f.Bound(v)
			f.Iters = MeanFieldIters
			if !(b >= start-1e-9) {
				t.Errorf("%v, v = %v: fitted bound %.6f below the starting point's %.6f", sizes, v, b, start)
			}
			if exact-b > 3 {
				t.Errorf("%v, v = %v: bound %.3f is %.3f nats below log p(v)", sizes, v, b, exact-b)
			}
		}
	}
}

// TestMeanFieldIsGradient: the update is Rate times the gradient of the
// bound in B and W with Q and ξ held, by central differences.
func TestMeanFieldIsGradient(t *testing.T) {
	m := randomMachine([]int{5, 4, 2}, 1.0, 4)
	v := []uint8{1, 0, 0, 1, 1}
	f := NewMeanField(m, 0)
	f.Bound(v)
	// held evaluates the bound of m with f's Q and ξ.
	held := func() float64 {
		for l := range len(m.Sizes) - 1 {
			for k, w := range m.W[l] {
				f.ew[l][k] = math.Exp(w)
			}
			f.prepare(l)
		}
		return f.bound()
	}
	before := m.Clone()
	f.Rate = 1
	f.fit(v)
	f.learn()
	step := m.Clone()
	m.CopyFrom(before)
	f.fit(v)
	const h = 1e-6
	for _, group := range []struct {
		name     string
		p, stepP [][]float64
	}{{"B", m.B, step.B}, {"W", m.W, step.W}} {
		for l := range group.p {
			for k := range group.p[l] {
				x := group.p[l][k]
				group.p[l][k] = x + h
				up := held()
				group.p[l][k] = x - h
				down := held()
				group.p[l][k] = x
				num := (up - down) / (2 * h)
				got := group.stepP[l][k] - x
				if math.Abs(num-got) > 1e-6*max(1, math.Abs(num)) {
					t.Errorf("%s[%d][%d]: update %.9f, gradient %.9f", group.name, l, k, got, num)
				}
			}
		}
	}
}
