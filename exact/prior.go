package exact

import (
	"fmt"
	"math"

	"helmholtz"
	"helmholtz/internal/libm"
)

// LogProbsPrior returns log p(v), natural log, for each pattern under a
// two-layer net m (visible, hidden) whose hidden layer has the prior
// logPrior (log probabilities of its 2^n configurations, bit j unit j,
// summing to one) in place of the factorial prior of m's top biases: a
// model whose latent prior is not factorial, such as the marginal of a
// layered Boltzmann machine once its upper layers are summed out. The
// walk is the one LogProbs takes. The returned slice is reused by the
// next call.
func (e *Evaluator) LogProbsPrior(m *helmholtz.Machine, logPrior []float64) []float64 {
	if len(e.sizes) != 2 || len(m.Sizes) != 2 || m.Sizes[0] != e.sizes[0] || m.Sizes[1] != e.sizes[1] {
		panic(fmt.Sprintf("exact: LogProbsPrior of a machine %v with an evaluator %v; want two layers", m.Sizes, e.sizes))
	}
	if len(logPrior) != 1<<e.sizes[1] {
		panic(fmt.Sprintf("exact: a prior of %d configurations for %d hidden units", len(logPrior), e.sizes[1]))
	}
	copy(e.prior[1], logPrior)
	if needsCare(m) {
		e.carefulVisible(m)
	} else {
		e.visible(m)
	}
	return e.logp
}

// LogNormalize subtracts the log-sum-exp of v from every element, so that
// exp(v) sums to one, and returns what it subtracted (log Z).
func LogNormalize(v []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		mx = max(mx, x)
	}
	var s float64
	for _, x := range v {
		s += libm.Exp(x - mx)
	}
	z := mx + libm.Log(s)
	for i := range v {
		v[i] -= z
	}
	return z
}
