package helmholtz

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz/internal/libm"
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

// TestFastSigmoid checks the table sigmoid against Sigmoid on a dense grid
// and at the edges.
func TestFastSigmoid(t *testing.T) {
	worst := 0.0
	for x := -40.0; x <= 40; x += 0.000731 {
		worst = max(worst, math.Abs(sigmoid(x)-Sigmoid(x)))
	}
	for _, x := range []float64{-sigLimit, sigLimit, math.Inf(1), math.Inf(-1), 1e300, -1e300} {
		worst = max(worst, math.Abs(sigmoid(x)-Sigmoid(x)))
	}
	if worst > 1e-8 {
		t.Errorf("fast sigmoid error %g > 1e-8", worst)
	}
	if s := sigmoid(math.NaN()); s > 1e-12 {
		t.Errorf("sigmoid(NaN) = %v, want about 0", s)
	}
}

// TestFastLogSigmoid: the table log σ is within 1e-8 of LogSigmoid, which
// is within 1e-15 relative of log σ by the standard library, on a fine
// grid across and beyond the table.
func TestFastLogSigmoid(t *testing.T) {
	for x := -40.0; x <= 40; x += 1.0 / 1024 {
		want := -(max(-x, 0) + math.Log1p(math.Exp(-math.Abs(x))))
		if got := LogSigmoid(x); math.Abs(got-want) > 1e-15*max(1, math.Abs(want)) {
			t.Fatalf("LogSigmoid(%v) = %v, want %v", x, got, want)
		}
		if got := logSigmoid(x); math.Abs(got-want) > 1e-8 {
			t.Fatalf("logSigmoid(%v) = %v, want %v (error %g)", x, got, want, got-want)
		}
	}
}

// TestExpsSigmoids: the row functions give libm.Exp's and Sigmoid's bits
// for every element, in place or not, at lengths around the kernels'
// blocks, for arguments across exp's whole range and its special cases.
func TestExpsSigmoids(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 709.78, 709.79, -745.1, -745.2, -708.4, 1000, -1000,
		math.Inf(1), math.Inf(-1), math.NaN(), 36.7, -36.7}
	for _, n := range []int{0, 1, 3, 4, 5, 63, 64, 65, 130} {
		x := make([]float64, n)
		for i := range x {
			switch i % 3 {
			case 0:
				x[i] = special[rng.IntN(len(special))]
			case 1:
				x[i] = 1500*rng.Float64() - 750
			default:
				x[i] = 8 * rng.NormFloat64()
			}
		}
		for _, inPlace := range []bool{false, true} {
			for _, c := range []struct {
				name string
				row  func(dst, x []float64)
				one  func(float64) float64
			}{{"Exps", Exps, libm.Exp}, {"Sigmoids", Sigmoids, Sigmoid}} {
				dst := make([]float64, n)
				if inPlace {
					dst = slices.Clone(x)
					c.row(dst, dst)
				} else {
					c.row(dst, x)
				}
				for i, a := range x {
					want := c.one(a)
					if math.IsNaN(want) && math.IsNaN(dst[i]) {
						continue // a NaN's sign and payload are not kept
					}
					if math.Float64bits(dst[i]) != math.Float64bits(want) {
						t.Fatalf("%s (n %d, in place %v): element %d of %v is %v, want %v", c.name, n, inPlace, i, a, dst[i], want)
					}
				}
			}
		}
	}
}
