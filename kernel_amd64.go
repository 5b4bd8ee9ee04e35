//go:build !purego

package helmholtz

import "golang.org/x/sys/cpu"

// useAVX2 selects the vector kernels of kernel_amd64.s. Tests turn it off
// to compare them with the portable ones.
var useAVX2 = cpu.X86.HasAVX2

// The vector kernels handle the first k = n&^3 columns or units (n ≥ 4)
// and the portable ones the rest. Their pointers and lengths come from
// the checked slices of the wrappers below; the callers in wakesleep.go
// guarantee that active indices select whole rows.

//go:noescape
func sumRowsAVX2(d, bias, rows *float64, active *int32, nact, n, k int)

//go:noescape
func addRowsAVX2(bias, w, d *float64, active *int32, nact, n, k int)

//go:noescape
func deltasAVX2(d, x *float64, k int, eps float64)

//go:noescape
func sampleAVX2(a *float64, r *uint64, x *float64, act *int32, k int) int

func sumRows(d, bias, rows []float64, active []int32) {
	n, k := len(bias), 0
	if useAVX2 && n >= 4 {
		k = n &^ 3
		_, _ = d[n-1], rows[len(rows)-1]
		sumRowsAVX2(&d[0], &bias[0], &rows[0], activePtr(active), len(active), n, k)
	}
	sumRowsGo(d, bias, rows, active, k)
}

func addRows(bias, w, d []float64, active []int32) {
	n, k := len(d), 0
	if useAVX2 && n >= 4 {
		k = n &^ 3
		_, _ = bias[n-1], w[len(w)-1]
		addRowsAVX2(&bias[0], &w[0], &d[0], activePtr(active), len(active), n, k)
	}
	addRowsGo(bias, w, d, active, k)
}

func deltas(d, x []float64, eps float64) {
	n, k := len(d), 0
	if useAVX2 && n >= 4 {
		k = n &^ 3
		_ = x[n-1]
		deltasAVX2(&d[0], &x[0], k, eps)
	}
	deltasGo(d, x, eps, k)
}

func sampleUnits(a []float64, r []uint64, x []float64, act []int32) int {
	n, k, c := len(a), 0, 0
	if useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _ = r[(n+1)/2-1], x[n-1], act[n-1]
		c = sampleAVX2(&a[0], &r[0], &x[0], &act[0], k)
	}
	return sampleGo(a, r, x, act, k, c)
}

func activePtr(active []int32) *int32 {
	if len(active) == 0 {
		return nil
	}
	return &active[0]
}
