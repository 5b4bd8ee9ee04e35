package exact

import (
	"math"
	"math/big"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
)

// exactLogit returns b + Σ_{j on} w[j·n+i] summed exactly (big.Float with
// enough bits for any float64 sum), then rounded once.
func exactLogit(b, w []float64, above []uint8, i int) float64 {
	n := len(b)
	s := new(big.Float).SetPrec(2200).SetFloat64(b[i])
	for j, on := range above {
		if on != 0 {
			s.Add(s, new(big.Float).SetPrec(2200).SetFloat64(w[j*n+i]))
		}
	}
	f, _ := s.Float64()
	return f
}

// refLogSigmoid is log σ(x) with the standard library.
func refLogSigmoid(x float64) float64 {
	return -(max(-x, 0) + math.Log1p(math.Exp(-math.Abs(x))))
}

// refLogProb is log p(v) by brute force over every latent configuration,
// with exact logits: a reference independent of the evaluator's chain,
// walk and summation.
func refLogProb(m *helmholtz.Machine, v []uint8) float64 {
	return bruteForce(m, v, func(x [][]uint8) float64 {
		top := len(m.Sizes) - 1
		var s float64
		for j, b := range m.B[top] {
			s += refLogSigmoid(float64(2*int(x[top][j])-1) * b)
		}
		for l := top - 1; l >= 0; l-- {
			for i := range m.Sizes[l] {
				a := exactLogit(m.B[l], m.W[l], x[l+1], i)
				s += refLogSigmoid(float64(2*int(x[l][i])-1) * a)
			}
		}
		return s
	})
}

// TestLargeWeights: for weights of any finite size, log p(v) agrees with
// the reference to 1e-9 relative, and in particular weights that cancel
// exactly (w and −w of 1e25) leave the small bias they sit on. Before the
// careful path, weights of 1e12 gave errors of nats and 1e25 negative KL.
func TestLargeWeights(t *testing.T) {
	for _, sizes := range [][]int{{4, 2, 1}, {5, 3, 2, 2}, {3, 4}} {
		var pats [][]uint8
		for x := range 1 << sizes[0] {
			pats = append(pats, bitsOf(x, sizes[0]))
		}
		for _, scale := range []float64{1, 1e3, 1e6, 1e10, 1e12, 1e15, 1e25, 1e100, 1e300} {
			m := randomMachine(sizes, scale, 3)
			// Units 0 and 1 of the first hidden layer cancel on pixel 0,
			// which then keeps its small bias when both are on.
			m.B[0][0] = 0.75
			if sizes[1] > 1 {
				m.W[0][0], m.W[0][sizes[0]] = scale, -scale
			}
			e, err := NewEvaluator(sizes, pats, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := e.LogProbs(m)
			for k, v := range pats {
				want := refLogProb(m, v)
				if !(math.Abs(got[k]-want) <= 1e-9*max(1, math.Abs(want))) {
					t.Errorf("sizes %v scale %g pattern %v: log p = %.12g, reference %.12g", sizes, scale, v, got[k], want)
				}
			}
		}
	}
}

// TestLargeWeightsKL: a bars net scaled up to any size keeps KL ≥ 0 and
// NLL = H + KL; the careful path agrees with the fast one where both work.
func TestLargeWeightsKL(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	e, err := NewEvaluator([]int{16, 8, 1}, images, probs)
	if err != nil {
		t.Fatal(err)
	}
	base := randomMachine([]int{16, 8, 1}, 2, 9)
	for _, scale := range []float64{1, 100, 1e4, 1e8, 1e12, 1e25, 1e100, 1e300} {
		m := base.Clone()
		for _, g := range [][][]float64{m.B, m.W} {
			for _, p := range g {
				for i := range p {
					p[i] *= scale
				}
			}
		}
		r := e.Eval(m)
		if !(r.KL >= 0) || math.IsInf(r.KL, 0) {
			t.Errorf("scale %g: KL = %v bits, want finite and ≥ 0", scale, r.KL)
		}
	}
	// Below carefulLimit both paths run; they must agree.
	m := randomMachine([]int{16, 8, 1}, 3, 4)
	if needsCare(m) {
		t.Fatal("a net of weights N(0, 9) takes the careful path")
	}
	fast := append([]float64(nil), e.LogProbs(m)...)
	e.carefulPriors(m)
	e.carefulVisible(m)
	for k := range fast {
		if math.Abs(fast[k]-e.logp[k]) > 1e-10*max(1, math.Abs(fast[k])) {
			t.Errorf("pattern %d: fast path %.15f, careful path %.15f", k, fast[k], e.logp[k])
		}
	}
}

// TestAccurateLogits: every logit is the exact sum rounded once, also
// where partial sums cancel (1e25 − 1e25) or overflow although the sum is
// finite (M + M − M) or truly infinite (M + M).
func TestAccurateLogits(t *testing.T) {
	const M = math.MaxFloat64
	for _, c := range []struct{ b, w []float64 }{
		{[]float64{1, -2.5, 3e-20}, []float64{1e25, 7, -1e300, -1e25, 1e16, 1e300, 3, 1, 1}},
		{[]float64{0.5, -1, 2}, []float64{M, M, -M, M, -M, M, -M, 1, M}},
	} {
		a := make([]float64, 3)
		errs := make([]float64, 3)
		for state := range 8 {
			accurateLogits(a, c.b, c.w, state, errs)
			above := bitsOf(state, 3)
			for i := range a {
				if want := exactLogit(c.b, c.w, above, i); a[i] != want {
					t.Errorf("w %g… state %03b unit %d: %g, exact %g", c.w[0], state, i, a[i], want)
				}
			}
		}
	}
}

// TestOverflowingLogits: with weights near the largest float64, whose
// partial sums overflow (TestAccurateLogits checks the sums), log p(v)
// agrees with the reference, and the same net with weights of 1e300,
// which sums without overflow, saturates the same units and so gives the
// same KL.
func TestOverflowingLogits(t *testing.T) {
	const M = math.MaxFloat64
	// A bars net that generates deterministically: hidden unit j < 4 draws
	// column j, unit 4 + k row k; pixel logits are −S/2 + S·(bars on it),
	// so a pixel of two bars sums to 3S/2, beyond the float64 range for
	// S ≥ 1.2e308 (+Inf, log σ = 0) and 1.5e300 for S = 1e300 (log σ = 0
	// too). p(v) is the same for every S.
	images, probs := dataset.NewBars(4, 4).Support()
	e, err := NewEvaluator([]int{16, 8, 1}, images, probs)
	if err != nil {
		t.Fatal(err)
	}
	base := randomMachine([]int{16, 8, 1}, 1, 5)
	var kl []float64
	for _, S := range []float64{1e300, 1.7e308, M} {
		m := base.Clone()
		clear(m.W[0])
		for p := range 16 {
			m.B[0][p] = -S / 2
			m.W[0][(p%4)*16+p] = S   // column p%4
			m.W[0][(4+p/4)*16+p] = S // row p/4
		}
		for k, v := range images[:8] {
			want, got := refLogProb(m, v), e.LogProbs(m)[k]
			if !(math.Abs(got-want) <= 1e-9*max(1, math.Abs(want))) {
				t.Errorf("S = %g pattern %v: log p = %.12g, reference %.12g", S, v, got, want)
			}
		}
		kl = append(kl, e.Eval(m).KL)
	}
	if kl[0] != kl[1] || kl[0] != kl[2] || !(kl[0] > 0) || math.IsInf(kl[0], 0) {
		t.Errorf("KL of the saturated bars net: %v bits at S = 1e300, 1.7e308, MaxFloat64; want one finite value", kl)
	}
}
