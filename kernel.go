package helmholtz

// The kernels of a wake-sleep step, in portable Go. On amd64 with AVX2,
// kernel_amd64.s does the bulk of each in vector registers and these
// finish the columns or units it leaves (fewer than four); elsewhere they
// do all the work. Both perform, for every element, the same floating-point
// operations in the same order, without fused multiply-adds, so a run's
// numbers are the same bit for bit on every machine (TestKernels).

// sumRowsGo sets d[k] = bias[k] + Σ_{i∈active} rows[i·n+k] for
// from ≤ k < n = len(bias). It keeps four sums in registers while the
// rows of the active units stream past.
func sumRowsGo(d, bias, rows []float64, active []int32, from int) {
	n := len(bias)
	d = d[:n]
	k := from
	for ; k+4 <= n; k += 4 {
		b := bias[k : k+4 : k+4]
		s0, s1, s2, s3 := b[0], b[1], b[2], b[3]
		for _, i := range active {
			r := rows[int(i)*n+k:][:4:4]
			s0 += r[0]
			s1 += r[1]
			s2 += r[2]
			s3 += r[3]
		}
		o := d[k : k+4 : k+4]
		o[0], o[1], o[2], o[3] = s0, s1, s2, s3
	}
	for ; k < n; k++ {
		s := bias[k]
		for _, i := range active {
			s += rows[int(i)*n+k]
		}
		d[k] = s
	}
}

// addRowsGo adds d[k] to bias[k] and to w[i·n+k] for every active unit i,
// for from ≤ k < n = len(d).
func addRowsGo(bias, w, d []float64, active []int32, from int) {
	n := len(d)
	bias = bias[:n]
	for k := from; k < n; k++ {
		bias[k] += d[k]
	}
	k := from
	for ; k+4 <= n; k += 4 {
		e := d[k : k+4 : k+4]
		d0, d1, d2, d3 := e[0], e[1], e[2], e[3]
		for _, i := range active {
			r := w[int(i)*n+k:][:4:4]
			r[0] += d0
			r[1] += d1
			r[2] += d2
			r[3] += d3
		}
	}
	for ; k < n; k++ {
		v := d[k]
		for _, i := range active {
			w[int(i)*n+k] += v
		}
	}
}

// addRowsEach adds each row d[s·n : (s+1)·n], n = len(bias), to the rows
// of w of active[s] and, for s < nb, to bias: addRows for each s < nb in
// turn, then the rows of w alone for the rest.
func addRowsEach(bias, w, d []float64, active [][]int32, nb int) {
	n := len(bias)
	for s, act := range active {
		ds := d[s*n : (s+1)*n]
		if s < nb {
			addRows(bias, w, ds, act)
			continue
		}
		for _, i := range act {
			r := w[int(i)*n:][:n:n]
			for c, x := range ds {
				r[c] += x
			}
		}
	}
}

// deltasGo replaces the logits d[k] of a layer in state x by the delta
// rule eps·(x[k] − σ(d[k])), for from ≤ k < len(d).
func deltasGo(d, x []float64, eps float64, from int) {
	x = x[:len(d)]
	for k := from; k < len(d); k++ {
		d[k] = eps * (x[k] - sigmoid(d[k]))
	}
}

// sampleGo sets units from ≤ k < len(a) on with probability σ(a[k]):
// x[k] becomes 0 or 1, and the indices of the units switched on are
// appended to act[:c]. It returns the new count c. Unit k compares the
// 32-bit uniform u, the high half of word r[k/2] for even k and the low
// half for odd k, with σ(a[k]): it is on when u < ⌊σ(a[k])·2^32⌋. The test
// is done in integer arithmetic, free of branches, because its outcome is
// a coin flip that a branch predictor cannot learn. from must be even,
// and act must have room for len(a) indices.
func sampleGo(a []float64, r []uint64, x []float64, act []int32, from, c int) int {
	n := len(a)
	x, act = x[:n], act[:n]
	for k := from; k < n; k += 2 {
		u := r[k>>1]
		on := (u>>32 - uint64(int64(sigmoid(a[k])*0x1p32))) >> 63
		x[k] = float64(on)
		act[c] = int32(k)
		c += int(on)
		if k+1 == n {
			break
		}
		on = (u&0xffffffff - uint64(int64(sigmoid(a[k+1])*0x1p32))) >> 63
		x[k+1] = float64(on)
		act[c] = int32(k + 1)
		c += int(on)
	}
	return c
}

// A layer of one unit, such as the paper's top layer, is common enough
// for kernels of its own: the loops above cost more than the work. They
// do the same operations as those loops for n = 1.

// unitLogit is the logit of a layer of one unit.
func unitLogit(bias, rows []float64, active []int32) float64 {
	a := bias[0]
	for _, i := range active {
		a += rows[i]
	}
	return a
}

// deltaUnit is deltaLayer for a layer of one unit.
func deltaUnit(d, bias, rows []float64, active []int32, x []float64, eps float64) {
	d[0] = eps * (x[0] - sigmoid(unitLogit(bias, rows, active)))
}

// sampleUnit is sampleLayer for a layer of one unit.
func sampleUnit(bias, rows []float64, active []int32, r []uint64, x []float64, act []int32) int {
	on := (r[0]>>32 - uint64(int64(sigmoid(unitLogit(bias, rows, active))*0x1p32))) >> 63
	x[0], act[0] = float64(on), 0
	return int(on)
}

// addUnit is addRows for a layer of one unit.
func addUnit(bias, w, d []float64, active []int32) {
	v := d[0]
	bias[0] += v
	for _, i := range active {
		w[i] += v
	}
}

// sigmoidProduct returns Π_c σ(sign[c]·a[c]) by the fast sigmoid: the
// probability of a pattern whose units are on where sign is +1. It keeps
// four partial products so that the multiplications need not wait for
// one another. (An AVX2 version of it measured only 4 % faster: the
// table lookups, not the arithmetic, take the time.)
func sigmoidProduct(a, sign []float64) float64 {
	sign = sign[:len(a)]
	p0, p1, p2, p3 := 1.0, 1.0, 1.0, 1.0
	c := 0
	for ; c+4 <= len(a); c += 4 {
		a, s := a[c:c+4:c+4], sign[c:c+4:c+4]
		p0 *= sigmoid(float64(s[0] * a[0]))
		p1 *= sigmoid(float64(s[1] * a[1]))
		p2 *= sigmoid(float64(s[2] * a[2]))
		p3 *= sigmoid(float64(s[3] * a[3]))
	}
	for ; c < len(a); c++ {
		p0 *= sigmoid(float64(sign[c] * a[c]))
	}
	return float64(p0*p2) * float64(p1*p3)
}

// expStepGo is expStep in portable Go: ex[c] *= g[c] (unless g is nil),
// then four products p_k, starting at 1, times 1 + ex[c] for the pixels
// c ≡ k (mod 4) of whole groups of four, the remainder into p0; it returns
// 1/((p0·p2)·(p1·p3)).
func expStepGo(ex, g []float64) float64 {
	if g != nil {
		g = g[:len(ex)]
		for i := range ex {
			ex[i] *= g[i]
		}
	}
	p0, p1, p2, p3 := 1.0, 1.0, 1.0, 1.0
	c := 0
	for ; c+4 <= len(ex); c += 4 {
		x := ex[c : c+4 : c+4]
		p0 = float64(p0 * (1 + x[0]))
		p1 = float64(p1 * (1 + x[1]))
		p2 = float64(p2 * (1 + x[2]))
		p3 = float64(p3 * (1 + x[3]))
	}
	for ; c < len(ex); c++ {
		p0 = float64(p0 * (1 + ex[c]))
	}
	return 1 / (float64(p0*p2) * float64(p1*p3))
}

// wideRows is the layer width from which logits are summed row by row
// (addActiveRowsAVX2) rather than four columns at a time over every
// active row (SUMROWS): the rows of a 784-pixel layer stream from memory,
// where gathering from a hundred rows at once does not.
const wideRows = 128

// rowLists is the transpose of samples' lists of active units: for each
// unit i, the samples in which it is active, in order, in
// idx[start[i]:start[i+1]]; and all the samples.
type rowLists struct {
	start []int32
	idx   []int32
	all   []int32
}

// transpose sets t from the active units (< units) of each sample, by
// counting: a pass to count each unit's samples, one to place them.
func (t *rowLists) transpose(active [][]int32, units int) {
	if cap(t.start) < units+1 {
		t.start = make([]int32, units+1)
	}
	t.start = t.start[:units+1]
	clear(t.start)
	n := 0
	for _, act := range active {
		for _, i := range act {
			t.start[i+1]++
		}
		n += len(act)
	}
	for i := range units {
		t.start[i+1] += t.start[i]
	}
	if cap(t.idx) < n {
		t.idx = make([]int32, n)
	}
	t.idx = t.idx[:n]
	next := t.start[:units] // each unit's next place, moved up as filled
	t.all = t.all[:0]
	for s, act := range active {
		for _, i := range act {
			t.idx[next[i]] = int32(s)
			next[i]++
		}
		t.all = append(t.all, int32(s))
	}
	// next was start[:units], now each unit's end: shift back.
	copy(t.start[1:], t.start[:units])
	t.start[0] = 0
}

// list returns the samples in which unit i is active.
func (t *rowLists) list(i int) []int32 { return t.idx[t.start[i]:t.start[i+1]] }
