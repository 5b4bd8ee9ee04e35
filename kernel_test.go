package helmholtz

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

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

// TestKernels checks that the kernels a step calls (the AVX2 ones where
// the machine has them, and those for single units) give the results of
// the plain loops of kernel.go bit for bit, for every layer size up to 21
// and random active sets.
func TestKernels(t *testing.T) {
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

		d := make([]float64, n)
		deltaLayer(d, bias, rows, active, x, eps)
		got[0] = d
		d = make([]float64, n)
		sumRowsGo(d, bias, rows, active, 0)
		deltasGo(d, x, eps, 0)
		want[0] = d

		b, w := slices.Clone(bias), slices.Clone(rows)
		addRows(b, w, x, active)
		got[1] = append(b, w...)
		b, w = slices.Clone(bias), slices.Clone(rows)
		addRowsGo(b, w, x, active, 0)
		want[1] = append(b, w...)

		xs, act := make([]float64, n), make([]int32, n)
		c := sampleLayer(make([]float64, n), bias, rows, active, words, xs, act)
		got[2], gotAct = xs, act[:c]
		xs, act = make([]float64, n), make([]int32, n)
		a := make([]float64, n)
		sumRowsGo(a, bias, rows, active, 0)
		c = sampleGo(a, words, xs, act, 0, 0)
		want[2], wantAct = xs, act[:c]

		for k, name := range []string{"deltaLayer", "addRows", "sampleLayer"} {
			if !sameBits(got[k], want[k]) {
				t.Fatalf("n=%d: %s gives %v, the plain loops %v", n, name, got[k], want[k])
			}
		}
		if !slices.Equal(gotAct, wantAct) {
			t.Fatalf("n=%d: sampleLayer switches on %v, the plain loops %v", n, gotAct, wantAct)
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
