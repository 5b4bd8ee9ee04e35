package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// all returns every binary vector of n units.
func all(n int) [][]uint8 {
	out := make([][]uint8, 1<<n)
	for x := range out {
		out[x] = make([]uint8, n)
		for i := range n {
			out[x][i] = uint8(x >> i & 1)
		}
	}
	return out
}

// checkModel checks a model of n visible units against brute force: its
// probabilities sum to one, and 200,000 samples fall on each pattern as
// often as its probability says (a χ² test on the patterns of p ≥ 0.002;
// a wrong sampler fails it by far).
func checkModel(t *testing.T, name string, m model, n int) {
	t.Helper()
	xs := all(n)
	lp, err := m.logProbs(xs)
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, l := range lp {
		total += math.Exp(l)
	}
	if math.Abs(total-1) > 1e-9 {
		t.Errorf("%s: probabilities sum to %v", name, total)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	const N = 200000
	counts := make([]float64, len(xs))
	x := make([]uint8, n)
	for range N {
		m.sample(x, rng)
		k := 0
		for i, v := range x {
			k |= int(v) << i
		}
		counts[k]++
	}
	var chi2 float64
	df := 0
	for k, l := range lp {
		if e := N * math.Exp(l); e >= N*0.002 {
			chi2 += (counts[k] - e) * (counts[k] - e) / e
			df++
		}
	}
	// χ² with df degrees of freedom: mean df, sd √(2df); 6 sd.
	if chi2 > float64(df)+6*math.Sqrt(2*float64(df)) {
		t.Errorf("%s: χ² = %.1f on %d patterns: the sampler does not draw the model's distribution", name, chi2, df)
	}
}

func TestSmallModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	checkModel(t, "mixture 3-6", newMixture(rng, 3, 6), 6)
	checkModel(t, "belief net 6-3-2", newBeliefNet(rng, []int{6, 3, 2}), 6)
	checkModel(t, "belief net 6-4", newBeliefNet(rng, []int{6, 4}), 6)
	checkModel(t, "layered BM 2-3-6", newLayeredBM(rng, 2, 3, 6), 6)
	checkModel(t, "blocks 2×(3-3)", newBlocks(rng, 2, 3, 3), 6)
}

// TestLayeredBMPrior: the middle layer's marginal against a sum over the
// joint's every state, exp(v·W1·h + h·W2·t) / Z.
func TestLayeredBMPrior(t *testing.T) {
	b := newLayeredBM(rand.New(rand.NewPCG(3, 4)), 2, 3, 4)
	joint := make([]float64, 1<<3)
	var z float64
	for h := range 1 << 3 {
		for v := range 1 << 4 {
			for top := range 1 << 2 {
				var e float64
				for j := range 3 {
					if h>>j&1 == 0 {
						continue
					}
					for i := range 4 {
						e += float64(v>>i&1) * b.w1[j*4+i]
					}
					for k := range 2 {
						e += float64(top>>k&1) * b.w2[k*3+j]
					}
				}
				joint[h] += math.Exp(e)
				z += math.Exp(e)
			}
		}
	}
	for h, lp := range b.logPrior {
		if want := math.Log(joint[h] / z); math.Abs(lp-want) > 1e-9 {
			t.Errorf("state %03b: log p = %v, brute force %v", h, lp, want)
		}
	}
}

// TestMake: the same seed gives the same data and entropy; the splits
// have the sizes asked; an MRF task is kept only when base rates do badly.
func TestMake(t *testing.T) {
	n := Sizes{200, 50, 60}
	for _, task := range []string{"mix20", "bn20", "mrf10x10"} {
		a, err := Make(task, 5, n)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Make(task, 5, n)
		if len(a.Train) != 200 || len(a.Valid) != 50 || len(a.Test) != 60 || !(a.Entropy > 0) {
			t.Fatalf("%s: splits %d/%d/%d, entropy %v", task, len(a.Train), len(a.Valid), len(a.Test), a.Entropy)
		}
		if a.Entropy != b.Entropy || !slices.EqualFunc(a.Test, b.Test, slices.Equal) {
			t.Errorf("%s: two makes of seed 5 differ", task)
		}
		c, _ := Make(task, 6, n)
		if slices.EqualFunc(a.Train, c.Train, slices.Equal) {
			t.Errorf("%s: seeds 5 and 6 give the same data", task)
		}
	}
	if _, err := Make("nonesuch", 1, n); err == nil {
		t.Error("an unknown task is made")
	}
	if _, err := Make("mix20", 1, Sizes{0, 1, 1}); err == nil {
		t.Error("an empty split is made")
	}
}

// TestBaseRateGaps: the gaps of fresh MRF draws are the same for a seed,
// spread (not one model drawn again), mostly below the threshold the kept
// draws pass, and asked of a task that is not an MRF, an error.
func TestBaseRateGaps(t *testing.T) {
	a, err := BaseRateGaps("mrf10x10", 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BaseRateGaps("mrf10x10", 1, 20)
	if !slices.Equal(a, b) {
		t.Error("two calls with seed 1 differ")
	}
	below := 0
	for _, g := range a {
		if g < MRFGap {
			below++
		}
	}
	if lo, hi := slices.Min(a), slices.Max(a); !(hi-lo > 1) || below < 10 {
		t.Errorf("gaps %v: want a spread of more than a bit, most below %d bits", a, MRFGap)
	}
	if _, err := BaseRateGaps("bn20", 1, 1); err == nil {
		t.Error("gaps of a task that is not an MRF")
	}
}
