package helmholtz

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestPortableExp checks portableExp against math.Exp: bit for bit where
// math.Exp takes its FMA path (amd64 with AVX and FMA), which portableExp
// copies, and to within 2 ulp elsewhere.
func TestPortableExp(t *testing.T) {
	same := runtime.GOARCH == "amd64" && cpu.X86.HasAVX && cpu.X86.HasFMA
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(x float64) {
		got, want := portableExp(x), math.Exp(x)
		if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 {
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("portableExp(%v) = %v, math.Exp = %v", x, got, want)
			}
			return
		}
		if same && got != want {
			t.Fatalf("portableExp(%v) = %v, math.Exp = %v", x, got, want)
		}
		if d := math.Abs(got-want) / want; d > 0x1p-51 && want > 0x1p-1022 {
			t.Fatalf("portableExp(%v) = %v, math.Exp = %v: relative error %g", x, got, want, d)
		}
	}
	for i := -2 * sigN; i <= 2*sigN; i++ {
		check(float64(i) / sigScale) // every knot of the sigmoid table, and more
	}
	for range 100000 {
		check(80 * (rng.Float64() - 0.5))
	}
	for range 100000 {
		check(1600*rng.Float64() - 850) // to underflow and overflow
	}
	for _, x := range []float64{0, 1, -1, 0.5, 700, -700, 1e-300, 709.78, 709.79, -708.4,
		-708.5, -745.1, -745.2, 1e300, -1e300, math.Inf(1), math.Inf(-1), math.NaN()} {
		check(x)
	}
}

// TestPortableLog checks portableLog against math.Log: bit for bit on
// amd64, whose math.Log it copies, and to within 1 ulp elsewhere.
func TestPortableLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(x float64) {
		got, want := portableLog(x), math.Log(x)
		if runtime.GOARCH == "amd64" && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("portableLog(%v) = %v, math.Log = %v", x, got, want)
		}
		if d := math.Abs(got - want); d > 0x1p-52*math.Abs(want) && d > 0 {
			t.Fatalf("portableLog(%v) = %v, math.Log = %v", x, got, want)
		}
	}
	for range 200000 {
		check(rng.Float64())
		check(math.Exp(1400 * (rng.Float64() - 0.5)))
	}
	for _, x := range []float64{1, 2, 0.5, 0.25, 0.2 / 0.8, 1e-6 / (1 - 1e-6), math.Sqrt2 / 2,
		math.Nextafter(math.Sqrt2/2, 0), math.MaxFloat64, 0x1p-1022, 0x1p-1074, 0, -1,
		math.Inf(1), math.NaN()} {
		got, want := portableLog(x), math.Log(x)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("portableLog(%v) = %v, math.Log = %v", x, got, want)
		}
	}
}

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
