// Package libm holds the few functions of Go's standard library whose
// last bit varies between machines and that this module's results depend
// on: Exp, Log, Log2, Exp2, Log1p and Pow, each a portable copy of the
// code math runs on amd64, and NormFloat64 and ExpFloat64, math/rand/v2's
// normal and exponential draws. The copies round every operation on its
// own (math.FMA where the original fuses, explicit conversions where Go
// could otherwise fuse), so they give the same bits on every machine, and
// the same bits as the standard library on the machine the docs were made
// on. The sigmoid table that training reads, the initial weights, the
// visible-bias initialisation, exact evaluation, the synthetic data sets
// and the density estimators use them, so a seed gives the same weights,
// data and numbers everywhere.
package libm

import "math"

// Exp returns e^x, bit for bit as the standard
// library's math.Exp computes it on amd64 processors with FMA (the sleef
// method of math/exp_amd64.s: reduce by k·ln 2 in two parts, a Taylor
// polynomial in r/16, four squarings of the form y(y+2)). math.FMA rounds
// once on every machine, in hardware or in software, so this gives those
// bits everywhere, where math.Exp itself differs in the last bit between
// amd64 with and without FMA and arm64. (Like that code it overflows to
// +Inf a little early, from x ≈ 709.09 where e^x is still finite; Sigmoid
// only asks for x ≤ 0.)
func Exp(x float64) float64 {
	const (
		log2e = 1.4426950408889634073599246810018920
		ln2U  = 0.69314718055966295651160180568695068359375
		ln2L  = 0.28235290563031577122588448175013436025525412068e-12
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return math.Exp(x) // NaN, +Inf or 0 everywhere
	case x > 7.09782712893384e+02:
		return math.Inf(1)
	case x < -800:
		return 0
	}
	k := math.RoundToEven(x * log2e) // CVTSD2SL rounds to nearest even
	r := math.FMA(-k, ln2U, x)
	r = math.FMA(-k, ln2L, r)
	r *= 0.0625
	p := 2.4801587301587301587e-5
	p = math.FMA(p, r, 1.9841269841269841270e-4)
	p = math.FMA(p, r, 1.3888888888888888889e-3)
	p = math.FMA(p, r, 8.3333333333333333333e-3)
	p = math.FMA(p, r, 4.1666666666666666667e-2)
	p = math.FMA(p, r, 1.6666666666666666667e-1)
	p = math.FMA(p, r, 0.5)
	p = math.FMA(p, r, 1)
	y := r * p // e^(r/16) − 1
	for range 3 {
		y *= y + 2 // e^(2s) − 1 = (e^s − 1)(e^s − 1 + 2)
	}
	y = math.FMA(y+2, y, 1) // the fourth squaring, plus 1
	switch e := int64(k) + 1023; {
	case e >= 0x7ff:
		return math.Inf(1)
	case e > 0:
		return y * math.Float64frombits(uint64(e)<<52)
	case e < -52:
		return 0
	default: // a subnormal result, scaled in two steps as the assembly does
		y *= math.Float64frombits(uint64(e+1022) << 52)
		return y * 0x1p-1022
	}
}

// Log returns the natural logarithm of a positive normal x, bit for
// bit as math.Log computes it on amd64 (math/log_amd64.s: the FreeBSD
// method of math/log.go, every operation rounded on its own). The
// conversions keep Go from fusing products into sums (on arm64, say), so
// the result is the same on every machine.
func Log(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	if !(x > 0) || math.IsInf(x, 1) || x < 0x1p-1022 {
		return math.Log(x) // NaN, ±Inf, 0 or subnormal: not for training
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	R := t1 + t2
	hfsq := float64(0.5 * f * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}

// Log2 returns the binary logarithm of x as math.Log2 computes it, with
// Log.
func Log2(x float64) float64 {
	frac, exp := math.Frexp(x)
	if frac == 0.5 {
		return float64(exp - 1) // exact powers of two, exactly
	}
	return float64(Log(frac)*(1/math.Ln2)) + float64(exp)
}

// Exp2 returns 2^x, bit for bit as the portable Go of math.Exp2 computes it
// without fused operations (which amd64 runs; arm64 has its own).
func Exp2(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		overflow  = 1.0239999999999999e+03
		underflow = -1.0740e+03
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	}
	var k int
	switch {
	case x > 0:
		k = int(x + 0.5)
	case x < 0:
		k = int(x - 0.5)
	}
	t := x - float64(k)
	hi := float64(t * ln2Hi)
	lo := float64(-t * ln2Lo)
	r := hi - lo
	t = r * r
	c := r - float64(t*(p1+float64(t*(p2+float64(t*(p3+float64(t*(p4+float64(t*p5)))))))))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}
