package helmholtz

import "math"

// The kernels of a reweighted wake-sleep batch in float32 (Reweighted's
// Float32), in portable Go. kernel32_amd64.s does the bulk of each with
// AVX-512 where there is AVX-512, the same operations in the same order,
// so a float32 run's numbers are the same bit for bit on every machine
// (TestKernels32), as a float64 run's are. Each operation is rounded to
// float32 on its own: the conversions below keep Go from fusing a
// product and a sum into one FMA instruction.

// exp32 returns e^t in float32 for t clamped to [−87, 88] (NaN taken as
// −87), within 1e-7 of e^t relatively: Cody & Waite's reduction
// t = n·ln 2 + r, ln 2 in two parts, and Cephes's polynomial for e^r
// (Moshier's expf), scaled by 2^n in the exponent's bits. Its operations,
// each rounded to float32, are those of EXP32 in kernel32_amd64.s: σ and
// log σ in float32 need no table, whose lookups (gathers) held back the
// vector kernels.
func exp32(t float32) float32 {
	if !(t >= -87) {
		t = -87
	}
	if t > 88 {
		t = 88
	}
	n := float32(math.RoundToEven(float64(t * 1.44269504088896341)))
	r := t - float32(n*0.693359375)
	r = r - float32(n*-2.12194440e-4)
	p := float32(1.9875691500e-4)
	p = float32(p*r) + 1.3981999507e-3
	p = float32(p*r) + 8.3334519073e-3
	p = float32(p*r) + 4.1665795894e-2
	p = float32(p*r) + 1.6666665459e-1
	p = float32(p*r) + 5.0000001201e-1
	e := float32(float32(p*float32(r*r))+r) + 1
	return math.Float32frombits(math.Float32bits(e) + uint32(int32(n))<<23)
}

// log1p32 returns log(1 + e) for e in (0, 1]: log of y = 1 + e by Cephes's
// logf polynomial (y halved above √2), times e/(y − 1), which undoes the
// rounding of y (Kahan); e itself where y rounds to 1.
func log1p32(e float32) float32 {
	y := 1 + e
	if y == 1 {
		return e
	}
	m, k := y, float32(0)
	if y > 1.41421356 {
		m, k = y*0.5, 1
	}
	f := m - 1
	z := f * f
	p := float32(7.0376836292e-2)
	p = float32(p*f) - 1.1514610310e-1
	p = float32(p*f) + 1.1676998740e-1
	p = float32(p*f) - 1.2420140846e-1
	p = float32(p*f) + 1.4249322787e-1
	p = float32(p*f) - 1.6668057665e-1
	p = float32(p*f) + 2.0000714765e-1
	p = float32(p*f) - 2.4999993993e-1
	p = float32(p*f) + 3.3333331174e-1
	l := float32(float32(f*z) * p)
	l = l + float32(k*-2.12194440e-4)
	l = l + float32(-0.5*z)
	l = f + l
	l = l + float32(k*0.693359375)
	return float32(l*e) / (y - 1)
}

// sigmoid32 is σ(x) = 1/(1 + e^−x) in float32, within 1e-7 of σ: 0 (a
// subnormal) below −88 and at −∞, 1 above 17 and at NaN.
func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

// logSigmoid32 is log σ(x) = min(x, 0) − log(1 + e^−|x|) in float32,
// within 1.1e-7·max(1, |log σ|) of log σ; NaN at NaN.
func logSigmoid32(x float32) float32 {
	e := exp32(math.Float32frombits(math.Float32bits(x) | 1<<31)) // e^−|x|
	return min(x, 0) - log1p32(e)
}

// sumRows32Go sets d[k] = bias[k] + Σ_{i∈active} rows[i·n+k] for
// from ≤ k < n = len(bias), adding the rows in order.
func sumRows32Go(d, bias, rows []float32, active []int32, from int) {
	n := len(bias)
	d = d[:n]
	copy(d[from:], bias[from:])
	for _, i := range active {
		r := rows[int(i)*n:][:n:n]
		for k := from; k < n; k++ {
			d[k] += r[k]
		}
	}
}

// addRowsEach32 adds each row d[s·n : (s+1)·n], n = len(bias), for s in
// order, to the rows of w of active[s] and, for s < nb, to bias.
func addRowsEach32(bias, w, d []float32, active [][]int32, nb int, from int) {
	n := len(bias)
	for s, act := range active {
		ds := d[s*n : (s+1)*n : (s+1)*n]
		if s < nb {
			for c := from; c < n; c++ {
				bias[c] += ds[c]
			}
		}
		for _, i := range act {
			r := w[int(i)*n:][:n:n]
			for c := from; c < n; c++ {
				r[c] += ds[c]
			}
		}
	}
}

// deltas32Go sets d[k] = eps·(x[k] − σ(a[k])) for from ≤ k < len(d); a
// may be d.
func deltas32Go(d, a, x []float32, eps float32, from int) {
	a, x = a[:len(d)], x[:len(d)]
	for k := from; k < len(d); k++ {
		d[k] = eps * (x[k] - sigmoid32(a[k]))
	}
}

// sample32Go sets units from ≤ k < len(a) on with probability σ(a[k]),
// as sampleGo does, but in float32: unit k takes the top 24 bits u of its
// 32-bit half of r[k/2] (the high half for even k) and is on when
// u < σ(a[k])·2^24, a comparison of two float32 that both hold exactly.
// It appends the indices of the units switched on to act[:c] and returns
// the new count. from must be even.
func sample32Go(a []float32, r []uint64, x []float32, act []int32, from, c int) int {
	n := len(a)
	x, act = x[:n], act[:n]
	for k := from; k < n; k++ {
		w := r[k>>1]
		if k&1 == 0 {
			w >>= 32
		}
		u := float32(uint32(w) >> 8)
		on := 0
		if u < sigmoid32(a[k])*0x1p24 {
			on = 1
		}
		x[k] = float32(on)
		act[c] = int32(k)
		c += on
	}
	return c
}

// lanes32 is the number of partial sums stateLogProb32Go keeps: the
// float32 lanes of a 512-bit register.
const lanes32 = 16

// stateLogProb32Go returns log p(x) of a layer in state x (0/1) whose
// logits are a: the terms log σ(±a[i]) in float32, term i added in order
// to partial sum i mod 16, and the partial sums added in float64 in
// order.
func stateLogProb32Go(a, x []float32) float64 {
	x = x[:len(a)]
	var p [lanes32]float32
	for i, ai := range a {
		if x[i] == 0 {
			ai = -ai
		}
		p[i%lanes32] += logSigmoid32(ai)
	}
	var s float64
	for _, v := range p {
		s += float64(v)
	}
	return s
}

// adamConsts32 are an Adam update's constants (adamConsts) in float32, in
// the order adam32AVX512 reads them.
type adamConsts32 struct {
	b1, nb1, b2, nb2 float32
	c2, step, eps    float32
	inv              float32 // the gradients' scale
}

// sqrt32 is the correctly rounded square root of x: that of float64,
// rounded (exact for float32 arguments, as VSQRTPS).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func (c *adamConsts) float32s(inv float64) adamConsts32 {
	return adamConsts32{float32(c.b1), float32(c.nb1), float32(c.b2), float32(c.nb2),
		float32(c.c2), float32(c.step), float32(c.eps), float32(inv)}
}

// adam32Go makes the Adam update of p[from:] with gradient (g + h)·inv
// (h may be nil: g·inv), moments m and v, all in float32, and clears g
// and h for the next batch's sums (while they are in the cache).
func adam32Go(p, g, h, m, v []float32, c *adamConsts32, from int) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := from; i < len(p); i++ {
		x := takeSum(g, h, i) * c.inv
		m[i] = float32(c.b1*m[i]) + float32(c.nb1*x)
		v[i] = float32(c.b2*v[i]) + float32(float32(c.nb2*x)*x)
		p[i] += float32(c.step*m[i]) / (sqrt32(v[i]/c.c2) + c.eps)
	}
}

// ascend32Go makes the plain ascent p += rate·(g + h)·inv of p[from:] (h
// may be nil), and clears g and h.
func ascend32Go(p, g, h []float32, rate, inv float32, from int) {
	g = g[:len(p)]
	for i := from; i < len(p); i++ {
		x := takeSum(g, h, i) * inv
		p[i] += float32(rate * x)
	}
}

// takeSum returns g[i] + h[i] (g[i] if h is nil), the two parts' sums
// of an update, and clears them for the next batch.
func takeSum(g, h []float32, i int) float32 {
	x := g[i]
	g[i] = 0
	if h != nil {
		x += h[i]
		h[i] = 0
	}
	return x
}

// ascend32 is ascend32Go: plain ascent is not MNIST's recipe, and its
// loop is no longer than the sum that precedes it.
func ascend32(p, g, h []float32, rate, inv float32) { ascend32Go(p, g, h, rate, inv, 0) }
