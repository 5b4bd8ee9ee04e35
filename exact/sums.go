package exact

import (
	"math"

	"helmholtz/internal/libm"
)

// sums are running log-sum-exps, one per index i: exp(mx[i])·sum[i].
type sums struct {
	mx, sum []float64
	floor   []float64 // log of a quarter of an ulp of sum[i], or −∞ (see addSparse); nil if not sparse
	idx     []int32   // addSparse's scratch: the sums it adds to,
	d, t    []float64 // their terms' logs (relative to mx) and the terms
}

// newSums returns n sums, with addSparse's buffers if sparse.
func newSums(n int, sparse bool) sums {
	s := sums{mx: make([]float64, n), sum: make([]float64, n)}
	if sparse {
		s.floor, s.idx, s.d, s.t = make([]float64, n), make([]int32, n), make([]float64, n), make([]float64, n)
	}
	return s
}

// part returns the sums [lo, hi), sharing s's memory (scratch included, so
// parts of disjoint ranges may be added to at once).
func (s sums) part(lo, hi int) sums {
	p := sums{mx: s.mx[lo:hi], sum: s.sum[lo:hi]}
	if s.floor != nil {
		p.floor, p.idx, p.d, p.t = s.floor[lo:hi], s.idx[lo:hi], s.d[lo:hi], s.t[lo:hi]
	}
	return p
}

// start empties the sums.
func (s sums) start() {
	startSums(s.mx, s.sum)
	for i := range s.floor {
		s.floor[i] = math.Inf(-1)
	}
}

// log returns the log-sum-exp i.
func (s sums) log(i int) float64 { return s.mx[i] + libm.Log(s.sum[i]) }

// startSums empties running log-sum-exps: exp(mx[i])·sum[i] = 0.
func startSums(mx, sum []float64) {
	for i := range mx {
		mx[i], sum[i] = math.Inf(-1), 0
	}
}

// add adds scale·exp(v[i]) to the log-sum-exp i for each i < len(v),
// leaving v as it is. The reference mx[i] moves only when a term exceeds
// it by more than e^slack, so the sums stay far from overflow and are
// rarely rescaled.
func (s sums) add(v []float64, scale float64) {
	mx, sum := s.mx[:len(v)], s.sum[:len(v)]
	var ds [4]float64
	for i := 0; i < len(v); {
		// A kernel takes the terms four at a time while none needs a
		// rescale; the loop below takes the four that do, and the last few.
		i += addKernel(v[i:], mx[i:], sum[i:], scale)
		end := min(i+4, len(v))
		for j := i; j < end; j++ {
			d := v[j] - mx[j]
			if d > slack {
				sum[j] *= expOne(-d)
				mx[j] = v[j]
				if s.floor != nil {
					s.floor[j] = math.Inf(-1) // for addSparse
				}
				d = 0
			}
			ds[j-i] = d
		}
		expAdd(sum[i:end], ds[:end-i], scale)
		i = end
	}
}

// addSparse adds scale·exp(c + dot[i]) to the log-sum-exp i for each
// i < len(dot), as add does for v[i] = c + dot[i] (the same bits), where
// first, if row is not nil, dot[i] += sign·row[i]: a step of the walk over
// a hidden layer for many patterns, dot their projections.
//
// Most terms of such a walk are far too small to change their sums: a
// term below half an ulp of sum[i] leaves it as it is when added (round
// to nearest), so addSparse skips it, and its exponential, without
// changing a bit. floor[i] is the log of a quarter of an ulp of sum[i],
// set whenever addSparse adds a term (sum only grows between rescales, so
// an older floor is at most the current one; a rescale resets it to −∞),
// and a term is skipped when its log, c + dot[i] − mx[i] + log scale, is
// below it: the factor of two left covers the rounding of the exponential
// and the logarithms. The terms kept are gathered and added in index
// order, as add adds all. When most terms are kept, add is faster.
func (s sums) addSparse(c float64, dot, row []float64, sign, scale float64) {
	mx, sum, floor, idx, ds := s.mx[:len(dot)], s.sum[:len(dot)], s.floor[:len(dot)], s.idx[:len(dot)], s.d[:len(dot)]
	ls := 0.0
	if scale != 1 {
		ls = libm.Log(scale)
	}
	if row != nil {
		row = row[:len(dot)]
	}
	n := 0
	for i := 0; i < len(dot); {
		// A kernel scans eight terms at a time while none needs a
		// rescale; the loop below takes the eight that do, and the last
		// few.
		done, kept := scanKernel(c, dot, row, mx, floor, sign, ls, ds, idx, i, n)
		i, n = i+done, n+kept
		end := min(i+8, len(dot))
		for ; i < end; i++ {
			dk := dot[i]
			if row != nil {
				dk += float64(sign * row[i])
				dot[i] = dk
			}
			x := c + dk
			d := x - mx[i]
			if d > slack {
				sum[i] *= expOne(-d)
				mx[i] = x
				floor[i] = math.Inf(-1)
				d = 0
			}
			ds[n], idx[n] = d, int32(i)
			if !(d+ls < floor[i]) { // kept (so is NaN)
				n++
			}
		}
	}
	t := s.t[:n]
	clear(t)
	expAdd(t, ds[:n], scale)
	for j := applyKernel(sum, floor, t, idx[:n]); j < n; j++ {
		i := idx[j]
		sum[i] += t[j] // 0 + scale·e^d is scale·e^d: the bits of adding it in place
		floor[i] = floorOf(sum[i])
	}
}

// sparseFrom is the fewest terms for which the walks call addSparse:
// for fewer, looking for the terms to skip costs more than it saves.
const sparseFrom = 256

// floorOf returns the log of a quarter of an ulp of s ≥ 0 (2^(E−54) for s
// in [2^E, 2^(E+1))), or −∞ for s below 2^−999 (zero, subnormal or too
// small to bother), for which addSparse skips nothing.
func floorOf(s float64) float64 {
	e := int(math.Float64bits(s)>>52) & 0x7ff // biased exponent; the sign bit is 0
	if e < 24 {
		return math.Inf(-1)
	}
	return float64(e-1023-54) * math.Ln2
}
