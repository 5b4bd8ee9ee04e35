package synth

import (
	"math"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// mixture is a mixture of product-of-Bernoulli components, equally
// weighted (the paper does not give the mixing proportions; we take them
// equal).
type mixture struct {
	p [][]float64 // p[j][k]: component j's probability that unit k is on
}

// newMixture draws the paper's Mixture C-N: component means μ_j ~ Beta
// with mean 0.1 and variance 0.02, base rates p_jk ~ Beta with mean μ_j
// and variance μ_j(1−μ_j)/40, each flipped to 1 − p_jk with probability
// 1/2.
func newMixture(rng *rand.Rand, C, N int) *mixture {
	m := &mixture{p: make([][]float64, C)}
	mu := betaMeanVar(0.1, 0.02)
	for j := range m.p {
		mj := mu.draw(rng)
		m.p[j] = make([]float64, N)
		pj := betaMeanVar(mj, mj*(1-mj)/40)
		for k := range m.p[j] {
			p := pj.draw(rng)
			if rng.Float64() < 0.5 {
				p = 1 - p
			}
			// Keep log p finite: a Beta draw can round to 0 or 1.
			m.p[j][k] = min(max(p, 1e-12), 1-1e-12)
		}
	}
	return m
}

func (m *mixture) sample(dst []uint8, rng *rand.Rand) {
	j := rng.IntN(len(m.p))
	for k, p := range m.p[j] {
		dst[k] = 0
		if rng.Float64() < p {
			dst[k] = 1
		}
	}
}

func (m *mixture) logProbs(xs [][]uint8) ([]float64, error) {
	out := make([]float64, len(xs))
	terms := make([]float64, len(m.p))
	for i, x := range xs {
		mx := math.Inf(-1)
		for j, pj := range m.p {
			s := -libm.Log(float64(len(m.p)))
			for k, v := range x {
				if v != 0 {
					s += libm.Log(pj[k])
				} else {
					s += libm.Log1p(-pj[k])
				}
			}
			terms[j] = s
			mx = max(mx, s)
		}
		var sum float64
		for _, t := range terms {
			sum += libm.Exp(t - mx)
		}
		out[i] = mx + libm.Log(sum)
	}
	return out, nil
}

func (m *mixture) params() []Param {
	p := Param{Name: "mix_p", Shape: []int{len(m.p), len(m.p[0])}}
	for _, row := range m.p {
		p.Values = append(p.Values, row...)
	}
	pi := Param{Name: "mix_pi", Shape: []int{len(m.p)}}
	for range m.p {
		pi.Values = append(pi.Values, 1/float64(len(m.p)))
	}
	return []Param{pi, p}
}
