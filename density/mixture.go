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
// Each rate's counts are added example by example in order.
func mStep(train [][]uint8, r [][]float64, pi []float64, p [][]float64) {
	C := len(pi)
	nj := make([]float64, C)
	for j := range p {
		clear(p[j])
	}
	on := make([]int, 0, len(train[0]))
	for n, x := range train {
		on = on[:0]
		for k, v := range x {
			if v != 0 {
				on = append(on, k)
			}
		}
		for j, rj := range r[n] {
			nj[j] += rj
			pj := p[j]
			for _, k := range on {
				pj[k] += rj
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
	t := logRates(pi, p)
	for n, x := range train {
		t.joint(x, r[n])
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

// logTable holds a mixture's log proportions and the logs of its rates
// as joint reads them: rates[j][2k+b] is log P(unit k = b) in component j.
type logTable struct {
	pi    []float64
	rates [][]float64
}

// logRates returns the logs of the proportions and rates.
func logRates(pi []float64, p [][]float64) logTable {
	t := logTable{pi: make([]float64, len(pi)), rates: make([][]float64, len(p))}
	for j, row := range p {
		t.pi[j] = libm.Log(pi[j])
		t.rates[j] = make([]float64, 2*len(row))
		for k, q := range row {
			t.rates[j][2*k], t.rates[j][2*k+1] = libm.Log1p(-q), libm.Log(q)
		}
	}
	return t
}

// joint sets dst[j] = log π_j + log p(x | component j), the unit's terms
// added in order; four components' sums go side by side, and each term is
// looked up, not branched to.
func (t logTable) joint(x []uint8, dst []float64) {
	C, n := len(t.pi), 2*len(x)
	dst = dst[:C]
	j := 0
	for ; j+4 <= C; j += 4 {
		r0, r1, r2, r3 := t.rates[j][:n], t.rates[j+1][:n], t.rates[j+2][:n], t.rates[j+3][:n]
		s0, s1, s2, s3 := t.pi[j], t.pi[j+1], t.pi[j+2], t.pi[j+3]
		for k, v := range x {
			i := 2 * k
			if v != 0 {
				i++
			}
			s0 += r0[i]
			s1 += r1[i]
			s2 += r2[i]
			s3 += r3[i]
		}
		dst[j], dst[j+1], dst[j+2], dst[j+3] = s0, s1, s2, s3
	}
	for ; j < C; j++ {
		r, s := t.rates[j][:n], t.pi[j]
		for k, v := range x {
			i := 2 * k
			if v != 0 {
				i++
			}
			s += r[i]
		}
		dst[j] = s
	}
}

// mixtureCost returns the mean −log2 p(x) of examples.
func mixtureCost(pi []float64, p [][]float64, examples [][]uint8) float64 {
	lt := logRates(pi, p)
	t := make([]float64, len(pi))
	var s float64
	for _, x := range examples {
		lt.joint(x, t)
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
