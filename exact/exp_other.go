//go:build !amd64 || purego

package exact

// expAddKernel leaves every term to expAddGo.
func expAddKernel(dst, xs []float64, scale float64) int { return 0 }

// addKernel leaves every term to sums.add's loop.
func addKernel(v, mx, sum []float64, scale float64) int { return 0 }

// useAVX512 is false: there is no scan kernel here (tests set it).
var useAVX512 = false

// scanKernel leaves the whole scan to addSparse's loop.
func scanKernel(c float64, dot, row, mx, floor []float64, sign, ls float64, ds []float64, idx []int32, i, kept int) (int, int) {
	return 0, 0
}

// applyKernel leaves addSparse's last loop to Go.
func applyKernel(sum, floor, t []float64, idx []int32) int { return 0 }
