package density

import (
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// BaseRates is the product of independent Bernoullis, each unit's
// probability its frequency in the training set with one extra on and
// one extra off count.
type BaseRates struct {
	P []float64 // probability that each unit is on
}

func (b *BaseRates) Fit(train, _ [][]uint8, _ *rand.Rand) error {
	b.P = make([]float64, len(train[0]))
	for _, x := range train {
		for k, v := range x {
			b.P[k] += float64(v)
		}
	}
	for k := range b.P {
		b.P[k] = (b.P[k] + 1) / (float64(len(train)) + 2)
	}
	return nil
}

func (b *BaseRates) Cost(examples [][]uint8) float64 {
	on, off := make([]float64, len(b.P)), make([]float64, len(b.P))
	for k, p := range b.P {
		on[k], off[k] = -libm.Log2(p), -libm.Log2(1-p)
	}
	var s float64
	for _, x := range examples {
		for k, v := range x {
			if v != 0 {
				s += on[k]
			} else {
				s += off[k]
			}
		}
	}
	return s / float64(len(examples))
}
