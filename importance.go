package helmholtz

import (
	"math/rand/v2"
)

// Importance draws importance weights for log p(v) from the recognition
// net with the training kernels: the states as a wake phase samples them
// (the fast σ, within 1e-8 of the exact one), and log p(v, x) −
// log q(x | v) with the fast log σ. It is the fast path of the
// estimates at MNIST's size; package estimate's Sampler computes the same
// weights with portable exponentials, for the small nets whose estimates
// are compared with enumeration bit for bit across machines.
type Importance struct {
	M *Machine
	p *rwPart[float64] // the samples of a chunk, as reweighted wake-sleep draws them
}

// importanceChunk is the number of samples whose generative logits are
// summed at once (see rwPart).
const importanceChunk = 32

// NewImportance returns an importance sampler for m.
func NewImportance(m *Machine) *Importance {
	return &Importance{M: m, p: newRWPart[float64](m.Sizes, importanceChunk, nil)}
}

// LogWeights fills dst with len(dst) log importance weights
// log p(v, x_k) − log q(x_k | v), natural log, of states x_k drawn from
// the recognition net given v with rng.
func (im *Importance) LogWeights(v []uint8, rng *rand.Rand, dst []float64) {
	p, m := im.p, im.M
	m.mustBeShaped(p.sm.x)
	p.sm.observe(pattern(v), rng)
	pm := paramsOf(m)
	p.observe(pm, 0)
	for lo := 0; lo < len(dst); lo += importanceChunk {
		c := min(importanceChunk, len(dst)-lo)
		for k := range c {
			p.draw(pm, 0, k, rng)
		}
		p.genLogits(pm, c)
		for k := range c {
			dst[lo+k] = p.logWeight(pm, k)
		}
	}
}

// pattern is a Data of one pattern, drawing nothing.
type pattern []uint8

func (p pattern) Sample(dst []uint8, _ *rand.Rand) { copy(dst, p) }
