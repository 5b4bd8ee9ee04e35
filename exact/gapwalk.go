package exact

import (
	"math"
	"math/bits"
	"runtime"
	"sync"

	"helmholtz"
	"helmholtz/internal/libm"
)

// The walk: the gap of a machine's own (factorial) recognition net, fast
// enough to go with every evaluation of a run. The latent state is split
// into the first hidden layer h and the rest u. Given h, q(u | h) and
// p(h, u) do not depend on the pattern, so
//
//	KL(q ‖ p(·|v)) = Σ_h q(h|v) [log q(h|v) − log p(v|h) + A(h)] + log p(v)
//	KL(p(·|v) ‖ q) = Σ_h p(h|v) [log p(v|h) − log q(h|v) + B(h)] − log p(v)... + E
//
// with, per h, A(h) = E_q(u|h)[log q(u|h) − log p(h, u)] and
// B(h) = E_p(u|h)[log p(h, u) − log q(u|h)], computed once. Then h is
// walked in Gray-code order, as Evaluator.visible does, so that log p(v|h)
// and log q(h|v) change by one add per pattern from one h to the next, and
// the exponentials of all patterns are taken at once by the table method.
// It agrees with the general path to 1e-10 (TestGapWalk); weights beyond
// carefulLimit, or more than one recognition component, take the general
// path.

// walkable reports whether the walk may be used for recognition q of m.
func walkable(m *helmholtz.Machine, q Recognition) bool {
	if len(q.C) != 1 || q.LogPi != nil || needsCare(m) {
		return false
	}
	// Recognition logits within ±fastLimit, so that e^±r, by which the
	// walk updates q(h | v), stay finite.
	for l := range len(m.Sizes) - 1 {
		n := m.Sizes[l+1]
		for j, c := range q.C[0][l+1] {
			s := math.Abs(c)
			for i := range m.Sizes[l] {
				s += math.Abs(q.R[0][l][i*n+j])
			}
			if !(s < fastLimit) {
				return false
			}
		}
	}
	return true
}

// walk is Eval for walkable machines.
func (g *GapEvaluator) walk(m *helmholtz.Machine, q Recognition) Gaps {
	sizes := g.sizes
	nv, n1 := sizes[0], sizes[1]
	K := len(g.patterns)
	w := g.walkBuffers()
	g.perState(m, q)

	// Per pattern: recognition logits of h, and the projections of the
	// pattern on each generative row (as Evaluator.visible).
	r, c1 := q.R[0][0], q.C[0][1]
	for k, v := range g.patterns {
		copy(w.rk[k*n1:(k+1)*n1], c1)
		for i, on := range v {
			if on != 0 {
				addTo(w.rk[k*n1:(k+1)*n1], r[i*n1:(i+1)*n1])
			}
		}
		w.sk[k] = softplusSum(w.rk[k*n1:(k+1)*n1], w.tmp, w.ones)
		for j, rj := range w.rk[k*n1 : (k+1)*n1] {
			w.er[j*K+k], w.eNegR[j*K+k] = libm.Exp(rj), libm.Exp(-rj)
		}
		for j := range n1 {
			w.proj[j*K+k] = dotOn(v, m.W[0][j*nv:(j+1)*nv])
		}
	}
	startSums(w.mx, w.sum)
	clear(w.wsum)
	clear(w.qp)
	// Each part walks every h for a block of the patterns, each pattern's
	// sums in the same order whatever the parts (as Evaluator.visible).
	parts := 1
	if K<<n1 >= parallelWork {
		for parts*2 <= min(runtime.GOMAXPROCS(0), 8, K) {
			parts *= 2
		}
	}
	if parts == 1 {
		g.walkPart(m, w, 0, K, w.a, w.tmp, w.ones)
	} else {
		var wg sync.WaitGroup
		np := parts
		for p := range np {
			wg.Go(func() {
				g.walkPart(m, w, p*K/np, (p+1)*K/np, make([]float64, nv), make([]float64, len(w.tmp)), make([]float64, len(w.ones)))
			})
		}
		wg.Wait()
	}
	out := Gaps{Patterns: make([]PatternGap, K)}
	for k := range K {
		logp := w.mx[k] + libm.Log(w.sum[k])
		pg := PatternGap{
			LogP: logp / math.Ln2,
			QP:   max(0, w.qp[k]+logp) / math.Ln2,
			PQ:   max(0, w.wsum[k]/w.sum[k]-logp) / math.Ln2,
		}
		g.addPattern(&out, k, pg)
	}
	return out
}

// walkPart is walk's walk over h for the patterns [k0, k1), with a (of
// len nv), tmp and ones as scratch.
func (g *GapEvaluator) walkPart(m *helmholtz.Machine, w *walkState, k0, k1 int, a, tmp, ones []float64) {
	nv, n1 := g.sizes[0], g.sizes[1]
	K := len(g.patterns)
	dot, lq1, q1, lpv := w.dot[k0:k1], w.lq1[k0:k1], w.q1[k0:k1], w.lpv[k0:k1]
	x, d, qp, e := w.x[k0:k1], w.d[k0:k1], w.qp[k0:k1], w.e[k0:k1]
	for i := range 1 << n1 {
		h := i ^ (i >> 1)
		if i%resync == 0 {
			visibleLogits(a, m, h)
			for k := k0; k < k1; k++ {
				v := g.patterns[k]
				dot[k-k0] = dotOn(v, a)
				var hr float64
				for j := range n1 {
					if h&(1<<j) != 0 {
						hr += w.rk[k*n1+j]
					}
				}
				lq1[k-k0] = hr - w.sk[k]
			}
			clear(q1)
			expAdd(q1, lq1, 1) // q(h | v)
		} else {
			j := bits.TrailingZeros(uint(i))
			sign := -1.0
			if h&(1<<j) != 0 {
				sign = 1
			}
			addScaled(a, m.W[0][j*nv:(j+1)*nv], sign)
			// Unit j switching on multiplies q(h | v) by σ(r)/σ(−r) = e^r.
			f := w.er[j*K+k0 : j*K+k1]
			if sign < 0 {
				f = w.eNegR[j*K+k0 : j*K+k1]
			}
			proj := w.proj[j*K+k0 : j*K+k1]
			for k := range dot {
				dot[k] += float64(sign * proj[k])
				lq1[k] += float64(sign * w.rk[(k0+k)*n1+j])
				q1[k] *= f[k]
			}
		}
		sp := softplusSum(a, tmp, ones)
		A, logP, B := w.A[h], w.logP[h], w.B[h]
		for k := range dot {
			l := dot[k] - sp
			lpv[k] = l + logP     // log p(v, h)
			x[k] = l - lq1[k] + B // E_p(u|h)[log p(v,h,u) − log q(h,u|v)]
			d[k] = l - lq1[k] - A // −(log q(h|v) − log p(v|h) + A), for qp below
		}
		for k := range qp {
			qp[k] -= float64(q1[k] * d[k])
		}
		accumulateWeighted(lpv, x, w.mx[k0:k1], w.sum[k0:k1], w.wsum[k0:k1], e)
	}
}

// perState fills w.A, w.logP and w.B: for each state h of the first
// hidden layer, A(h) = E_q(u|h)[log q(u|h) − log p(h,u)],
// log p(h) = log Σ_u p(h, u) and B(h) = E_p(u|h)[log p(h,u) − log q(u|h)]
// over the states u of the layers above.
func (g *GapEvaluator) perState(m *helmholtz.Machine, q Recognition) {
	w := g.w
	for h := range 1 << g.sizes[1] {
		lp, lq := w.lpu, w.lqu
		for u := range g.upper {
			lp[u], lq[u] = g.lp[h*g.upper+u], g.lq[0][h*g.upper+u]
		}
		var A float64
		mx := math.Inf(-1)
		for u := range g.upper {
			A += float64(libm.Exp(lq[u]) * (lq[u] - lp[u])) // unfused: the same bits on every build
			mx = max(mx, lp[u])
		}
		var s, b float64
		for u := range g.upper {
			e := libm.Exp(lp[u] - mx)
			s += e
			b += float64(e * (lp[u] - lq[u]))
		}
		w.A[h], w.logP[h], w.B[h] = A, mx+libm.Log(s), b/s
	}
}

// accumulateWeighted adds exp(v[i]) to the running sum exp(mx[i])·sum[i]
// and exp(v[i])·x[i] to exp(mx[i])·wsum[i], as accumulate does; e is
// scratch.
func accumulateWeighted(v, x, mx, sum, wsum, e []float64) {
	for i, vi := range v {
		d := vi - mx[i]
		if d > slack {
			f := expOne(-d)
			sum[i] *= f
			wsum[i] *= f
			mx[i] = vi
			d = 0
		}
		v[i] = d
	}
	clear(e)
	expAdd(e, v, 1)
	for i, ei := range e {
		sum[i] += ei
		wsum[i] += float64(ei * x[i])
	}
}

// walkState holds the walk's buffers.
type walkState struct {
	A, logP, B        []float64 // per state of the first hidden layer
	lpu, lqu          []float64 // per state above it
	rk, proj          []float64 // per pattern and hidden unit
	er, eNegR         []float64 // e^r and e^−r of the recognition logits r
	q1                []float64 // per pattern: q(h | v)
	sk, dot, lq1, lpv []float64 // per pattern
	x, d, e, qp       []float64
	mx, sum, wsum     []float64
	a, tmp, ones      []float64
}

func (g *GapEvaluator) walkBuffers() *walkState {
	if g.w != nil {
		return g.w
	}
	K, nv, n1 := len(g.patterns), g.sizes[0], g.sizes[1]
	f := func(n int) []float64 { return make([]float64, n) }
	g.w = &walkState{
		A: f(1 << n1), logP: f(1 << n1), B: f(1 << n1),
		lpu: f(g.upper), lqu: f(g.upper),
		rk: f(K * n1), proj: f(K * n1), er: f(K * n1), eNegR: f(K * n1), q1: f(K),
		sk: f(K), dot: f(K), lq1: f(K), lpv: f(K), x: f(K), d: f(K), e: f(K), qp: f(K),
		mx: f(K), sum: f(K), wsum: f(K),
		a: f(nv), tmp: f(max(nv, n1)), ones: f(max(nv, n1)),
	}
	return g.w
}
