package synth

import (
	"math/rand/v2"

	"helmholtz"
	"helmholtz/exact"
)

// beliefNet is a sigmoid belief net with biases 0 and weights uniform on
// [−2, 2), layers fully connected to the next, visible layer first.
type beliefNet struct{ m *helmholtz.Machine }

func newBeliefNet(rng *rand.Rand, sizes []int) *beliefNet {
	m := helmholtz.New(sizes)
	for _, w := range m.W {
		for i := range w {
			w[i] = float64(4*rng.Float64()) - 2
		}
	}
	return &beliefNet{m}
}

// sample draws top-down, with the exact logistic function (not the
// training table).
func (b *beliefNet) sample(dst []uint8, rng *rand.Rand) {
	m := b.m
	top := len(m.Sizes) - 1
	above := make([]uint8, m.Sizes[top])
	for j := range above {
		above[j] = bit(rng.Float64() < sigmoid(m.B[top][j]))
	}
	for l := top - 1; l >= 0; l-- {
		n := m.Sizes[l]
		x := dst
		if l > 0 {
			x = make([]uint8, n)
		}
		for i := range n {
			a := m.B[l][i]
			for j, on := range above {
				if on != 0 {
					a += m.W[l][j*n+i]
				}
			}
			x[i] = bit(rng.Float64() < sigmoid(a))
		}
		above = x
	}
}

// logProbs enumerates the latent layers exactly (2^35 configurations a
// step for 5-10-15-20: under a minute on two cores).
func (b *beliefNet) logProbs(xs [][]uint8) ([]float64, error) {
	if len(b.m.Sizes) == 2 { // the walk over the hidden layer is all the work: share it
		return parallel(xs, b.logProbsOf)
	}
	return b.logProbsOf(xs)
}

func (b *beliefNet) logProbsOf(xs [][]uint8) ([]float64, error) {
	pats, of, probs := distinct(xs)
	e, err := exact.NewLargeEvaluator(b.m.Sizes, pats, probs)
	if err != nil {
		return nil, err
	}
	lp := e.LogProbs(b.m)
	out := make([]float64, len(xs))
	for i, k := range of {
		out[i] = lp[k]
	}
	return out, nil
}

// params are the generative weights as a snapshot names them: W_l of
// layer l+1 predicting layer l (rows: units of layer l+1).
func (b *beliefNet) params() []Param {
	var out []Param
	for l, w := range b.m.W {
		out = append(out, Param{Name: "bn_W" + string(rune('0'+l)), Shape: []int{b.m.Sizes[l+1], b.m.Sizes[l]}, Values: append([]float64(nil), w...)})
	}
	return out
}

func bit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
