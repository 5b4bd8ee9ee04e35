package helmholtz

import (
	"math"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// MeanField is the on-line mean-field learning of Saul, Jaakkola & Jordan
// ("Mean field theory for sigmoid belief networks", JAIR 4, 1996) for the
// Helmholtz machine's generative net. For each pattern v it fits a
// factorial distribution Q(h) = Π_j μ_j^h_j (1−μ_j)^(1−h_j) over the
// hidden units to the posterior by maximising the lower bound
//
//	log p(v) ≥ Σ_i [ ⟨x_i⟩⟨z_i⟩ − ξ_i⟨z_i⟩ − log⟨e^(−ξ_i z_i) + e^((1−ξ_i) z_i)⟩ ] + H(Q),
//
// z_i being unit i's generative logit and ⟨·⟩ the mean under Q (for a
// unit with parents; a top unit's term is exact), and then moves B and W
// up the bound's gradient at rate Rate. The bound holds for every ξ_i;
// Iters rounds of a Newton step in each ξ_i (the bound is concave in it)
// and a fixed-point update μ_j = σ(∂bound/∂μ_j without the entropy), unit
// by unit, top layer first, tighten it.
//
// Bound gives the same bound as a coding cost. Everything is
// deterministic given the pattern: a step draws only the pattern.
type MeanField struct {
	M     *Machine
	Rate  float64
	Iters int // rounds of updates of ξ and μ per pattern

	v  []uint8
	mu [][]float64 // mu[0] is the pattern, mu[l≥1] the means of Q
	xi [][]float64 // xi[l], l < top
	z  [][]float64 // ⟨z⟩ of layer l < top
	// Per unit of layer l < top, for a = −ξ and a = 1−ξ: log⟨e^(a z)⟩ and
	// e^(a W[j,i]) per parent j (row-major as W).
	la, lb [][]float64
	ea, eb [][]float64
	ew     [][]float64  // e^W
	pb     [][]float64  // B/(A+B) of each unit of layer l < top
	acc    [4][]float64 // per unit of a layer, sums and products in progress
}

// MeanFieldIters is the rounds of updates NewMeanField sets.
const MeanFieldIters = 10

// NewMeanField returns a mean-field learner for m at rate eps.
func NewMeanField(m *Machine, eps float64) *MeanField {
	L := len(m.Sizes)
	f := &MeanField{M: m, Rate: eps, Iters: MeanFieldIters, v: make([]uint8, m.Sizes[0])}
	mk := func(n int) [][]float64 {
		s := make([][]float64, n)
		for l := range s {
			s[l] = make([]float64, m.Sizes[l])
		}
		return s
	}
	f.mu, f.xi, f.z, f.la, f.lb, f.pb = mk(L), mk(L-1), mk(L-1), mk(L-1), mk(L-1), mk(L-1)
	f.ea, f.eb, f.ew = make([][]float64, L-1), make([][]float64, L-1), make([][]float64, L-1)
	for l := range L - 1 {
		n := len(m.W[l])
		f.ea[l], f.eb[l], f.ew[l] = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	for i := range f.acc {
		f.acc[i] = make([]float64, maxSize(m.Sizes))
	}
	return f
}

// SetRates sets the rate of the steps that follow; mean field has no
// recognition net, so rec is unused.
func (f *MeanField) SetRates(gen, rec float64) { f.Rate = gen }

// Step draws a pattern, fits Q to its posterior and moves the generative
// net up the bound's gradient.
func (f *MeanField) Step(data Data, rng *rand.Rand) {
	data.Sample(f.v, rng)
	f.fit(f.v)
	f.learn()
}

// Bound returns the mean-field lower bound on log p(v), in nats, after
// fitting Q to v; Means then holds Q's means.
func (f *MeanField) Bound(v []uint8) float64 {
	f.fit(v)
	return f.bound()
}

// Means returns the means of Q fitted by the last Bound or Step, layer by
// layer (Means()[0] is the pattern). The slices are the learner's own.
func (f *MeanField) Means() [][]float64 { return f.mu }

// fit sets Q's means and the ξ for pattern v: from μ = ξ = 1/2, rounds of
// a Newton step in every ξ and an update of every mean, until no mean
// moves by more than MeanFieldTol or Iters rounds are done.
func (f *MeanField) fit(v []uint8) {
	m := f.M
	top := len(m.Sizes) - 1
	for i, x := range v {
		f.mu[0][i] = float64(x & 1)
	}
	for l := 1; l <= top; l++ {
		for j := range f.mu[l] {
			f.mu[l][j] = 0.5
		}
	}
	for l := range top {
		for i := range f.xi[l] {
			f.xi[l][i] = 0.5
		}
		expRow(f.ew[l], m.W[l])
		f.prepare(l)
	}
	for range f.Iters {
		for l := range top {
			f.newtonXi(l)
			f.prepare(l)
		}
		moved := 0.0
		for l := top; l >= 1; l-- {
			moved = max(moved, f.updateMeans(l))
		}
		for l := range top {
			f.sums(l)
		}
		if moved < MeanFieldTol {
			break
		}
	}
}

// MeanFieldTol is the largest change of a mean in a round at which fitting
// stops.
const MeanFieldTol = 1e-4

// prepare computes, for the units of layer l < top, the factors e^(aW)
// for a = −ξ and 1−ξ, then sums them (see sums).
func (f *MeanField) prepare(l int) {
	m := f.M
	n := m.Sizes[l]
	w, ew, ea, eb, xi := m.W[l], f.ew[l], f.ea[l], f.eb[l], f.xi[l][:n]
	for k := 0; k < len(w); k += n {
		mfFactorsRow(ea[k:][:n:n], eb[k:][:n:n], w[k:][:n:n], ew[k:][:n:n], xi)
	}
	f.sums(l)
}

// sums computes, for the units of layer l < top, ⟨z⟩, the logs of
// ⟨e^(az)⟩ for a = −ξ and 1−ξ, and B/(A+B), from the factors. The
// parents go in the outer loop, so that each row of the factors is read
// in order and the units' sums and products, independent of one
// another, proceed side by side; each unit's in the order of its parents.
func (f *MeanField) sums(l int) {
	m := f.M
	n := m.Sizes[l]
	w, ea, eb, mu, xis := m.W[l], f.ea[l], f.eb[l], f.mu[l+1], f.xi[l][:n]
	z, la, lb := f.z[l][:n], f.la[l][:n], f.lb[l][:n]
	pa, pb := f.acc[0][:n], f.acc[1][:n] // products of up to 8 factors, each within e^±|W|
	for i, b := range m.B[l][:n] {
		xi := xis[i]
		z[i], la[i], lb[i] = b, -xi*b, (1-xi)*b
		pa[i], pb[i] = 1, 1
	}
	for j, p := range mu {
		mfSumsRow(z, pa, pb, w[j*n:][:n:n], ea[j*n:][:n:n], eb[j*n:][:n:n], p)
		if j&7 == 7 {
			mfLogsRow(la, lb, pa, pb)
		}
	}
	mfLogsRow(la, lb, pa, pb)
	mfOddsRow(f.pb[l][:n], la, lb)
}

// newtonXi takes one Newton step in each ξ of layer l < top, clipped to
// [0, 1]; the layer must be prepared again after it. Parents go in the
// outer loop, as in sums.
func (f *MeanField) newtonXi(l int) {
	m := f.M
	n := m.Sizes[l]
	w, mu, ea, eb := m.W[l], f.mu[l+1], f.ea[l], f.eb[l]
	ma, mb, va, vb := f.acc[0][:n], f.acc[1][:n], f.acc[2][:n], f.acc[3][:n]
	for i, b := range m.B[l][:n] {
		ma[i], mb[i], va[i], vb[i] = b, b, 0, 0
	}
	for j, p := range mu {
		mfNewtonRow(ma, mb, va, vb, w[j*n:][:n:n], ea[j*n:][:n:n], eb[j*n:][:n:n], p)
	}
	for i := range n {
		pb := f.pb[l][i]
		pa := 1 - pb
		mean := float64(pa*ma[i]) + float64(pb*mb[i])
		d1 := f.z[l][i] - mean
		d2 := float64(pa*(va[i]+float64(ma[i]*ma[i]))) + float64(pb*(vb[i]+float64(mb[i]*mb[i]))) - float64(mean*mean)
		if d2 > 1e-12 {
			f.xi[l][i] = min(max(f.xi[l][i]-d1/d2, 0), 1)
		}
	}
}

// updateMeans sets each mean of layer l ≥ 1 in turn to σ of the bound's
// derivative in it (without the entropy's), keeping ⟨z⟩ and the odds
// B/A of its children, layer l−1, up to date, and returns the largest
// change of a mean. The logs of A and B are left for prepare.
func (f *MeanField) updateMeans(l int) float64 {
	m := f.M
	top := len(m.Sizes) - 1
	c := l - 1
	n := m.Sizes[c]
	w, muc, xic, ea, eb, pbc := m.W[c], f.mu[c], f.xi[c], f.ea[c], f.eb[c], f.pb[c]
	moved := 0.0
	for j := range m.Sizes[l] {
		var g float64 // the derivative of the unit's own term
		if l < top {
			g = f.z[l][j]
		} else {
			g = m.B[top][j]
		}
		p := f.mu[l][j]
		w, ea, eb := w[j*n:][:n:n], ea[j*n:][:n:n], eb[j*n:][:n:n]
		g = mfGradRow(g, muc, xic, pbc, w, ea, eb, p)
		q := sigmoidExact(g)
		if q == p {
			continue
		}
		moved = max(moved, math.Abs(q-p))
		mfMoveRow(f.z[c], pbc, w, ea, eb, p, q)
		f.mu[l][j] = q
	}
	return moved
}

// bound returns the bound for the fitted Q, nats.
func (f *MeanField) bound() float64 {
	m := f.M
	top := len(m.Sizes) - 1
	var s float64
	for j, b := range m.B[top] {
		s += float64(f.mu[top][j]*b) - Softplus(b)
	}
	for l := range top {
		for i, z := range f.z[l] {
			s += float64((f.mu[l][i]-f.xi[l][i])*z) - logAddExp(f.la[l][i], f.lb[l][i])
		}
	}
	for l := 1; l <= top; l++ {
		for _, p := range f.mu[l] {
			s += entropyBernoulli(p)
		}
	}
	return s
}

// learn adds Rate times the bound's gradient to B and W. Each weight's
// gradient is (μ_i − ξ_i)·p + ξ_i(1 − pb_i)·ua − (1 − ξ_i)pb_i·ub, ua and
// ub the parent's tilted means (as in newtonXi); the three per-child
// factors are computed once, and the weights moved a parent's row at a
// time.
func (f *MeanField) learn() {
	m := f.M
	top := len(m.Sizes) - 1
	eps := f.Rate
	for j, b := range m.B[top] {
		m.B[top][j] += float64(eps * (f.mu[top][j] - sigmoidExact(b)))
	}
	for l := range top {
		n := m.Sizes[l]
		w, mu := m.W[l], f.mu[l+1]
		d, ca, cb := f.acc[0][:n], f.acc[1][:n], f.acc[2][:n]
		for i := range n {
			xi, pb, mi := f.xi[l][i], f.pb[l][i], f.mu[l][i]
			d[i], ca[i], cb[i] = mi-xi, float64(xi*(1-pb)), float64((1-xi)*pb)
			m.B[l][i] += float64(eps * (mi - pb))
		}
		for j, p := range mu {
			mfLearnRow(w[j*n:][:n:n], f.ea[l][j*n:][:n:n], f.eb[l][j*n:][:n:n], d, ca, cb, p, eps)
		}
	}
}

// sigmoidExact is σ by libm.Exp, without overflow.
func sigmoidExact(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + libm.Exp(-x))
	}
	e := libm.Exp(x)
	return e / (1 + e)
}

// logAddExp returns log(e^a + e^b).
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + libm.Log1p(libm.Exp(b-a))
}

// entropyBernoulli returns the entropy of a Bernoulli(p) in nats.
func entropyBernoulli(p float64) float64 {
	var h float64
	if p > 0 {
		h -= float64(p * libm.Log(p))
	}
	if p < 1 {
		h -= float64((1 - p) * libm.Log1p(-p))
	}
	return h
}

// The rows of the mean-field updates: each loops over the children i ≥
// from of one parent, whose weights to them are w and factors e^(aW) ea
// and eb (a = −ξ_i, 1 − ξ_i), the parent's mean being p. On amd64 with
// AVX2 kernels do the bulk four children at a time, the same operations
// in the same order (no multiply-add fused: the float64 conversions say
// so to the compiler), so the same bits.

// mfSumsRowGo moves the sums of the children: z += p·w, and the products
// pa and pb by the parent's factors 1 + p·(e − 1).
func mfSumsRowGo(z, pa, pb, w, ea, eb []float64, p float64, from int) {
	n := len(z)
	pa, pb, w, ea, eb = pa[:n], pb[:n], w[:n], ea[:n], eb[:n]
	for i := from; i < n; i++ {
		z[i] += float64(p * w[i])
		pa[i] *= 1 + float64(p*(ea[i]-1))
		pb[i] *= 1 + float64(p*(eb[i]-1))
	}
}

// mfNewtonRowGo adds the parent's terms to the children's means ma, mb
// and variances va, vb of their logits under the two tilted distributions.
func mfNewtonRowGo(ma, mb, va, vb, w, ea, eb []float64, p float64, from int) {
	n := len(ma)
	mb, va, vb, w, ea, eb = mb[:n], va[:n], vb[:n], w[:n], ea[:n], eb[:n]
	for i := from; i < n; i++ {
		ua := float64(p*ea[i]) / (1 + float64(p*(ea[i]-1)))
		ub := float64(p*eb[i]) / (1 + float64(p*(eb[i]-1)))
		w2 := w[i] * w[i]
		ma[i] += float64(ua * w[i])
		mb[i] += float64(ub * w[i])
		va[i] += float64(float64(ua*(1-ua)) * w2)
		vb[i] += float64(float64(ub*(1-ub)) * w2)
	}
}

// mfGradRowGo returns g plus, child by child in order, the derivative of
// the child's term in the parent's mean: (μ_i − ξ_i)·w − (1 − pb)(ea − 1)/da
// − pb(eb − 1)/db, da and db the parent's factors.
func mfGradRowGo(g float64, muc, xic, pbc, w, ea, eb []float64, p float64, from int) float64 {
	n := len(w)
	muc, xic, pbc, ea, eb = muc[:n], xic[:n], pbc[:n], ea[:n], eb[:n]
	for i := from; i < n; i++ {
		pb := pbc[i]
		da, db := 1+float64(p*(ea[i]-1)), 1+float64(p*(eb[i]-1))
		g += float64(float64(muc[i]-xic[i])*w[i]) - float64((1-pb)*(ea[i]-1))/da - float64(pb*(eb[i]-1))/db
	}
	return g
}

// mfMoveRowGo moves the children's ⟨z⟩ and odds B/A for the parent's mean
// going from p to q: the odds change by the ratio of the parent's new
// factors to its old ones; an odds of 0/0 or ∞/∞ (1 − pb underflowed)
// keeps pb.
func mfMoveRowGo(z, pbc, w, ea, eb []float64, p, q float64, from int) {
	n := len(z)
	pbc, w, ea, eb = pbc[:n], w[:n], ea[:n], eb[:n]
	for i := from; i < n; i++ {
		z[i] += float64((q - p) * w[i])
		da, db := 1+float64(p*(ea[i]-1)), 1+float64(p*(eb[i]-1))
		na, nb := 1+float64(q*(ea[i]-1)), 1+float64(q*(eb[i]-1))
		pb := pbc[i]
		odds := pb / (1 - pb) * (nb * da) / (db * na)
		pbc[i] = odds / (1 + odds)
		if math.IsNaN(pbc[i]) {
			pbc[i] = pb
		}
	}
}

// mfLearnRowGo moves one parent's weights to the children i ≥ from up the
// bound's gradient, w += eps·((d·p + ca·ua) − cb·ub), ua and ub the
// parent's tilted means as in mfNewtonRowGo and d, ca, cb the children's
// factors (see learn).
func mfLearnRowGo(w, ea, eb, d, ca, cb []float64, p, eps float64, from int) {
	n := len(w)
	ea, eb, d, ca, cb = ea[:n], eb[:n], d[:n], ca[:n], cb[:n]
	for i := from; i < n; i++ {
		ua := float64(p*ea[i]) / (1 + float64(p*(ea[i]-1)))
		ub := float64(p*eb[i]) / (1 + float64(p*(eb[i]-1)))
		g := float64(d[i]*p) + float64(ca[i]*ua) - float64(cb[i]*ub)
		w[i] += float64(eps * g)
	}
}

// The mean field's exponentials and logarithms, by internal/libm (the
// bits of math on amd64, on every machine); on amd64 with AVX2 and FMA
// kernels compute the bulk four at a time, the same bits.

// expRowGo sets dst[i] = e^x[i] for i ≥ from.
func expRowGo(dst, x []float64, from int) {
	dst = dst[:len(x)]
	for i := from; i < len(x); i++ {
		dst[i] = libm.Exp(x[i])
	}
}

// mfFactorsRowGo sets the factors of one parent's row for the children
// i ≥ from: ea = e^(−ξ·w) and eb = ea·e^w.
func mfFactorsRowGo(ea, eb, w, ew, xi []float64, from int) {
	n := len(xi)
	ea, eb, w, ew = ea[:n], eb[:n], w[:n], ew[:n]
	for i := from; i < n; i++ {
		e := libm.Exp(float64(-xi[i] * w[i]))
		ea[i], eb[i] = e, float64(e*ew[i])
	}
}

// mfLogsRowGo adds the logs of the products pa and pb to la and lb and
// starts the products again, for the units i ≥ from.
func mfLogsRowGo(la, lb, pa, pb []float64, from int) {
	n := len(la)
	lb, pa, pb = lb[:n], pa[:n], pb[:n]
	for i := from; i < n; i++ {
		la[i] += libm.Log(pa[i])
		lb[i] += libm.Log(pb[i])
		pa[i], pb[i] = 1, 1
	}
}

// mfOddsRowGo sets pb = B/(A + B) = σ(lb − la) for the units i ≥ from.
func mfOddsRowGo(pb, la, lb []float64, from int) {
	n := len(pb)
	la, lb = la[:n], lb[:n]
	for i := from; i < n; i++ {
		pb[i] = sigmoidExact(lb[i] - la[i])
	}
}
