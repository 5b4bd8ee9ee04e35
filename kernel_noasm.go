//go:build !amd64 || purego

package helmholtz

// Without assembly the portable kernels do all the work.

func sumRows(d, bias, rows []float64, active []int32) { sumRowsGo(d, bias, rows, active, 0) }

func addRows(bias, w, d []float64, active []int32) { addRowsGo(bias, w, d, active, 0) }

func deltas(d, x []float64, eps float64) { deltasGo(d, x, eps, 0) }

func sampleUnits(a []float64, r []uint64, x []float64, act []int32) int {
	return sampleGo(a, r, x, act, 0, 0)
}
