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
		t.Error("expOne out of range: want 0 below -708 and for NaN")
	}
}

// TestExpAddKernel: expAdd (with its kernel where there is one) gives the
// bits of expAddGo, over arguments from −∞ to 700, NaN among them, and
// scales from tiny to large.
func TestExpAddKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	special := []float64{0, math.Copysign(0, -1), -1e-300, 5e-324, -708, math.Nextafter(-708, 0), math.Nextafter(-708, -1000),
		-709, -745, -1e300, math.Inf(-1), math.NaN(), 700, 1, -1, -math.Ln2, 40, -40}
	for n := range 67 {
		xs, a, b := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range xs {
			switch rng.IntN(4) {
			case 0:
				xs[i] = special[rng.IntN(len(special))]
			case 1:
				xs[i] = -rng.ExpFloat64() * 30
			case 2:
				xs[i] = (rng.Float64() - 0.5) * 1400
			default:
				xs[i] = rng.NormFloat64()
			}
			a[i] = rng.ExpFloat64()
			b[i] = a[i]
		}
		scale := math.Exp(40 * rng.NormFloat64())
		expAdd(a, xs, scale)
		expAddGo(b, xs, scale, 0)
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				t.Fatalf("n %d, x %v, scale %v: expAdd gives %v, expAddGo %v", n, xs[i], scale, a[i], b[i])
			}
		}
	}
}
