package estimate

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/exact"
)

// trainedOn returns a machine trained by wake-sleep for steps on the bars.
func trainedOn(b dataset.Bars, steps int) *helmholtz.Machine {
	rng := rand.New(rand.NewPCG(3, 3))
	m := helmholtz.New(b.Layers())
	m.Init(rng, 0.1)
	pats, probs := b.Support()
	m.SetVisibleBias(dataset.Marginal(pats, probs))
	ws := helmholtz.NewWakeSleep(m, 0.1, 0.1, 1)
	for range steps {
		ws.Step(b, rng)
	}
	return m
}

// heldOut returns a 25-10-1 net trained on the 5×5 bars, n examples drawn
// from them with a stream seeded by seed, and their exact mean −log2 p(v).
func heldOut(t *testing.T, n int, seed uint64) (*helmholtz.Machine, [][]uint8, float64) {
	b := dataset.NewBars(5, 5)
	m := trainedOn(b, 200000)
	rng := rand.New(rand.NewPCG(seed, seed))
	xs := make([][]uint8, n)
	for i := range xs {
		xs[i] = make([]uint8, 25)
		b.Sample(xs[i], rng)
	}
	pats, probs := dataset.Distribution(xs)
	ev, err := exact.NewEvaluator(m.Sizes, pats, probs)
	if err != nil {
		t.Fatal(err)
	}
	return m, xs, ev.Eval(m).NLL
}

// TestEstimateAgainstExact: on trained 16-8-1 and 25-10-1 nets, the
// estimated NLL on the support is within 3 standard errors of the exact
// one, and so is the held-out estimate on samples.
func TestEstimateAgainstExact(t *testing.T) {
	for _, b := range []dataset.Bars{dataset.NewBars(4, 4), dataset.NewBars(5, 5)} {
		m := trainedOn(b, 200000)
		pats, probs := b.Support()
		ev, err := exact.NewEvaluator(m.Sizes, pats, probs)
		if err != nil {
			t.Fatal(err)
		}
		want := ev.Eval(m)
		s, _ := NewSampler(m.Sizes, 100)
		rng := rand.New(rand.NewPCG(1, 1))
		got := s.NLL(m, pats, probs, want.Entropy, rng)
		if math.Abs(got.NLL-want.NLL) > 3*got.NLLSE || !(got.NLLSE < 0.05) {
			t.Errorf("%v: estimated NLL %.4f ± %.4f, exact %.4f", b, got.NLL, got.NLLSE, want.NLL)
		}
		held := s.HeldOut(m, b, 2000, rng)
		if math.Abs(held.NLL-want.NLL) > 3*held.NLLSE {
			t.Errorf("%v: held-out NLL %.4f ± %.4f, exact %.4f", b, held.NLL, held.NLLSE, want.NLL)
		}
		// The fast path (the training kernels) estimates the same NLL,
		// and its weights are helmholtz.Importance's, bit for bit.
		s.Fast = true
		fast := s.NLL(m, pats, probs, want.Entropy, rand.New(rand.NewPCG(1, 1)))
		if math.Abs(fast.NLL-want.NLL) > 3*fast.NLLSE || fast.NLL == got.NLL {
			t.Errorf("%v: fast estimate %.4f ± %.4f, exact %.4f (portable %.4f)", b, fast.NLL, fast.NLLSE, want.NLL, got.NLL)
		}
		lp, _ := s.LogProb(m, pats[3], rand.New(rand.NewPCG(5, 5)))
		w := make([]float64, s.K)
		helmholtz.NewImportance(m).LogWeights(pats[3], rand.New(rand.NewPCG(5, 5)), w)
		if want, _ := meanLog(w); lp != want {
			t.Errorf("%v: fast log p(v) %v, from Importance's weights %v", b, lp, want)
		}
	}
}

// TestEstimateError: the spread of repeated estimates of log p(v) shrinks
// as 1/√K (by a factor near 2 for 4 times the samples), and the reported
// standard error matches the spread.
func TestEstimateError(t *testing.T) {
	b := dataset.NewBars(4, 4)
	m := trainedOn(b, 20000) // a poor q: a clear importance-sampling error
	v := []uint8{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}
	rng := rand.New(rand.NewPCG(2, 2))
	var spreads []float64
	for _, k := range []int{20, 80, 320} {
		s, _ := NewSampler(m.Sizes, k)
		const reps = 400
		var sum, sum2, se float64
		for range reps {
			lp, e := s.LogProb(m, v, rng)
			sum += lp
			sum2 += lp * lp
			se += e / reps
		}
		sd := math.Sqrt(sum2/reps - (sum/reps)*(sum/reps))
		if se < 0.7*sd || se > 1.4*sd {
			t.Errorf("K = %d: reported standard error %.4f, spread of estimates %.4f", k, se, sd)
		}
		spreads = append(spreads, sd)
	}
	for i := 1; i < len(spreads); i++ {
		if r := spreads[i-1] / spreads[i]; r < 1.6 || r > 2.5 {
			t.Errorf("spread fell by %.2f for 4 times the samples, want about 2 (%v)", r, spreads)
		}
	}
}

func TestNewSampler(t *testing.T) {
	if _, err := NewSampler([]int{16, 8, 1}, 0); err == nil {
		t.Error("0 samples accepted")
	}
}

// TestParallel: the fast estimate agrees with enumeration on a trained
// 25-10-1 net (within 3 standard errors, on examples drawn from the
// bars), its coding cost bounds it from above, and the result does not
// depend on the number of workers.
func TestParallel(t *testing.T) {
	m, xs, want := heldOut(t, 3000, 5)
	one := Parallel(m, xs, 50, 9, 1)
	if math.Abs(one.NLL-want) > 3*one.SE+0.01 || !(one.Coding >= one.NLL) {
		t.Errorf("estimate %.4f ± %.4f (coding cost %.4f), exact %.4f", one.NLL, one.SE, one.Coding, want)
	}
	three := Parallel(m, xs, 50, 9, 3)
	if !slices.Equal(three.Each, one.Each) || len(one.Each) != len(xs) {
		t.Errorf("each example's estimate differs with 3 workers and with 1")
	}
	if three.NLL != one.NLL || three.SE != one.SE || three.Coding != one.Coding || three.K != one.K || three.N != one.N {
		t.Errorf("with 3 workers %+v, with 1 %+v", three, one)
	}
}

// TestParallelAIS: annealed importance sampling of a trained 25-10-1 net
// is close to the exact −log2 p(v) of its examples (the mean within 0.05
// bits), and the same with 3 workers as with 1.
func TestParallelAIS(t *testing.T) {
	m, xs, want := heldOut(t, 40, 6)
	one := ParallelAIS(m, xs, 10, 300, 9, 1)
	if d := one.NLL - want; math.Abs(d) > 0.05 || !math.IsNaN(one.Coding) || one.K != 10 {
		t.Errorf("AIS %.4f ± %.4f (K %d, coding %v), exact %.4f", one.NLL, one.SE, one.K, one.Coding, want)
	}
	three := ParallelAIS(m, xs, 10, 300, 9, 3)
	if !slices.Equal(three.Each, one.Each) || three.NLL != one.NLL || three.SE != one.SE {
		t.Errorf("with 3 workers %v ± %v, with 1 %v ± %v", three.NLL, three.SE, one.NLL, one.SE)
	}
}
