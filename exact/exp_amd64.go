//go:build !purego

package exact

import "golang.org/x/sys/cpu"

// useAVX2 selects expAddAVX2. Tests turn it off to compare it with
// expAddGo.
var useAVX2 = cpu.X86.HasAVX2

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
