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
	M  *Machine
	ws *WakeSleep
}

// NewImportance returns an importance sampler for m.
func NewImportance(m *Machine) *Importance {
	return &Importance{M: m, ws: NewWakeSleep(m, 0, 0, 1)}
}

// LogWeights fills dst with len(dst) log importance weights
// log p(v, x_k) − log q(x_k | v), natural log, of states x_k drawn from
// the recognition net given v with rng.
func (im *Importance) LogWeights(v []uint8, rng *rand.Rand, dst []float64) {
	ws, m := im.ws, im.M
	m.mustBeShaped(ws.x)
	ws.observe(pattern(v), rng)
	top := len(m.Sizes) - 1
	for k := range dst {
		ws.recognize(rng, m.C, m.R)
		lp := layerLogProb(ws.buf, m.B[top], nil, nil, ws.x[top])
		for l := top - 1; l >= 0; l-- {
			lp += layerLogProb(ws.buf, m.B[l], m.W[l], ws.act[l+1], ws.x[l])
		}
		dst[k] = lp - logRecognitionOf(ws, m.C, m.R)
	}
}

// pattern is a Data of one pattern, drawing nothing.
type pattern []uint8

func (p pattern) Sample(dst []uint8, _ *rand.Rand) { copy(dst, p) }
