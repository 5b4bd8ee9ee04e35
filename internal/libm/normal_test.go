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
	checkDraws(t, NormFloat64, (*rand.Rand).NormFloat64, rand.NewPCG(1, 2), 0x34fb3f7cf4386d63, 0, 1, 2)
}

// checkDraws checks two million draws of ours from src against the
// standard library's (where it is built as on the docs' machine), the
// hash of their bits against hash, and their mean and variance against
// mean and v (the variance of the squared deviation is k·v²).
func checkDraws(t *testing.T, ours, std func(*rand.Rand) float64, src *rand.PCG, hash uint64, mean, v, k float64) {
	t.Helper()
	const n = 2_000_000
	copied := *src
	r, rs := rand.New(src), rand.New(&copied)
	h := fnv.New64a()
	var b [8]byte
	var sum, sq float64
	for i := range n {
		x := ours(r)
		if stdlibNormal {
			if y := std(rs); math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("draw %d: %v, math/rand/v2 %v", i, x, y)
			}
		}
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
		sum += x
		sq += x * x
	}
	if got := h.Sum64(); got != hash {
		t.Errorf("hash of the draws %#x, want %#x", got, hash)
	}
	m, s2 := sum/n, sq/n-(sum/n)*(sum/n)
	if math.Abs(m-mean) > 5*math.Sqrt(v/n) || math.Abs(s2-v) > 5*math.Sqrt(k*v*v/n) {
		t.Errorf("mean %v, variance %v of %d draws; want %v, %v", m, s2, n, mean, v)
	}
}
