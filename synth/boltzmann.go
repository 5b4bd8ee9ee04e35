package synth

import (
	"math/rand/v2"
	"slices"
	"sort"

	"helmholtz"
	"helmholtz/exact"
	"helmholtz/internal/libm"
)

// boltzmannWeight draws a weight of the paper's MRFs: −4, 0 or 4 with
// probabilities 0.4, 0.4 and 0.2.
func boltzmannWeight(rng *rand.Rand) float64 {
	switch u := rng.Float64(); {
	case u < 0.4:
		return -4
	case u < 0.8:
		return 0
	}
	return 4
}

// layeredBM is a Boltzmann machine of three layers, top ⇔ mid ⇔ visible,
// biases 0, symmetric weights between adjacent layers. Summing out the
// top layer and the visible layer, which are independent given the middle
// one, leaves the middle layer's marginal over its 2^mid states, from
// which the machine is sampled exactly: a middle state, then the visible
// units given it.
type layeredBM struct {
	top, mid, vis int
	w1            []float64 // mid×vis: w1[j*vis+i] couples middle unit j and visible unit i
	w2            []float64 // top×mid
	logPrior      []float64 // log p(mid state), bit j unit j
	cdf           []float64 // cumulative p(mid state)
}

func newLayeredBM(rng *rand.Rand, top, mid, vis int) *layeredBM {
	b := &layeredBM{top: top, mid: mid, vis: vis, w1: make([]float64, mid*vis), w2: make([]float64, top*mid)}
	for i := range b.w1 {
		b.w1[i] = boltzmannWeight(rng)
	}
	for i := range b.w2 {
		b.w2[i] = boltzmannWeight(rng)
	}
	// log p(h) ∝ Σ_t softplus(w2_t·h) + Σ_i softplus(w1_·i·h), walked in
	// Gray-code order so that each state changes the sums by one row.
	b.logPrior = make([]float64, 1<<mid)
	av, at := make([]float64, vis), make([]float64, top)
	// Every sum is of mid weights of −4, 0 or 4, so a multiple 4k of 4
	// with |k| ≤ mid, exactly: its softplus comes from a table.
	sp := make([]float64, 2*mid+1)
	for k := range sp {
		sp[k] = softplus(float64(4 * (k - mid)))
	}
	softplusOf := func(a float64) float64 {
		if k := int(a * 0.25); float64(4*k) == a && -mid <= k && k <= mid {
			return sp[k+mid]
		}
		return softplus(a)
	}
	for s := range 1 << mid {
		h := s ^ (s >> 1)
		if s > 0 {
			j := bitsTrailing(s)
			sign := -1.0
			if h&(1<<j) != 0 {
				sign = 1
			}
			for i := range vis {
				av[i] += float64(sign * b.w1[j*vis+i])
			}
			for t := range top {
				at[t] += float64(sign * b.w2[t*mid+j])
			}
		}
		var lp float64
		for _, a := range av {
			lp += softplusOf(a)
		}
		for _, a := range at {
			lp += softplusOf(a)
		}
		b.logPrior[h] = lp
	}
	exact.LogNormalize(b.logPrior)
	b.cdf = make([]float64, len(b.logPrior))
	var c float64
	for h, lp := range b.logPrior {
		c += libm.Exp(lp)
		b.cdf[h] = c
	}
	return b
}

// bitsTrailing returns the index of the lowest set bit of s > 0.
func bitsTrailing(s int) int {
	j := 0
	for s&1 == 0 {
		s >>= 1
		j++
	}
	return j
}

func (b *layeredBM) sample(dst []uint8, rng *rand.Rand) {
	u := rng.Float64() * b.cdf[len(b.cdf)-1]
	h := min(sort.SearchFloat64s(b.cdf, u), len(b.cdf)-1)
	for i := range b.vis {
		a := 0.0
		for j := range b.mid {
			if h&(1<<j) != 0 {
				a += b.w1[j*b.vis+i]
			}
		}
		dst[i] = bit(rng.Float64() < sigmoid(a))
	}
}

// logProbs sums over the middle layer's states exactly: p(v) = Σ_h p(h)
// p(v | h), a two-layer belief net with a prior that is not factorial.
func (b *layeredBM) logProbs(xs [][]uint8) ([]float64, error) {
	if b.mid > 12 {
		return parallel(xs, b.logProbsOf)
	}
	return b.logProbsOf(xs)
}

func (b *layeredBM) logProbsOf(xs [][]uint8) ([]float64, error) {
	pats, of, probs := distinct(xs)
	m := helmholtz.New([]int{b.vis, b.mid})
	copy(m.W[0], b.w1)
	e, err := exact.NewEvaluator(m.Sizes, pats, probs)
	if err != nil {
		return nil, err
	}
	lp := e.LogProbsPrior(m, b.logPrior)
	out := make([]float64, len(xs))
	for i, k := range of {
		out[i] = lp[k]
	}
	return out, nil
}

func (b *layeredBM) params() []Param {
	return []Param{
		{Name: "mrf_W1", Shape: []int{b.mid, b.vis}, Values: slices.Clone(b.w1)},
		{Name: "mrf_W2", Shape: []int{b.top, b.mid}, Values: slices.Clone(b.w2)},
	}
}

// blocks is k independent two-layer Boltzmann machines hid ⇔ vis side by
// side: visible units [b·vis, (b+1)·vis) belong to block b.
type blocks struct {
	k, hid, vis int
	bms         []*layeredBM // each with no top layer
}

func newBlocks(rng *rand.Rand, k, hid, vis int) *blocks {
	b := &blocks{k: k, hid: hid, vis: vis}
	for range k {
		b.bms = append(b.bms, newLayeredBM(rng, 0, hid, vis))
	}
	return b
}

func (b *blocks) sample(dst []uint8, rng *rand.Rand) {
	for i, bm := range b.bms {
		bm.sample(dst[i*b.vis:(i+1)*b.vis], rng)
	}
}

// logProbs adds the blocks' log probabilities, each by enumeration.
func (b *blocks) logProbs(xs [][]uint8) ([]float64, error) {
	out := make([]float64, len(xs))
	part := make([][]uint8, len(xs))
	for i, bm := range b.bms {
		for n, x := range xs {
			part[n] = x[i*b.vis : (i+1)*b.vis]
		}
		lp, err := bm.logProbs(part)
		if err != nil {
			return nil, err
		}
		for n := range out {
			out[n] += lp[n]
		}
	}
	return out, nil
}

func (b *blocks) params() []Param {
	p := Param{Name: "mrf_W", Shape: []int{b.k * b.hid, b.vis}} // block after block
	for _, bm := range b.bms {
		p.Values = append(p.Values, bm.w1...)
	}
	return []Param{p}
}
