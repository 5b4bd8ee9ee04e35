package exact

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	check := func(x float64) {
		got, want := expOne(x), math.Exp(x)
		if math.Abs(got-want) > 0x1p-51*want {
			t.Fatalf("expOne(%v) = %v, math.Exp = %v (rel. error %.2g)", x, got, want, (got-want)/want)
		}
	}
	for range 1000000 {
		check(-rng.ExpFloat64() * 20)
	}
	for range 100000 {
		check(-rng.Float64() * 708)
	}
	for range 100000 {
		check(rng.Float64() * 60)
	}
	for _, x := range []float64{0, math.Copysign(0, -1), -1e-300, -math.Ln2, -1, -700, -708, 1, 40, 700} {
		check(x)
	}
	if expOne(-709) != 0 || expOne(math.Inf(-1)) != 0 || expOne(math.NaN()) != 0 {
		t.Error("expNeg out of range: want 0 below -708 and for NaN")
	}
}
