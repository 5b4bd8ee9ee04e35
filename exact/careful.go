package exact

import (
	"math"
	"math/bits"

	"helmholtz"
	"helmholtz/internal/libm"
)

// The incremental walk of visible and layerGiven adds and subtracts weight
// rows, so its rounding error grows with the size of the weights: with
// |b| + Σ|w| ≤ carefulLimit for every unit it stays below 1e-10 nats per
// pattern, but weights of 1e12 would leave errors of whole nats and
// weights of 1e25 a negative KL. Beyond that limit the evaluator takes the
// careful path below: every logit is summed from scratch with its rounding
// error carried along (as if in twice the precision), and every log
// probability is a sum of log σ terms, none positive, so nothing cancels.
// It is correct for any finite weights, about ten times slower, and no
// trained net comes near it (the largest |b| + Σ|w| in the 1,300 runs of
// docs/STUDY.md was 212).
const carefulLimit = 1024

// needsCare reports whether some unit's generative logit can exceed
// carefulLimit in magnitude, or is not finite.
func needsCare(m *helmholtz.Machine) bool {
	top := len(m.Sizes) - 1
	for _, b := range m.B[top] {
		if !(math.Abs(b) <= carefulLimit) {
			return true
		}
	}
	for l := range top {
		n, w := m.Sizes[l], m.W[l]
		for i, b := range m.B[l] {
			s := math.Abs(b)
			for j := range m.Sizes[l+1] {
				s += math.Abs(w[j*n+i])
			}
			if !(s <= carefulLimit) {
				return true
			}
		}
	}
	return false
}

// carefulPriors fills e.prior[l] with log p(x_l) for every latent layer,
// the careful way.
func (e *Evaluator) carefulPriors(m *helmholtz.Machine) {
	top := len(e.sizes) - 1
	lp1, lp0 := e.lpOn[:e.sizes[top]], e.lpOff[:e.sizes[top]]
	logSigmoids(lp1, lp0, m.B[top])
	dst := e.prior[top]
	for x := range dst {
		dst[x] = pick(x, lp1, lp0)
	}
	for l := top - 1; l >= 1; l-- {
		n, nu := e.sizes[l], e.sizes[l+1]
		dst := e.prior[l]
		sums := e.sums.part(0, len(dst))
		sums.start()
		a, lp1, lp0 := e.a[:n], e.lpOn[:n], e.lpOff[:n]
		for u := range 1 << nu {
			accurateLogits(a, m.B[l], m.W[l], u, e.tmp)
			logSigmoids(lp1, lp0, a)
			for x := range dst {
				dst[x] = e.prior[l+1][u] + pick(x, lp1, lp0)
			}
			sums.add(dst, 1)
		}
		for x := range dst {
			dst[x] = sums.log(x)
		}
	}
}

// carefulVisible fills e.logp with log p(v), the careful way.
func (e *Evaluator) carefulVisible(m *helmholtz.Machine) {
	nv, n1 := e.sizes[0], e.sizes[1]
	K := len(e.patterns)
	sums, d := e.sums.part(0, K), e.d[:K]
	sums.start()
	a, lp1, lp0 := e.a[:nv], e.lpOn[:nv], e.lpOff[:nv]
	for h := range 1 << n1 {
		accurateLogits(a, m.B[0], m.W[0], h, e.tmp)
		logSigmoids(lp1, lp0, a)
		for k, v := range e.patterns {
			s := e.prior[1][h]
			for i, on := range v {
				if on != 0 {
					s += lp1[i]
				} else {
					s += lp0[i]
				}
			}
			d[k] = s
		}
		sums.add(d, 1)
	}
	for k := range K {
		e.logp[k] = sums.log(k)
	}
}

// pick returns Σ_j (bit j of x ? on[j] : off[j]).
func pick(x int, on, off []float64) float64 {
	var s float64
	for j := range on {
		if x&(1<<j) != 0 {
			s += on[j]
		} else {
			s += off[j]
		}
	}
	return s
}

// accurateLogits sets a[i] = b[i] + Σ_{j ∈ state} w[j·n+i], n = len(b),
// for the binary state whose bit j is unit j of the layer above. Each sum
// carries the rounding errors of its additions (Knuth's TwoSum) and adds
// them at the end, so it is as accurate as if summed in twice the
// precision: 1e25 + 1 − 1e25 is 1, not 0. errs is scratch of length n.
func accurateLogits(a, b, w []float64, state int, errs []float64) {
	n := len(b)
	copy(a, b)
	errs = errs[:n]
	clear(errs)
	for j := 0; state>>j != 0; j++ {
		if state&(1<<j) != 0 {
			addAccurate(a, errs, w[j*n:(j+1)*n])
		}
	}
	finishAccurate(a, errs, b, w, func(j int) bool { return state&(1<<j) != 0 }, bits.Len(uint(state)))
}

// accurateLogitsOf is accurateLogits for a state given as 0/1 units (of
// any number).
func accurateLogitsOf(a, b, w []float64, x []uint8, errs []float64) {
	n := len(b)
	copy(a, b)
	errs = errs[:n]
	clear(errs)
	for j, on := range x {
		if on != 0 {
			addAccurate(a, errs, w[j*n:(j+1)*n])
		}
	}
	finishAccurate(a, errs, b, w, func(j int) bool { return x[j] != 0 }, len(x))
}

// addAccurate adds row to a, carrying each addition's rounding error into
// errs.
func addAccurate(a, errs, row []float64) {
	for i, y := range row {
		s := a[i] + y
		bb := s - a[i]
		errs[i] += (a[i] - (s - bb)) + (y - bb)
		a[i] = s
	}
}

// finishAccurate adds the carried errors to the sums a of the biases b
// and the rows j < rows of w for which on(j). A sum whose partial sums
// overflowed (1.7e308 + 1.7e308 − 1.7e308: its value or its error is not
// finite) is summed again from values scaled by 2^−overflowShift, which
// cannot overflow, and scaled back: its true value, or ±Inf if that is
// beyond the largest float64, whose log σ is exact (0 or −Inf).
func finishAccurate(a, errs, b, w []float64, on func(j int) bool, rows int) {
	n := len(a)
	for i := range a {
		a[i] += errs[i]
		if !math.IsInf(a[i], 0) && !math.IsNaN(a[i]) {
			continue
		}
		s, e := math.Ldexp(b[i], -overflowShift), 0.0
		for j := range rows {
			if on(j) {
				y := math.Ldexp(w[j*n+i], -overflowShift)
				t := s + y
				bb := t - s
				e += (s - (t - bb)) + (y - bb)
				s = t
			}
		}
		a[i] = math.Ldexp(s+e, overflowShift)
	}
}

// overflowShift scales the sums of finishAccurate: a sum of up to 2^20
// float64 values scaled by 2^−24 stays finite. The scaling loses only bits
// below 2^−1050, nothing beside terms large enough to overflow.
const overflowShift = 24

// logSigmoids sets on[i] = log σ(a[i]) and off[i] = log σ(−a[i]) =
// log(1 − σ(a[i])).
func logSigmoids(on, off, a []float64) {
	for i, x := range a {
		// log σ(x) = −softplus(−x); softplus(y) = max(y, 0) + log1p(e^−|y|).
		t := log1p(libm.Exp(-math.Abs(x)))
		on[i] = -(max(-x, 0) + t)
		off[i] = -(max(x, 0) + t)
	}
}

// log1p returns log(1 + x) for 0 ≤ x ≤ 1, accurate also for tiny x
// (Kahan's trick: the rounding of 1 + x is undone by the ratio).
func log1p(x float64) float64 {
	u := 1 + x
	if u == 1 {
		return x
	}
	return libm.Log(u) * x / (u - 1)
}
