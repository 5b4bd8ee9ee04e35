package dmd

import (
	"math/rand/v2"

	"helmholtz"
)

// The project's learning steps written as traces: each performs the step
// on a machine, with the same arithmetic in the same order as the
// project's own code (the portable kernels of kernel.go, which the AVX2
// ones match bit for bit), and records every read.

// tracked is a machine's parameters as trace values beside their numbers.
type tracked struct {
	t          *Trace
	m          *helmholtz.Machine
	b, w, c, r [][]Value
}

// track declares m's parameters as the step's first arguments, in the
// order B, W, C, R, layer by layer (so B[0] starts on top of the stack).
func track(t *Trace, m *helmholtz.Machine) *tracked {
	p := &tracked{t: t, m: m}
	arg := func(x [][]float64) [][]Value {
		out := make([][]Value, len(x))
		for l, v := range x {
			out[l] = t.Arg(len(v))
		}
		return out
	}
	p.b, p.w, p.c, p.r = arg(m.B), arg(m.W), arg(m.C), arg(m.R)
	return p
}

// returns marks every parameter as returned.
func (p *tracked) returns() {
	for _, g := range [][][]Value{p.b, p.w, p.c, p.r} {
		for _, v := range g {
			p.t.Return(v...)
		}
	}
}

// layer is a layer's state: numbers 0 or 1 with their trace values, and
// the indices of its active units.
type layer struct {
	x      []float64
	v      []Value
	active []int
}

// sumRows returns the logits bias + Σ_{i∈active} rows[i·n:(i+1)·n] in the
// order of sumRowsGo: four columns at a time, each adding the active rows
// in turn, then the columns left.
func (p *tracked) sumRows(bias []float64, bv []Value, rows []float64, rv []Value, active []int) ([]float64, []Value) {
	n := len(bias)
	a, av := append([]float64(nil), bias...), append([]Value(nil), bv...)
	k := 0
	for ; k+4 <= n; k += 4 {
		for _, i := range active {
			for c := k; c < k+4; c++ {
				a[c] += rows[i*n+c]
				av[c] = p.t.Op(av[c], rv[i*n+c])
			}
		}
	}
	for ; k < n; k++ {
		for _, i := range active {
			a[k] += rows[i*n+k]
			av[k] = p.t.Op(av[k], rv[i*n+k])
		}
	}
	return a, av
}

// deltas returns eps·(x − σ(a)) per unit: the sigmoid reads the logit, the
// delta reads the state and the sigmoid.
func (p *tracked) deltas(a []float64, av []Value, x layer, eps float64) ([]float64, []Value) {
	d, dv := make([]float64, len(a)), make([]Value, len(a))
	for k := range a {
		s := helmholtz.FastSigmoid(a[k])
		d[k] = eps * (x.x[k] - s)
		dv[k] = p.t.Op(x.v[k], p.t.Op(av[k]))
	}
	return d, dv
}

// addRows adds d to bias and to the rows of the active units, in the
// order of addRowsGo; it replaces the updated values.
func (p *tracked) addRows(bias []float64, bv []Value, w []float64, wv []Value, d []float64, dv []Value, active []int) {
	n := len(d)
	for k := range n {
		bias[k] += d[k]
		bv[k] = p.t.Op(bv[k], dv[k])
	}
	k := 0
	for ; k+4 <= n; k += 4 {
		for _, i := range active {
			for c := k; c < k+4; c++ {
				w[i*n+c] += d[c]
				wv[i*n+c] = p.t.Op(wv[i*n+c], dv[c])
			}
		}
	}
	for ; k < n; k++ {
		for _, i := range active {
			w[i*n+k] += d[k]
			wv[i*n+k] = p.t.Op(wv[i*n+k], dv[k])
		}
	}
}

// sample draws a layer with logits a as sampleGo does: unit k compares
// the high (even k) or low (odd k) half of word k/2 with σ(a_k); the
// comparison reads the word and the sigmoid and makes a binary state.
func (p *tracked) sample(a []float64, av []Value, rng *rand.Rand) layer {
	n := len(a)
	words := make([]uint64, (n+1)/2)
	for i := range words {
		words[i] = rng.Uint64()
	}
	wv := p.t.Arg(len(words)) // random words come from outside, like data
	out := layer{x: make([]float64, n), v: make([]Value, n)}
	for k := range n {
		u := words[k>>1] >> 32
		if k&1 == 1 {
			u = words[k>>1] & 0xffffffff
		}
		on := (u - uint64(int64(helmholtz.FastSigmoid(a[k])*0x1p32))) >> 63
		out.x[k] = float64(on)
		out.v[k] = p.t.Op(wv[k>>1], p.t.Op(av[k]))
		p.t.Bits(out.v[k])
		if on == 1 {
			out.active = append(out.active, k)
		}
	}
	return out
}

// observe draws the pattern (an argument) and reads it once into layer 0.
func (p *tracked) observe(data helmholtz.Data, rng *rand.Rand) layer {
	pix := make([]uint8, p.m.Sizes[0])
	data.Sample(pix, rng)
	pv := p.t.Arg(len(pix))
	p.t.Bits(pv...)
	x := layer{x: make([]float64, len(pix)), v: make([]Value, len(pix))}
	for i, on := range pix {
		on &= 1
		x.x[i] = float64(on)
		x.v[i] = p.t.Op(pv[i])
		if on == 1 {
			x.active = append(x.active, i)
		}
	}
	return x
}

// recognize samples the layers above x0 bottom-up from the recognition net.
func (p *tracked) recognize(x0 layer, rng *rand.Rand) []layer {
	m := p.m
	x := make([]layer, len(m.Sizes))
	x[0] = x0
	for l := range len(m.Sizes) - 1 {
		a, av := p.sumRows(m.C[l+1], p.c[l+1], m.R[l], p.r[l], x[l].active)
		x[l+1] = p.sample(a, av, rng)
	}
	return x
}

// learnGen makes the generative update for the state x at rate rate, top
// down: the top layer's prior, then each layer given the one above.
func (p *tracked) learnGen(x []layer, rate float64) {
	m, t := p.m, p.t
	top := len(m.Sizes) - 1
	for j := range m.B[top] {
		s := helmholtz.FastSigmoid(m.B[top][j])
		m.B[top][j] += float64(rate * (x[top].x[j] - s))
		d := t.Op(x[top].v[j], t.Op(p.b[top][j]))
		p.b[top][j] = t.Op(p.b[top][j], d)
	}
	for l := top - 1; l >= 0; l-- {
		a, av := p.sumRows(m.B[l], p.b[l], m.W[l], p.w[l], x[l+1].active)
		d, dv := p.deltas(a, av, x[l], rate)
		p.addRows(m.B[l], p.b[l], m.W[l], p.w[l], d, dv, x[l+1].active)
	}
}

// dream samples a fantasy top down from the generative net.
func (p *tracked) dream(rng *rand.Rand) []layer {
	m := p.m
	top := len(m.Sizes) - 1
	f := make([]layer, len(m.Sizes))
	f[top] = p.sample(m.B[top], p.b[top], rng)
	for l := top - 1; l >= 0; l-- {
		a, av := p.sumRows(m.B[l], p.b[l], m.W[l], p.w[l], f[l+1].active)
		f[l] = p.sample(a, av, rng)
	}
	return f
}

// learnRec makes the recognition update for the state f at rate rate.
func (p *tracked) learnRec(f []layer, rate float64) {
	m := p.m
	for l := range len(m.Sizes) - 1 {
		a, av := p.sumRows(m.C[l+1], p.c[l+1], m.R[l], p.r[l], f[l].active)
		d, dv := p.deltas(a, av, f[l+1], rate)
		p.addRows(m.C[l+1], p.c[l+1], m.R[l], p.r[l], d, dv, f[l].active)
	}
}

// sleep draws a fantasy top down and makes the recognition update at rate
// recRate; it returns the operation count at the end of the fantasy.
func (p *tracked) sleep(recRate float64, rng *rand.Rand) int {
	f := p.dream(rng)
	fantasy := p.t.Ops()
	p.learnRec(f, recRate)
	return fantasy
}

// WakeSleepStep performs one online wake-sleep step of m (batch 1, no
// recipe options) as helmholtz.WakeSleep.Step does, drawing the pattern
// from data and every random word from rng in the same order, and
// returns its trace: the parameters, the pattern and the random words are
// the arguments, the new parameters the results. Its four phases are
// marked: ops[0] ends the recognition pass, ops[1] the generative update,
// ops[2] the fantasy, ops[3] the recognition update (operation counts).
func WakeSleepStep(m *helmholtz.Machine, data helmholtz.Data, genRate, recRate float64, rng *rand.Rand) (t *Trace, ops [4]int) {
	t = new(Trace)
	p := track(t, m)
	x := p.recognize(p.observe(data, rng), rng)
	ops[0] = t.Ops()
	p.learnGen(x, genRate)
	ops[1] = t.Ops()
	ops[2] = p.sleep(recRate, rng)
	ops[3] = t.Ops()
	p.returns()
	return t, ops
}
