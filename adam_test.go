package helmholtz

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestAdamByHand: two Adam steps on one parameter, against the update
// worked by hand from Kingma & Ba's algorithm.
func TestAdamByHand(t *testing.T) {
	a := NewAdam()
	p := [][]float64{{1}}
	a.Update(SlotGenBias, p, [][]float64{{0.5}}, 0.1)
	// t = 1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25: a step of
	// 0.1·0.5/(0.5 + 1e-8).
	want := 1 + 0.1*0.5/(0.5+1e-8)
	if math.Abs(p[0][0]-want) > 1e-15 {
		t.Fatalf("after one step %.17g, want %.17g", p[0][0], want)
	}
	a.Update(SlotGenBias, p, [][]float64{{-1}}, 0.1)
	// t = 2: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001 =
	// 0.00124975; m̂ = −0.055/0.19, v̂ = 0.00124975/0.001999.
	want += 0.1 * (-0.055 / 0.19) / (math.Sqrt(0.00124975/0.001999) + 1e-8)
	if math.Abs(p[0][0]-want) > 1e-12 {
		t.Fatalf("after two steps %.17g, want %.17g", p[0][0], want)
	}
	// Another slot has its own moments and step count.
	q := [][]float64{{0}}
	a.Update(SlotRecBias, q, [][]float64{{2}}, 0.1)
	if math.Abs(q[0][0]-0.1*2/(2+1e-8)) > 1e-15 {
		t.Errorf("a fresh slot's first step: %.17g", q[0][0])
	}
}

// TestAdamCores: Adam on a layer large enough to be split among cores
// gives the same bits on one core as on several.
func TestAdamCores(t *testing.T) {
	n := 3*parallelGrain + 5
	run := func(procs int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewPCG(4, 4))
		p, g := [][]float64{make([]float64, n)}, [][]float64{make([]float64, n)}
		a := NewAdam()
		for range 3 {
			for i := range g[0] {
				g[0][i] = rng.NormFloat64()
			}
			a.Update(SlotRecWeights, p, g, 0.001)
		}
		return p[0]
	}
	if !sameBits(run(1), run(3)) {
		t.Fatal("Adam's update differs between one core and three")
	}
}

// TestSplitBatchCores: a batch of a net large enough to be split in two
// parts gives the same machine, bit for bit, on one core as on two.
func TestSplitBatchCores(t *testing.T) {
	sizes := []int{300, 230, 10}
	if New(sizes).weights() < partWeights {
		t.Fatal("the net is too small to be split")
	}
	run := func(procs int) *Machine {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewPCG(5, 5))
		m := New(sizes)
		m.Init(rng, 0.1)
		r := NewReweighted(m, 0.01, 0.01, 3)
		r.Batch, r.Opt = 7, NewAdam()
		for range 30 {
			r.Step(testData{n: sizes[0]}, rng)
		}
		if len(r.parts) != 2 {
			t.Fatalf("the batch went in %d parts, want 2", len(r.parts))
		}
		return m
	}
	if !run(1).Equal(run(2)) {
		t.Fatal("a split batch trains differently on one core and on two")
	}
}

// TestBatchIsMeanOfOnline: a batch of B patterns (reweighted wake-sleep,
// K = 3, the wake-phase q update, no sleep; and wake-sleep's wake phase)
// moves the parameters by the mean of the B online updates made from the
// same parameters with the same draws: the averaged gradient (each online
// update being the gradient TestReweightedIsGradient checks).
func TestBatchIsMeanOfOnline(t *testing.T) {
	const B = 4
	start := randomMachine([]int{6, 4, 2}, 1, 8)
	batch := start.Clone()
	r := NewReweighted(batch, 0.05, 0.03, 3)
	r.Sleep, r.Batch = false, B
	r.Step(barsLike6{}, rand.New(rand.NewPCG(1, 2)))

	mean := New(start.Sizes)
	rng := rand.New(rand.NewPCG(1, 2))
	for range B {
		m := start.Clone()
		o := NewReweighted(m, 0.05, 0.03, 3)
		o.Sleep = false
		o.Step(barsLike6{}, rng)
		for _, pair := range [][2][][]float64{{mean.B, m.B}, {mean.W, m.W}, {mean.C, m.C}, {mean.R, m.R}} {
			for l := range pair[0] {
				for i := range pair[0][l] {
					pair[0][l][i] += pair[1][l][i] / B
				}
			}
		}
	}
	for _, pair := range [][2][][]float64{{mean.B, batch.B}, {mean.W, batch.W}, {mean.C, batch.C}, {mean.R, batch.R}} {
		for l := range pair[0] {
			for i := range pair[0][l] {
				if math.Abs(pair[0][l][i]-pair[1][l][i]) > 1e-12 {
					t.Fatalf("layer %d parameter %d: batch %.15g, mean of online %.15g", l, i, pair[1][l][i], pair[0][l][i])
				}
			}
		}
	}
}

// barsLike6 draws 6-unit patterns: one of three pairs on, or none.
type barsLike6 struct{}

func (barsLike6) Sample(dst []uint8, rng *rand.Rand) {
	clear(dst)
	if k := rng.IntN(4); k < 3 {
		dst[2*k], dst[2*k+1] = 1, 1
	}
}

// TestAdamTrains: reweighted wake-sleep in batches with Adam learns the
// bars-like data (exact log p(v) rises), and is deterministic.
func TestAdamTrains(t *testing.T) {
	run := func() *Machine {
		m := randomMachine([]int{16, 6}, 0.1, 3)
		for i := range m.B[0] {
			m.B[0][i] = -1
		}
		r := NewReweighted(m, 0.01, 0.01, 5)
		r.Batch, r.Opt = 10, NewAdam()
		rng := rand.New(rand.NewPCG(4, 4))
		for range 1000 {
			r.Step(barsLike{}, rng)
		}
		return m
	}
	m0 := randomMachine([]int{16, 6}, 0.1, 3)
	for i := range m0.B[0] {
		m0.B[0][i] = -1
	}
	before := meanLogProb(m0, 2000)
	a, b := run(), run()
	if !a.Equal(b) {
		t.Fatal("two runs differ")
	}
	if after := meanLogProb(a, 2000); !(after > before+2) {
		t.Errorf("mean log p(v): %.3f nats before, %.3f after", before, after)
	}
}

// plainAscent is the online path's update, p += rate·g, as an Optimizer.
type plainAscent struct{}

func (plainAscent) Update(_ int, p, g [][]float64, rate float64) { update(nil, 0, p, g, rate) }

// TestBatchOfOneIsOnline: a batch of one pattern (K = 4, no sleep) with
// plain ascent ends in the same bits as the online step, though the batch
// path reuses the logits of the importance weights for its updates and
// the online path sums them again. (A net with a wide layer takes the
// batch path for its online steps: TestSharedRows checks that path.)
func TestBatchOfOneIsOnline(t *testing.T) {
	for _, sizes := range [][]int{{6, 4, 2}, {100, 90, 6}} {
		a := randomMachine(sizes, 0.5, 2)
		b := a.Clone()
		ra, rb := NewReweighted(a, 0.05, 0.03, 4), NewReweighted(b, 0.05, 0.03, 4)
		ra.Sleep, rb.Sleep = false, false
		rb.Opt = plainAscent{}
		rngA, rngB := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
		data := testData{n: sizes[0]}
		for range 50 {
			ra.Step(data, rngA)
			rb.Step(data, rngB)
		}
		if !a.Equal(b) {
			t.Errorf("%v: a batch of one differs from the online step", sizes)
		}
	}
}
