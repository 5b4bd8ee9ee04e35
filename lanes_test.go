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
// options, with fewer chains than lanes, on square bars of one word of
// pixels and of two (WordData) and on oblong bars and the shifter
// (Sample per chain).
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
		t.Run(fmt.Sprintf("%v/%d", c.sizes, c.chains), func(t *testing.T) {
			set := c.set
			if set == nil {
				side := map[int]int{16: 4, 25: 5, 9: 3}[c.sizes[0]]
				set = dataset.NewBars(side, side)
			}
			marg := dataset.Marginal(set.Support())
			lanes := NewLanes(c.sizes, 0.1, 0.07)
			lanes.Options = c.opts
			var alone []*WakeSleep
			var rngs []*rand.Rand
			var laneSrcs []*rand.PCG
			for k := range c.chains {
				m := New(c.sizes)
				seed := uint64(10 + k)
				m.Init(rand.New(rand.NewPCG(seed, 1)), 0.3)
				m.SetVisibleBias(marg)
				lanes.Load(k, m)
				ws := NewWakeSleep(m, 0.1, 0.07, 1)
				ws.Options = c.opts
				alone = append(alone, ws)
				rngs = append(rngs, rand.New(rand.NewPCG(seed, 2)))
				laneSrcs = append(laneSrcs, rand.NewPCG(seed, 2))
			}
			var data Data = set
			for range c.steps {
				lanes.Step(data, laneSrcs)
			}
			for k, ws := range alone {
				for range c.steps {
					ws.Step(data, rngs[k])
				}
				got := New(c.sizes)
				lanes.Store(k, got)
				if !got.Equal(ws.M) {
					t.Fatalf("chain %d differs from its run alone after %d steps", k, c.steps)
				}
				if laneSrcs[k].Uint64() != rngs[k].Uint64() {
					t.Fatalf("chain %d drew another number of random words", k)
				}
			}
		})
	}
}

// TestLaneKernels: the AVX2 lane kernels equal the portable ones bit for
// bit on random inputs, logits beyond the sigmoid table's range included.
func TestLaneKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, mn := range [][2]int{{0, 1}, {0, 5}, {1, 1}, {16, 8}, {8, 16}, {3, 7}, {64, 32}} {
		m, n := mn[0], mn[1]
		bias, rows, x, xt := make([]float64, n*4), make([]float64, m*n*4), make([]float64, m*4), make([]float64, n*4)
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
		u := make([]uint32, n*4)
		for i := range u {
			u[i] = rng.Uint32()
			if i%5 == 0 { // at the boundary: u + 1 = ⌊σ·2^32⌋
				u[i] = uint32(int64(sigmoid(bias[i])*0x1p32)) - 1
			}
			if i%7 == 0 { // units off in every lane are not listed
				u[i] = 1<<32 - 1
			}
		}
		want, got := make([]float64, n*4), make([]float64, n*4)
		wantNext, gotNext := make([]int32, n), make([]int32, n)
		wn := laneSampleGo(want, bias, rows, x, act, u, n, wantNext)
		gn := laneSample(got, bias, rows, x, act, u, n, gotNext)
		same(t, "states", got, want)
		if !slices.Equal(gotNext[:gn], wantNext[:wn]) {
			t.Fatalf("%d-%d: units on %v, want %v", m, n, gotNext[:gn], wantNext[:wn])
		}
		for k := range n {
			on := slices.Contains(want[k*4:k*4+4], 1)
			if on != slices.Contains(wantNext[:wn], int32(k)) {
				t.Fatalf("%d-%d: unit %d on in some lane is %v, but listed is not", m, n, k, on)
			}
		}
		laneDeltasGo(want, bias, rows, x, act, xt, n, 0.1)
		laneDeltas(got, bias, rows, x, act, xt, n, 0.1)
		same(t, "deltas", got, want)
		b2, r2 := append([]float64(nil), bias...), append([]float64(nil), rows...)
		r0 := append([]float64(nil), rows...)
		laneAddGo(bias, rows, want, x, act, n)
		laneAdd(b2, r2, want, x, act, n)
		same(t, "biases", b2, bias)
		same(t, "weights", r2, rows)
		for i := range m {
			if !slices.Contains(act, int32(i)) && !slices.Equal(rows[i*n*4:(i+1)*n*4], r0[i*n*4:(i+1)*n*4]) {
				t.Fatalf("%d-%d: the weights of input %d, not listed, changed", m, n, i)
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

// BenchmarkLanesStep times a step of four 16-8-1 chains on the 4×4 bars
// in lanes, after 100,000 steps of training.
func BenchmarkLanesStep(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, LaneWidth)
}

// BenchmarkLanesStep3 and BenchmarkLanesStep2 are BenchmarkLanesStep with
// three and two chains in the four lanes: what a part group costs.
func BenchmarkLanesStep3(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 3)
}

func BenchmarkLanesStep2(b *testing.B) {
	benchmarkLanes(b, 4, []int{16, 8, 1}, Options{}, 0, 2)
}

// BenchmarkLanesStep8x8 is BenchmarkLanesStep for the 8×8 bars' 64-16-1
// net with the recommended recipe's options and its sparse start
// (hidden biases −2).
func BenchmarkLanesStep8x8(b *testing.B) {
	benchmarkLanes(b, 8, []int{64, 16, 1}, Options{Decay: 1e-5, NonNegative: true, CapHidden: true, HiddenCap: -1.2}, -2, LaneWidth)
}

func benchmarkLanes(b *testing.B, side int, sizes []int, opts Options, hiddenBias float64, chains int) {
	bars := dataset.NewBars(side, side)
	lanes := NewLanes(sizes, 0.1, 0.1)
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
// non-negative clamp) equal the portable loops bit for bit, on special
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
			NewLanes([]int{16, 8, 1}, 0.1, 0.1).Step(data, []*rand.PCG{rand.NewPCG(1, 1)})
		}()
	}
}

// TestLaneBits: laneBits (AVX2 where present) writes each lane's bits as
// +0 and 1, for 0 to 64 bits, and nothing beyond them.
func TestLaneBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for n := range 65 {
		lanes := [LaneWidth]uint64{rng.Uint64(), rng.Uint64(), ^uint64(0), 0}
		x := make([]float64, (n+1)*LaneWidth)
		for i := range x {
			x[i] = -7
		}
		laneBits(x, &lanes, n)
		for j := range n {
			for c, b := range lanes {
				if got, want := x[j*LaneWidth+c], float64(b>>j&1); got != want || math.Signbit(got) {
					t.Fatalf("%d bits: bit %d of lane %d = %v, want %v", n, j, c, got, want)
				}
			}
		}
		for _, v := range x[n*LaneWidth:] {
			if v != -7 {
				t.Fatalf("%d bits: wrote beyond them", n)
			}
		}
	}
}
