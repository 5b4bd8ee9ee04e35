package density

import (
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz/internal/libm"
)

// FVBN is the fully visible belief net: unit i is on with probability
// σ(B_i + Σ_{j<i} W_ij x_j), so p(x) is a product of its conditionals and
// exact. It is trained by stochastic gradient ascent on the log
// likelihood, one training example at a time in an order shuffled each
// epoch, at rate Rate, from base-rate biases and zero weights, and stops
// by the paper's rule, keeping its best validation.
type FVBN struct {
	Rate float64

	B []float64
	W []float64 // W[i*D+j], j < i

	on []int // scratch of step
}

func (f *FVBN) Fit(train, valid [][]uint8, rng *rand.Rand) error {
	D := len(train[0])
	f.B, f.W = make([]float64, D), make([]float64, D*D)
	var base BaseRates
	base.Fit(train, nil, nil)
	for i, p := range base.P {
		f.B[i] = libm.Log(p / (1 - p))
	}
	order := make([]int, len(train))
	for n := range order {
		order[n] = n
	}
	keptB, keptW := slices.Clone(f.B), slices.Clone(f.W)
	var stop stopper
	for epoch := 1; epoch <= maxEpochs; epoch++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, n := range order {
			f.step(train[n])
		}
		if epoch%Every != 0 {
			continue
		}
		best, done := stop.record(f.Cost(valid))
		if best {
			keptB, keptW = slices.Clone(f.B), slices.Clone(f.W)
		}
		if done {
			break
		}
	}
	f.B, f.W = keptB, keptW
	return nil
}

// step takes one gradient step on log p(x): each unit's error x_i − p_i
// moves its bias and its weights from the units before it that are on.
func (f *FVBN) step(x []uint8) {
	D := len(f.B)
	on := f.on[:0]
	for i := range D {
		row := f.W[i*D:]
		a := f.B[i]
		for _, j := range on {
			a += row[j]
		}
		e := float64(f.Rate * (float64(x[i]) - sigmoid(a))) // unfused: added below
		f.B[i] += e
		for _, j := range on {
			row[j] += e
		}
		if x[i] != 0 {
			on = append(on, i)
		}
	}
	f.on = on
}

// logProb returns log p(x), natural log.
func (f *FVBN) logProb(x []uint8) float64 {
	D := len(f.B)
	var s float64
	for i := range D {
		row := f.W[i*D:]
		a := f.B[i]
		for j := range i {
			if x[j] != 0 {
				a += row[j]
			}
		}
		if x[i] != 0 {
			s -= softplus(-a)
		} else {
			s -= softplus(a)
		}
	}
	return s
}

func (f *FVBN) Cost(examples [][]uint8) float64 {
	var s float64
	for _, x := range examples {
		s -= f.logProb(x)
	}
	return s / float64(len(examples)) / math.Ln2
}

func sigmoid(x float64) float64 { return 1 / (1 + libm.Exp(-x)) }

// softplus returns log(1 + e^x).
func softplus(x float64) float64 { return max(x, 0) + libm.Log1p(libm.Exp(-math.Abs(x))) }
