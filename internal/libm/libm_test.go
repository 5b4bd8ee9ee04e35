package libm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestExp checks Exp against math.Exp: bit for bit where math.Exp
// takes its FMA path (amd64 with AVX and FMA), which Exp copies, and to within 2 ulp elsewhere.
func TestExp(t *testing.T) {
	same := runtime.GOARCH == "amd64" && cpu.X86.HasAVX && cpu.X86.HasFMA
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(x float64) {
		got, want := Exp(x), math.Exp(x)
		if !same && (x > 709 && x < 709.79 || x < -708 && x > -746) {
			// amd64's math.Exp, and so Exp, overflows early here,
			// and subnormal results differ between implementations.
			return
		}
		if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 {
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("Exp(%v) = %v, math.Exp = %v", x, got, want)
			}
			return
		}
		if same && got != want {
			t.Fatalf("Exp(%v) = %v, math.Exp = %v", x, got, want)
		}
		if d := math.Abs(got-want) / want; d > 0x1p-51 && want > 0x1p-1022 {
			t.Fatalf("Exp(%v) = %v, math.Exp = %v: relative error %g", x, got, want, d)
		}
	}
	for i := -960; i <= 960; i++ {
		check(float64(i) / 16) // every knot of the sigmoid table, and more
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

// TestLog checks Log against math.Log: bit for bit on
// amd64, whose math.Log it copies, and to within 1 ulp elsewhere.
func TestLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	check := func(x float64) {
		got, want := Log(x), math.Log(x)
		if runtime.GOARCH == "amd64" && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("Log(%v) = %v, math.Log = %v", x, got, want)
		}
		if d := math.Abs(got - want); d > 0x1p-52*math.Abs(want) && d > 0 {
			t.Fatalf("Log(%v) = %v, math.Log = %v", x, got, want)
		}
	}
	for range 200000 {
		check(rng.Float64())
		check(math.Exp(1400 * (rng.Float64() - 0.5)))
	}
	for _, x := range []float64{1, 2, 0.5, 0.25, 0.2 / 0.8, 1e-6 / (1 - 1e-6), math.Sqrt2 / 2,
		math.Nextafter(math.Sqrt2/2, 0), math.MaxFloat64, 0x1p-1022, 0x1p-1074, 0, -1,
		math.Inf(1), math.NaN()} {
		got, want := Log(x), math.Log(x)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("Log(%v) = %v, math.Log = %v", x, got, want)
		}
	}
}

// TestLog2Exp2 checks Log2 and Exp2 against math: bit for bit on amd64,
// whose code they copy, and closely elsewhere.
func TestLog2Exp2(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	check := func(name string, x, got, want float64) {
		if runtime.GOARCH == "amd64" && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s(%v) = %v, math = %v", name, x, got, want)
		}
		// Elsewhere math has other code: a few ulp apart, more for
		// logarithms near 0 (of x near 1).
		if math.Abs(got-want) > 0x1p-50*max(math.Abs(want), 1) {
			t.Fatalf("%s(%v) = %v, math = %v", name, x, got, want)
		}
	}
	for j := range 1 << 12 {
		x := float64(j) / (1 << 12) // the exact package's table
		check("Exp2", x, Exp2(x), math.Exp2(x))
	}
	for range 100000 {
		x := 200 * (rng.Float64() - 0.5)
		check("Exp2", x, Exp2(x), math.Exp2(x))
		p := rng.Float64()
		check("Log2", p, Log2(p), math.Log2(p))
	}
	for _, p := range []float64{1, 0.5, 0.25, 0.4096, 2, 1024} {
		check("Log2", p, Log2(p), math.Log2(p))
	}
}
