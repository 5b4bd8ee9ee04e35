package exact

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
)

// randomMachine returns a machine with N(0, scale²) weights and biases.
func randomMachine(sizes []int, scale float64, seed uint64) *helmholtz.Machine {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := helmholtz.New(sizes)
	m.Init(rng, scale)
	for _, b := range m.B {
		for i := range b {
			b[i] = scale * rng.NormFloat64()
		}
	}
	return m
}

// bitsOf returns the n-bit binary pattern of the integer x, unit i = bit i.
func bitsOf(x, n int) []uint8 {
	v := make([]uint8, n)
	for i := range n {
		v[i] = uint8(x >> i & 1)
	}
	return v
}

// bruteLogProb sums p(v, x_1, ..., x_top) over every latent configuration
// of every layer at once, with LogJoint: an oracle independent of the
// evaluator's chain and Gray-code walk.
func bruteLogProb(m *helmholtz.Machine, v []uint8) float64 {
	return bruteForce(m, v, m.LogJoint)
}

// bruteForce returns log Σ exp(logJoint(x)) over every latent
// configuration x of m with visible pattern v, by a two-pass log-sum-exp.
func bruteForce(m *helmholtz.Machine, v []uint8, logJoint func(x [][]uint8) float64) float64 {
	latent := 0
	for _, n := range m.Sizes[1:] {
		latent += n
	}
	var terms []float64
	for c := range 1 << latent {
		x := [][]uint8{v}
		shift := 0
		for _, n := range m.Sizes[1:] {
			x = append(x, bitsOf(c>>shift, n))
			shift += n
		}
		terms = append(terms, logJoint(x))
	}
	mx := math.Inf(-1)
	for _, t := range terms {
		mx = max(mx, t)
	}
	var s float64
	for _, t := range terms {
		s += math.Exp(t - mx)
	}
	return mx + math.Log(s)
}

func TestLogProbsAgainstBruteForce(t *testing.T) {
	for _, sizes := range [][]int{{4, 2, 1}, {5, 3, 2, 2}, {3, 4}, {6, 2, 3}} {
		for _, scale := range []float64{0.5, 3, 20} {
			m := randomMachine(sizes, scale, uint64(scale*10))
			var pats [][]uint8
			for x := range 1 << sizes[0] {
				pats = append(pats, bitsOf(x, sizes[0]))
			}
			e, err := NewEvaluator(sizes, pats, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := e.LogProbs(m)
			for k, v := range pats {
				want := bruteLogProb(m, v)
				if math.Abs(got[k]-want) > 1e-10*max(1, math.Abs(want)) {
					t.Errorf("sizes %v scale %v pattern %v: log p = %.12f, brute force %.12f", sizes, scale, v, got[k], want)
				}
			}
		}
	}
}

// TestNormalised checks Σ_v p(v) = 1 over all 2^16 images of a 16-8-1 net.
// TestFastCaseAgrees: the multiplicative update of e^a (taken when the
// logits are bounded) and the direct exponentials give the same log p(v).
func TestFastCaseAgrees(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	for _, scale := range []float64{0.1, 1, 4} {
		m := randomMachine([]int{16, 8, 1}, scale, 5)
		fast, _ := NewEvaluator(m.Sizes, images, probs)
		slow, _ := NewEvaluator(m.Sizes, images, probs)
		slow.slow = true
		if !fast.expFactors(m) {
			t.Fatalf("scale %v: fast case not taken", scale)
		}
		a := append([]float64(nil), fast.LogProbs(m)...)
		b := slow.LogProbs(m)
		for k := range a {
			if math.Abs(a[k]-b[k]) > 1e-11*max(1, math.Abs(b[k])) {
				t.Fatalf("scale %v pattern %d: fast %.15f, direct %.15f", scale, k, a[k], b[k])
			}
		}
	}
}

func TestNormalised(t *testing.T) {
	for _, scale := range []float64{0.1, 2} {
		m := randomMachine([]int{16, 8, 1}, scale, 11)
		pats := make([][]uint8, 1<<16)
		for x := range pats {
			pats[x] = bitsOf(x, 16)
		}
		e, err := NewEvaluator(m.Sizes, pats, nil)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, lp := range e.LogProbs(m) {
			sum += math.Exp(lp)
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("scale %v: Σ p(v) = %.15f, want 1 within 1e-9", scale, sum)
		}
	}
}

func TestEvalBars(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	e, err := NewEvaluator([]int{16, 8, 1}, images, probs)
	if err != nil {
		t.Fatal(err)
	}
	// A zero machine gives every image probability 2^-16: NLL = 16 bits.
	r := e.Eval(helmholtz.New([]int{16, 8, 1}))
	if math.Abs(r.NLL-16) > 1e-12 || math.Abs(r.Entropy-3.428405) > 5e-7 || math.Abs(r.KL-(16-r.Entropy)) > 1e-12 {
		t.Errorf("zero machine: %+v, want NLL 16, H 3.428405, KL = NLL − H", r)
	}
	// The stub's random init (weights N(0, 0.1²), b_v = logit 0.2) starts
	// near 8.15 bits (DEVELOPERS.md).
	m := helmholtz.New([]int{16, 8, 1})
	m.Init(rand.New(rand.NewPCG(2, 0)), 0.1)
	m.SetVisibleBias(dataset.Marginal(images, probs))
	if r := e.Eval(m); math.Abs(r.KL-8.15) > 0.1 {
		t.Errorf("random init KL = %.3f bits, want about 8.15", r.KL)
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		sizes []int
		ok    bool
	}{
		{[]int{16, 8, 1}, true}, {[]int{32, 16, 4}, true}, {[]int{16, 23, 1}, true}, {[]int{16, 24, 1}, false},
		{[]int{16, 25, 1}, false}, {[]int{16, 8, 20, 5}, false}, {[]int{16, 8, 25}, false},
		{[]int{16}, false},
	} {
		if err := Check(c.sizes); (err == nil) != c.ok {
			t.Errorf("Check(%v) = %v, want ok=%v", c.sizes, err, c.ok)
		}
	}
}

func BenchmarkExactKL(b *testing.B) {
	images, probs := dataset.NewBars(4, 4).Support()
	m := helmholtz.New([]int{16, 8, 1})
	m.Init(rand.New(rand.NewPCG(2, 0)), 0.1)
	m.SetVisibleBias(dataset.Marginal(images, probs))
	benchmarkKL(b, m, images, probs)
}

// BenchmarkExactKLTrained evaluates a net after 200,000 wake-sleep steps,
// as evaluations during training do (larger weights than at the start).
func BenchmarkExactKLTrained(b *testing.B) {
	bars := dataset.NewBars(4, 4)
	images, probs := bars.Support()
	rng := rand.New(rand.NewPCG(2, 0))
	m := helmholtz.New([]int{16, 8, 1})
	m.Init(rng, 0.1)
	m.SetVisibleBias(dataset.Marginal(images, probs))
	ws := helmholtz.NewWakeSleep(m, 0.1, 0.1, 1)
	var data helmholtz.Data = bars
	for range 200000 {
		ws.Step(data, rng)
	}
	benchmarkKL(b, m, images, probs)
}

func benchmarkKL(b *testing.B, m *helmholtz.Machine, images [][]uint8, probs []float64) {
	e, err := NewEvaluator(m.Sizes, images, probs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Eval(m)
	}
}

// TestPartsSameBits: priors shared among 2, 4 or 8 blocks of a layer's
// configurations, and the visible walk among as many blocks of patterns,
// give the bits of one block (the block starts' sums are the
// recursion's), with small weights (the fast case) and large ones.
func TestPartsSameBits(t *testing.T) {
	for _, scale := range []float64{1.5, 40} {
		testPartsSameBits(t, scale)
	}
}

func testPartsSameBits(t *testing.T, scale float64) {
	sizes := []int{10, 9, 8, 5}
	m := randomMachine(sizes, scale, 3)
	var pats [][]uint8
	for x := range 40 {
		pats = append(pats, bitsOf(x*97%1024, 10))
	}
	probs := make([]float64, len(pats))
	for i := range probs {
		probs[i] = 1 / float64(len(pats))
	}
	logProbs := func(work, procs int) []float64 {
		defer func(w, p int) { parallelWork = w; runtime.GOMAXPROCS(p) }(parallelWork, runtime.GOMAXPROCS(procs))
		parallelWork = work
		e, err := NewEvaluator(sizes, pats, probs)
		if err != nil {
			t.Fatal(err)
		}
		if parts := priorParts(9, 8); work == 0 && parts != min(procs, 8, 1<<5) {
			t.Fatalf("%d parts with %d procs", parts, procs)
		}
		return slices.Clone(e.LogProbs(m))
	}
	want := logProbs(1<<62, 1)
	for _, procs := range []int{2, 4, 8} {
		got := logProbs(0, procs)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("scale %g, %d parts: log p(v_%d) = %v, one part %v", scale, procs, i, got[i], want[i])
			}
		}
	}
	if w := bruteLogProb(m, pats[7]); math.Abs(w-want[7]) > 1e-9*max(1, math.Abs(w)) {
		t.Fatalf("scale %g: log p(v_7) = %v, brute force %v", scale, want[7], w)
	}
}

// BenchmarkLogProbsManyPatterns: log p(v) of 4096 patterns drawn from a
// 100-16 belief net with weights uniform on [−2, 2) (as the held-out
// tasks' BN 20-100, with a smaller hidden layer), as an entropy is
// computed: most of each pattern's 2^16 terms are far below its sum.
func BenchmarkLogProbsManyPatterns(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 0))
	m := helmholtz.New([]int{100, 16})
	for i := range m.W[0] {
		m.W[0][i] = 4*rng.Float64() - 2
	}
	xs := make([][]uint8, 4096)
	for k := range xs {
		h := rng.Uint64()
		xs[k] = make([]uint8, 100)
		for i := range xs[k] {
			a := 0.0
			for j := range 16 {
				if h>>j&1 != 0 {
					a += m.W[0][j*100+i]
				}
			}
			if rng.Float64() < 1/(1+math.Exp(-a)) {
				xs[k][i] = 1
			}
		}
	}
	e, err := NewEvaluator(m.Sizes, xs, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		e.LogProbs(m)
	}
}
