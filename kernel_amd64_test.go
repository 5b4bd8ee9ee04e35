//go:build !purego

package helmholtz

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// withAVX2 runs f with the vector kernels on or off.
func withAVX2(on bool, f func()) {
	saved := useAVX2
	useAVX2 = on
	defer func() { useAVX2 = saved }()
	f()
}

// kernelInput returns n logits mixing ordinary values with the edges of
// the fast sigmoid: the clamps, knots, ±0, ±Inf and NaN.
func kernelInput(rng *rand.Rand, n int) []float64 {
	edges := []float64{0, math.Copysign(0, -1), sigLimit, -sigLimit, sigLimit + 1e-9,
		-sigLimit - 1e-9, 1.0 / sigScale, -3.0 / sigScale, 1e300, -1e300,
		math.Inf(1), math.Inf(-1), math.NaN()}
	a := make([]float64, n)
	for i := range a {
		switch rng.IntN(4) {
		case 0:
			a[i] = edges[rng.IntN(len(edges))]
		case 1:
			a[i] = float64(rng.IntN(2*sigN+1)-sigN) / sigScale // a knot
		default:
			a[i] = 12 * rng.NormFloat64()
		}
	}
	return a
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y)
	})
}

// TestKernels checks that the AVX2 kernels give the portable kernels'
// results bit for bit, for every layer size up to 21 and random active
// sets.
func TestKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		n := 1 + trial%21
		rowsN := 1 + rng.IntN(12)
		var active []int32
		for i := range rowsN {
			if trial%4 != 0 && rng.IntN(2) == 0 { // every fourth: bias only
				active = append(active, int32(i))
			}
		}
		bias := kernelInput(rng, n)
		rows := make([]float64, rowsN*n)
		for i := range rows {
			rows[i] = rng.NormFloat64()
		}
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(2))
		}
		words := make([]uint64, (n+1)/2)
		for i := range words {
			words[i] = rng.Uint64()
		}
		if trial%2 == 0 {
			// Put half of the uniforms at the threshold ⌊σ·2^32⌋ or next
			// to it, where an off-by-one in the comparison shows.
			a := make([]float64, n)
			sumRowsGo(a, bias, rows, active, 0)
			for k, a := range a {
				if rng.IntN(2) == 0 {
					continue
				}
				u := uint64(int64(sigmoid(a)*0x1p32)) + uint64(rng.IntN(3)) - 1
				shift := 32 * (1 - k&1)
				words[k/2] = words[k/2]&^(0xffffffff<<shift) | (u&0xffffffff)<<shift
			}
		}
		eps := rng.Float64()

		var got, want [3][]float64
		var gotAct, wantAct []int32
		run := func(out *[3][]float64, outAct *[]int32) {
			d := make([]float64, n)
			deltaLayer(d, bias, rows, active, x, eps)
			out[0] = d

			b, w := slices.Clone(bias), slices.Clone(rows)
			addRows(b, w, x, active)
			out[1] = append(b, w...)

			xs, act := make([]float64, n), make([]int32, n)
			c := sampleLayer(make([]float64, n), bias, rows, active, words, xs, act)
			out[2] = xs
			*outAct = act[:c]
		}
		withAVX2(true, func() { run(&got, &gotAct) })
		withAVX2(false, func() { run(&want, &wantAct) })
		for k, name := range []string{"deltaLayer", "addRows", "sampleLayer"} {
			if !sameBits(got[k], want[k]) {
				t.Fatalf("n=%d: %s with AVX2 %v, portable %v", n, name, got[k], want[k])
			}
		}
		if !slices.Equal(gotAct, wantAct) {
			t.Fatalf("n=%d: sampleLayer active units with AVX2 %v, portable %v", n, gotAct, wantAct)
		}
	}
}

// TestKernelsTraining checks that training with and without the AVX2
// kernels ends in the same machine, bit for bit, on a net whose layers
// exercise both the vector bodies and the portable tails.
func TestKernelsTraining(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	train := func() *Machine {
		rng := rand.New(rand.NewPCG(7, 0))
		m := New([]int{16, 10, 5, 1})
		m.Init(rng, 0.5)
		ws := NewWakeSleep(m, 0.1, 0.05, 1)
		data := testData{n: 16}
		for range 20000 {
			ws.Step(data, rng)
		}
		return m
	}
	var fast, slow *Machine
	withAVX2(true, func() { fast = train() })
	withAVX2(false, func() { slow = train() })
	for l := range fast.W {
		if !sameBits(fast.W[l], slow.W[l]) || !sameBits(fast.R[l], slow.R[l]) {
			t.Fatalf("layer %d weights differ with and without AVX2", l)
		}
	}
	for l := range fast.B {
		if !sameBits(fast.B[l], slow.B[l]) || !sameBits(fast.C[l], slow.C[l]) {
			t.Fatalf("layer %d biases differ with and without AVX2", l)
		}
	}
}

// testData draws each of n pixels on with probability 1/4.
type testData struct{ n int }

func (d testData) Sample(dst []uint8, rng *rand.Rand) {
	for i := range dst {
		dst[i] = uint8(rng.IntN(4) / 3)
	}
}

// BenchmarkWakeSleepStepPortable is BenchmarkWakeSleepStep with the
// portable kernels, as on a machine without AVX2 or in a purego build.
func BenchmarkWakeSleepStepPortable(b *testing.B) {
	withAVX2(false, func() { benchmarkStep(b) })
}
