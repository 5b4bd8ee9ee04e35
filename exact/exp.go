package exact

import (
	"math"

	"helmholtz/internal/libm"
)

// expAdd adds scale·e^x to dst[i] for each x = xs[i] ≤ 700. e^x is
// within 2 ulp of math.Exp and about three times faster; the enumeration spends most of its time in
// exponentials. It uses the table method (as in musl's exp):
// x = (k·N + j)·ln2/N + r with |r| ≤ ln2/2N, e^x = 2^k · 2^(j/N) · e^r,
// N = 2048 and a cubic for e^r − 1, whose truncation error
// (r⁴/24 < 4e-17) is below half an ulp. Arguments below −708, and NaN,
// give 0 (callers check finiteness). Working on a slice keeps the loop
// free of call overhead.
//
// On amd64 with AVX2 a kernel (exp_amd64.s) takes four at a time, by the
// same operations: the same bits (TestExpAddKernel).
func expAdd(dst, xs []float64, scale float64) {
	dst = dst[:len(xs)]
	expAddGo(dst, xs, scale, expAddKernel(dst, xs, scale))
}

// expAddGo is expAdd of xs[from:] in portable Go.
func expAddGo(dst, xs []float64, scale float64, from int) {
	for i := from; i < len(xs); i++ {
		x := xs[i]
		if !(x >= -708) {
			continue
		}
		// Round x·N/ln2 to the nearest integer n by adding 1.5·2^52,
		// which leaves n in the low bits of the mantissa.
		t := float64(x*(expN/math.Ln2)) + 0x1.8p52 // unfused, as everywhere: same bits on every machine
		n := int(int32(math.Float64bits(t)))
		fn := t - 0x1.8p52
		r := (x - float64(fn*ln2HiN)) - float64(fn*ln2LoN)
		q := r * (1 + float64(r*(0.5+float64(r*(1.0/6))))) // e^r − 1
		s := expTab[n&(expN-1)]
		pow2 := math.Float64frombits(uint64(n>>expBits+1023) << 52) // 2^⌊n/N⌋
		dst[i] += float64(scale * ((s + float64(s*q)) * pow2))
	}
}

// expConsts are expAddGo's constants, in the order the kernel reads them.
var expConsts = [...]float64{expN / math.Ln2, 0x1.8p52, ln2HiN, ln2LoN, 1.0 / 6, 0.5, 1, -708}

const (
	expBits = 11
	expN    = 1 << expBits
	// ln2/N split in two (fdlibm's split) so that fn·ln2HiN is exact.
	ln2HiN = 6.93147180369123816490e-01 / expN
	ln2LoN = 1.90821492927058770002e-10 / expN
)

// expTab[j] = 2^(j/N).
var expTab = func() (t [expN]float64) {
	for j := range t {
		t[j] = libm.Exp2(float64(j) / expN)
	}
	return t
}()

// expOne returns e^x for one x, as expAdd computes it (0 below −708 and for NaN).
func expOne(x float64) float64 {
	var dst [1]float64
	expAdd(dst[:], []float64{x}, 1)
	return dst[0]
}
