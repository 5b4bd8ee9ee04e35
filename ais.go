package helmholtz

import (
	"math"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// AIS estimates log p(v) under a machine's generative net by annealed
// importance sampling (Neal, "Annealed importance sampling", Statistics
// and Computing 11, 2001), for nets whose posterior no factorial q fits,
// such as those the Gibbs machine learns. Each chain starts from a draw of
// the hidden layers from the net's prior and passes through the
// distributions p(h) p(v|h)^β for β = β_1 < … < β_Steps = 1, one Gibbs
// sweep over the hidden units (bottom layer first) at each; its weight is
// the product of p(v|h)^(β_t − β_{t−1}) at the states it passes. The mean
// weight of the chains is an unbiased estimate of p(v), so the log of the
// mean is below log p(v) in expectation, by less as Steps grows: an
// estimate of −log p(v) biased upward, as importance sampling from a poor
// q is, and to be shown converged in Steps as that is in K.
//
// The schedule is β_t = (t/Steps)^4: most steps where β is small and the
// weights grow fastest.
type AIS struct {
	M     *Machine
	Steps int

	g    *Gibbs
	logw []float64
}

// NewAIS returns an estimator for m's generative net with steps
// intermediate distributions.
func NewAIS(m *Machine, steps int) *AIS {
	return &AIS{M: m, Steps: steps, g: NewGibbs(m, 0)}
}

// one is a Data of one pattern.
type one []uint8

func (o one) Sample(dst []uint8, _ *rand.Rand) { copy(dst, o) }

// LogProb returns the log (natural) of the mean weight of K chains for
// pattern v, drawing from rng: per chain a draw of the hidden layers from
// the prior (top down), then one uniform per hidden unit per step.
func (a *AIS) LogProb(v []uint8, K int, rng *rand.Rand) float64 {
	g := a.g
	if cap(a.logw) < K {
		a.logw = make([]float64, K)
	}
	logw := a.logw[:K]
	g.exps()
	for k := range logw {
		g.fantasy(one(v), rng)
		var lw, prev float64
		for t := 1; t <= a.Steps; t++ {
			f := float64(t) / float64(a.Steps)
			beta := float64(f * f * f * f) // rounded before the difference below, on every build
			lw += float64((beta - prev) * g.logLikelihood())
			prev = beta
			g.aisSweep(beta, rng)
		}
		logw[k] = lw
	}
	mx := math.Inf(-1)
	for _, w := range logw {
		mx = max(mx, w)
	}
	var s float64
	for _, w := range logw {
		s += libm.Exp(w - mx)
	}
	return mx + libm.Log(s/float64(K))
}

// logLikelihood returns log p(v|h1) of the workspace's state: the sum, in
// order, of log σ(±a) over the visible units.
func (g *Gibbs) logLikelihood() float64 {
	return stateLogProb(g.a[0], g.ws.x[0])
}

// aisSweep resamples every hidden unit in turn, bottom layer first, from
// its conditional under p(h) p(v|h)^beta: its logit plus its children's
// change in log-likelihood when it turns on, that change scaled by beta
// where the children are the visible units.
func (g *Gibbs) aisSweep(beta float64, rng *rand.Rand) {
	for l := 1; l < len(g.M.Sizes); l++ {
		scale := 1.0
		if l == 1 {
			scale = beta
		}
		g.resample(l, 1, scale, rng)
	}
}
