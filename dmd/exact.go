package dmd

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"helmholtz"
	"helmholtz/internal/libm"
)

// Exact traces the steps of the exact-posterior learner
// (helmholtz.ExactWake) on a machine with one hidden layer of at most 8
// units and one top unit, along its fast path (the exponential walk): it
// keeps, as ExactWake does, e^w and e^−w of every weight into the visible
// layer across steps, recomputed only where the weight changed.
type Exact struct {
	M                *helmholtz.Machine
	GenRate, RecRate float64

	wc, ew []float64 // the weights the cache was computed from; e^w, e^−w interleaved
}

// NewExact returns a tracer of exact-posterior steps of m.
func NewExact(m *helmholtz.Machine, genRate, recRate float64) *Exact {
	if len(m.Sizes) != 3 || m.Sizes[2] != 1 || m.Sizes[1] > 8 {
		panic(fmt.Sprintf("dmd: exact steps of %v: want one hidden layer of at most 8 units and one top unit", m.Sizes))
	}
	n := m.Sizes[0] * m.Sizes[1]
	e := &Exact{M: m, GenRate: genRate, RecRate: recRate, wc: make([]float64, n), ew: make([]float64, 2*n)}
	for k := range e.wc {
		e.wc[k] = math.NaN()
	}
	return e
}

// Step performs one step as ExactWake.Step does and returns its trace; the
// cache of exponentials is an argument and a result like the parameters.
// ops[0] ends the posterior and the draw, ops[1] the generative update,
// ops[2] the fantasy, ops[3] the recognition update.
func (e *Exact) Step(data helmholtz.Data, rng *rand.Rand) (t *Trace, ops [4]int) {
	t = new(Trace)
	m := e.M
	p := track(t, m)
	nv, n1 := m.Sizes[0], m.Sizes[1]
	wcv, ewv := t.Arg(len(e.wc)), t.Arg(len(e.ew))
	x0 := p.observe(data, rng)
	// p(h | t) for t = 0, 1: σ(±a_j) and their ratios, from h = 0.
	var on [2][]float64
	var onv [2][]Value
	var ph [2]float64
	var phv [2]Value
	for s := range 2 {
		var active []int
		if s == 1 {
			active = []int{0}
		}
		a, av := p.sumRows(m.B[1], p.b[1], m.W[1], p.w[1], active)
		on[s], onv[s] = make([]float64, 2*n1), make([]Value, 2*n1)
		p0, p0v := 1.0, Value(-1)
		for j := range n1 {
			so, sf := helmholtz.FastSigmoid(a[j]), helmholtz.FastSigmoid(-a[j])
			sov, sfv := t.Op(av[j]), t.Op(av[j])
			on[s][j], on[s][n1+j] = so/sf, sf/so
			onv[s][j], onv[s][n1+j] = t.Op(sov, sfv), t.Op(sfv, sov)
			p0 *= sf
			if p0v < 0 {
				p0v = t.Op(sfv)
			} else {
				p0v = t.Op(p0v, sfv)
			}
		}
		ph[s], phv[s] = p0, p0v
	}
	// p(t): the top unit's prior, off then on.
	var pu [2]float64
	var puv [2]Value
	for u := range 2 {
		b := m.B[2][0]
		if u == 1 {
			pu[u] = helmholtz.FastSigmoid(b)
		} else {
			pu[u] = helmholtz.FastSigmoid(-b)
		}
		puv[u] = t.Op(p.b[2][0])
	}
	sign, signv := make([]float64, nv), make([]Value, nv)
	for i := range nv {
		sign[i] = 2*x0.x[i] - 1
		signv[i] = t.Op(x0.v[i])
	}
	// The bound of the exponential walk: |b_i| + Σ_j |w_ji| ≤ 700.
	fast := true
	for i := range nv {
		r := math.Abs(m.B[0][i])
		rv := t.Op(p.b[0][i])
		for j := range n1 {
			r += math.Abs(m.W[0][j*nv+i])
			rv = t.Op(rv, t.Op(p.w[0][j*nv+i]))
		}
		t.Op(rv) // the comparison with the limit
		if !(r <= 700) {
			fast = false
			break
		}
	}
	if !fast {
		panic("dmd: weights beyond the exponential walk's limit: the sigmoid path is not traced")
	}
	for k, w := range m.W[0][:n1*nv] {
		t.Op(p.w[0][k], wcv[k]) // w ≠ the cached weight?
		if w != e.wc[k] {
			x := libm.Exp(w)
			e.wc[k], e.ew[2*k], e.ew[2*k+1] = w, x, 1/x
			wcv[k] = p.w[0][k]
			ewv[2*k] = t.Op(p.w[0][k])
			ewv[2*k+1] = t.Op(ewv[2*k])
		}
	}
	g, gv := make([]float64, 2*n1*nv), make([]Value, 2*n1*nv)
	for i := range nv {
		b := int(x0.x[i])
		t.Op(x0.v[i]) // the pixel as an index
		for j := range n1 {
			k := j*nv + i
			g[k], gv[k] = e.ew[2*k+b], ewv[2*k+b]
			g[(n1+j)*nv+i], gv[(n1+j)*nv+i] = e.ew[2*k+1-b], ewv[2*k+1-b]
		}
	}
	// The walk over h in Gray-code order, h = 0 first.
	ex, exv := make([]float64, nv), make([]Value, nv)
	for i := range nv {
		ex[i] = libm.Exp(-sign[i] * m.B[0][i])
		exv[i] = t.Op(t.Op(signv[i], p.b[0][i]))
	}
	states := 1 << n1
	cw, cwv := make([]float64, 2*states), make([]Value, 2*states)
	var cum float64
	cumv := Value(-1)
	for i := range states {
		if i > 0 {
			j := bits.TrailingZeros(uint(i))
			f := n1 + j
			if (i^(i>>1))&(1<<j) != 0 {
				f = j
			}
			for s := range 2 {
				ph[s] *= on[s][f]
				phv[s] = t.Op(phv[s], onv[s][f])
			}
			for k := range nv {
				ex[k] *= g[f*nv+k]
				exv[k] = t.Op(exv[k], gv[f*nv+k])
			}
		}
		// The product of the 1 + ex_k in four lanes, then (p0·p2)·(p1·p3).
		var lane [4]float64
		var lanev [4]Value
		for k := range 4 {
			lane[k], lanev[k] = 1, -1
		}
		for k := range nv {
			lane[k%4] = float64(lane[k%4] * (1 + ex[k]))
			q := t.Op(exv[k])
			if lanev[k%4] < 0 {
				lanev[k%4] = q
			} else {
				lanev[k%4] = t.Op(lanev[k%4], q)
			}
		}
		prod := float64(lane[0]*lane[2]) * float64(lane[1]*lane[3])
		pv := 1 / prod
		pvv := t.Op(t.Op(t.Op(lanev[0], lanev[2]), t.Op(lanev[1], lanev[3])))
		for u := range 2 {
			cum += float64(float64(pv*ph[u]) * pu[u])
			term := t.Op(t.Op(pvv, phv[u]), puv[u])
			if cumv < 0 {
				cumv = t.Op(term)
			} else {
				cumv = t.Op(cumv, term)
			}
			cw[2*i+u], cwv[2*i+u] = cum, cumv
		}
	}
	// The draw: the first cumulative weight above u times the total.
	u := rng.Float64()
	uv := t.Arg(1)[0]
	target := u * cw[len(cw)-1]
	tv := t.Op(uv, cwv[len(cwv)-1])
	lo, hi := 0, len(cw)-1
	var last Value
	for lo < hi {
		mid := (lo + hi) / 2
		last = t.Op(cwv[mid], tv)
		if cw[mid] > target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	h, up := lo/2^(lo/2>>1), lo%2
	x := make([]layer, 3)
	x[0] = x0
	for l, st := range []int{h, up} {
		n := m.Sizes[l+1]
		x[l+1] = layer{x: make([]float64, n), v: make([]Value, n)}
		for j := range n {
			x[l+1].x[j] = float64(st >> j & 1)
			x[l+1].v[j] = t.Op(last)
			t.Bits(x[l+1].v[j])
			if st>>j&1 == 1 {
				x[l+1].active = append(x[l+1].active, j)
			}
		}
	}
	ops[0] = t.Ops()
	p.learnGen(x, e.GenRate)
	ops[1] = t.Ops()
	ops[2] = p.sleep(e.RecRate, rng)
	ops[3] = t.Ops()
	p.returns()
	t.Return(wcv...)
	t.Return(ewv...)
	return t, ops
}
