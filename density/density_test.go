package density

import (
	"bytes"
	"compress/gzip"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz"
)

// sample draws n examples of D units from a mixture of two prototypes with
// 10 % noise: data with structure that base rates miss.
func sample(rng *rand.Rand, n, D int) [][]uint8 {
	out := make([][]uint8, n)
	for i := range out {
		out[i] = make([]uint8, D)
		proto := rng.IntN(2)
		for k := range D {
			v := uint8((k + proto) % 2)
			if rng.Float64() < 0.1 {
				v ^= 1
			}
			out[i][k] = v
		}
	}
	return out
}

// all returns every binary vector of n units.
func all(n int) [][]uint8 {
	out := make([][]uint8, 1<<n)
	for x := range out {
		out[x] = make([]uint8, n)
		for i := range n {
			out[x][i] = uint8(x >> i & 1)
		}
	}
	return out
}

// TestLikelihoodsNormalised: base rates, the mixture and the FVBN are
// distributions: their probabilities of all 2^10 vectors sum to one
// (FVBN's likelihood against enumeration on 10 units).
func TestLikelihoodsNormalised(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	train, valid := sample(rng, 400, 10), sample(rng, 200, 10)
	xs := all(10)
	for _, name := range []string{"base", "mixture", "fvbn"} {
		e, _ := New(name)
		if m, ok := e.(*Mixture); ok {
			m.Components = []int{2, 3}
		}
		if err := e.Fit(train, valid, rng); err != nil {
			t.Fatal(err)
		}
		var total float64
		for _, x := range xs {
			total += math.Exp2(-e.Cost([][]uint8{x}))
		}
		if math.Abs(total-1) > 1e-9 {
			t.Errorf("%s: probabilities of all 2^10 vectors sum to %v", name, total)
		}
		if base, c := (&BaseRates{}), e.Cost(valid); name != "base" {
			base.Fit(train, nil, nil)
			if !(c < base.Cost(valid)-1) {
				t.Errorf("%s costs %.3f bits on two noisy prototypes, base rates %.3f: want at least a bit better", name, c, base.Cost(valid))
			}
		}
	}
}

// TestEMNeverWorse: every EM iteration raises (or keeps) the smoothed
// objective it maximises, the training log likelihood plus the log of its
// Beta(2, 2) and Dirichlet(2) priors.
func TestEMNeverWorse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	train := sample(rng, 300, 12)
	C := 4
	r := make([][]float64, len(train))
	for n := range r {
		r[n] = make([]float64, C)
		r[n][rng.IntN(C)] = 1
	}
	pi, p := make([]float64, C), make([][]float64, C)
	for j := range p {
		p[j] = make([]float64, 12)
	}
	objective := func() float64 {
		s := -mixtureCost(pi, p, train) * math.Ln2 * float64(len(train))
		for j := range p {
			s += math.Log(pi[j])
			for _, q := range p[j] {
				s += math.Log(q) + math.Log1p(-q)
			}
		}
		return s
	}
	prev := math.Inf(-1)
	for it := range 30 {
		mStep(train, r, pi, p)
		o := objective()
		if o < prev-1e-9 {
			t.Fatalf("iteration %d lowers the objective: %.9f after %.9f", it, o, prev)
		}
		prev = o
		eStep(train, pi, p, r)
	}
}

// TestGzip: the cost of a block is what it adds to the compressed
// training set, on known bytes (units packed eight a byte, high bit
// first).
func TestGzip(t *testing.T) {
	train := [][]uint8{{0, 1, 1, 0, 0, 0, 0, 0, 1}, {1, 0, 0, 0, 0, 0, 0, 1, 0}}
	g := &Gzip{}
	g.Fit(train, nil, nil)
	block := [][]uint8{{1, 1, 1, 1, 1, 1, 1, 1, 1}}
	size := func(b []byte) int {
		var out bytes.Buffer
		z := gzip.NewWriter(&out)
		z.Write(b)
		z.Close()
		return out.Len()
	}
	packed := []byte{0x60, 0x80, 0x81, 0x00}
	if !bytes.Equal(g.train, packed) {
		t.Errorf("the training bytes are %x, want %x", g.train, packed)
	}
	want := 8 * float64(size(append(packed, 0xff, 0x80))-size(packed))
	if got := g.Cost(block); got != want {
		t.Errorf("gzip cost %v bits, want %v", got, want)
	}
}

// TestBaseRates: one extra on and off count per unit.
func TestBaseRates(t *testing.T) {
	b := &BaseRates{}
	b.Fit([][]uint8{{1, 0}, {1, 0}, {1, 1}}, nil, nil)
	if b.P[0] != 4.0/5 || b.P[1] != 2.0/5 {
		t.Errorf("rates %v, want [0.8 0.4]", b.P)
	}
	if c, want := b.Cost([][]uint8{{1, 1}}), -math.Log2(0.8*0.4); math.Abs(c-want) > 1e-12 {
		t.Errorf("cost %v, want %v", c, want)
	}
}

// TestStopper: the paper's rule stops after two validations without an
// improvement of more than 0.2 % on the last one that made one; the best
// is kept all the same; slow progress adds up.
func TestStopper(t *testing.T) {
	var s stopper
	for i, c := range []struct {
		cost       float64
		best, done bool
	}{{100, true, false}, {90, true, false}, {89.9, true, false}, {89.95, false, true}} {
		best, done := s.record(c.cost)
		if best != c.best || done != c.done {
			t.Errorf("validation %d (cost %v): best %v done %v, want %v %v", i, c.cost, best, done, c.best, c.done)
		}
	}
	s = stopper{patience: 3}
	for i, cost := range []float64{100, 99.9, 99.85, 99.7, 99.6, 99.55} { // 0.3 % after three
		if _, done := s.record(cost); done {
			t.Errorf("validation %d (cost %v): stopped, though 0.3 %% was made over three", i, cost)
		}
	}
}

// TestHMLearns: the Helmholtz machine, by wake-sleep and by reweighted
// wake-sleep, learns two noisy prototypes better than base rates, its
// coding cost bounds its exact −log2 p(v) from above (up to the one-sample
// estimate's noise), and the same seed gives the same machine.
func TestHMLearns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	train, valid := sample(rng, 300, 10), sample(rng, 200, 10)
	base := &BaseRates{}
	base.Fit(train, nil, nil)
	for _, samples := range []int{0, 5} {
		fit := func() *HM {
			h := &HM{Archs: [][]int{{4}}, Rate: 0.05, Patience: 3, Samples: samples}
			h.Fit(train, valid, rand.New(rand.NewPCG(1, 2)))
			return h
		}
		h := fit()
		nll, se, exact := h.NLL(valid, 10, nil)
		if !exact || se != 0 {
			t.Fatalf("samples %d: a 10-4 net is not enumerated", samples)
		}
		if code := h.Cost(valid); !(nll < base.Cost(valid)-1) || code < nll-0.2 {
			t.Errorf("samples %d: −log2 p %.3f, coding cost %.3f, base rates %.3f", samples, nll, code, base.Cost(valid))
		}
		if !fit().M.Equal(h.M) {
			t.Errorf("samples %d: two fits of one seed differ", samples)
		}
	}
}

// TestSoftmax: the one-of-C Helmholtz machine's p(v) is a distribution
// (its probabilities of all 2^10 vectors sum to one), its coding cost
// bounds −log2 p(v) from above on every vector, and it learns two noisy
// prototypes far better than base rates.
func TestSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	train, valid := sample(rng, 400, 10), sample(rng, 200, 10)
	s := NewSoftmax()
	s.Components = []int{2, 4}
	if err := s.Fit(train, valid, rng); err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, x := range all(10) {
		xs := [][]uint8{x}
		nll := s.NLL(xs)
		total += math.Exp2(-nll)
		if c := s.Cost(xs); !(c >= nll-1e-9) {
			t.Errorf("%v: coding cost %.6f below −log2 p(v) = %.6f", x, c, nll)
		}
	}
	if math.Abs(total-1) > 1e-9 {
		t.Errorf("probabilities of all 2^10 vectors sum to %v", total)
	}
	base := &BaseRates{}
	base.Fit(train, nil, nil)
	if c, b := s.NLL(valid), base.Cost(valid); !(c < b-2) {
		t.Errorf("-log2 p(v) on two noisy prototypes: %.3f bits, base rates %.3f", c, b)
	}
}

// TestLatentLearners: the Gibbs machine and mean field, fitted under the
// density protocol, beat base rates on two noisy prototypes by their
// bounds, and the importance-sampled −log2 p(v) lies below the bound.
func TestLatentLearners(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	train, valid := sample(rng, 300, 12), sample(rng, 200, 12)
	base := &BaseRates{}
	base.Fit(train, nil, nil)
	for name, learner := range map[string]*Latent{"gm": NewGibbs(), "mf": NewMeanField()} {
		e := &Latent{Archs: [][]int{{2}, {3, 2}}, Rate: 0.05, NewLearner: learner.NewLearner}
		if err := e.Fit(train, valid, rng); err != nil {
			t.Fatal(err)
		}
		c, b := e.Cost(valid), base.Cost(valid)
		if !(c < b-2) {
			t.Errorf("%s: bound %.3f bits on two noisy prototypes, base rates %.3f", name, c, b)
		}
		nll, se := e.NLL(valid, 200, rand.New(rand.NewPCG(1, 1)))
		if !(nll <= c+3*se) {
			t.Errorf("%s: −log2 p(v) %.3f ± %.3f above its bound %.3f", name, nll, se, c)
		}
	}
}

// TestTrace: Trace hands over the machine after every Every-th epoch, the
// same machine a loop of the learner's steps from Fit's start reaches,
// and its net learns (−log2 p(v), exact on 12 units, falls below base
// rates' cost and stays below its mean-field bound).
func TestTrace(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	train, valid := sample(rng, 300, 12), sample(rng, 200, 12)
	base := &BaseRates{}
	base.Fit(train, nil, nil)
	e := &Latent{Rate: 0.05, NewLearner: NewGibbs().NewLearner}
	var epochs []int
	var last *helmholtz.Machine
	e.Trace([]int{3}, train, 12, rand.New(rand.NewPCG(1, 2)), func(epoch int, m *helmholtz.Machine) {
		epochs = append(epochs, epoch)
		last = m.Clone()
		nll, ok := ExactNLL(m, valid)
		if bound := MeanFieldBound(m, valid); !ok || nll > bound+1e-9 {
			t.Errorf("epoch %d: −log2 p(v) %v (exact: %v) above its bound %v", epoch, nll, ok, bound)
		}
	})
	if !slices.Equal(epochs, []int{5, 10}) {
		t.Fatalf("traced at epochs %v, want [5 10]", epochs)
	}
	r := rand.New(rand.NewPCG(1, 2))
	m := newMachine([]int{3}, train, r)
	l := e.NewLearner(m, e.Rate)
	for range 10 * len(train) {
		l.Step(examples(train), r)
	}
	if !slices.Equal(m.W[0], last.W[0]) || !slices.Equal(m.B[0], last.B[0]) {
		t.Error("the machine traced at epoch 10 is not the one ten epochs of steps from Fit's start reach")
	}
	if nll, _ := ExactNLL(last, valid); !(nll < base.Cost(valid)-2) {
		t.Errorf("−log2 p(v) %.3f bits after 10 epochs, base rates %.3f", nll, base.Cost(valid))
	}
}

// TestStreams: every estimator New makes draws from a stream of its own.
func TestStreams(t *testing.T) {
	seen := map[uint64]string{}
	for _, name := range append(slices.Clone(Names), "hm-rws", "hm-softmax") {
		if _, err := New(name); err != nil {
			t.Fatal(err)
		}
		s := Stream(name)
		if other, ok := seen[s]; ok {
			t.Errorf("%s and %s share stream %d", name, other, s)
		}
		seen[s] = name
	}
}
