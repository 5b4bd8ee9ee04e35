package helmholtz

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAIS: annealed importance sampling's weight is an unbiased estimate
// of p(v) whatever the number of steps (the mean of many one-chain
// weights with only 3 steps matches p(v) by enumeration within four
// standard errors: a wrong weight or a sweep that does not leave its
// distribution invariant biases it); with 500 steps and 200 chains log p(v)
// is within 0.03 nats of exact (its spread over streams is about 0.005);
// and a stream gives the same bits again, on every build.
func TestAIS(t *testing.T) {
	m := randomMachine([]int{8, 4, 3}, 2, 7)
	for _, v := range [][]uint8{{1, 0, 1, 1, 0, 0, 1, 0}, {0, 0, 0, 0, 1, 1, 1, 1}} {
		lp := logProb(m, v)
		a := NewAIS(m, 3)
		rng := rand.New(rand.NewPCG(1, 2))
		const n = 40000
		var s, s2 float64
		for range n {
			w := math.Exp(a.LogProb(v, 1, rng) - lp) // weight / p(v)
			s += w
			s2 += w * w
		}
		mean := s / n
		se := math.Sqrt((s2/n - mean*mean) / n)
		if math.Abs(mean-1) > 4*se {
			t.Errorf("v %v: mean 3-step weight / p(v) = %.4f ± %.4f, want 1", v, mean, se)
		}
		b := NewAIS(m, 500)
		got := b.LogProb(v, 200, rand.New(rand.NewPCG(3, 4)))
		if math.Abs(got-lp) > 0.03 {
			t.Errorf("v %v: 500 steps, 200 chains: log p(v) %.4f, exact %.4f", v, got, lp)
		}
		if again := b.LogProb(v, 200, rand.New(rand.NewPCG(3, 4))); again != got {
			t.Errorf("v %v: the same stream gave %v, then %v", v, got, again)
		}
		// The same bits on every build (CI runs this under purego and
		// GOAMD64=v3 too): the sweeps' kernels and libm.
		if want := uint64(0xc02231c2529d85a1); v[0] == 1 && math.Float64bits(got) != want {
			t.Errorf("v %v: log p(v) %#x, want %#x", v, math.Float64bits(got), want)
		}
	}
}
