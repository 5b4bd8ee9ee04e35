package density

import (
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz/internal/libm"
)

// Mixture is a mixture of products of Bernoullis fitted by EM, with the
// base rates' smoothing: each component's rates take one extra on and one
// extra off count (the MAP estimate under a Beta(2, 2) prior), and the
// mixing proportions one extra count each. Fit runs EM for each number of
// components and keeps the one best on the validation split; each run
// stops by the paper's rule (an EM iteration is an epoch).
type Mixture struct {
	Components []int // the numbers of components tried

	Pi []float64   // mixing proportions of the model kept
	P  [][]float64 // P[j][k]: component j's probability that unit k is on
}

func (m *Mixture) Fit(train, valid [][]uint8, rng *rand.Rand) error {
	best := math.Inf(1)
	for _, C := range m.Components {
		pi, p := fitEM(train, valid, C, rng)
		if c := mixtureCost(pi, p, valid); c < best {
			best, m.Pi, m.P = c, pi, p
		}
	}
	return nil
}

func (m *Mixture) Cost(examples [][]uint8) float64 { return mixtureCost(m.Pi, m.P, examples) }

// fitEM runs EM for C components from random responsibilities and returns
// the parameters of its best validation.
func fitEM(train, valid [][]uint8, C int, rng *rand.Rand) ([]float64, [][]float64) {
	N, K := len(train), len(train[0])
	r := make([][]float64, N) // responsibilities
	for n := range r {
		r[n] = make([]float64, C)
		var s float64
		for j := range r[n] {
			r[n][j] = rng.Float64()
			s += r[n][j]
		}
		for j := range r[n] {
			r[n][j] /= s
		}
	}
	pi, p := make([]float64, C), make([][]float64, C)
	for j := range p {
		p[j] = make([]float64, K)
	}
	var keptPi []float64
	var keptP [][]float64
	var stop stopper
	for epoch := 1; epoch <= maxEpochs; epoch++ {
		mStep(train, r, pi, p)
		eStep(train, pi, p, r)
		if epoch%Every != 0 {
			continue
		}
		best, done := stop.record(mixtureCost(pi, p, valid))
		if best {
			keptPi, keptP = slices.Clone(pi), cloneRows(p)
		}
		if done {
			break
		}
	}
	return keptPi, keptP
}

// mStep sets the smoothed MAP proportions and rates from responsibilities.
func mStep(train [][]uint8, r [][]float64, pi []float64, p [][]float64) {
	C := len(pi)
	nj := make([]float64, C)
	for j := range p {
		clear(p[j])
	}
	for n, x := range train {
		for j, rj := range r[n] {
			nj[j] += rj
			for k, v := range x {
				if v != 0 {
					p[j][k] += rj
				}
			}
		}
	}
	for j := range p {
		pi[j] = (nj[j] + 1) / (float64(len(train)) + float64(C))
		for k := range p[j] {
			p[j][k] = (p[j][k] + 1) / (nj[j] + 2)
		}
	}
}

// eStep sets the responsibilities of the components for each example.
func eStep(train [][]uint8, pi []float64, p [][]float64, r [][]float64) {
	lon, loff := logRates(p)
	for n, x := range train {
		logJoint(x, pi, lon, loff, r[n])
		mx := slices.Max(r[n])
		var s float64
		for j := range r[n] {
			r[n][j] = libm.Exp(r[n][j] - mx)
			s += r[n][j]
		}
		for j := range r[n] {
			r[n][j] /= s
		}
	}
}

// logRates returns log p and log(1 − p) of every rate.
func logRates(p [][]float64) (on, off [][]float64) {
	on, off = make([][]float64, len(p)), make([][]float64, len(p))
	for j, row := range p {
		on[j], off[j] = make([]float64, len(row)), make([]float64, len(row))
		for k, q := range row {
			on[j][k], off[j][k] = libm.Log(q), libm.Log1p(-q)
		}
	}
	return on, off
}

// logJoint sets dst[j] = log π_j + log p(x | component j).
func logJoint(x []uint8, pi []float64, on, off [][]float64, dst []float64) {
	for j := range pi {
		s := libm.Log(pi[j])
		for k, v := range x {
			if v != 0 {
				s += on[j][k]
			} else {
				s += off[j][k]
			}
		}
		dst[j] = s
	}
}

// mixtureCost returns the mean −log2 p(x) of examples.
func mixtureCost(pi []float64, p [][]float64, examples [][]uint8) float64 {
	on, off := logRates(p)
	t := make([]float64, len(pi))
	var s float64
	for _, x := range examples {
		logJoint(x, pi, on, off, t)
		s -= logSumExp(t)
	}
	return s / float64(len(examples)) / math.Ln2
}

// logSumExp returns log Σ e^x (−Inf if every x is).
func logSumExp(v []float64) float64 {
	mx := slices.Max(v)
	if math.IsInf(mx, -1) {
		return mx
	}
	var s float64
	for _, x := range v {
		s += libm.Exp(x - mx)
	}
	return mx + libm.Log(s)
}

func cloneRows(p [][]float64) [][]float64 {
	out := make([][]float64, len(p))
	for j := range p {
		out[j] = slices.Clone(p[j])
	}
	return out
}
