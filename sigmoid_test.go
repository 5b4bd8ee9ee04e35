package helmholtz

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// TestSigmoidTableDigest pins the sigmoid table's bits. The table is built
// by portable arithmetic, so this digest is the same on every machine; if
// it changes, training results change with it.
func TestSigmoidTableDigest(t *testing.T) {
	h := sha256.New()
	for _, c := range sigCoef {
		for _, v := range c {
			binary.Write(h, binary.LittleEndian, math.Float64bits(v))
		}
	}
	const want = "14302de4d57992fb"
	if got := fmt.Sprintf("%x", h.Sum(nil))[:16]; got != want {
		t.Fatalf("sigmoid table digest %s, want %s", got, want)
	}
}
