package helmholtz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz/dataset"
)

// TestLanesAreChainsAlone: each lane of a Lanes ends a run of steps with
// the same parameters, bit for bit, as WakeSleep.Step on its machine
// alone with the same random stream, for nets of two to four layers (top
// layers of one and of several units), with and without the recipe's
// options, in four lanes, in eight and in sixteen (AVX-512 where the
// machine has it, else the portable kernels), with fewer chains than lanes, on square
// bars of one word of pixels and of two (WordData) and on oblong bars and
// the shifter (Sample per chain).
func TestLanesAreChainsAlone(t *testing.T) {
	cap := -1.2
	for _, c := range []struct {
		sizes  []int
		chains int
		opts   Options
		steps  int
		set    dataset.Set // bars of the visible layer's side if nil
	}{
		{[]int{16, 8, 1}, 4, Options{}, 20000, nil},
		{[]int{16, 8, 1}, 3, Options{Decay: 1e-5, NonNegative: true, CapHidden: true, HiddenCap: cap}, 20000, nil},
		{[]int{16, 8, 1}, 1, Options{}, 5000, nil},
		{[]int{25, 10, 1}, 4, Options{}, 10000, nil},
		{[]int{16, 6, 3, 2}, 2, Options{Decay: 1e-4}, 10000, nil},
		{[]int{9, 5}, 4, Options{NonNegative: true}, 10000, nil},
		{[]int{16, 7, 2}, 4, Options{CapHidden: true, HiddenCap: 0}, 10000, nil},
		{[]int{81, 12, 1}, 4, Options{}, 3000, dataset.NewBars(9, 9)},
		{[]int{81, 12, 1}, 2, Options{Decay: 1e-4, NonNegative: true}, 3000, dataset.NewBars(9, 9)},
		{[]int{70, 12, 1}, 3, Options{NonNegative: true}, 3000, dataset.NewBars(7, 10)},
		{[]int{32, 10, 1}, 4, Options{}, 5000, dataset.NewShifter(8)},
		{[]int{32, 10, 1}, 2, Options{Decay: 1e-4}, 5000, dataset.NewShifter(8)},
	} {
		// Eight lanes take the chains and four more, sixteen the chains
		// and twelve more.
		for _, wc := range [][2]int{{4, c.chains}, {8, c.chains + 4}, {16, c.chains + 12}} {
			w, chains := wc[0], wc[1]
			t.Run(fmt.Sprintf("%v/%d-in-%d", c.sizes, chains, w), func(t *testing.T) {
				testLanesAreChainsAlone(t, c.sizes, chains, w, c.opts, c.steps, c.set)
			})
		}
	}
}

// testLanesAreChainsAlone runs chains in lanes of width w and each alone
// (bars of the visible layer's side if set is nil).
func testLanesAreChainsAlone(t *testing.T, sizes []int, chains, w int, opts Options, steps int, set dataset.Set) {
	t.Helper()
	if set == nil {
		side := map[int]int{16: 4, 25: 5, 9: 3}[sizes[0]]
		set = dataset.NewBars(side, side)
	}
	marg := dataset.Marginal(set.Support())
	lanes := newLanes(sizes, 0.1, 0.07, w)
	lanes.Options = opts
	var alone []*WakeSleep
	var rngs []*rand.Rand
	var laneSrcs []*rand.PCG
	for k := range chains {
		m := New(sizes)
		seed := uint64(10 + k)
		m.Init(rand.New(rand.NewPCG(seed, 1)), 0.3)
		m.SetVisibleBias(marg)
		lanes.Load(k, m)
		ws := NewWakeSleep(m, 0.1, 0.07, 1)
		ws.Options = opts
		alone = append(alone, ws)
		rngs = append(rngs, rand.New(rand.NewPCG(seed, 2)))
		laneSrcs = append(laneSrcs, rand.NewPCG(seed, 2))
	}
	var data Data = set
	for range steps {
		lanes.Step(data, laneSrcs)
	}
	for k, ws := range alone {
		for range steps {
			ws.Step(data, rngs[k])
		}
		got := New(sizes)
		lanes.Store(k, got)
		if !got.Equal(ws.M) {
			t.Fatalf("chain %d differs from its run alone after %d steps", k, steps)
		}
		if laneSrcs[k].Uint64() != rngs[k].Uint64() {
			t.Fatalf("chain %d drew another number of random words", k)
		}
	}
}

// TestLaneKernels: the lane kernels (AVX2 for four lanes, AVX-512 for
// eight and sixteen) equal the portable ones bit for bit on random
// inputs, logits beyond the sigmoid table's range included.
func TestLaneKernels(t *testing.T) {
	for _, w := range []int{4, 8, 16} {
		testLaneKernels(t, w)
	}
}

func testLaneKernels(t *testing.T, w int) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, mn := range [][2]int{{0, 1}, {0, 5}, {1, 1}, {16, 8}, {8, 16}, {3, 7}, {64, 32}} {
		m, n := mn[0], mn[1]
		bias, rows, x, xt := make([]float64, n*w), make([]float64, m*n*w), make([]float64, m*w), make([]float64, n*w)
		for i := range bias {
			bias[i] = 8 * rng.NormFloat64()
			xt[i] = float64(rng.IntN(2))
		}
		for i := range rows {
			rows[i] = 8 * rng.NormFloat64()
		}
		for i := range x {
			x[i] = float64(rng.IntN(2))
		}
		// The inputs the kernels use: most, not all (the others must be
		// left out of the sums and updates whatever their states).
		var act []int32
		for i := range m {
			if rng.IntN(4) != 0 {
				act = append(act, int32(i))
			}
		}
		u := make([]uint32, n*w)
		for i := range u {
			u[i] = rng.Uint32()
			if i%5 == 0 { // at the boundary: u + 1 = ⌊σ·2^32⌋
				u[i] = uint32(int64(sigmoid(bias[i])*0x1p32)) - 1
			}
			if i%7 == 0 { // units off in every lane are not listed
				u[i] = 1<<32 - 1
			}
		}
		want, got := make([]float64, n*w), make([]float64, n*w)
		wantNext, gotNext := make([]int32, n), make([]int32, n)
		wn := laneSampleGo(w, want, bias, rows, x, act, u, n, wantNext)
		gn := laneSample(w, got, bias, rows, x, act, u, n, gotNext)
		same(t, "states", got, want)
		if !slices.Equal(gotNext[:gn], wantNext[:wn]) {
			t.Fatalf("%d lanes, %d-%d: units on %v, want %v", w, m, n, gotNext[:gn], wantNext[:wn])
		}
		for k := range n {
			on := slices.Contains(want[k*w:k*w+w], 1)
			if on != slices.Contains(wantNext[:wn], int32(k)) {
				t.Fatalf("%d lanes, %d-%d: unit %d on in some lane is %v, but listed is not", w, m, n, k, on)
			}
		}
		laneDeltasGo(w, want, bias, rows, x, act, xt, n, 0.1)
		laneDeltas(w, got, bias, rows, x, act, xt, n, 0.1)
		same(t, "deltas", got, want)
		b2, r2 := append([]float64(nil), bias...), append([]float64(nil), rows...)
		r0 := append([]float64(nil), rows...)
		laneAddGo(w, bias, rows, want, x, act, n)
		laneAdd(w, b2, r2, want, x, act, n)
		same(t, "biases", b2, bias)
		same(t, "weights", r2, rows)
		for i := range m {
			if !slices.Contains(act, int32(i)) && !slices.Equal(rows[i*n*w:(i+1)*n*w], r0[i*n*w:(i+1)*n*w]) {
				t.Fatalf("%d lanes, %d-%d: the weights of input %d, not listed, changed", w, m, n, i)
			}
		}
	}
}

func same(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// BenchmarkLanesStep times a step of 16-8-1 chains on the 4×4 bars in
// lanes, as many as LaneWidth, after 100,000 steps of training.
func BenchmarkLanesStep(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, LaneWidth(), LaneWidth())
}

// BenchmarkLanesStepK is BenchmarkLanesStep with K chains in lanes of
// width 4 or 8: what a part group costs. (Width 8 without AVX-512 runs
// the portable kernels.)
func BenchmarkLanesStep4(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 4, 4)
}

func BenchmarkLanesStep3(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 3, 4)
}

func BenchmarkLanesStep2(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 2, 4)
}

func BenchmarkLanesStep16(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 16, 16)
}

func BenchmarkLanesStep12(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 12, 16)
}

func BenchmarkLanesStep8(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 8, 8)
}

func BenchmarkLanesStep7(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 7, 8)
}

func BenchmarkLanesStep6(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 6, 8)
}

func BenchmarkLanesStep5(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 5, 8)
}

// BenchmarkLanesStep8x8 is BenchmarkLanesStep for the 8×8 bars' 64-16-1
// net with the recommended recipe's options and its sparse start
// (hidden biases −2), in lanes as wide as training uses for it (at most
// eight: train.Config.LaneWidth); BenchmarkLanesStep8x8Wide in sixteen.
func BenchmarkLanesStep8x8(b *testing.B) {
	w := min(LaneWidth(), 8)
	benchmarkLanes(b, 8, []int{64, 16, 1}, Options{Decay: 1e-5, NonNegative: true, CapHidden: true, HiddenCap: -1.2}, -2, w, w)
}

func BenchmarkLanesStep8x8Wide(b *testing.B) {
	benchmarkLanes(b, 8, []int{64, 16, 1}, Options{Decay: 1e-5, NonNegative: true, CapHidden: true, HiddenCap: -1.2}, -2, 16, 16)
}

func benchmarkLanes(b *testing.B, side int, sizes []int, opts Options, hiddenBias float64, chains, width int) {
	bars := dataset.NewBars(side, side)
	lanes := newLanes(sizes, 0.1, 0.1, width)
	lanes.Options = opts
	var srcs []*rand.PCG
	for k := range chains {
		src := rand.NewPCG(uint64(2+k), 0)
		m := New(sizes)
		m.Init(rand.New(src), 0.1)
		m.SetVisibleBias(dataset.Marginal(bars.Support()))
		for i := range m.B[1] {
			m.B[1][i], m.C[1][i] = hiddenBias, hiddenBias
		}
		lanes.Load(k, m)
		srcs = append(srcs, src)
	}
	var data Data = bars
	for range 100000 {
		lanes.Step(data, srcs)
	}
	b.ReportAllocs()
	for b.Loop() {
		lanes.Step(data, srcs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*chains), "ns/chain-step")
}

// TestOptionKernels: the kernels of the options (decay's scaling, the
// non-negative clamp) and of a plain update (axpy) equal the portable loops bit for bit, on special
// values too: ±0, NaN, ±Inf, subnormals.
func TestOptionKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	special := []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, -5e-324, -1, 1}
	for _, n := range []int{1, 3, 4, 7, 12, 16, 20, 128, 131} {
		w := make([]float64, n)
		for i := range w {
			w[i] = rng.NormFloat64()
			if i%3 == 0 {
				w[i] = special[(i/3)%len(special)]
			}
		}
		a, b := append([]float64(nil), w...), append([]float64(nil), w...)
		scale(a, 0.9999)
		scaleGo(b, 0.9999, 0)
		if !sameBits(a, b) {
			t.Fatalf("scale of %d values: %v, want %v", n, a, b)
		}
		c := append([]float64(nil), a...)
		nonNegative(a)
		nonNegativeGo(b, 0)
		if !sameBits(a, b) {
			t.Fatalf("nonNegative of %d values: %v, want %v", n, a, b)
		}
		scaleNonNegative(c, 0.9999)
		scaleGo(b, 0.9999, 0)
		nonNegativeGo(b, 0)
		if !sameBits(c, b) {
			t.Fatalf("scaleNonNegative of %d values: %v, want %v", n, c, b)
		}
		// axpy: p += s·g with g the values and p fresh ones, unfused.
		p := make([]float64, n)
		for i := range p {
			p[i] = rng.NormFloat64()
		}
		q := append([]float64(nil), p...)
		for i := range q { // each element p + s·g, the product rounded first
			q[i] += float64(0.01 * w[i])
		}
		axpy(p, w, 0.01)
		if !sameBits(p, q) {
			t.Fatalf("axpy of %d values: %v, want %v", n, p, q)
		}
	}
}

// TestLanesCheckPatternSize: a data set of another size than the visible
// layer stops the step with a message, whichever way it is drawn.
func TestLanesCheckPatternSize(t *testing.T) {
	for _, data := range []Data{dataset.NewBars(3, 3), dataset.NewBars(3, 4), dataset.NewBars(5, 5)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v in lanes of 16 visible units: no panic", data)
				}
			}()
			NewLanes([]int{16, 8, 1}, 1, 0.1, 0.1).Step(data, []*rand.PCG{rand.NewPCG(1, 1)})
		}()
	}
}

// TestLaneBits: laneBits (AVX2 for four lanes, AVX-512 for eight and
// sixteen, where present) writes each lane's bits as +0 and 1, for 0 to
// 64 bits, and nothing beyond them.
func TestLaneBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, w := range []int{4, 8, 16} {
		for n := range 65 {
			lanes := make([]uint64, w)
			for c := range lanes {
				lanes[c] = []uint64{rng.Uint64(), ^uint64(0), 0, 1, 1 << 63}[c%5]
			}
			x := make([]float64, (n+1)*w)
			for i := range x {
				x[i] = -7
			}
			laneBits(x, lanes, n)
			for j := range n {
				for c, b := range lanes {
					if got, want := x[j*w+c], float64(b>>j&1); got != want || math.Signbit(got) {
						t.Fatalf("%d lanes, %d bits: bit %d of lane %d = %v, want %v", w, n, j, c, got, want)
					}
				}
			}
			for _, v := range x[n*w:] {
				if v != -7 {
					t.Fatalf("%d lanes, %d bits: wrote beyond them", w, n)
				}
			}
		}
	}
}

// TestLaneWidthFor: NewLanes takes the narrowest of 4, 8 and 16 lanes
// that holds the chains, refuses none or more than LaneWidth, and a step
// refuses more chains than its lanes.
func TestLaneWidthFor(t *testing.T) {
	for chains := 1; chains <= LaneWidth(); chains++ {
		w, want := LaneWidthFor(chains), 16
		switch {
		case chains <= 4:
			want = 4
		case chains <= 8:
			want = 8
		}
		if w != want {
			t.Errorf("%d chains: %d lanes, want %d", chains, w, want)
		}
		if l := NewLanes([]int{16, 8, 1}, chains, 0.1, 0.1); l.Width() != w {
			t.Errorf("%d chains: NewLanes of width %d, want %d", chains, l.Width(), w)
		}
	}
	panics := func(what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", what)
			}
		}()
		f()
	}
	panics("no chains", func() { NewLanes([]int{16, 8, 1}, 0, 0.1, 0.1) })
	panics("too many chains", func() { NewLanes([]int{16, 8, 1}, LaneWidth()+1, 0.1, 0.1) })
	panics("a step of five chains in four lanes", func() {
		var srcs []*rand.PCG
		for k := range 5 {
			srcs = append(srcs, rand.NewPCG(uint64(k), 1))
		}
		NewLanes([]int{16, 8, 1}, 4, 0.1, 0.1).Step(dataset.NewBars(4, 4), srcs)
	})
}

// BenchmarkLaneSigmoid times the sigmoid loop of the delta rule's kernel
// alone (no inputs: the logits are the biases), 256 units, in four, eight
// and sixteen lanes: the table lookup's cost per lane.
func BenchmarkLaneSigmoid(b *testing.B) {
	for _, w := range []int{4, 8, 16} {
		b.Run(fmt.Sprint(w), func(b *testing.B) {
			n := 256
			d, bias, xt := make([]float64, n*w), make([]float64, n*w), make([]float64, n*w)
			for i := range bias {
				bias[i] = float64(i%97)/10 - 4.8
			}
			for b.Loop() {
				laneDeltas(w, d, bias, nil, nil, nil, xt, n, 0.1)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*w), "ns/lane")
		})
	}
}
