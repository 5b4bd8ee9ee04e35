package dmd

import (
	"math/rand/v2"

	"helmholtz"
	"helmholtz/internal/libm"
)

// acc is an accumulator of summed updates: numbers starting at 0, whose
// trace values are free until the first addition (0 + d reads d only).
type acc struct {
	x []float64
	v []Value
}

func newAcc(n int) acc {
	a := acc{x: make([]float64, n), v: make([]Value, n)}
	for i := range a.v {
		a.v[i] = -1
	}
	return a
}

// add adds d (value dv) to element i.
func (a acc) add(t *Trace, i int, d float64, dv Value) {
	a.x[i] += d
	if a.v[i] < 0 {
		a.v[i] = t.Op(dv)
	} else {
		a.v[i] = t.Op(a.v[i], dv)
	}
}

// weighted returns w·(x − σ(a)) per unit, reading the weight (unless it is
// the constant 1), the state and the sigmoid of the logit.
func (p *tracked) weighted(a []float64, av []Value, x layer, w float64, wv Value) ([]float64, []Value) {
	d, dv := make([]float64, len(a)), make([]Value, len(a))
	for k := range a {
		s := helmholtz.FastSigmoid(a[k])
		d[k] = w * (x.x[k] - s)
		if wv < 0 {
			dv[k] = p.t.Op(x.v[k], p.t.Op(av[k]))
		} else {
			dv[k] = p.t.Op(wv, x.v[k], p.t.Op(av[k]))
		}
	}
	return d, dv
}

// addInto adds d to the bias and active rows of accumulators, in the order
// of addRowsGo.
func (p *tracked) addInto(bias, w acc, d []float64, dv []Value, active []int) {
	n := len(d)
	for k := range n {
		bias.add(p.t, k, d[k], dv[k])
	}
	k := 0
	for ; k+4 <= n; k += 4 {
		for _, i := range active {
			for c := k; c < k+4; c++ {
				w.add(p.t, i*n+c, d[c], dv[c])
			}
		}
	}
	for ; k < n; k++ {
		for _, i := range active {
			w.add(p.t, i*n+k, d[k], dv[k])
		}
	}
}

// scaleAdd adds rate·g to the parameters, biases of every layer first,
// then weights, as helmholtz's scaleAdd does; an accumulator never added
// to adds a constant 0, reading only the parameter.
func (p *tracked) scaleAdd(b [][]float64, bv [][]Value, w [][]float64, wv [][]Value, gb, gw []acc, rate float64) {
	for l := range b {
		for i := range gb[l].x {
			b[l][i] += float64(rate * gb[l].x[i])
			bv[l][i] = p.scaled(bv[l][i], gb[l].v[i])
		}
	}
	for l := range w {
		for i := range gw[l].x {
			w[l][i] += float64(rate * gw[l].x[i])
			wv[l][i] = p.scaled(wv[l][i], gw[l].v[i])
		}
	}
}

func (p *tracked) scaled(param, g Value) Value {
	if g < 0 {
		return p.t.Op(param)
	}
	return p.t.Op(param, p.t.Op(g))
}

// logProb returns log p(x) of a layer with logits a: per unit the state
// and the logit are read into log σ(±a), and the terms summed.
func (p *tracked) logProb(a []float64, av []Value, x layer) (float64, Value) {
	var s float64
	sv := Value(-1)
	for i := range a {
		var term float64
		if x.x[i] != 0 {
			term = helmholtz.FastLogSigmoid(a[i])
		} else {
			term = helmholtz.FastLogSigmoid(-a[i])
		}
		s += term
		tv := p.t.Op(x.v[i], av[i])
		if sv < 0 {
			sv = p.t.Op(tv)
		} else {
			sv = p.t.Op(sv, tv)
		}
	}
	return s, sv
}

// logRecognition returns log q(x | v) of the state x under the recognition
// net with biases c and weights r (values cv, rv): the layers' log
// probabilities, summed bottom up, as helmholtz's logRecognitionOf does.
func (p *tracked) logRecognition(c, r [][]float64, cv, rv [][]Value, x []layer) (float64, Value) {
	var s float64
	sv := Value(-1)
	for l := range len(x) - 1 {
		a, av := p.sumRows(c[l+1], cv[l+1], r[l], rv[l], x[l].active)
		lp, lv := p.logProb(a, av, x[l+1])
		s += lp
		if sv < 0 {
			sv = p.t.Op(lv)
		} else {
			sv = p.t.Op(sv, lv)
		}
	}
	return s, sv
}

// RWSStep performs one step of reweighted wake-sleep with k samples, the
// wake-phase recognition update if wakeQ and the sleep update if sleep,
// as helmholtz.Reweighted.Step does (no recipe options), and returns its
// trace; ops[0] ends the K recognition passes and their weights, ops[1]
// the generative update, ops[2] the wake-phase recognition update, ops[3]
// the fantasy.
func RWSStep(m *helmholtz.Machine, data helmholtz.Data, genRate, recRate float64, k int, wakeQ, sleep bool, rng *rand.Rand) (t *Trace, ops [4]int) {
	t = new(Trace)
	p := track(t, m)
	L, top := len(m.Sizes), len(m.Sizes)-1
	x0 := p.observe(data, rng)
	samples := make([][]layer, k)
	logw, logwv := make([]float64, k), make([]Value, k)
	for s := range k {
		samples[s] = p.recognize(x0, rng)
		if k == 1 {
			continue
		}
		x := samples[s]
		joint, jv := p.logProb(m.B[top], p.b[top], x[top])
		for l := top - 1; l >= 0; l-- {
			a, av := p.sumRows(m.B[l], p.b[l], m.W[l], p.w[l], x[l+1].active)
			lp, lv := p.logProb(a, av, x[l])
			joint += lp
			jv = t.Op(jv, lv)
		}
		rec, rv := p.logRecognition(m.C, m.R, p.c, p.r, x)
		logw[s], logwv[s] = joint-rec, t.Op(jv, rv)
	}
	// The weights: w_s ∝ exp(logw_s), normalised; exactly 1 for one sample.
	w, wv := make([]float64, k), make([]Value, k)
	if k == 1 {
		w[0], wv[0] = 1, -1
	} else {
		mx, mv := logw[0], logwv[0]
		for s, x := range logw {
			mx = max(mx, x)
			mv = t.Op(mv, logwv[s])
		}
		var sum float64
		sv := Value(-1)
		for s, x := range logw {
			w[s] = libm.Exp(x - mx)
			wv[s] = t.Op(t.Op(logwv[s], mv))
			sum += w[s]
			if sv < 0 {
				sv = t.Op(wv[s])
			} else {
				sv = t.Op(sv, wv[s])
			}
		}
		for s := range w {
			w[s] /= sum
			wv[s] = t.Op(wv[s], sv)
		}
	}
	ops[0] = t.Ops()
	accs := func(g [][]float64) []acc {
		out := make([]acc, len(g))
		for l, x := range g {
			out[l] = newAcc(len(x))
		}
		return out
	}
	gB, gW := accs(m.B), accs(m.W)
	for s := range k {
		x := samples[s]
		for j := range m.B[top] {
			sg := helmholtz.FastSigmoid(m.B[top][j])
			d := float64(w[s] * (x[top].x[j] - sg))
			var dv Value
			if wv[s] < 0 {
				dv = t.Op(x[top].v[j], t.Op(p.b[top][j]))
			} else {
				dv = t.Op(wv[s], x[top].v[j], t.Op(p.b[top][j]))
			}
			gB[top].add(t, j, d, dv)
		}
		for l := top - 1; l >= 0; l-- {
			a, av := p.sumRows(m.B[l], p.b[l], m.W[l], p.w[l], x[l+1].active)
			d, dv := p.weighted(a, av, x[l], w[s], wv[s])
			p.addInto(gB[l], gW[l], d, dv, x[l+1].active)
		}
	}
	p.scaleAdd(m.B, p.b, m.W, p.w, gB, gW, genRate)
	ops[1] = t.Ops()
	if wakeQ {
		gC, gR := accs(m.C), accs(m.R)
		for s := range k {
			x := samples[s]
			for l := range L - 1 {
				a, av := p.sumRows(m.C[l+1], p.c[l+1], m.R[l], p.r[l], x[l].active)
				d, dv := p.weighted(a, av, x[l+1], w[s], wv[s])
				p.addInto(gC[l+1], gR[l], d, dv, x[l].active)
			}
		}
		p.scaleAdd(m.C, p.c, m.R, p.r, gC, gR, recRate)
	}
	ops[2] = t.Ops()
	ops[3] = ops[2]
	if sleep {
		ops[3] = p.sleep(recRate, rng)
	}
	p.returns()
	return t, ops
}
