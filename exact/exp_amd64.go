//go:build !purego

package exact

import "golang.org/x/sys/cpu"

// useAVX2 selects expAddAVX2. Tests turn it off to compare it with
// expAddGo.
var useAVX2 = cpu.X86.HasAVX2

// useAVX512 selects scanAVX512; tests turn it off.
var useAVX512 = useAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// scanArgs are scanAVX512's arguments, in the order it reads them.
type scanArgs struct {
	dot, row, mx, floor, ds *float64
	idx                     *int32
	n                       int
	c, sign, ls, slack      float64
	base                    int32
}

// scanKernel does addSparse's scan of dot[i:] from i, eight terms at a
// time, for as long as none needs its sum rescaled (and row, if not nil,
// is added to dot), writing the kept terms' d and indices to ds[kept:]
// and idx[kept:]; it returns how many terms it scanned and how many of
// them it kept.
func scanKernel(c float64, dot, row, mx, floor []float64, sign, ls float64, ds []float64, idx []int32, i, kept int) (int, int) {
	n := len(dot) - i
	if !useAVX512 || n < 8 {
		return 0, 0
	}
	a := scanArgs{dot: &dot[i], mx: &mx[i], floor: &floor[i], ds: &ds[kept], idx: &idx[kept], n: n,
		c: c, sign: sign, ls: ls, slack: slack, base: int32(i)}
	_, _, _ = mx[len(dot)-1], floor[len(dot)-1], ds[len(dot)-1]
	_ = idx[len(dot)-1]
	if row != nil {
		_ = row[len(dot)-1]
		a.row = &row[i]
	}
	return scanAVX512(&a)
}

// scanAVX512 is scanKernel's kernel.
//
//go:noescape
func scanAVX512(a *scanArgs) (done, kept int)

// expAddKernel does expAdd's first len(xs)&^3 terms in AVX2 and returns
// how many it did.
func expAddKernel(dst, xs []float64, scale float64) int {
	k := len(xs) &^ 3
	if !useAVX2 || k == 0 {
		return 0
	}
	_ = dst[k-1]
	expAddAVX2(&dst[0], &xs[0], k, scale, &expConsts, &expTab)
	return k
}

// expAddAVX2 is expAddGo of n (a multiple of 4) terms; c are expConsts.
//
//go:noescape
func expAddAVX2(dst, xs *float64, n int, scale float64, c *[8]float64, tab *[expN]float64)

// addKernel does sums.add's terms four at a time in AVX2 from the first
// on, for as long as none needs its sum rescaled, and returns how many it
// did (a multiple of 4).
func addKernel(v, mx, sum []float64, scale float64) int {
	if !useAVX2 || len(v) < 4 {
		return 0
	}
	_, _ = mx[len(v)-1], sum[len(v)-1]
	return addExpAVX2(&v[0], &mx[0], &sum[0], len(v), scale, slack, &expConsts, &expTab)
}

// addExpAVX2 is addKernel's kernel; c are expConsts.
//
//go:noescape
func addExpAVX2(v, mx, sum *float64, n int, scale, slack float64, c *[8]float64, tab *[expN]float64) int

// applyKernel does addSparse's last loop for its first len(idx)&^7 kept
// terms and returns how many it did. The indices are below len(sum) and
// len(floor), as addSparse's scan writes them: the kernel's gathers and
// scatters do not check them.
func applyKernel(sum, floor, t []float64, idx []int32) int {
	n := len(idx) &^ 7
	if !useAVX512 || n == 0 {
		return 0
	}
	_, _ = t[n-1], floor[len(sum)-1] // the floors cover the sums
	applyAVX512(&sum[0], &floor[0], &t[0], &idx[0], n)
	return n
}

// applyAVX512 is applyKernel's kernel.
//
//go:noescape
func applyAVX512(sum, floor, t *float64, idx *int32, n int)
