package libm

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"
)

// TestNormFloat64: the draws of two million normals have the bits they
// have on the machine the docs were made on, on every build (the hash),
// and, where the standard library is built as there (stdlibNormal), the
// standard library's own draws, one by one; their mean and variance are
// those of a standard normal.
func TestNormFloat64(t *testing.T) {
	const n = 2_000_000
	ours, std := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	h := fnv.New64a()
	var b [8]byte
	var sum, sq float64
	for i := range n {
		x := NormFloat64(ours)
		if stdlibNormal {
			if y := std.NormFloat64(); math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("draw %d: %v, math/rand/v2 %v", i, x, y)
			}
		}
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
		sum += x
		sq += x * x
	}
	if got, want := h.Sum64(), uint64(0x34fb3f7cf4386d63); got != want {
		t.Errorf("hash of the draws %#x, want %#x", got, want)
	}
	mean, v := sum/n, sq/n-(sum/n)*(sum/n)
	if math.Abs(mean) > 5/math.Sqrt(n) || math.Abs(v-1) > 5*math.Sqrt(2.0/n) {
		t.Errorf("mean %v, variance %v of %d draws", mean, v, n)
	}
}
