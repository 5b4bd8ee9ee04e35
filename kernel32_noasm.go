//go:build !amd64 || purego

package helmholtz

// Without assembly the float32 kernels are the portable loops.

func sumRows32(d, bias, rows []float32, active []int32) { sumRows32Go(d, bias, rows, active, 0) }

func sumRowsMany32(d, start [][]float32, rows []float32, active [][]int32) {
	for s := range d {
		sumRows32Go(d[s], start[s], rows, active[s], 0)
	}
}

func addRowsMany32(bias, w, d []float32, active [][]int32, nb int, _ *rowLists) {
	addRowsEach32(bias, w, d, active, nb, 0)
}

func deltas32(d, a, x []float32, eps float32) { deltas32Go(d, a, x, eps, 0) }

func sampleLayer32(d, bias, rows []float32, active []int32, r []uint64, x []float32, act []int32) int {
	sumRows32Go(d, bias, rows, active, 0)
	return sample32Go(d, r, x, act, 0, 0)
}

func stateLogProb32(a, x []float32) float64 { return stateLogProb32Go(a, x) }

func adam32(p, g, h, m, v []float32, c *adamConsts32) { adam32Go(p, g, h, m, v, c, 0) }
