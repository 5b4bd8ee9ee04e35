//go:build !amd64 || purego

package helmholtz

// Without assembly the portable kernels do all the work.

func deltaLayer(d, bias, rows []float64, active []int32, x []float64, eps float64) {
	if len(bias) == 1 {
		deltaUnit(d, bias, rows, active, x, eps)
		return
	}
	sumRowsGo(d, bias, rows, active, 0)
	deltasGo(d, x, eps, 0)
}

func sampleLayer(d, bias, rows []float64, active []int32, r []uint64, x []float64, act []int32) int {
	if len(bias) == 1 {
		return sampleUnit(bias, rows, active, r, x, act)
	}
	sumRowsGo(d, bias, rows, active, 0)
	return sampleGo(d, r, x, act, 0, 0)
}

func addRows(bias, w, d []float64, active []int32) {
	if len(d) == 1 {
		addUnit(bias, w, d, active)
		return
	}
	addRowsGo(bias, w, d, active, 0)
}

// expStep multiplies ex by g (unless g is nil) and returns Π 1/(1 + ex_i),
// in a fixed order of operations (expStepGo).
func expStep(ex, g []float64) float64 { return expStepGo(ex, g) }

// expWalk has no kernel without assembly: the walk is expStep's.
func expWalk(ex, g []float64, flips []int32, out []float64) bool { return false }

// LaneWidth is the number of chains a Lanes steps together: four,
// without assembly.
func LaneWidth() int { return 4 }

func laneSample(w int, xt, bias, rows, x []float64, act []int32, u []uint32, n int, next []int32) int {
	return laneSampleGo(w, xt, bias, rows, x, act, u, n, next)
}

func laneDeltas(w int, d, bias, rows, x []float64, act []int32, xt []float64, n int, eps float64) {
	laneDeltasGo(w, d, bias, rows, x, act, xt, n, eps)
}

func laneAdd(w int, bias, rows, d, x []float64, act []int32, n int) {
	laneAddGo(w, bias, rows, d, x, act, n)
}

func scale(w []float64, s float64) { scaleGo(w, s, 0) }

func nonNegative(w []float64) { nonNegativeGo(w, 0) }

func scaleNonNegative(w []float64, s float64) {
	scaleGo(w, s, 0)
	nonNegativeGo(w, 0)
}

func (g *lanePCG) uniforms(u []uint32, n, w int) { g.uniformsGo(u, n, w) }

func laneBits(x []float64, lanes []uint64, n int) { laneBitsGo(x, lanes, n) }

func sumRows(d, bias, rows []float64, active []int32) { sumRowsGo(d, bias, rows, active, 0) }

// adamStep is adamGo.
func adamStep(p, g, m, v []float64, c *adamConsts) { adamGo(p, g, m, v, c, 0) }

// sumRowsMany is sumRows(d[s], start[s], rows, active[s]) for each s.
func sumRowsMany(d, start [][]float64, rows []float64, active [][]int32) {
	for s := range d {
		sumRowsGo(d[s], start[s], rows, active[s], 0)
	}
}

// addRowsMany is addRowsEach.
func addRowsMany(bias, w, d []float64, active [][]int32, nb int, _ *rowLists) {
	addRowsEach(bias, w, d, active, nb)
}

// stateLogProb returns log p(x) for a layer in state x (0/1 values) whose
// logits are a.
func stateLogProb(a, x []float64) float64 { return stateLogProbGo(a, x, 0, 0) }

// The mean-field rows in portable Go.

func mfSumsRow(z, pa, pb, w, ea, eb []float64, p float64) { mfSumsRowGo(z, pa, pb, w, ea, eb, p, 0) }

func mfNewtonRow(ma, mb, va, vb, w, ea, eb []float64, p float64) {
	mfNewtonRowGo(ma, mb, va, vb, w, ea, eb, p, 0)
}

func mfGradRow(g float64, muc, xic, pbc, w, ea, eb []float64, p float64) float64 {
	return mfGradRowGo(g, muc, xic, pbc, w, ea, eb, p, 0)
}

func mfMoveRow(z, pbc, w, ea, eb []float64, p, q float64) { mfMoveRowGo(z, pbc, w, ea, eb, p, q, 0) }

func mfLearnRow(w, ea, eb, d, ca, cb []float64, p, eps float64) {
	mfLearnRowGo(w, ea, eb, d, ca, cb, p, eps, 0)
}

func expRow(dst, x []float64) { expRowGo(dst, x, 0) }

func axpy(p, g []float64, s float64) { axpyGo(p, g, s, 0) }

func mfFactorsRow(ea, eb, w, ew, xi []float64) { mfFactorsRowGo(ea, eb, w, ew, xi, 0) }

func mfLogsRow(la, lb, pa, pb []float64) { mfLogsRowGo(la, lb, pa, pb, 0) }

func mfOddsRow(pb, la, lb []float64) { mfOddsRowGo(pb, la, lb, 0) }

func gibbsFlip(sm, pr *[gibbsLanes]float64, c, w, xc, e, en, f, h, e1, en1 []float64, on bool) {
	gibbsFlipGo(sm, pr, c, w, xc, e, en, f, h, e1, en1, on, 0)
}
