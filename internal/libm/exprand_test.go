package libm

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpFloat64: two million exponential draws have the bits they have
// on the machine the docs were made on, on every build (the hash), and,
// where the standard library is built as there, its own draws one by one;
// their mean and variance are 1.
func TestExpFloat64(t *testing.T) {
	checkDraws(t, ExpFloat64, (*rand.Rand).ExpFloat64, rand.NewPCG(3, 4), 0x75cdf06360612a44, 1, 1, 8)
}

// TestLog1pPow: Log1p and Pow give math's bits where math is built as on
// the machine the docs were made on, and the same bits on every build
// (the hash).
func TestLog1pPow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	h := fnv.New64a()
	var b [8]byte
	put := func(x float64) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
	}
	special := []float64{0, math.Copysign(0, -1), -1, math.Nextafter(-1, 0), -0.5, 1e-300, 5e-324, 1e-17, 1e-9, 0.3, 0.5, 1, 2, 1e10, 1e300, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), -2}
	for i := range 400_000 {
		var x float64
		switch {
		case i < len(special):
			x = special[i]
		case i%4 == 0:
			x = float64(rng.Float64()*2) - 1
		case i%4 == 1:
			x = Exp(NormFloat64(rng) * 20) // not the standard library's: the inputs, too, are the same on every build
		case i%4 == 2:
			x = -rng.Float64() * 1e-6
		default:
			x = NormFloat64(rng) * 1e-9
		}
		got := Log1p(x)
		if want := math.Log1p(x); stdlibNormal && math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("Log1p(%v) = %v, math.Log1p %v", x, got, want)
		}
		put(got)
		u, y := rng.Float64(), 1/(0.05+float64(rng.Float64()*3))
		if i%7 == 0 {
			y = -y
		}
		if i < len(special) {
			u, y = special[i], special[(i*7)%len(special)]
		}
		got = Pow(u, y)
		if want := math.Pow(u, y); stdlibNormal && math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("Pow(%v, %v) = %v, math.Pow %v", u, y, got, want)
		}
		put(got)
	}
	if got, want := h.Sum64(), uint64(0xad8f31f82d17823f); got != want {
		t.Errorf("hash of the results %#x, want %#x", got, want)
	}
}
