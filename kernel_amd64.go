//go:build !purego

package helmholtz

import "golang.org/x/sys/cpu"

// useAVX2 selects the vector kernels of kernel_amd64.s (which also use
// POPCNT, present on every AVX2 processor). Tests turn it off to compare
// them with the portable ones.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT

// The vector kernels handle the first k = n&^3 units or columns of a
// layer of n ≥ 4 and the portable ones the rest. The wrappers below check
// the slices the kernels read and write; the callers in wakesleep.go
// guarantee that active indices select whole rows.

// sumRowsAVX2 is sumRows for units [0, k).
//
//go:noescape
func sumRowsAVX2(d, bias, rows *float64, active *int32, nact, n, k int)

// deltaLayerAVX2 is deltaLayer for units [0, k).
//
//go:noescape
func deltaLayerAVX2(d, bias, rows *float64, active *int32, nact, n, k int, x *float64, eps float64)

// sampleLayerAVX2 is sampleLayer for units [0, k); it returns the number
// of units it switched on.
//
//go:noescape
func sampleLayerAVX2(d, bias, rows *float64, active *int32, nact, n, k int, r *uint64, x *float64, act *int32) int

// addRowsAVX2 is addRows for columns [0, k).
//
//go:noescape
func addRowsAVX2(bias, w, d *float64, active *int32, nact, n, k int)

// addWideRowsAVX2 is addRowsAVX2 row by row, for layers of at least
// wideRows units.
//
//go:noescape
func addWideRowsAVX2(bias, w, d *float64, active *int32, nact, n, k int)

// expStepAVX2 is expStepGo for n a multiple of 4, returning the product
// (p0·p2)·(p1·p3) whose inverse expStepGo returns; the factors f (g of
// expStepGo) may be nil.
//
//go:noescape
func expStepAVX2(ex, f *float64, n int) float64

// expWalkAVX2 is the exponential walk over count states of 16 pixels:
// out[0] is the product (p0·p2)·(p1·p3) of expStepGo for ex as given, and
// for each next state t, ex is multiplied by the row of the factors f at
// byte offset flips[t] and out[t] is its product. ex itself is left as
// given.
//
//go:noescape
func expWalkAVX2(ex, f *float64, flips *int32, count int, out *float64)

// expWalk fills out[t] with 1/Π(1 + ex_i) for count states from ex as
// given, each next state multiplying ex by the row of g at flips[t]/8
// (a byte offset); it reports false, doing nothing, where it has no
// kernel (16 pixels on AVX2 only), leaving the walk to expStep.
func expWalk(ex, g []float64, flips []int32, out []float64) bool {
	if !useAVX2 || len(ex) != 16 || len(out) == 0 {
		return false
	}
	_, _ = flips[len(out)-1], g[len(g)-1]
	expWalkAVX2(&ex[0], &g[0], &flips[0], len(out), &out[0])
	for t, p := range out {
		out[t] = 1 / p
	}
	return true
}

// expStep multiplies ex by g (unless g is nil) and returns Π 1/(1 + ex_i),
// in a fixed order of operations (expStepGo).
func expStep(ex, g []float64) float64 {
	n := len(ex)
	if !useAVX2 || n < 4 || n%4 != 0 {
		return expStepGo(ex, g)
	}
	var gp *float64
	if g != nil {
		_ = g[n-1]
		gp = &g[0]
	}
	return 1 / expStepAVX2(&ex[0], gp, n)
}

// deltaLayer sets d to the delta rule eps·(x − σ(a)) of a layer in state x
// whose logits are a = bias + Σ_{i∈active} rows[i·n : (i+1)·n].
func deltaLayer(d, bias, rows []float64, active []int32, x []float64, eps float64) {
	n, k := len(bias), 0
	if n == 1 {
		deltaUnit(d, bias, rows, active, x, eps)
		return
	}
	if useAVX2 && n >= wideRows {
		// The logits row by row, then the delta rule on them (the
		// kernel's sums over no active rows leave them as they are).
		k = n &^ 3
		_ = x[n-1]
		sumRows(d, bias, rows, active)
		deltaLayerAVX2(&d[0], &d[0], nil, nil, 0, n, k, &x[0], eps)
		deltasGo(d, x, eps, k)
		return
	}
	if useAVX2 && n >= 4 {
		k = n &^ 3
		_, _ = d[n-1], x[n-1]
		deltaLayerAVX2(&d[0], &bias[0], rowsPtr(rows), activePtr(active), len(active), n, k, &x[0], eps)
	}
	sumRowsGo(d, bias, rows, active, k)
	deltasGo(d, x, eps, k)
}

// addActiveRowsAVX2 adds to d[0:k] the rows of the active units.
//
//go:noescape
func addActiveRowsAVX2(d, rows *float64, active *int32, nact, n, k int)

//go:noescape
func addActiveRowsAVX512(d, rows *float64, active *int32, nact, n, k int)

// addActiveRows is addActiveRowsAVX2, in 512-bit registers where there
// are.
func addActiveRows(d, rows *float64, active *int32, nact, n, k int) {
	if useAVX512 {
		addActiveRowsAVX512(d, rows, active, nact, n, k)
		return
	}
	addActiveRowsAVX2(d, rows, active, nact, n, k)
}

// sumRows sets d to the logits bias + Σ_{i∈active} rows[i·n : (i+1)·n]
// of a layer, as sumRowsGo does.
func sumRows(d, bias, rows []float64, active []int32) {
	n, k := len(bias), 0
	if useAVX2 && n >= wideRows {
		k = n &^ 3
		copy(d[:n], bias)
		addActiveRows(&d[0], rowsPtr(rows), activePtr(active), len(active), n, k)
	} else if useAVX2 && n >= 4 {
		k = n &^ 3
		_ = d[n-1]
		sumRowsAVX2(&d[0], &bias[0], rowsPtr(rows), activePtr(active), len(active), n, k)
	}
	sumRowsGo(d, bias, rows, active, k)
}

// gather16AVX2 adds to out[0:16] the rows src[idx[j]·stride : +16], in
// order; gather16x2AVX2 does so for two outputs and lists at once.
//
//go:noescape
func gather16AVX2(out, src *float64, idx *int32, nidx, stride int)

//go:noescape
func gather16x2AVX2(out1, out2, src *float64, idx1 *int32, n1 int, idx2 *int32, n2, stride int)

//go:noescape
func gather16x2AVX512(out1, out2, src *float64, idx1 *int32, n1 int, idx2 *int32, n2, stride int)

//go:noescape
func gather16x4AVX512(out *[4]*float64, src *float64, idx *[4]*int32, n *[4]int, stride int)

// gather16x2 is gather16x2AVX2, in 512-bit registers where there are.
func gather16x2(out1, out2, src *float64, idx1 *int32, n1 int, idx2 *int32, n2, stride int) {
	if useAVX512 {
		gather16x2AVX512(out1, out2, src, idx1, n1, idx2, n2, stride)
		return
	}
	gather16x2AVX2(out1, out2, src, idx1, n1, idx2, n2, stride)
}

// gathers adds to out(j)[0:16], for j < m, the rows src[i·stride : +16]
// of the units i of list(j), each in its list's order: four outputs at a
// time where there are 512-bit registers, else two, then one.
func gathers(m int, out func(j int) *float64, src *float64, list func(j int) []int32, stride int) {
	j := 0
	if useAVX512 {
		var o [4]*float64
		var idx [4]*int32
		var n [4]int
		for ; j+3 < m; j += 4 {
			for t := range 4 {
				a := list(j + t)
				o[t], idx[t], n[t] = out(j+t), activePtr(a), len(a)
			}
			gather16x4AVX512(&o, src, &idx, &n, stride)
		}
	}
	for ; j+1 < m; j += 2 {
		a, b := list(j), list(j+1)
		gather16x2(out(j), out(j+1), src, activePtr(a), len(a), activePtr(b), len(b), stride)
	}
	if j < m {
		a := list(j)
		gather16AVX2(out(j), src, activePtr(a), len(a), stride)
	}
}

// sumRowsMany sets each d[s] to start[s] + Σ_{i∈active[s]} rows[i·n : (i+1)·n],
// n = len(start[s]) (the same for every s): a layer's logits from a bias,
// as sumRows(d[s], start[s], rows, active[s]) does for each alone (the
// same bits). A wide layer goes sixteen columns at a time: that block of
// every row (25 KB for 200 rows) stays in the L1 cache while the samples,
// four at a time with AVX-512 (two with AVX2), gather from it into
// registers, where a sample at a time would bring every row from farther
// away.
func sumRowsMany(d, start [][]float64, rows []float64, active [][]int32) {
	if len(d) == 0 {
		return
	}
	n := len(start[0])
	if !useAVX2 || n < wideRows || len(d) < 2 || len(rows) == 0 {
		for s := range d {
			sumRows(d[s], start[s], rows, active[s])
		}
		return
	}
	k16, k := n&^15, n&^3
	for s := range d {
		copy(d[s][:n], start[s][:n])
	}
	list := func(s int) []int32 { return active[s] }
	for lo := 0; lo < k16; lo += 16 {
		gathers(len(d), func(s int) *float64 { return &d[s][lo] }, &rows[lo], list, n)
	}
	for s := range d {
		if k16 < k {
			addActiveRowsAVX2(&d[s][k16], &rows[k16], activePtr(active[s]), len(active[s]), n, k-k16)
		}
		sumRowsGo(d[s], start[s], rows, active[s], k)
	}
}

// addRowsMany adds, for each sample s in turn, its row d[s·n : (s+1)·n]
// to the rows of w of its active units, and, for s < nb, to bias:
// addRows(bias, w, d_s, active[s]) for each s < nb in order, then the
// same without bias for the rest; the same bits. A wide layer goes
// sixteen columns at a time, and within them row of w by row of w (four
// at a time with AVX-512, two with AVX2), each gathering in registers the
// rows of d of the samples in which its unit is active, in their order:
// d's block stays in the L1 cache, and a row of w is read and written
// once, not once a sample.
func addRowsMany(bias, w, d []float64, active [][]int32, nb int, t *rowLists) {
	n := len(bias)
	if !useAVX2 || n < wideRows || len(active) < 2 {
		addRowsEach(bias, w, d, active, nb)
		return
	}
	_ = d[len(active)*n-1]
	units := len(w) / n
	t.transpose(active, units)
	k16, k := n&^15, n&^3
	for lo := 0; lo < k16; lo += 16 {
		if nb > 0 {
			gather16AVX2(&bias[lo], &d[lo], &t.all[0], nb, n)
		}
		gathers(units, func(i int) *float64 { return &w[i*n+lo] }, &d[lo], t.list, n)
	}
	if k16 < k {
		if nb > 0 {
			addActiveRowsAVX2(&bias[k16], &d[k16], &t.all[0], nb, n, k-k16)
		}
		for i := range units {
			if list := t.list(i); len(list) > 0 {
				addActiveRowsAVX2(&w[i*n+k16], &d[k16], &list[0], len(list), n, k-k16)
			}
		}
	}
	for c := k; c < n; c++ {
		for s := range nb {
			bias[c] += d[s*n+c]
		}
		for i := range units {
			for _, s := range t.list(i) {
				w[i*n+c] += d[int(s)*n+c]
			}
		}
	}
}

// sampleLayer samples a layer whose logits are bias + Σ_{i∈active} rows[i·n : (i+1)·n]
// as sampleGo does, using d for the logits it needs. It returns the number
// of units switched on, whose indices are in act.
func sampleLayer(d, bias, rows []float64, active []int32, r []uint64, x []float64, act []int32) int {
	n, k, c := len(bias), 0, 0
	if n == 1 {
		return sampleUnit(bias, rows, active, r, x, act)
	}
	if useAVX2 && n >= wideRows {
		k = n &^ 3
		_, _, _ = r[(n+1)/2-1], x[n-1], act[n-1]
		sumRows(d, bias, rows, active)
		c = sampleLayerAVX2(&d[0], &d[0], nil, nil, 0, n, k, &r[0], &x[0], &act[0])
		if k == n {
			return c
		}
		return sampleGo(d, r, x, act, k, c)
	}
	if useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _, _ = d[n-1], r[(n+1)/2-1], x[n-1], act[n-1]
		c = sampleLayerAVX2(&d[0], &bias[0], rowsPtr(rows), activePtr(active), len(active), n, k, &r[0], &x[0], &act[0])
		if k == n {
			return c
		}
	}
	sumRowsGo(d, bias, rows, active, k)
	return sampleGo(d, r, x, act, k, c)
}

// addRows adds d to bias and to the rows of w that belong to active units.
func addRows(bias, w, d []float64, active []int32) {
	n, k := len(d), 0
	if n == 1 {
		addUnit(bias, w, d, active)
		return
	}
	if useAVX2 && n >= wideRows {
		k = n &^ 3
		_ = bias[n-1]
		addWideRowsAVX2(&bias[0], rowsPtr(w), &d[0], activePtr(active), len(active), n, k)
	} else if useAVX2 && n >= 4 {
		k = n &^ 3
		_ = bias[n-1]
		addRowsAVX2(&bias[0], rowsPtr(w), &d[0], activePtr(active), len(active), n, k)
	}
	addRowsGo(bias, w, d, active, k)
}

// rowsPtr and activePtr return &s[0], or nil for an empty s. (One generic
// function made the step 20 ns slower.)
func rowsPtr(rows []float64) *float64 {
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

func activePtr(active []int32) *int32 {
	if len(active) == 0 {
		return nil
	}
	return &active[0]
}

// The lane kernels (lanes.go): AVX2 for four lanes, AVX-512 for eight
// and sixteen, where the processor has them. Their callers guarantee the slices'
// lengths (wn for a layer of n units, wm for its m inputs, wmn for the
// weights) and that act lists inputs < m; the wrappers check the lengths
// once, since the kernels index unchecked.

//go:noescape
func laneSampleAVX2(out, bias, rows, x *float64, act *int32, nact int, u *uint32, n int, next *int32) int

//go:noescape
func laneDeltasAVX2(out, bias, rows, x *float64, act *int32, nact int, xt *float64, n int, eps float64)

//go:noescape
func laneAddAVX2(bias, rows, d, x *float64, act *int32, nact, n int)

//go:noescape
func laneSampleAVX512(out, bias, rows, x *float64, act *int32, nact int, u *uint32, n int, next *int32) int

//go:noescape
func laneDeltasAVX512(out, bias, rows, x *float64, act *int32, nact int, xt *float64, n int, eps float64)

//go:noescape
func laneAddAVX512(bias, rows, d, x *float64, act *int32, nact, n int)

//go:noescape
func laneSample16AVX512(out, bias, rows, x *float64, act *int32, nact int, u *uint32, n int, next *int32) int

//go:noescape
func laneDeltas16AVX512(out, bias, rows, x *float64, act *int32, nact int, xt *float64, n int, eps float64)

//go:noescape
func laneAdd16AVX512(bias, rows, d, x *float64, act *int32, nact, n int)

// LaneWidth is the most chains a Lanes steps together: sixteen, one per
// float64 lane of two 512-bit registers, on processors with AVX-512 (F,
// DQ and VL), else four.
func LaneWidth() int {
	if useAVX512 {
		return 16
	}
	return 4
}

// laneKernels reports which kernels serve lanes of width w: 4 for AVX2,
// 8 or 16 for AVX-512, 0 for the portable ones.
func laneKernels(w int) int {
	switch {
	case w == 4 && useAVX2:
		return 4
	case (w == 8 || w == 16) && useAVX512:
		return w
	}
	return 0
}

func laneSample(w int, xt, bias, rows, x []float64, act []int32, u []uint32, n int, next []int32) int {
	k := laneKernels(w)
	if k == 0 {
		return laneSampleGo(w, xt, bias, rows, x, act, u, n, next)
	}
	laneCheck(w, bias, rows, x, xt, n)
	_, _ = u[w*n-1], next[n-1]
	switch k {
	case 16:
		return laneSample16AVX512(&xt[0], &bias[0], rowsPtr(rows), rowsPtr(x), activePtr(act), len(act), &u[0], n, &next[0])
	case 8:
		return laneSampleAVX512(&xt[0], &bias[0], rowsPtr(rows), rowsPtr(x), activePtr(act), len(act), &u[0], n, &next[0])
	}
	return laneSampleAVX2(&xt[0], &bias[0], rowsPtr(rows), rowsPtr(x), activePtr(act), len(act), &u[0], n, &next[0])
}

func laneDeltas(w int, d, bias, rows, x []float64, act []int32, xt []float64, n int, eps float64) {
	k := laneKernels(w)
	if k == 0 {
		laneDeltasGo(w, d, bias, rows, x, act, xt, n, eps)
		return
	}
	laneCheck(w, bias, rows, x, d, n)
	_ = xt[w*n-1]
	switch k {
	case 16:
		laneDeltas16AVX512(&d[0], &bias[0], rowsPtr(rows), rowsPtr(x), activePtr(act), len(act), &xt[0], n, eps)
	case 8:
		laneDeltasAVX512(&d[0], &bias[0], rowsPtr(rows), rowsPtr(x), activePtr(act), len(act), &xt[0], n, eps)
	default:
		laneDeltasAVX2(&d[0], &bias[0], rowsPtr(rows), rowsPtr(x), activePtr(act), len(act), &xt[0], n, eps)
	}
}

func laneAdd(w int, bias, rows, d, x []float64, act []int32, n int) {
	k := laneKernels(w)
	if k == 0 {
		laneAddGo(w, bias, rows, d, x, act, n)
		return
	}
	laneCheck(w, bias, rows, x, d, n)
	switch k {
	case 16:
		laneAdd16AVX512(&bias[0], rowsPtr(rows), &d[0], rowsPtr(x), activePtr(act), len(act), n)
	case 8:
		laneAddAVX512(&bias[0], rowsPtr(rows), &d[0], rowsPtr(x), activePtr(act), len(act), n)
	default:
		laneAddAVX2(&bias[0], rowsPtr(rows), &d[0], rowsPtr(x), activePtr(act), len(act), n)
	}
}

// laneCheck panics unless the slices hold a layer of n ≥ 1 units with
// len(x)/w inputs, w lanes each.
func laneCheck(w int, bias, rows, x, out []float64, n int) {
	if n < 1 || len(bias) < w*n || len(out) < w*n || len(x)%w != 0 || len(rows) < len(x)*n {
		panic("helmholtz: lane kernel slices do not hold the layer")
	}
}

// scaleAVX2, nonNegativeAVX2 and scaleNonNegativeAVX2 are scaleGo,
// nonNegativeGo and both of them for the first n elements, n a multiple
// of 4.
//
//go:noescape
func scaleAVX2(w *float64, n int, s float64)

//go:noescape
func scaleNonNegativeAVX2(w *float64, n int, s float64)

//go:noescape
func nonNegativeAVX2(w *float64, n int)

// axpyAVX2 is axpyGo for the first n elements, n a multiple of 4.
//
//go:noescape
func axpyAVX2(p, grad *float64, n int, s float64)

// axpy adds s·g to p.
func axpy(p, g []float64, s float64) {
	k := 0
	if useAVX2 && len(g) >= 4 {
		k = len(g) &^ 3
		_ = p[len(g)-1]
		axpyAVX2(&p[0], &g[0], k, s)
	}
	axpyGo(p, g, s, k)
}

// scale multiplies w by s.
func scale(w []float64, s float64) {
	k := 0
	if useAVX2 && len(w) >= 4 {
		k = len(w) &^ 3
		scaleAVX2(&w[0], k, s)
	}
	scaleGo(w, s, k)
}

// scaleNonNegative is scale then nonNegative, in one pass.
func scaleNonNegative(w []float64, s float64) {
	k := 0
	if useAVX2 && len(w) >= 4 {
		k = len(w) &^ 3
		scaleNonNegativeAVX2(&w[0], k, s)
	}
	scaleGo(w, s, k)
	nonNegativeGo(w, k)
}

// nonNegative sets each w[i] to max(w[i], 0).
func nonNegative(w []float64) {
	k := 0
	if useAVX2 && len(w) >= 4 {
		k = len(w) &^ 3
		nonNegativeAVX2(&w[0], k)
	}
	nonNegativeGo(w, k)
}

// pcgUniformsAVX2 and pcgUniformsAVX512 are lanePCG.uniformsGo.
//
//go:noescape
func pcgUniformsAVX2(pcg *lanePCG, u *uint32, n int)

//go:noescape
func pcgUniformsAVX512(pcg *lanePCG, u *uint32, n int)

// useAVX512 selects pcgUniformsAVX512, whose VPMULLQ needs AVX512DQ and,
// on 256-bit registers, AVX512VL. Tests turn it off to compare kernels.
var useAVX512 = useAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// pcgUniforms8AVX512 is lanePCG.uniformsGo for eight lanes, in 512-bit
// registers.
//
//go:noescape
func pcgUniforms8AVX512(pcg *lanePCG, u *uint32, n int)

//go:noescape
func pcgUniforms16AVX512(pcg *lanePCG, u *uint32, n int)

// uniforms is uniformsGo, in vector registers on AVX2 (four lanes) and
// AVX-512 (four or eight).
func (g *lanePCG) uniforms(u []uint32, n, w int) {
	if n == 0 {
		return
	}
	_ = u[2*w*n-1]
	switch {
	case w == 16 && useAVX512:
		pcgUniforms16AVX512(g, &u[0], n)
	case w == 8 && useAVX512:
		pcgUniforms8AVX512(g, &u[0], n)
	case w == 4 && useAVX512:
		pcgUniformsAVX512(g, &u[0], n)
	case w == 4 && useAVX2:
		pcgUniformsAVX2(g, &u[0], n)
	default:
		g.uniformsGo(u, n, w)
	}
}

// laneBitsAVX2 and laneBitsAVX512 are laneBitsGo for four and eight
// lanes.
//
//go:noescape
func laneBitsAVX2(x *float64, lanes *uint64, n int)

//go:noescape
func laneBitsAVX512(x *float64, lanes *uint64, n int)

//go:noescape
func laneBits16AVX512(x *float64, lanes *uint64, n int)

// laneBits is laneBitsGo, a lane's worth a store.
func laneBits(x []float64, lanes []uint64, n int) {
	w := len(lanes)
	if n == 0 {
		return
	}
	_ = x[n*w-1]
	switch laneKernels(w) {
	case 4:
		laneBitsAVX2(&x[0], &lanes[0], n)
	case 8:
		laneBitsAVX512(&x[0], &lanes[0], n)
	case 16:
		laneBits16AVX512(&x[0], &lanes[0], n)
	default:
		laneBitsGo(x, lanes, n)
	}
}

//go:noescape
func adamAVX2(p, grad, m, v *float64, n int, c *adamConsts)

//go:noescape
func adamAVX512(p, grad, m, v *float64, n int, c *adamConsts)

// adamStep is adamGo, eight elements at a time with AVX-512, four with
// AVX2 (the rest), the same bits.
func adamStep(p, g, m, v []float64, c *adamConsts) {
	n, k := len(p), 0
	if useAVX2 && n >= 4 {
		_, _, _ = g[n-1], m[n-1], v[n-1]
		if useAVX512 && n >= 8 {
			k = n &^ 7
			adamAVX512(&p[0], &g[0], &m[0], &v[0], k, c)
		}
		if k4 := n &^ 3; k < k4 {
			adamAVX2(&p[k], &g[k], &m[k], &v[k], k4-k, c)
			k = k4
		}
	}
	adamGo(p, g, m, v, c, k)
}

//go:noescape
func logProbAVX2(a, x *float64, n int, coef *[sigN][4]float64) float64

// stateLogProb returns log p(x) for a layer in state x (0/1 values) whose
// logits are a: Σ_i log σ(±a_i) by the fast log σ, summed in order (the
// terms four at a time on AVX2, the same bits).
func stateLogProb(a, x []float64) float64 {
	k := 0
	var s float64
	if useAVX2 && len(a) >= 4 {
		k = len(a) &^ 3
		_ = x[len(a)-1]
		s = logProbAVX2(&a[0], &x[0], k, &logSigCoef)
	}
	return stateLogProbGo(a, x, s, k)
}

// The mean-field rows (meanfield.go), the bulk in AVX2.

//go:noescape
func mfSumsRowAVX2(z, pa, pb, w, ea, eb *float64, n int, p float64)

//go:noescape
func mfNewtonRowAVX2(ma, mb, va, vb, w, ea, eb *float64, n int, p float64)

//go:noescape
func mfGradRowAVX2(d float64, muc, xic, pbc, w, ea, eb *float64, n int, p float64) float64

//go:noescape
func mfMoveRowAVX2(z, pbc, w, ea, eb *float64, n int, p, q float64)

//go:noescape
func mfLearnRowAVX2(w, ea, eb, d, ca, cb *float64, n int, p, eps float64)

func mfSumsRow(z, pa, pb, w, ea, eb []float64, p float64) {
	k := 0
	if n := len(z); useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _, _, _ = pa[n-1], pb[n-1], w[n-1], ea[n-1], eb[n-1]
		j := 0
		if useAVX512 && n >= 8 {
			j = n &^ 7
			mfSumsRowAVX512(&z[0], &pa[0], &pb[0], &w[0], &ea[0], &eb[0], j, p)
		}
		if j < k {
			mfSumsRowAVX2(&z[j], &pa[j], &pb[j], &w[j], &ea[j], &eb[j], k-j, p)
		}
	}
	mfSumsRowGo(z, pa, pb, w, ea, eb, p, k)
}

func mfNewtonRow(ma, mb, va, vb, w, ea, eb []float64, p float64) {
	k := 0
	if n := len(ma); useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _, _, _, _ = mb[n-1], va[n-1], vb[n-1], w[n-1], ea[n-1], eb[n-1]
		j := 0
		if useAVX512 && n >= 8 {
			j = n &^ 7
			mfNewtonRowAVX512(&ma[0], &mb[0], &va[0], &vb[0], &w[0], &ea[0], &eb[0], j, p)
		}
		if j < k {
			mfNewtonRowAVX2(&ma[j], &mb[j], &va[j], &vb[j], &w[j], &ea[j], &eb[j], k-j, p)
		}
	}
	mfNewtonRowGo(ma, mb, va, vb, w, ea, eb, p, k)
}

func mfGradRow(g float64, muc, xic, pbc, w, ea, eb []float64, p float64) float64 {
	k := 0
	if n := len(w); useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _, _, _ = muc[n-1], xic[n-1], pbc[n-1], ea[n-1], eb[n-1]
		g = mfGradRowAVX2(g, &muc[0], &xic[0], &pbc[0], &w[0], &ea[0], &eb[0], k, p)
	}
	return mfGradRowGo(g, muc, xic, pbc, w, ea, eb, p, k)
}

func mfMoveRow(z, pbc, w, ea, eb []float64, p, q float64) {
	k := 0
	if n := len(z); useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _, _ = pbc[n-1], w[n-1], ea[n-1], eb[n-1]
		j := 0
		if useAVX512 && n >= 8 {
			j = n &^ 7
			mfMoveRowAVX512(&z[0], &pbc[0], &w[0], &ea[0], &eb[0], j, p, q)
		}
		if j < k {
			mfMoveRowAVX2(&z[j], &pbc[j], &w[j], &ea[j], &eb[j], k-j, p, q)
		}
	}
	mfMoveRowGo(z, pbc, w, ea, eb, p, q, k)
}

func mfLearnRow(w, ea, eb, d, ca, cb []float64, p, eps float64) {
	k := 0
	if n := len(w); useAVX2 && n >= 4 {
		k = n &^ 3
		_, _, _, _, _ = ea[n-1], eb[n-1], d[n-1], ca[n-1], cb[n-1]
		j := 0
		if useAVX512 && n >= 8 {
			j = n &^ 7
			mfLearnRowAVX512(&w[0], &ea[0], &eb[0], &d[0], &ca[0], &cb[0], j, p, eps)
		}
		if j < k {
			mfLearnRowAVX2(&w[j], &ea[j], &eb[j], &d[j], &ca[j], &cb[j], k-j, p, eps)
		}
	}
	mfLearnRowGo(w, ea, eb, d, ca, cb, p, eps, k)
}

// The mean field's exponentials and logarithms, four at a time: the
// kernels compute e^x and log x as math/exp_amd64.s (with FMA) and
// math/log_amd64.s do, so as internal/libm, and stop at a group of four
// they cannot do that way (returning its index); the wrappers compute that
// group with libm and go on.

// hasFMA: the exponential fuses its steps as math/exp_amd64.s does.
var hasFMA = cpu.X86.HasFMA

//go:noescape
func expRowAVX2(dst, x *float64, n int) int

//go:noescape
func mfFactorsRowAVX2(ea, eb, w, ew, xi *float64, n int) int

//go:noescape
func mfLogsRowAVX2(la, lb, pa, pb *float64, n int) int

//go:noescape
func mfOddsRowAVX2(pb, la, lb *float64, n int) int

// mfFactorsRowAVX512, mfLogsRowAVX512, mfSumsRowAVX512,
// mfNewtonRowAVX512, mfMoveRowAVX512 and mfLearnRowAVX512 are their AVX2 twins eight lanes
// at a time (mf512_amd64.s), n a multiple of 8.
//
//go:noescape
func mfFactorsRowAVX512(ea, eb, w, ew, xi *float64, n int) int

//go:noescape
func mfLogsRowAVX512(la, lb, pa, pb *float64, n int) int

//go:noescape
func mfSumsRowAVX512(z, pa, pb, w, ea, eb *float64, n int, p float64)

//go:noescape
func mfNewtonRowAVX512(ma, mb, va, vb, w, ea, eb *float64, n int, p float64)

//go:noescape
func mfMoveRowAVX512(z, pbc, w, ea, eb *float64, n int, p, q float64)

//go:noescape
func mfLearnRowAVX512(w, ea, eb, d, ca, cb *float64, n int, p, eps float64)

func expRow(dst, x []float64) {
	n := len(x)
	dst = dst[:n]
	k := 0
	for n4 := n &^ 3; useAVX2 && hasFMA && k < n4; {
		k += expRowAVX2(&dst[k], &x[k], n4-k)
		if k < n4 {
			expRowGo(dst[:k+4], x[:k+4], k)
			k += 4
		}
	}
	expRowGo(dst, x, k)
}

func mfFactorsRow(ea, eb, w, ew, xi []float64) {
	n := len(xi)
	ea, eb, w, ew = ea[:n], eb[:n], w[:n], ew[:n]
	k := 0
	for n8 := n &^ 7; useAVX512 && hasFMA && k < n8; {
		k += mfFactorsRowAVX512(&ea[k], &eb[k], &w[k], &ew[k], &xi[k], n8-k)
		if k < n8 {
			mfFactorsRowGo(ea, eb, w, ew, xi[:k+8], k)
			k += 8
		}
	}
	for n4 := n &^ 3; useAVX2 && hasFMA && k < n4; {
		k += mfFactorsRowAVX2(&ea[k], &eb[k], &w[k], &ew[k], &xi[k], n4-k)
		if k < n4 {
			mfFactorsRowGo(ea, eb, w, ew, xi[:k+4], k)
			k += 4
		}
	}
	mfFactorsRowGo(ea, eb, w, ew, xi, k)
}

func mfLogsRow(la, lb, pa, pb []float64) {
	n := len(la)
	lb, pa, pb = lb[:n], pa[:n], pb[:n]
	k := 0
	for n8 := n &^ 7; useAVX512 && k < n8; {
		k += mfLogsRowAVX512(&la[k], &lb[k], &pa[k], &pb[k], n8-k)
		if k < n8 {
			mfLogsRowGo(la[:k+8], lb, pa, pb, k)
			k += 8
		}
	}
	for n4 := n &^ 3; useAVX2 && k < n4; {
		k += mfLogsRowAVX2(&la[k], &lb[k], &pa[k], &pb[k], n4-k)
		if k < n4 {
			mfLogsRowGo(la[:k+4], lb, pa, pb, k)
			k += 4
		}
	}
	mfLogsRowGo(la, lb, pa, pb, k)
}

func mfOddsRow(pb, la, lb []float64) {
	n := len(pb)
	la, lb = la[:n], lb[:n]
	k := 0
	for n4 := n &^ 3; useAVX2 && hasFMA && k < n4; {
		k += mfOddsRowAVX2(&pb[k], &la[k], &lb[k], n4-k)
		if k < n4 {
			mfOddsRowGo(pb[:k+4], la, lb, k)
			k += 4
		}
	}
	mfOddsRowGo(pb, la, lb, k)
}

// gibbsFlipAVX512 is gibbsFlipGo for the first n children, eight at a
// time (gibbs512_amd64.s).
//
//go:noescape
func gibbsFlipAVX512(sm, pr *[gibbsLanes]float64, c, w, xc, e, en, f, h, e1, en1 *float64, n int, on bool)

// gibbsFlipAVX2 is gibbsFlipGo for the first n children, n a multiple of
// 8, four lanes a register (kernel_amd64.s).
//
//go:noescape
func gibbsFlipAVX2(sm, pr *[gibbsLanes]float64, c, w, xc, e, en, f, h, e1, en1 *float64, n int, on bool)

// gibbsFlip is gibbsFlipGo, with AVX-512 or AVX2 where there is either.
func gibbsFlip(sm, pr *[gibbsLanes]float64, c, w, xc, e, en, f, h, e1, en1 []float64, on bool) {
	n, k := len(w), 0
	if useAVX2 && n >= 8 || useAVX512 && n > 0 {
		_, _, _, _, _, _, _, _ = c[n-1], xc[n-1], e[n-1], en[n-1], f[n-1], h[n-1], e1[n-1], en1[n-1]
		if useAVX512 {
			gibbsFlipAVX512(sm, pr, &c[0], &w[0], &xc[0], &e[0], &en[0], &f[0], &h[0], &e1[0], &en1[0], n, on)
			return
		}
		k = n &^ 7
		gibbsFlipAVX2(sm, pr, &c[0], &w[0], &xc[0], &e[0], &en[0], &f[0], &h[0], &e1[0], &en1[0], k, on)
	}
	gibbsFlipGo(sm, pr, c, w, xc, e, en, f, h, e1, en1, on, k)
}
