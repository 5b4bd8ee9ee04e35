//go:build !purego

package helmholtz

// The float32 kernels: kernel32_amd64.s with AVX-512 (sixteen float32 to a
// register), else the portable loops. The wrappers check the slices the
// kernels read and write; the callers in reweighted.go guarantee that
// active indices select whole rows.

//go:noescape
func gather32x4AVX512(out *[4]*float32, src *float32, idx *[4]*int32, n *[4]int, stride int, mask uint32)

//go:noescape
func gather32AVX512(out, src *float32, idx *int32, n, stride int, mask uint32)

//go:noescape
func addRows32x128AVX512(d, rows *float32, idx *int32, n, stride int)

//go:noescape
func addRows32x64AVX512(d, rows *float32, idx *int32, n, stride int, mask uint64)

//go:noescape
func sample32AVX512(a *float32, r *uint64, x *float32, act *int32, n, c int) int

//go:noescape
func deltas32AVX512(d, a, x *float32, n int, eps float32)

//go:noescape
func logProb32AVX512(a, x *float32, n int, p *[lanes32]float32)

//go:noescape
func adam32AVX512(p, grad, h, m, v *float32, n int, c *adamConsts32)

// cols64 and cols32 are the masks of the first r columns of a block of
// 64 or 32.
func cols64(r int) uint64 {
	if r >= 64 {
		return ^uint64(0)
	}
	return 1<<r - 1
}

func cols32(r int) uint32 {
	if r >= 32 {
		return ^uint32(0)
	}
	return 1<<r - 1
}

// ptr32 returns &s[0], or nil for an empty s.
func ptr32(s []float32) *float32 {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// sumRows32 sets d to bias + Σ_{i∈active} rows[i·n : (i+1)·n], n = len(bias):
// 128 columns at a time, row by row, then 64 at a time, masked.
func sumRows32(d, bias, rows []float32, active []int32) {
	n := len(bias)
	if !useAVX512 || len(active) == 0 {
		sumRows32Go(d, bias, rows, active, 0)
		return
	}
	d = d[:n]
	copy(d, bias)
	_ = rows[int(active[len(active)-1])*n+n-1]
	lo := 0
	for ; n-lo >= 128; lo += 128 {
		addRows32x128AVX512(&d[lo], &rows[lo], &active[0], len(active), n)
	}
	for ; lo < n; lo += 64 {
		addRows32x64AVX512(&d[lo], &rows[lo], &active[0], len(active), n, cols64(n-lo))
	}
}

// sumRowsMany32 sets each d[s] to start[s] + Σ_{i∈active[s]} rows[i·n : (i+1)·n],
// as sumRows32 does for each: 32 columns at a time, in which the samples,
// four at a time, gather from the block of every row (25 KB for 200 rows)
// while it stays in the L1 cache (see sumRowsMany).
func sumRowsMany32(d, start [][]float32, rows []float32, active [][]int32) {
	if len(d) == 0 {
		return
	}
	n := len(start[0])
	if !useAVX512 || len(rows) == 0 {
		for s := range d {
			sumRows32Go(d[s], start[s], rows, active[s], 0)
		}
		return
	}
	for s := range d {
		copy(d[s][:n], start[s][:n])
	}
	var o [4]*float32
	var idx [4]*int32
	var cnt [4]int
	for lo := 0; lo < n; lo += 32 {
		mask := cols32(n - lo)
		s := 0
		for ; s+3 < len(d); s += 4 {
			for t := range 4 {
				o[t], idx[t], cnt[t] = &d[s+t][lo], activePtr(active[s+t]), len(active[s+t])
			}
			gather32x4AVX512(&o, &rows[lo], &idx, &cnt, n, mask)
		}
		for ; s < len(d); s++ {
			gather32AVX512(&d[s][lo], &rows[lo], activePtr(active[s]), len(active[s]), n, mask)
		}
	}
}

// addRowsMany32 adds each row d[s·n : (s+1)·n], n = len(bias), to the rows
// of w of active[s] and, for s < nb, to bias, as addRowsEach32: 32 columns
// at a time, row of w by row of w (four at a time), each gathering the
// deltas of the samples in which its unit is active, in their order (see
// addRowsMany).
func addRowsMany32(bias, w, d []float32, active [][]int32, nb int, t *rowLists) {
	n := len(bias)
	if !useAVX512 || len(active) == 0 {
		addRowsEach32(bias, w, d, active, nb, 0)
		return
	}
	_ = d[len(active)*n-1]
	units := len(w) / n
	t.transpose(active, units)
	var o [4]*float32
	var idx [4]*int32
	var cnt [4]int
	for lo := 0; lo < n; lo += 32 {
		mask := cols32(n - lo)
		if nb > 0 {
			gather32AVX512(&bias[lo], &d[lo], &t.all[0], nb, n, mask)
		}
		i := 0
		for ; i+3 < units; i += 4 {
			for u := range 4 {
				l := t.list(i + u)
				o[u], idx[u], cnt[u] = &w[(i+u)*n+lo], activePtr(l), len(l)
			}
			gather32x4AVX512(&o, &d[lo], &idx, &cnt, n, mask)
		}
		for ; i < units; i++ {
			l := t.list(i)
			gather32AVX512(&w[i*n+lo], &d[lo], activePtr(l), len(l), n, mask)
		}
	}
}

// deltas32 sets d = eps·(x − σ(a)), sixteen units at a time.
func deltas32(d, a, x []float32, eps float32) {
	n := len(d)
	if !useAVX512 || n == 0 {
		deltas32Go(d, a, x, eps, 0)
		return
	}
	_, _ = a[n-1], x[n-1]
	deltas32AVX512(&d[0], &a[0], &x[0], n, eps)
}

// sampleLayer32 samples a layer whose logits are bias + Σ_{i∈active} rows[i,:]
// as sample32Go does, using d for the logits. It returns the number of
// units switched on, whose indices are in act.
func sampleLayer32(d, bias, rows []float32, active []int32, r []uint64, x []float32, act []int32) int {
	n := len(bias)
	sumRows32(d, bias, rows, active)
	if !useAVX512 || n == 0 {
		return sample32Go(d[:n], r, x, act, 0, 0)
	}
	_, _, _, _ = d[n-1], r[(n+1)/2-1], x[n-1], act[n-1]
	return sample32AVX512(&d[0], &r[0], &x[0], &act[0], n, 0)
}

// stateLogProb32 is stateLogProb32Go, its partial sums made sixteen
// lanes at a time.
func stateLogProb32(a, x []float32) float64 {
	if !useAVX512 || len(a) == 0 {
		return stateLogProb32Go(a, x)
	}
	_ = x[len(a)-1]
	var p [lanes32]float32
	logProb32AVX512(&a[0], &x[0], len(a), &p)
	var s float64
	for _, v := range p {
		s += float64(v)
	}
	return s
}

// adam32 is adam32Go, sixteen elements at a time.
func adam32(p, g, h, m, v []float32, c *adamConsts32) {
	n, k := len(p), 0
	if useAVX512 && n >= 16 {
		k = n &^ 15
		_, _, _ = g[n-1], m[n-1], v[n-1]
		var hp *float32
		if h != nil {
			_ = h[n-1]
			hp = &h[0]
		}
		adam32AVX512(&p[0], &g[0], hp, &m[0], &v[0], k, c)
	}
	adam32Go(p, g, h, m, v, c, k)
}
