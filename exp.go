package helmholtz

import "math"

// portableExp returns e^x, bit for bit as the standard
// library's math.Exp computes it on amd64 processors with FMA (the sleef
// method of math/exp_amd64.s: reduce by k·ln 2 in two parts, a Taylor
// polynomial in r/16, four squarings of the form y(y+2)). math.FMA rounds
// once on every machine, in hardware or in software, so this gives those
// bits everywhere, where math.Exp itself differs in the last bit between
// amd64 with and without FMA and arm64. Sigmoid and the fast
// sigmoid's table are built on it, so that training is the same bit for
// bit on any machine.
func portableExp(x float64) float64 {
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
