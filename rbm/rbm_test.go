package rbm

import (
	"math"
	"math/rand/v2"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
)

// random returns an RBM with all parameters drawn from N(0, scale²).
func random(nv, nh int, scale float64, seed uint64) *RBM {
	rng := rand.New(rand.NewPCG(seed, seed))
	r := New(nv, nh)
	r.Init(rng, scale)
	for i := range r.BV {
		r.BV[i] = scale * rng.NormFloat64()
	}
	for j := range r.BH {
		r.BH[j] = scale * rng.NormFloat64()
	}
	return r
}

func pattern(s, n int) []uint8 {
	v := make([]uint8, n)
	for i := range v {
		v[i] = uint8(s >> i & 1)
	}
	return v
}

// TestExactAgainstBruteForce: log Z and log p(v) against the sum of
// exp(energy) over every visible and hidden state, and Σ_v p(v) = 1.
func TestExactAgainstBruteForce(t *testing.T) {
	for _, c := range []struct{ nv, nh int }{{5, 3}, {6, 4}, {3, 7}} {
		r := random(c.nv, c.nh, 1.5, uint64(c.nv*10+c.nh))
		var z float64
		pv := make([]float64, 1<<c.nv)
		for vs := range 1 << c.nv {
			for hs := range 1 << c.nh {
				e := 0.0
				for i := range c.nv {
					if vs>>i&1 == 1 {
						e += r.BV[i]
						for j := range c.nh {
							if hs>>j&1 == 1 {
								e += r.W[i*c.nh+j]
							}
						}
					}
				}
				for j := range c.nh {
					if hs>>j&1 == 1 {
						e += r.BH[j]
					}
				}
				pv[vs] += math.Exp(e)
				z += math.Exp(e)
			}
		}
		if got := r.LogZ(); math.Abs(got-math.Log(z)) > 1e-9 {
			t.Errorf("%d-%d: log Z %v, brute force %v", c.nv, c.nh, got, math.Log(z))
		}
		sum := 0.0
		for vs := range 1 << c.nv {
			lp := r.LogUnnorm(pattern(vs, c.nv)) - r.LogZ()
			if math.Abs(lp-math.Log(pv[vs]/z)) > 1e-9 {
				t.Fatalf("%d-%d: log p(v=%b) %v, brute force %v", c.nv, c.nh, vs, lp, math.Log(pv[vs]/z))
			}
			sum += math.Exp(lp)
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("%d-%d: p(v) sums to %v", c.nv, c.nh, sum)
		}
	}
}

// TestCDLearnsBars: CD-1 on the 4×4 bars takes a 16-8 RBM's exact KL from
// the 12.6 bits of a small random start to less than half of it, the same
// seed giving the same machine. (CD-1 is a biased estimate of the
// likelihood's gradient: at best its RBMs sit near 2 bits here.)
func TestCDLearnsBars(t *testing.T) {
	set := dataset.NewBars(4, 4)
	pats, probs := set.Support()
	train := func() (*RBM, float64) {
		rng := rand.New(rand.NewPCG(3, 3))
		r := New(16, 8)
		r.Init(rng, 0.01)
		before, _ := r.KL(pats, probs)
		cd := NewCD(r, 1, 0.01, 0.9, 1e-4)
		for range 400000 {
			cd.Step(set, rng)
		}
		return r, before
	}
	a, before := train()
	b, _ := train()
	after, nll := a.KL(pats, probs)
	if !a.Equal(b) {
		t.Error("two runs with the same seed differ")
	}
	if !(after < before/2) || math.Abs(nll-after-3.428405) > 1e-5 {
		t.Errorf("KL %.3f bits before, %.3f after (NLL %.3f)", before, after, nll)
	}
	t.Logf("KL %.3f → %.3f bits", before, after)
}

// one is a data set of one fixed pattern.
type one []uint8

func (o one) Sample(dst []uint8, _ *rand.Rand) { copy(dst, o) }

// TestCD1ByHand: one CD-1 step of a 2-visible, 1-hidden RBM equals the
// update written out by hand from the same uniform.
func TestCD1ByHand(t *testing.T) {
	r := New(2, 1)
	r.W[0], r.W[1], r.BV[0], r.BV[1], r.BH[0] = 0.5, -1, 0.25, -0.5, 0.1
	const rate, mom, decay = 0.1, 0.5, 0.01
	cd := NewCD(r, 1, rate, mom, decay)
	cd.UW[0], cd.UW[1], cd.UBV[0], cd.UBV[1], cd.UBH[0] = 0.01, -0.02, 0.03, 0, -0.01
	rng := rand.New(rand.NewPCG(7, 7))
	u := rand.New(rand.NewPCG(7, 7)).Float64() // the uniform the step draws (the data draws none)
	sig := helmholtz.FastSigmoid
	// v = (1, 0): the positive phase.
	ph0 := sig(0.1 + 0.5)
	h := 0.0
	if u < ph0 {
		h = 1
	}
	pv0, pv1 := sig(0.25+h*0.5), sig(-0.5+h*-1)
	ph := sig(0.1 + pv0*0.5 + pv1*-1)
	want := []float64{
		0.5 + (mom*0.01 + rate*(1*ph0-pv0*ph-decay*0.5)),
		-1 + (mom*-0.02 + rate*(0*ph0-pv1*ph-decay*-1)),
		0.25 + (mom*0.03 + rate*(1-pv0)),
		-0.5 + (mom*0 + rate*(0-pv1)),
		0.1 + (mom*-0.01 + rate*(ph0-ph)),
	}
	cd.Step(one{1, 0}, rng)
	got := []float64{r.W[0], r.W[1], r.BV[0], r.BV[1], r.BH[0]}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("parameter %d: %v, by hand %v", i, got[i], want[i])
		}
	}
}
