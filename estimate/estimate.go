// Package estimate estimates the log-likelihood of a Helmholtz machine by
// importance sampling, where exact enumeration (package exact) cannot go:
// the recognition net proposes latent states, x_k ~ q(·|v), and
//
//	p(v) = E_q[p(v, x)/q(x | v)] ≈ (1/K) Σ_k w_k,  w_k = p(v, x_k)/q(x_k | v).
//
// The log of the average is a lower bound on log p(v) in expectation
// (Jensen), whose bias shrinks as 1/K and vanishes as q approaches the
// posterior; its standard error is estimated by the delta method,
// sd(w)/(√K · mean w). Probabilities are computed in log space with
// portable exponentials and logarithms, so an estimate gives the same
// bits on every machine; all randomness comes from the caller's rng.
package estimate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"helmholtz"
	"helmholtz/internal/libm"
)

// Sampler estimates log p(v) for machines of one shape. It reuses its
// buffers, so it is not safe for concurrent use.
type Sampler struct {
	K     int   // samples per pattern
	Sizes []int // of the machines it estimates
	// Fast draws the weights with helmholtz.Importance, the training
	// kernels (the fast σ, within 1e-8 of the exact one; ten times
	// faster at MNIST's size; the same bits on every machine too, but not
	// the same bits as the portable path).
	Fast bool
	im   *helmholtz.Importance
	x    [][]uint8
	a    []float64
	logw []float64
}

// NewSampler returns a sampler with k ≥ 1 samples per pattern for
// machines of the given sizes.
func NewSampler(sizes []int, k int) (*Sampler, error) {
	if k < 1 {
		return nil, fmt.Errorf("estimate: %d samples per pattern; want at least 1", k)
	}
	s := &Sampler{K: k, x: make([][]uint8, len(sizes)), logw: make([]float64, k), Sizes: append([]int(nil), sizes...)}
	n := 0
	for l, size := range sizes {
		s.x[l] = make([]uint8, size)
		n = max(n, size)
	}
	s.a = make([]float64, n)
	return s, nil
}

// LogProb returns an estimate of log p(v) (natural log) under m and its
// standard error, from K states drawn from m's recognition net with rng.
func (s *Sampler) LogProb(m *helmholtz.Machine, v []uint8, rng *rand.Rand) (logp, se float64) {
	s.weights(m, v, rng)
	return meanLog(s.logw)
}

// ELBO returns an unbiased estimate of the evidence lower bound
// E_q[log p(v, x) − log q(x | v)] (natural log), the mean of the K log
// weights: minus it is the coding cost of v, the Helmholtz machine's
// free energy, an upper bound on −log p(v).
func (s *Sampler) ELBO(m *helmholtz.Machine, v []uint8, rng *rand.Rand) float64 {
	s.weights(m, v, rng)
	var sum float64
	for _, l := range s.logw {
		sum += l
	}
	return sum / float64(len(s.logw))
}

// weights sets s.logw to the log importance weights of K states drawn
// from m's recognition net given v.
func (s *Sampler) weights(m *helmholtz.Machine, v []uint8, rng *rand.Rand) {
	if s.Fast {
		if s.im == nil || s.im.M != m {
			s.im = helmholtz.NewImportance(m)
		}
		s.im.LogWeights(v, rng, s.logw)
		return
	}
	copy(s.x[0], v)
	top := len(m.Sizes) - 1
	for k := range s.K {
		var lq float64
		for l := range top {
			m.RecInput(l, s.x[l], s.a)
			for j, a := range s.a[:m.Sizes[l+1]] {
				on := rng.Float64() < helmholtz.Sigmoid(a)
				s.x[l+1][j] = 0
				if on {
					s.x[l+1][j] = 1
				}
				lq += logBernoulli(on, a)
			}
		}
		s.logw[k] = s.logJoint(m) - lq
	}
}

// logJoint returns log p(x) of the full state in s.x.
func (s *Sampler) logJoint(m *helmholtz.Machine) float64 {
	top := len(m.Sizes) - 1
	var lp float64
	for j, b := range m.B[top] {
		lp += logBernoulli(s.x[top][j] != 0, b)
	}
	for l := top - 1; l >= 0; l-- {
		m.GenInput(l, s.x[l+1], s.a)
		for i, a := range s.a[:m.Sizes[l]] {
			lp += logBernoulli(s.x[l][i] != 0, a)
		}
	}
	return lp
}

// logBernoulli returns log σ(a) if on, else log σ(−a).
func logBernoulli(on bool, a float64) float64 {
	if on {
		return helmholtz.FastLogSigmoid(a)
	}
	return helmholtz.FastLogSigmoid(-a)
}

// meanLog returns log((1/K) Σ e^{l_k}) and its delta-method standard
// error, sd(w)/(√K mean(w)) for w_k = e^{l_k}.
func meanLog(l []float64) (float64, float64) {
	mx := math.Inf(-1)
	for _, x := range l {
		mx = max(mx, x)
	}
	if math.IsInf(mx, -1) {
		return mx, math.Inf(1)
	}
	var s, s2 float64
	for _, x := range l {
		w := libm.Exp(x - mx)
		s += w
		s2 += float64(w * w) // unfused: the same bits on every build
	}
	k := float64(len(l))
	mean := s / k
	se := math.Inf(1)
	if k > 1 {
		variance := max(0, (s2-float64(k*mean*mean))/(k-1))
		se = math.Sqrt(variance/k) / mean
	}
	return mx + libm.Log(mean), se
}

// Result is an estimate of the cross-entropy of a machine on patterns,
// in bits, with its standard error.
type Result struct {
	NLL, NLLSE float64 // −E log2 p(v) and its standard error
	KL         float64 // NLL − H(p_data), where the entropy is known (else NaN)
	K          int     // samples per pattern
}

// NLL estimates −Σ_k probs[k]·log2 p(patterns[k]) with K samples per
// pattern, drawn from rng. With entropy ≥ 0 (H(p_data) in bits) it gives
// the KL too. The standard error combines the patterns' as independent.
func (s *Sampler) NLL(m *helmholtz.Machine, patterns [][]uint8, probs []float64, entropy float64, rng *rand.Rand) Result {
	var nll, v float64
	for k, x := range patterns {
		lp, se := s.LogProb(m, x, rng)
		nll -= float64(probs[k] * lp) // unfused: the same bits on every build
		v += float64(probs[k] * probs[k] * se * se)
	}
	r := Result{NLL: nll / math.Ln2, NLLSE: math.Sqrt(v) / math.Ln2, KL: math.NaN(), K: s.K}
	if entropy >= 0 {
		r.KL = r.NLL - entropy
	}
	return r
}

// HeldOut estimates the cross-entropy of m on n patterns drawn from data
// with rng (K samples of the latent layers each): the mean of −log2 p̂(v)
// and its standard error from the spread of the n estimates, which holds
// both the data's and the importance sampling's noise.
func (s *Sampler) HeldOut(m *helmholtz.Machine, data helmholtz.Data, n int, rng *rand.Rand) Result {
	v := make([]uint8, m.Sizes[0])
	var sum, sum2 float64
	for range n {
		data.Sample(v, rng)
		lp, _ := s.LogProb(m, v, rng)
		x := -lp / math.Ln2
		sum += x
		sum2 += float64(x * x) // unfused: the same bits on every build
	}
	mean := sum / float64(n)
	se := math.Inf(1)
	if n > 1 {
		se = math.Sqrt(max(0, (sum2-float64(float64(n)*mean*mean))/float64(n-1)) / float64(n))
	}
	return Result{NLL: mean, NLLSE: se, KL: math.NaN(), K: s.K}
}
