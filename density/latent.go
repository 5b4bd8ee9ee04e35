package density

import (
	"math"
	"math/rand/v2"
	"sync"

	"helmholtz"
	"helmholtz/internal/libm"
)

// Latent is the Helmholtz machine's generative net (a sigmoid belief
// net) without a recognition net, trained by a learner of the root
// package under the protocol of HM: the same hidden architectures, rate,
// initial weights and stopping rule, the best on the validation split
// kept. NewGibbs and NewMeanField make the two of the 1995 comparison.
//
// Its Cost is the mean-field bound of its net (helmholtz.MeanField's), an
// upper bound on −log2 p(v) computed deterministically for each example:
// mean field's own coding cost, and for the Gibbs machine, which has no
// bound of its own, the same bound of the net it learned. NLL is an
// importance-sampled −log2 p(v), drawing from the fitted mean-field
// posterior.
type Latent struct {
	Archs    [][]int
	Rate     float64
	Patience int // as HM's (0: the paper's 2)
	// NewLearner returns the learner of a machine at a rate.
	NewLearner func(m *helmholtz.Machine, rate float64) helmholtz.Learner

	M      *helmholtz.Machine // the machine kept
	Epochs int                // the epochs it trained
}

// NewGibbs returns the Gibbs machine (Neal 1992; helmholtz.Gibbs): the
// delta rule on hidden states drawn by annealed Gibbs sampling.
func NewGibbs() *Latent {
	return &Latent{Archs: hmArchs, Rate: 0.01, NewLearner: func(m *helmholtz.Machine, rate float64) helmholtz.Learner {
		return helmholtz.NewGibbs(m, rate)
	}}
}

// NewMeanField returns the on-line mean-field learning of Saul, Jaakkola &
// Jordan (helmholtz.MeanField).
func NewMeanField() *Latent {
	return &Latent{Archs: hmArchs, Rate: 0.01, NewLearner: func(m *helmholtz.Machine, rate float64) helmholtz.Learner {
		return helmholtz.NewMeanField(m, rate)
	}}
}

// Net returns the machine kept.
func (e *Latent) Net() *helmholtz.Machine { return e.M }

func (e *Latent) Fit(train, valid [][]uint8, rng *rand.Rand) error {
	e.M, e.Epochs = fitLatent(e.Archs, train, valid, rng, e.Patience,
		func(m *helmholtz.Machine) helmholtz.Learner { return e.NewLearner(m, e.Rate) })
	return nil
}

// Cost returns the mean mean-field bound of examples, bits.
func (e *Latent) Cost(xs [][]uint8) float64 { return MeanFieldBound(e.M, xs) }

// NLL returns the mean importance-sampled −log2 p(v) of examples, K
// samples per example from the fitted mean-field posterior, and its
// standard error over the examples.
func (e *Latent) NLL(xs [][]uint8, K int, rng *rand.Rand) (bits, se float64) {
	return meanFieldNLL(e.M, xs, K, rng)
}

// Trace trains a machine of the given hidden layers with e's learner
// for epochs epochs, from the start Fit gives each (weights N(0, 0.1²) from
// rng, visible biases at the training marginals) and with no stopping
// rule, and calls at with the machine after every Every-th epoch. It shows
// what the validations of Fit do not: how the net's own fit moves while
// its bound does.
func (e *Latent) Trace(hidden []int, train [][]uint8, epochs int, rng *rand.Rand, at func(epoch int, m *helmholtz.Machine)) {
	m := newMachine(hidden, train, rng)
	learner := e.NewLearner(m, e.Rate)
	data := examples(train)
	for epoch := 1; epoch <= epochs; epoch++ {
		for range train {
			learner.Step(data, rng)
		}
		if epoch%Every == 0 {
			at(epoch, m)
		}
	}
}

// fitLatent trains a machine of each hidden architecture with the learner
// newLearner makes, validating by the mean-field bound, and returns the
// one best on the validation split and its epochs.
func fitLatent(archs [][]int, train, valid [][]uint8, rng *rand.Rand, patience int,
	newLearner func(*helmholtz.Machine) helmholtz.Learner) (*helmholtz.Machine, int) {
	// Each architecture trains from a stream of its own, seeded from rng
	// in order, on a core of its own where there is one: the fits take
	// minutes each, and the result does not depend on how they overlap.
	type fit struct {
		m      *helmholtz.Machine
		epochs int
		cost   float64
	}
	fits := make([]fit, len(archs))
	seeds := make([][2]uint64, len(archs))
	for i := range seeds {
		seeds[i] = [2]uint64{rng.Uint64(), rng.Uint64()}
	}
	var wg sync.WaitGroup
	for i, hidden := range archs {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seeds[i][0], seeds[i][1]))
			m, e := fitMachine(hidden, train, valid, r, newLearner, MeanFieldBound, patience, nil)
			fits[i] = fit{m, e, MeanFieldBound(m, valid)}
		})
	}
	wg.Wait()
	best := 0
	for i, f := range fits {
		if f.cost < fits[best].cost {
			best = i
		}
	}
	return fits[best].m, fits[best].epochs
}

// MeanFieldBound returns the mean of the mean-field bound on −log2 p(v)
// over examples under m's generative net.
func MeanFieldBound(m *helmholtz.Machine, xs [][]uint8) float64 {
	f := helmholtz.NewMeanField(m, 0)
	var s float64
	for _, x := range xs {
		s -= f.Bound(x)
	}
	return s / float64(len(xs)) / math.Ln2
}

// AISNLL returns the mean −log2 p(v) of examples under m's generative net
// estimated by annealed importance sampling (helmholtz.AIS: K chains of
// steps intermediate distributions per example, drawn from rng), and its
// standard error over the examples.
func AISNLL(m *helmholtz.Machine, xs [][]uint8, K, steps int, rng *rand.Rand) (bits, se float64) {
	a := helmholtz.NewAIS(m, steps)
	return meanSE(xs, func(x []uint8) float64 { return -a.LogProb(x, K, rng) / math.Ln2 })
}

// meanSE returns the mean of bits(x) over examples xs, called in order,
// and its standard error.
func meanSE(xs [][]uint8, bits func(x []uint8) float64) (mean, se float64) {
	var sum, sum2 float64
	for _, x := range xs {
		b := bits(x)
		sum += b
		sum2 += float64(b * b) // unfused: the same bits on every build
	}
	n := float64(len(xs))
	mean = sum / n
	return mean, math.Sqrt(max(0, sum2/n-float64(mean*mean)) / n)
}

// meanFieldNLL estimates −log2 p(v) by importance sampling, K draws from
// the mean-field posterior fitted to each example.
func meanFieldNLL(m *helmholtz.Machine, xs [][]uint8, K int, rng *rand.Rand) (bits, se float64) {
	f := helmholtz.NewMeanField(m, 0)
	x := make([][]uint8, len(m.Sizes))
	for l, n := range m.Sizes {
		x[l] = make([]uint8, n)
	}
	logw := make([]float64, K)
	return meanSE(xs, func(v []uint8) float64 {
		f.Bound(v)
		mu := f.Means()
		copy(x[0], v)
		for k := range K {
			var lq float64
			for l := 1; l < len(m.Sizes); l++ {
				for j, p := range mu[l] {
					on := rng.Float64() < p
					x[l][j] = 0
					if on {
						x[l][j] = 1
						lq += libm.Log(p)
					} else {
						lq += libm.Log1p(-p)
					}
				}
			}
			logw[k] = m.LogJoint(x) - lq
		}
		return -(logSumExp(logw) - libm.Log(float64(K))) / math.Ln2
	})
}
