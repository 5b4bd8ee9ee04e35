package estimate

import (
	"math"
	"math/rand/v2"
	"sync"

	"helmholtz"
)

// Held is an importance-sampled score of a machine on held-out examples,
// in bits per example: the mean of −log2 p̂(v) with its standard error
// over the examples (which holds both the data's and the sampling's
// noise), and the mean coding cost −ELBO (an upper bound on −log2 p(v),
// estimated from the same samples).
type Held struct {
	NLL, SE float64
	Coding  float64
	K, N    int       // samples per example, examples
	Each    []float64 // −log2 p̂(v) of each example, in order
}

// Parallel estimates m's Held score on examples with K samples from the
// recognition net per example, drawn by helmholtz.Importance (the
// training kernels), example i from a stream of its own seeded by
// (seed, i), on workers goroutines: the result is the same for any number
// of workers, to the last bit.
func Parallel(m *helmholtz.Machine, examples [][]uint8, K int, seed uint64, workers int) Held {
	h := each(examples, seed, workers, func() func(x []uint8, rng *rand.Rand) (nll, code float64) {
		im := helmholtz.NewImportance(m)
		logw := make([]float64, K)
		return func(x []uint8, rng *rand.Rand) (nll, code float64) {
			im.LogWeights(x, rng, logw)
			var sum float64
			for _, l := range logw {
				sum += l
			}
			lp, _ := meanLog(logw)
			return -lp / math.Ln2, -sum / float64(K) / math.Ln2
		}
	})
	h.K = K
	return h
}

// ParallelAIS estimates m's −log2 p(v) on examples by annealed importance
// sampling (helmholtz.AIS: chains chains of steps steps per example), for
// nets whose recognition net is a poor proposal (the Gibbs machine's, an
// RBM-like posterior), as Parallel does: example i from a stream seeded by
// (seed, i), the same result for any number of workers. K is the chains;
// Coding is NaN (annealing gives no coding cost).
func ParallelAIS(m *helmholtz.Machine, examples [][]uint8, chains, steps int, seed uint64, workers int) Held {
	h := each(examples, seed, workers, func() func(x []uint8, rng *rand.Rand) (nll, code float64) {
		a := helmholtz.NewAIS(m, steps)
		return func(x []uint8, rng *rand.Rand) (nll, code float64) {
			return -a.LogProb(x, chains, rng) / math.Ln2, math.NaN()
		}
	})
	h.K = chains
	return h
}

// each scores every example on workers goroutines, each with the scorer
// newScorer makes, example i with a stream seeded by (seed, i), and sums
// the scores in order.
func each(examples [][]uint8, seed uint64, workers int, newScorer func() func(x []uint8, rng *rand.Rand) (nll, code float64)) Held {
	n := len(examples)
	nll, code := make([]float64, n), make([]float64, n)
	next := make(chan int, workers)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			score := newScorer()
			for i := range next {
				nll[i], code[i] = score(examples[i], rand.New(rand.NewPCG(seed, uint64(i))))
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	h := Held{N: n, Each: nll}
	var sum2 float64
	for i := range n { // in order: the same sums whatever the workers did
		h.NLL += nll[i]
		sum2 += float64(nll[i] * nll[i]) // unfused: the same bits on every build
		h.Coding += code[i]
	}
	h.NLL /= float64(n)
	h.Coding /= float64(n)
	h.SE = math.Inf(1)
	if n > 1 {
		h.SE = math.Sqrt(max(0, (sum2-float64(float64(n)*h.NLL*h.NLL))/float64(n-1)) / float64(n))
	}
	return h
}
