package density

import (
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/estimate"
	"helmholtz/exact"
)

// HM is the Helmholtz machine trained by wake-sleep (helmholtz.WakeSleep)
// under the protocol of the other estimators: online steps on training
// examples drawn uniformly (an epoch is as many steps as the training
// split has examples), rate Rate in both phases, from weights N(0, 0.1²)
// and visible biases at the training marginals; the coding cost on the
// validation split every 5 epochs, the paper's stopping rule but with
// Patience validations, the best validation kept. Fit trains one machine of
// each hidden architecture in Archs and keeps the one best on the
// validation split.
//
// Its Cost is the paper's: the coding cost (the free energy, an upper
// bound on −log2 p(v)), estimated with one state drawn from the
// recognition net per example, from a stream of its own. NLL is −log2 p(v)
// itself: exact where enumeration fits, else importance sampling.
type HM struct {
	Archs    [][]int // hidden layer sizes, lowest first, of each machine tried
	Rate     float64 // learning rate of both phases
	Patience int     // validations without an improvement of 0.2 % before it stops (0: the paper's 2)
	// Samples > 0 trains by reweighted wake-sleep (Bornschein & Bengio
	// 2015) with that many samples from q per example, instead of
	// wake-sleep.
	Samples int

	M      *helmholtz.Machine // the machine kept
	Epochs int                // the epochs it trained
}

// HMPatience is the patience New gives HM. With the paper's two
// validations, wake-sleep at rate 0.01 stops at the first bump of its
// validation cost, tens of epochs in and bits short of where it gets in
// hundreds (on a Mixture 20-100 data set, 100-20-50: 51.7 bits at epoch
// 55, against 43.0 at epoch 800); ten validations (fifty epochs) without
// 0.2 % of progress let it train on.
const HMPatience = 10

// Net returns the machine kept.
func (h *HM) Net() *helmholtz.Machine { return h.M }

func (h *HM) Fit(train, valid [][]uint8, rng *rand.Rand) error {
	best := math.Inf(1)
	for _, hidden := range h.Archs {
		m, epochs := h.fit(hidden, train, valid, rng, nil)
		if c := (&HM{M: m}).Cost(valid); c < best {
			best, h.M, h.Epochs = c, m, epochs
		}
	}
	return nil
}

// fit trains a machine of the given hidden layers and returns its best
// validation and the epochs it took to reach it; trace, if not nil, sees
// every validation.
func (h *HM) fit(hidden []int, train, valid [][]uint8, rng *rand.Rand, trace func(int, float64)) (*helmholtz.Machine, int) {
	learner := func(m *helmholtz.Machine) helmholtz.Learner {
		if h.Samples > 0 {
			return helmholtz.NewReweighted(m, h.Rate, h.Rate, h.Samples)
		}
		return helmholtz.NewWakeSleep(m, h.Rate, h.Rate, 1)
	}
	cost := func(m *helmholtz.Machine, xs [][]uint8) float64 { return (&HM{M: m}).Cost(xs) }
	return fitMachine(hidden, train, valid, rng, learner, cost, h.Patience, trace)
}

// fitMachine trains a machine of the given hidden layers above the
// training split's units with the learner newLearner makes: online steps
// on training examples drawn uniformly (an epoch is as many steps as the
// training split has examples), from weights N(0, 0.1²) and visible biases
// at the training marginals; cost on the validation split every Every
// epochs, the paper's stopping rule with the given patience. It returns
// the machine of the best validation and its epoch; trace, if not nil,
// sees every validation.
func fitMachine(hidden []int, train, valid [][]uint8, rng *rand.Rand,
	newLearner func(*helmholtz.Machine) helmholtz.Learner,
	cost func(*helmholtz.Machine, [][]uint8) float64,
	patience int, trace func(int, float64)) (*helmholtz.Machine, int) {
	m := newMachine(hidden, train, rng)
	learner := newLearner(m)
	data := examples(train)
	kept, keptEpoch := m.Clone(), 0
	stop := stopper{patience: patience}
	for epoch := 1; epoch <= maxEpochs; epoch++ {
		for range train {
			learner.Step(data, rng)
		}
		if epoch%Every != 0 {
			continue
		}
		if !m.Finite() {
			break
		}
		c := cost(m, valid)
		if trace != nil {
			trace(epoch, c)
		}
		best, done := stop.record(c)
		if best {
			kept.CopyFrom(m)
			keptEpoch = epoch
		}
		if done {
			break
		}
	}
	return kept, keptEpoch
}

// newMachine returns a machine of the given hidden layers above the
// training split's units, weights N(0, 0.1²) drawn from rng and visible
// biases at the training marginals.
func newMachine(hidden []int, train [][]uint8, rng *rand.Rand) *helmholtz.Machine {
	m := helmholtz.New(append([]int{len(train[0])}, hidden...))
	m.Init(rng, 0.1)
	probs := slices.Repeat([]float64{1 / float64(len(train))}, len(train))
	m.SetVisibleBias(dataset.Marginal(train, probs))
	return m
}

// examples draws a training example uniformly.
type examples [][]uint8

func (e examples) Sample(dst []uint8, rng *rand.Rand) { copy(dst, e[rng.IntN(len(e))]) }

// Cost returns the mean coding cost of examples in bits, one recognition
// sample each, drawn from a fixed stream: the same machine and examples
// give the same cost.
func (h *HM) Cost(xs [][]uint8) float64 {
	s, err := estimate.NewSampler(h.M.Sizes, 1)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(0x636f7374, uint64(len(xs))))
	var sum float64
	for _, x := range xs {
		sum -= s.ELBO(h.M, x, rng)
	}
	return sum / float64(len(xs)) / math.Ln2
}

// maxExactWork bounds an exact likelihood's enumeration, operations.
const maxExactWork = 1 << 36

// NLL returns the mean −log2 p(v) of examples and its standard error: by
// enumeration (error 0) where it fits maxExactWork, else by importance
// sampling from the recognition net with K samples per example, drawn
// from rng.
func (h *HM) NLL(xs [][]uint8, K int, rng *rand.Rand) (bits, se float64, isExact bool) {
	if b, ok := h.ExactNLL(xs); ok {
		return b, 0, true
	}
	bits, se = h.ISNLL(xs, K, rng)
	return bits, se, false
}

// ExactNLL returns the mean −log2 p(v) of examples by enumeration, and
// whether enumeration fits maxExactWork.
func (h *HM) ExactNLL(xs [][]uint8) (float64, bool) { return ExactNLL(h.M, xs) }

// ExactNLL returns the mean −log2 p(v) of examples under m's generative
// net by enumeration, and whether enumeration fits maxExactWork.
func ExactNLL(m *helmholtz.Machine, xs [][]uint8) (float64, bool) {
	pats, probs := dataset.Distribution(xs)
	if exact.Check(m.Sizes) != nil {
		return 0, false
	}
	if _, ops := exact.Cost(m.Sizes, len(pats)); ops > maxExactWork {
		return 0, false
	}
	e, err := exact.NewEvaluator(m.Sizes, pats, probs)
	if err != nil {
		return 0, false
	}
	return e.Eval(m).NLL, true
}

// ISNLL returns the importance-sampled mean −log2 p(v) of examples, K
// samples from the recognition net per example drawn from rng, and its
// standard error over the examples.
func (h *HM) ISNLL(xs [][]uint8, K int, rng *rand.Rand) (bits, se float64) {
	s, err := estimate.NewSampler(h.M.Sizes, K)
	if err != nil {
		panic(err)
	}
	return meanSE(xs, func(x []uint8) float64 {
		lp, _ := s.LogProb(h.M, x, rng)
		return -lp / math.Ln2
	})
}
