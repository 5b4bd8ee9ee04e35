// Package rbm is the baseline that issue 11 prices wake-sleep against: a
// binary restricted Boltzmann machine trained by contrastive divergence
// (CD-k), whose log-likelihood is exact for a few hidden units, by
// summing over every hidden state, so that its KL[p_data ‖ p_model] on the
// bars is exact like the Helmholtz machine's.
package rbm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"helmholtz"
	"helmholtz/internal/libm"
)

// RBM is p(v, h) ∝ exp(bv·v + bh·h + vᵀWh) over binary v and h.
type RBM struct {
	NV, NH int
	W      []float64 // NV×NH: W[i*NH+j] couples visible i and hidden j
	BV, BH []float64
}

// New returns an RBM with all parameters zero.
func New(nv, nh int) *RBM {
	if nv < 1 || nh < 1 {
		panic(fmt.Sprintf("rbm: %d visible and %d hidden units", nv, nh))
	}
	return &RBM{NV: nv, NH: nh, W: make([]float64, nv*nh), BV: make([]float64, nv), BH: make([]float64, nh)}
}

// Init draws the weights from N(0, scale²); the biases stay zero.
func (r *RBM) Init(rng *rand.Rand, scale float64) {
	for k := range r.W {
		r.W[k] = scale * libm.NormFloat64(rng)
	}
}

// Clone returns a deep copy.
func (r *RBM) Clone() *RBM {
	c := New(r.NV, r.NH)
	copy(c.W, r.W)
	copy(c.BV, r.BV)
	copy(c.BH, r.BH)
	return c
}

// Equal reports whether r and o have the same parameters, bit for bit.
func (r *RBM) Equal(o *RBM) bool {
	eq := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return len(a) == len(b)
	}
	return r.NV == o.NV && r.NH == o.NH && eq(r.W, o.W) && eq(r.BV, o.BV) && eq(r.BH, o.BH)
}

// CD trains an RBM by CD-k on one pattern per step, with momentum and L2
// weight decay: each parameter θ moves by its velocity u, with
// u ← Momentum·u + Rate·(positive − negative statistics − Decay·θ) for
// the weights (no decay for the biases). The positive statistics use the
// data pattern and the hidden probabilities it gives; the chain samples
// the hidden states, reconstructs the visible units by their
// probabilities (not sampled, as is common) and ends on hidden
// probabilities (Hinton, "A practical guide to training restricted
// Boltzmann machines", 2010).
type CD struct {
	R                     *RBM
	K                     int
	Rate, Momentum, Decay float64

	v0, ph0, h, pv, ph []float64
	UW, UBV, UBH       []float64 // the velocities of W, BV and BH
	pix                []uint8
}

// NewCD returns a CD-k trainer of r.
func NewCD(r *RBM, k int, rate, momentum, decay float64) *CD {
	if k < 1 {
		panic(fmt.Sprintf("rbm: CD-%d", k))
	}
	return &CD{R: r, K: k, Rate: rate, Momentum: momentum, Decay: decay,
		v0: make([]float64, r.NV), ph0: make([]float64, r.NH), h: make([]float64, r.NH),
		pv: make([]float64, r.NV), ph: make([]float64, r.NH),
		UW: make([]float64, len(r.W)), UBV: make([]float64, r.NV), UBH: make([]float64, r.NH),
		pix: make([]uint8, r.NV)}
}

// Step draws a pattern from data and makes one CD-k update. Every random
// number comes from rng: the pattern, then one uniform per hidden unit
// per sampled hidden layer.
func (c *CD) Step(data helmholtz.Data, rng *rand.Rand) {
	r := c.R
	data.Sample(c.pix, rng)
	for i, x := range c.pix {
		c.v0[i] = float64(x & 1)
	}
	r.hiddenOf(c.ph0, c.v0, true)
	copy(c.ph, c.ph0)
	for range c.K {
		for j, p := range c.ph {
			c.h[j] = 0
			if rng.Float64() < p {
				c.h[j] = 1
			}
		}
		r.visibleOf(c.pv, c.h)
		r.hiddenOf(c.ph, c.pv, false)
	}
	for i := range r.NV {
		for j := range r.NH {
			k := i*r.NH + j
			g := float64(c.v0[i]*c.ph0[j]) - float64(c.pv[i]*c.ph[j]) - float64(c.Decay*r.W[k])
			c.UW[k] = float64(c.Momentum*c.UW[k]) + float64(c.Rate*g)
			r.W[k] += c.UW[k]
		}
	}
	for i := range r.NV {
		c.UBV[i] = float64(c.Momentum*c.UBV[i]) + float64(c.Rate*(c.v0[i]-c.pv[i]))
		r.BV[i] += c.UBV[i]
	}
	for j := range r.NH {
		c.UBH[j] = float64(c.Momentum*c.UBH[j]) + float64(c.Rate*(c.ph0[j]-c.ph[j]))
		r.BH[j] += c.UBH[j]
	}
}

// hiddenOf sets p to the hidden probabilities σ(bh + Wᵀv). For binary v
// it adds the weights of the units on, as the wake-sleep step does;
// otherwise it multiplies and adds.
func (r *RBM) hiddenOf(p, v []float64, binary bool) {
	for j := range r.NH {
		a := r.BH[j]
		for i, x := range v {
			switch {
			case !binary:
				a += float64(x * r.W[i*r.NH+j])
			case x != 0:
				a += r.W[i*r.NH+j]
			}
		}
		p[j] = helmholtz.FastSigmoid(a)
	}
}

// visibleOf sets p to the visible probabilities σ(bv + Wh) for binary h:
// the weights of the hidden units on, added.
func (r *RBM) visibleOf(p, h []float64) {
	for i := range r.NV {
		a := r.BV[i]
		for j, x := range h {
			if x != 0 {
				a += r.W[i*r.NH+j]
			}
		}
		p[i] = helmholtz.FastSigmoid(a)
	}
}

// MaxHidden bounds the hidden units whose states LogZ enumerates.
const MaxHidden = 20

// LogZ returns log Σ_{v,h} exp(bv·v + bh·h + vᵀWh), by summing the
// visible units out analytically, Σ_h exp(bh·h + Σ_i softplus(bv_i +
// (Wh)_i)), over every hidden state, in log space.
func (r *RBM) LogZ() float64 {
	if r.NH > MaxHidden {
		panic(fmt.Sprintf("rbm: %d hidden units: exact evaluation enumerates at most %d", r.NH, MaxHidden))
	}
	a := make([]float64, r.NV)
	terms := make([]float64, 0, 1<<r.NH)
	for s := range 1 << r.NH {
		copy(a, r.BV)
		t := 0.0
		for j := range r.NH {
			if s>>j&1 == 1 {
				t += r.BH[j]
				for i := range a {
					a[i] += r.W[i*r.NH+j]
				}
			}
		}
		for _, x := range a {
			t += softplus(x)
		}
		terms = append(terms, t)
	}
	return logSumExp(terms)
}

// LogUnnorm returns log Σ_h exp(bv·v + bh·h + vᵀWh) for one pattern: the
// negative free energy.
func (r *RBM) LogUnnorm(v []uint8) float64 {
	t := 0.0
	for i, x := range v {
		if x != 0 {
			t += r.BV[i]
		}
	}
	for j := range r.NH {
		a := r.BH[j]
		for i, x := range v {
			if x != 0 {
				a += r.W[i*r.NH+j]
			}
		}
		t += softplus(a)
	}
	return t
}

// KL returns KL[p_data ‖ p_model] and the NLL of p_data, in bits, for the
// patterns and probabilities of a data set's support.
func (r *RBM) KL(patterns [][]uint8, probs []float64) (kl, nll float64) {
	logZ := r.LogZ()
	for k, v := range patterns {
		p := probs[k]
		lp := r.LogUnnorm(v) - logZ
		nll -= float64(p * lp) // unfused: the same bits everywhere
		kl += float64(p * (libm.Log(p) - lp))
	}
	return kl / math.Ln2, nll / math.Ln2
}

func softplus(x float64) float64 {
	return max(x, 0) + libm.Log(1+libm.Exp(-math.Abs(x)))
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = max(m, x)
	}
	s := 0.0
	for _, x := range xs {
		s += libm.Exp(x - m)
	}
	return m + libm.Log(s)
}
