//go:build !amd64 || purego

package exact

// expAddKernel leaves every term to expAddGo.
func expAddKernel(dst, xs []float64, scale float64) int { return 0 }

// addKernel leaves every term to sums.add's loop.
func addKernel(v, mx, sum []float64, scale float64) int { return 0 }
