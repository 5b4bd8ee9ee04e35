package dmd

import (
	"math/rand/v2"

	"helmholtz"
	"helmholtz/rbm"
)

// CDStep performs one step of c (CD-k with momentum and decay) as
// rbm.CD.Step does, drawing the pattern and the uniforms from rng in the
// same order, and returns its trace: the weights, biases and velocities,
// the pattern and the uniforms are the arguments, the new parameters and
// velocities the results. Passes over binary states add the weights of
// the units on, as the wake-sleep step does (each state was read once,
// when it was made); the pass over the reconstruction's probabilities
// multiplies and adds every one.
// ops marks the end of the positive phase (the data's hidden
// probabilities).
func CDStep(c *rbm.CD, data helmholtz.Data, rng *rand.Rand) (t *Trace, ops int) {
	t = new(Trace)
	r := c.R
	nv, nh := r.NV, r.NH
	W, BV, BH := t.Arg(len(r.W)), t.Arg(nv), t.Arg(nh)
	uW, uBV, uBH := t.Arg(len(r.W)), t.Arg(nv), t.Arg(nh)
	v0, vv := make([]float64, nv), make([]Value, nv)
	pix := make([]uint8, nv)
	data.Sample(pix, rng)
	pv := t.Arg(nv)
	t.Bits(pv...)
	for i, x := range pix {
		v0[i] = float64(x & 1)
		vv[i] = t.Op(pv[i])
		t.Bits(vv[i])
	}
	// A pass over binary inputs reads each input's state (a branch on it)
	// and adds the weights of those on; over probabilities it multiplies
	// and adds every one.
	hidden := func(x []float64, xv []Value, binary bool) ([]float64, []Value) {
		p, pvv := make([]float64, nh), make([]Value, nh)
		for j := range nh {
			a, av := r.BH[j], BH[j]
			for i := range nv {
				switch {
				case !binary:
					a += float64(x[i] * r.W[i*nh+j])
					av = t.Op(av, t.Op(xv[i], W[i*nh+j]))
				case x[i] != 0:
					a += r.W[i*nh+j]
					av = t.Op(av, W[i*nh+j])
				}
			}
			p[j], pvv[j] = helmholtz.FastSigmoid(a), t.Op(av)
		}
		return p, pvv
	}
	visible := func(h []float64) ([]float64, []Value) {
		p, pvv := make([]float64, nv), make([]Value, nv)
		for i := range nv {
			a, av := r.BV[i], BV[i]
			for j := range nh {
				if h[j] != 0 {
					a += r.W[i*nh+j]
					av = t.Op(av, W[i*nh+j])
				}
			}
			p[i], pvv[i] = helmholtz.FastSigmoid(a), t.Op(av)
		}
		return p, pvv
	}
	ph0, ph0v := hidden(v0, vv, true)
	ops = t.Ops()
	ph, phv := ph0, ph0v
	var rec []float64
	var recv []Value
	for range c.K {
		uv := t.Arg(nh) // the chain's uniforms come from outside, like the data
		h, hv := make([]float64, nh), make([]Value, nh)
		for j, p := range ph {
			if rng.Float64() < p {
				h[j] = 1
			}
			hv[j] = t.Op(uv[j], phv[j])
			t.Bits(hv[j])
		}
		rec, recv = visible(h)
		ph, phv = hidden(rec, recv, false)
	}
	for i := range nv {
		for j := range nh {
			k := i*nh + j
			g := float64(v0[i]*ph0[j]) - float64(rec[i]*ph[j]) - float64(c.Decay*r.W[k])
			gv := t.Op(t.Op(t.Op(vv[i], ph0v[j]), t.Op(recv[i], phv[j])), t.Op(W[k]))
			c.UW[k] = float64(c.Momentum*c.UW[k]) + float64(c.Rate*g)
			uW[k] = t.Op(t.Op(uW[k]), t.Op(gv))
			r.W[k] += c.UW[k]
			W[k] = t.Op(W[k], uW[k])
		}
	}
	for i := range nv {
		c.UBV[i] = float64(c.Momentum*c.UBV[i]) + float64(c.Rate*(v0[i]-rec[i]))
		uBV[i] = t.Op(t.Op(uBV[i]), t.Op(t.Op(vv[i], recv[i])))
		r.BV[i] += c.UBV[i]
		BV[i] = t.Op(BV[i], uBV[i])
	}
	for j := range nh {
		c.UBH[j] = float64(c.Momentum*c.UBH[j]) + float64(c.Rate*(ph0[j]-ph[j]))
		uBH[j] = t.Op(t.Op(uBH[j]), t.Op(t.Op(ph0v[j], phv[j])))
		r.BH[j] += c.UBH[j]
		BH[j] = t.Op(BH[j], uBH[j])
	}
	for _, g := range [][]Value{W, BV, BH, uW, uBV, uBH} {
		t.Return(g...)
	}
	return t, ops
}
