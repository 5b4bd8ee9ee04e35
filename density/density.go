// Package density holds the estimators that the Helmholtz machine is
// compared with on held-out data, after Frey, Hinton & Dayan, "Does the
// wake-sleep algorithm produce good density estimators?" (NIPS 8, 1995):
// each a model of its own, in a file of its own, behind one small
// interface. Each is fitted on a training split, choosing when to stop
// (and, for the mixture, how many components) on the validation split,
// and costs examples in bits: −log2 p(v) where the model has a
// likelihood, the compressed size for gzip.
//
//	gzip      compressed size of a block appended to the training set
//	base      base rates: each unit on independently
//	mixture   a mixture of products of Bernoullis, fitted by EM
//	fvbn      the fully visible belief net, each unit a logistic function of the units before it
//
// Learners of the Helmholtz machine's own generative model (wake-sleep,
// reweighted wake-sleep) are the root package's, behind its Learner.
package density

import (
	"fmt"
	"math/rand/v2"
)

// An Estimator learns a distribution over binary vectors and scores
// examples.
type Estimator interface {
	// Fit learns from train, using valid to choose when to stop. It draws
	// only from rng.
	Fit(train, valid [][]uint8, rng *rand.Rand) error
	// Cost returns the mean cost of examples, bits per example.
	Cost(examples [][]uint8) float64
}

// Names are the estimators New makes, in the order of the 1995 paper's
// table.
var Names = []string{"gzip", "base", "mixture", "fvbn"}

// New returns the estimator called name, with its default settings.
func New(name string) (Estimator, error) {
	switch name {
	case "gzip":
		return &Gzip{}, nil
	case "base":
		return &BaseRates{}, nil
	case "mixture":
		return &Mixture{Components: []int{20, 40, 60, 100}}, nil
	case "fvbn":
		return &FVBN{Rate: 0.01}, nil
	}
	return nil, fmt.Errorf("unknown estimator %.64q (known: %v)", name, Names)
}

// stopper is the paper's stopping rule: validation every 5 epochs; stop
// when two successive validations fail to improve on the best so far by
// more than 0.2 %.
type stopper struct {
	best  float64 // lowest validation cost so far
	fails int
	seen  bool
}

// Every is the epochs between validations.
const Every = 5

// improved records a validation cost and reports whether it is the best
// so far; done reports whether to stop.
func (s *stopper) record(cost float64) (best, done bool) {
	switch {
	case !s.seen || cost < s.best*(1-0.002):
		s.best, s.fails, s.seen = cost, 0, true
		return true, false
	case cost < s.best:
		s.best = cost
		s.fails++
		return true, s.fails >= 2
	}
	s.fails++
	return false, s.fails >= 2
}

// maxEpochs bounds the training of any estimator.
const maxEpochs = 1000
