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
	n := len(examples)
	nll, code := make([]float64, n), make([]float64, n)
	next := make(chan int, workers)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			im := helmholtz.NewImportance(m)
			logw := make([]float64, K)
			for i := range next {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				im.LogWeights(examples[i], rng, logw)
				var sum float64
				for _, l := range logw {
					sum += l
				}
				lp, _ := meanLog(logw)
				nll[i], code[i] = -lp/math.Ln2, -sum/float64(K)/math.Ln2
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	h := Held{K: K, N: n, Each: nll}
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
		h.SE = math.Sqrt(max(0, (sum2-float64(n)*h.NLL*h.NLL)/float64(n-1)) / float64(n))
	}
	return h
}
