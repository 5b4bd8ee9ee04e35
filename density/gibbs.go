package density

import (
	"math/rand/v2"

	"helmholtz"
)

// Gibbs is the Gibbs machine (Neal 1992; helmholtz.Gibbs): the Helmholtz
// machine's generative net trained by the delta rule on hidden states
// drawn by annealed Gibbs sampling, under the protocol of HM: the same
// hidden architectures, rate, initial weights and stopping rule.
//
// The Gibbs machine has no bound of its own to cost examples by; its Cost
// is the mean-field bound of its generative net (as MeanField's), an upper
// bound on its −log2 p(v), and NLL an importance-sampled −log2 p(v) from
// that mean-field posterior.
type Gibbs struct {
	Archs    [][]int
	Rate     float64
	Patience int

	M      *helmholtz.Machine
	Epochs int
}

func (g *Gibbs) Fit(train, valid [][]uint8, rng *rand.Rand) error {
	g.M, g.Epochs = fitLatent(g.Archs, train, valid, rng, g.Patience,
		func(m *helmholtz.Machine) helmholtz.Learner { return helmholtz.NewGibbs(m, g.Rate) })
	return nil
}

// Cost returns the mean mean-field bound of examples under the Gibbs
// machine's net, bits.
func (g *Gibbs) Cost(xs [][]uint8) float64 { return MeanFieldBound(g.M, xs) }

// NLL returns the importance-sampled −log2 p(v), as MeanField's.
func (g *Gibbs) NLL(xs [][]uint8, K int, rng *rand.Rand) (bits, se float64) {
	return meanFieldNLL(g.M, xs, K, rng)
}
