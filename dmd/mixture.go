package dmd

import (
	"math/rand/v2"

	"helmholtz"
	"helmholtz/internal/libm"
)

// vec is numbers with their trace values.
type vec struct {
	x []float64
	v []Value
}

// logSoftmax replaces z by z − log Σ exp(z) as helmholtz's logSoftmax does:
// the running maximum reads each logit, the sum each exp(z − max), the
// log-sum reads the maximum and the sum, and each logit is reduced by it.
func (p *tracked) logSoftmax(z vec) {
	mx, mv := z.x[0], z.v[0]
	for i, x := range z.x {
		mx = max(mx, x)
		mv = p.t.Op(mv, z.v[i])
	}
	var s float64
	sv := Value(-1)
	for i, x := range z.x {
		s += libm.Exp(x - mx)
		e := p.t.Op(p.t.Op(z.v[i], mv))
		if sv < 0 {
			sv = p.t.Op(e)
		} else {
			sv = p.t.Op(sv, e)
		}
	}
	l := mx + libm.Log(s)
	lv := p.t.Op(mv, p.t.Op(sv))
	for i := range z.x {
		z.x[i] -= l
		z.v[i] = p.t.Op(z.v[i], lv)
	}
}

// MixtureStep performs one step of wake-sleep with a mixture of
// recognition nets as helmholtz.Mixture.Step does (no recipe options), and
// returns its trace: the machine's parameters, then the extra components'
// recognition biases and weights, the gate, the pattern and the random
// numbers are the arguments. ops[0] ends the gate, the component's draw
// and the recognition pass, ops[1] the generative update, ops[2] the
// fantasy, ops[3] the recognition and gate updates.
func MixtureStep(mx *helmholtz.Mixture, data helmholtz.Data, rng *rand.Rand) (t *Trace, ops [4]int) {
	t = new(Trace)
	m := mx.M
	p := track(t, m)
	L, top, n := len(m.Sizes), len(m.Sizes)-1, mx.Components()
	// The extra components and the gate, as arguments after the machine's.
	compC, compR := make([][][]Value, n), make([][][]Value, n)
	compC[0], compR[0] = p.c, p.r
	for c := 1; c < n; c++ {
		compC[c], compR[c] = make([][]Value, L), make([][]Value, L-1)
		for l := range mx.C[c-1] {
			compC[c][l] = t.Arg(len(mx.C[c-1][l]))
		}
		for l := range mx.R[c-1] {
			compR[c][l] = t.Arg(len(mx.R[c-1][l]))
		}
	}
	params := func(c int) ([][]float64, [][]float64) {
		if c == 0 {
			return m.C, m.R
		}
		return mx.C[c-1], mx.R[c-1]
	}
	var G, Gb []Value
	if n > 1 {
		G, Gb = t.Arg(len(mx.G)), t.Arg(len(mx.Gb))
	}
	gate := func(active []int) vec {
		z := vec{x: append([]float64(nil), mx.Gb...), v: append([]Value(nil), Gb...)}
		for _, i := range active {
			for c := range n {
				z.x[c] += mx.G[i*n+c]
				z.v[c] = t.Op(z.v[c], G[i*n+c])
			}
		}
		p.logSoftmax(z)
		return z
	}
	x0 := p.observe(data, rng)
	c := 0
	if n > 1 {
		logit := gate(x0.active)
		u := rng.Float64()
		uv := t.Arg(1)[0]
		var cum float64
		cv := Value(-1)
		c = n - 1
		for i, l := range logit.x {
			cum += libm.Exp(l)
			e := t.Op(logit.v[i])
			if cv < 0 {
				cv = t.Op(e)
			} else {
				cv = t.Op(cv, e)
			}
			t.Op(uv, cv) // u < the cumulative probability
			if u < cum {
				c = i
				break
			}
		}
	}
	// The wake phase: component c's recognition pass, the generative update.
	rc, rr := params(c)
	x := make([]layer, L)
	x[0] = x0
	for l := range top {
		a, av := p.sumRows(rc[l+1], compC[c][l+1], rr[l], compR[c][l], x[l].active)
		x[l+1] = p.sample(a, av, rng)
	}
	ops[0] = t.Ops()
	p.learnGen(x, mx.GenRate)
	ops[1] = t.Ops()
	// The sleep phase: a fantasy, then each component's delta rule weighted
	// by its responsibility, then the gate's.
	f := p.dream(rng)
	ops[2] = t.Ops()
	if n == 1 {
		p.learnRec(f, mx.RecRate)
	} else {
		logit := gate(f[0].active)
		q := vec{x: make([]float64, n), v: make([]Value, n)}
		for c := range n {
			rc, rr := params(c)
			s, sv := p.logRecognition(rc, rr, compC[c], compR[c], f)
			q.x[c] = logit.x[c] + s
			q.v[c] = t.Op(logit.v[c], sv)
		}
		p.logSoftmax(q)
		for c := range n {
			q.x[c] = libm.Exp(q.x[c])
			q.v[c] = t.Op(q.v[c])
		}
		for c := range n {
			rc, rr := params(c)
			eps := float64(mx.RecRate * q.x[c])
			ev := t.Op(q.v[c])
			for l := range top {
				a, av := p.sumRows(rc[l+1], compC[c][l+1], rr[l], compR[c][l], f[l].active)
				d, dv := p.weighted(a, av, f[l+1], eps, ev)
				p.addRows(rc[l+1], compC[c][l+1], rr[l], compR[c][l], d, dv, f[l].active)
			}
		}
		for c := range n {
			d := float64(mx.RecRate * (q.x[c] - libm.Exp(logit.x[c])))
			dv := t.Op(t.Op(q.v[c], t.Op(logit.v[c])))
			mx.Gb[c] += d
			Gb[c] = t.Op(Gb[c], dv)
			for _, i := range f[0].active {
				mx.G[i*n+c] += d
				G[i*n+c] = t.Op(G[i*n+c], dv)
			}
		}
	}
	ops[3] = t.Ops()
	p.returns()
	for c := 1; c < n; c++ {
		for _, g := range append(append([][]Value(nil), compC[c]...), compR[c]...) {
			t.Return(g...)
		}
	}
	t.Return(G...)
	t.Return(Gb...)
	return t, ops
}
