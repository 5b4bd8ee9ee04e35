package libm

import "math"

// Pow returns x^y, bit for bit as math.Pow computes it on amd64 with FMA
// (math/pow.go, whose Exp and Log are this package's), for x^y finite
// and nonzero, and for math.Pow's special cases as it gives them.
func Pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1, y == 1, math.IsNaN(x) || math.IsNaN(y), x == 0,
		math.IsInf(y, 0), math.IsInf(x, 0), y == 0.5, y == -0.5:
		return math.Pow(x, y) // exact cases: the same on every machine
	}
	yi, yf := math.Modf(math.Abs(y))
	if yf != 0 && x < 0 {
		return math.NaN()
	}
	if yi >= 1<<63 {
		return math.Pow(x, y) // 0, 1 or +Inf
	}
	a1, ae := 1.0, 0 // the result is a1·2^ae
	if yf != 0 {     // x^yf
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = Exp(float64(yf * Log(x)))
	}
	x1, xe := math.Frexp(x) // x^yi by squarings, powers of two apart
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe // under- or overflows below
			break
		}
		if i&1 == 1 {
			a1 *= x1
			ae += xe
		}
		x1 = float64(x1 * x1) // not fused into the doubling below
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}
