package density

import (
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/internal/libm"
)

// Softmax is a Helmholtz machine whose one hidden layer is a single
// one-of-C (softmax) unit, trained by wake-sleep: the remedy Frey, Hinton
// & Dayan (1995) proposed for the HM's trailing the mixture on
// Mixture 20-100. Its generative model is a mixture of C products of
// Bernoullis,
//
//	p(c) = softmax(A)_c,  p(v | c) = Π_i σ(±(B_i + W_ci)),
//
// and its recognition model q(c | v) = softmax(D + Σ_i v_i R_i·). The wake
// phase draws c from q(c | v) and moves A, B and W by the delta rule; the
// sleep phase draws (c, v) from the generative model and moves D and R by
// the delta rule. The protocol is HM's (rate, stopping rule, patience),
// for each number of components in Components, the best on the
// validation split kept.
//
// A one-of-C unit is not a layer of helmholtz.Machine, whose units are all
// binary; with C components there are only C hidden states, so the coding
// cost (the free energy Σ_c q(c|v) log(q(c|v)/p(v,c))) and −log2 p(v)
// are both exact sums.
type Softmax struct {
	Components []int
	Rate       float64
	Patience   int

	C          int       // components of the model kept
	A, D       []float64 // generative and recognition biases of the components
	B          []float64 // visible biases
	W, R       []float64 // W[c*n+i], R[i*C+c]
	Epochs     int
	n          int
	logp, logq []float64 // scratch
	pv         []float64
	on         []int32
	// log σ(B_i + W_ci) and log σ(−(B_i + W_ci)), at [c*n+i], and the log
	// normaliser of A, for the parameters as tables last found them.
	lon, loff []float64
	la        float64
}

// NewSoftmax returns the estimator with the protocol of HM and the
// mixture's numbers of components.
func NewSoftmax() *Softmax {
	return &Softmax{Components: []int{20, 40, 60, 100}, Rate: 0.01, Patience: HMPatience}
}

func (s *Softmax) Fit(train, valid [][]uint8, rng *rand.Rand) error {
	best := math.Inf(1)
	for _, c := range s.Components {
		m := s.fit(c, train, valid, rng)
		if cost := m.Cost(valid); cost < best {
			best = cost
			*s = *m
		}
	}
	return nil
}

// fit trains a model of c components.
func (s *Softmax) fit(c int, train, valid [][]uint8, rng *rand.Rand) *Softmax {
	n := len(train[0])
	m := &Softmax{Components: s.Components, Rate: s.Rate, Patience: s.Patience, C: c, n: n,
		A: make([]float64, c), D: make([]float64, c), B: make([]float64, n),
		W: make([]float64, c*n), R: make([]float64, n*c)}
	for i := range m.W {
		m.W[i] = 0.1 * libm.NormFloat64(rng)
	}
	for i := range m.R {
		m.R[i] = 0.1 * libm.NormFloat64(rng)
	}
	probs := slices.Repeat([]float64{1 / float64(len(train))}, len(train))
	for i, p := range dataset.Marginal(train, probs) {
		p = min(max(p, 1e-6), 1-1e-6)
		m.B[i] = libm.Log(p / (1 - p))
	}
	kept := m.clone()
	stop := stopper{patience: m.Patience}
	v := make([]uint8, n)
	for epoch := 1; epoch <= maxEpochs; epoch++ {
		for range train {
			m.wake(train[rng.IntN(len(train))], rng)
			m.sleep(v, rng)
		}
		if epoch%Every != 0 {
			continue
		}
		cost := m.Cost(valid)
		if math.IsNaN(cost) || math.IsInf(cost, 0) {
			break
		}
		best, done := stop.record(cost)
		if best {
			kept = m.clone()
			kept.Epochs = epoch
		}
		if done {
			break
		}
	}
	return kept
}

func (s *Softmax) clone() *Softmax {
	c := *s
	c.A, c.D, c.B, c.W, c.R = slices.Clone(s.A), slices.Clone(s.D), slices.Clone(s.B), slices.Clone(s.W), slices.Clone(s.R)
	c.logp, c.logq, c.pv, c.on, c.lon, c.loff = nil, nil, nil, nil, nil, nil
	return &c
}

// wake draws a component from q(c | v) and moves the generative model
// towards (c, v).
func (s *Softmax) wake(v []uint8, rng *rand.Rand) {
	q := s.recognize(v)
	c := draw(q, rng.Float64())
	eps := s.Rate
	pi := s.prior()
	for k := range s.A {
		s.A[k] += float64(eps * (indicator(k == c) - pi[k])) // unfused: the same bits on every build
	}
	w, p := s.W[c*s.n:(c+1)*s.n], s.visible(c)
	for i, x := range v {
		d := float64(eps * (float64(x) - p[i]))
		s.B[i] += d
		w[i] += d
	}
}

// sleep draws (c, v) from the generative model into v and moves the
// recognition model towards it.
func (s *Softmax) sleep(v []uint8, rng *rand.Rand) {
	c := draw(s.prior(), rng.Float64())
	p := s.visible(c)
	for i := range v {
		v[i] = 0
		if rng.Float64() < p[i] {
			v[i] = 1
		}
	}
	q := s.recognize(v)
	eps := s.Rate
	for k := range q { // q becomes the moves
		q[k] = float64(eps * (indicator(k == c) - q[k]))
	}
	helmholtz.AddRows(s.D, s.R, q, s.on)
}

// visible returns p(v_i = 1 | c) = σ(B_i + W_ci) for each i, in scratch.
func (s *Softmax) visible(c int) []float64 {
	w := s.W[c*s.n : (c+1)*s.n]
	p := slices.Grow(s.pv[:0], len(w))[:len(w)]
	for i, b := range s.B[:len(w)] {
		p[i] = b + w[i]
	}
	helmholtz.Sigmoids(p, p)
	s.pv = p
	return p
}

// prior returns softmax(A) in scratch.
func (s *Softmax) prior() []float64 {
	s.logp = softmaxInto(s.logp, s.A)
	return s.logp
}

// recognize returns q(· | v) in scratch, and leaves v's units on in s.on.
func (s *Softmax) recognize(v []uint8) []float64 {
	s.on = s.on[:0]
	for i, x := range v {
		if x != 0 {
			s.on = append(s.on, int32(i))
		}
	}
	q := slices.Grow(s.logq[:0], s.C)[:s.C]
	helmholtz.SumRows(q, s.D, s.R, s.on)
	s.logq = q
	s.logq = softmaxInto(s.logq, s.logq)
	return s.logq
}

// tables computes, for the parameters as they are, each component's
// log σ(±(B_i + W_ci)) and A's log normaliser, which logJoint reads: an
// evaluation computes them once, not once an example.
func (s *Softmax) tables() {
	s.lon, s.loff = slices.Grow(s.lon[:0], len(s.W))[:len(s.W)], slices.Grow(s.loff[:0], len(s.W))[:len(s.W)]
	for c := range s.C {
		for i, b := range s.B {
			a := b + s.W[c*s.n+i]
			s.lon[c*s.n+i], s.loff[c*s.n+i] = helmholtz.LogSigmoid(a), helmholtz.LogSigmoid(-a)
		}
	}
	s.la = logSumExp(s.A)
}

// logJoint returns log p(v, c) for every c into dst, from the tables.
func (s *Softmax) logJoint(v []uint8, dst []float64) {
	for c := range s.C {
		on, off := s.lon[c*s.n:(c+1)*s.n], s.loff[c*s.n:(c+1)*s.n]
		on, off = on[:len(v)], off[:len(v)]
		lp := s.A[c] - s.la
		for i, x := range v {
			t := off[i]
			if x != 0 {
				t = on[i]
			}
			lp += t
		}
		dst[c] = lp
	}
}

// Cost returns the mean coding cost of examples, bits: the free energy
// Σ_c q(c|v) log(q(c|v)/p(v,c)), an upper bound on −log2 p(v), summed
// exactly.
func (s *Softmax) Cost(xs [][]uint8) float64 {
	lj := make([]float64, s.C)
	var sum float64
	s.tables()
	for _, v := range xs {
		s.logJoint(v, lj)
		q := s.recognize(v)
		for c, p := range q {
			if p > 0 {
				sum += float64(p * (libm.Log(p) - lj[c]))
			}
		}
	}
	return sum / float64(len(xs)) / math.Ln2
}

// NLL returns the mean −log2 p(v) of examples, summed exactly over the
// components.
func (s *Softmax) NLL(xs [][]uint8) float64 {
	lj := make([]float64, s.C)
	var sum float64
	s.tables()
	for _, v := range xs {
		s.logJoint(v, lj)
		sum -= logSumExp(lj)
	}
	return sum / float64(len(xs)) / math.Ln2
}

// softmaxInto writes softmax(x) into dst (which may be x), reusing dst's
// storage.
func softmaxInto(dst, x []float64) []float64 {
	mx := slices.Max(x)
	dst = append(dst[:0], x...)
	for k, a := range dst {
		dst[k] = a - mx
	}
	helmholtz.Exps(dst, dst)
	var z float64
	for _, e := range dst {
		z += e
	}
	for k := range dst {
		dst[k] /= z
	}
	return dst
}

// draw returns the index at which the cumulative sum of p passes u.
func draw(p []float64, u float64) int {
	for k, x := range p {
		u -= x
		if u < 0 {
			return k
		}
	}
	return len(p) - 1
}

func indicator(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
