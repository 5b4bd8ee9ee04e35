package helmholtz

import (
	"math"

	"helmholtz/internal/libm"
)

// Sigmoid is the logistic function 1/(1+exp(-x)), computed with libm.Exp,
// so that it gives the same bits on every machine.
// Evaluation and figures use it; the training hot loop uses the faster
// sigmoid below, whose table it builds.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + libm.Exp(-x))
	}
	e := libm.Exp(x)
	return e / (1 + e)
}

// The fast sigmoid is a piecewise cubic: on each interval of width
// 1/sigScale it is the Hermite interpolant of the exact values and slopes
// (σ' = σ(1−σ)) at the interval's ends. Its absolute error is below 1e-8
// (TestFastSigmoid), far below the noise of a stochastic update, and a
// call costs about a nanosecond instead of the ~10 ns of math.Exp. Beyond
// ±sigLimit it returns σ(±sigLimit), within 1e-13 of 0 or 1.
const (
	sigLimit = 30.0
	sigScale = 16.0 // intervals per unit
	sigN     = int(2 * sigLimit * sigScale)
)

// sigCoef[i] holds the cubic's coefficients in s ∈ [0,1) on interval i;
// the last entry is the constant σ(sigLimit).
var sigCoef = func() (t [sigN + 1][4]float64) {
	for i := range sigN {
		y0 := Sigmoid(float64(i-sigN/2) / sigScale) // knots at i/16 − 30, exactly
		y1 := Sigmoid(float64(i+1-sigN/2) / sigScale)
		d0 := float64(y0 * (1 - y0) / sigScale) // slopes per unit of s; unfused
		d1 := float64(y1 * (1 - y1) / sigScale)
		t[i] = [4]float64{y0, d0, float64(3*(y1-y0)) - 2*d0 - d1, float64(2*(y0-y1)) + d0 + d1}
	}
	t[sigN] = [4]float64{Sigmoid(sigLimit), 0, 0, 0}
	return t
}()

// sigmoid is the fast sigmoid. It is small enough to be inlined. NaN maps
// to σ(−sigLimit) ≈ 1e-13; the training loop detects non-finite weights
// separately.
func sigmoid(x float64) float64 {
	u := (x + sigLimit) * sigScale // 16x + 480 rounded once, as kernel_amd64.s gets it (16x is exact)
	// Branches, not min/max: they are almost always predicted, so they
	// add no latency, where min and max must order NaNs.
	if !(u > 0) {
		u = 0
	}
	if u > float64(sigN) {
		u = float64(sigN)
	}
	i := int(u)
	s := u - float64(i)
	c := &sigCoef[i]
	// Estrin's scheme, (c0 + s·c1) + s²·(c2 + s·c3): the two halves
	// evaluate in parallel. The conversions keep each product rounded on
	// its own, as in kernel_amd64.s: Go may otherwise fuse a*b+c into one
	// FMA instruction (on arm64, or on amd64 built with GOAMD64=v3), and
	// the last bits of every weight would depend on the build. (Written
	// without temporaries to stay within the inliner's budget.)
	return (c[0] + float64(s*c[1])) + float64(s*s*(c[2]+float64(s*c[3])))
}

// LogSigmoid is log σ(x) = −log(1 + e^−x), computed with libm so that it
// gives the same bits on every machine, without overflow for any x.
func LogSigmoid(x float64) float64 {
	e := libm.Exp(-math.Abs(x)) // ≤ 1
	// log1p(e), accurate also for tiny e (Kahan: the ratio undoes the
	// rounding of 1 + e).
	l := e
	if u := 1 + e; u != 1 {
		l = libm.Log(u) * e / (u - 1)
	}
	return min(x, 0) - l
}

// FastSigmoid is the training step's σ: the cubic table, within 1e-8 of
// Sigmoid (see sigmoid).
func FastSigmoid(x float64) float64 { return sigmoid(x) }

// FastLogSigmoid is log σ(x) within 1e-8 (see logSigmoid), about ten times
// faster than LogSigmoid: for estimates that sum many such terms.
func FastLogSigmoid(x float64) float64 { return logSigmoid(x) }

// logSigmoid is a fast log σ for the learners that weigh samples by their
// probability: the same piecewise cubic as the fast sigmoid, interpolating
// log σ and its slope σ(−x) = 1 − σ(x) at knots 1/16 apart, within 1e-8 of
// LogSigmoid (TestFastLogSigmoid). Below −sigLimit it returns x, above
// +sigLimit 0 (both within 1e-13), and in the last interval, from
// sigLimit − 1/16, its value at the interval's start (within 6e-15), as
// the AVX2 kernels have always computed it.
func logSigmoid(x float64) float64 {
	u := (x + sigLimit) * sigScale
	if !(u > 0) {
		return x // and NaN
	}
	if u >= float64(sigN) {
		return 0
	}
	u = min(u, float64(sigN-1))
	i := int(u)
	s := u - float64(i)
	c := &logSigCoef[i]
	return (c[0] + float64(s*c[1])) + float64(s*s*(c[2]+float64(s*c[3])))
}

var logSigCoef = func() (t [sigN][4]float64) {
	for i := range sigN {
		x0, x1 := float64(i-sigN/2)/sigScale, float64(i+1-sigN/2)/sigScale
		y0, y1 := LogSigmoid(x0), LogSigmoid(x1)
		d0 := float64(Sigmoid(-x0) / sigScale) // slopes per unit of s
		d1 := float64(Sigmoid(-x1) / sigScale)
		t[i] = [4]float64{y0, d0, float64(3*(y1-y0)) - 2*d0 - d1, float64(2*(y0-y1)) + d0 + d1}
	}
	return t
}()

// Exps sets dst[i] = e^x[i] for each i of x; dst may be x. The values are
// libm.Exp's to the bit (math.Exp's on amd64; a NaN for a NaN), on every machine; on amd64
// with AVX2 and FMA four are computed at a time.
func Exps(dst, x []float64) { expRow(dst[:len(x)], x) }

// Sigmoids sets dst[i] = Sigmoid(x[i]) for each i of x, the same bits
// (a NaN for a NaN), the exponentials computed as Exps computes them; dst
// may be x.
func Sigmoids(dst, x []float64) {
	dst = dst[:len(x)]
	var e [64]float64
	for k := 0; k < len(x); k += len(e) {
		xs := x[k:min(k+len(e), len(x))]
		es := e[:len(xs)]
		for i, a := range xs {
			es[i] = -math.Abs(a)
		}
		expRow(es, es)
		d := dst[k:][:len(xs)]
		for i, a := range xs {
			if a >= 0 {
				d[i] = 1 / (1 + es[i])
			} else {
				d[i] = es[i] / (1 + es[i])
			}
		}
	}
}
