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
//	gm        the Gibbs machine: the same generative net, trained on annealed Gibbs samples
//	mf        the same generative net, trained by on-line mean-field learning, costed by its bound
//	hm        the Helmholtz machine trained by wake-sleep, costed by its coding cost
//	fvbn      the fully visible belief net, each unit a logistic function of the units before it
//
// The learners of the Helmholtz machine's own generative model are the
// root package's, behind its Learner; HM runs one under this protocol.
package density

import (
	"fmt"
	"math/rand/v2"

	"helmholtz"
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
var Names = []string{"gzip", "base", "mixture", "gm", "mf", "hm", "fvbn"}

// hmArchs are the hidden layers, lowest first, of the four nets the
// paper tried for each latent-variable model.
var hmArchs = [][]int{{20}, {50}, {20, 10}, {50, 20}}

// New returns the estimator called name, with its default settings; also
// hm-rws, the Helmholtz machine trained by reweighted wake-sleep with 5
// samples, and hm-softmax, a Helmholtz machine with a one-of-C hidden
// unit (Softmax), under the same protocol.
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
	case "gm":
		return NewGibbs(), nil
	case "mf":
		return NewMeanField(), nil
	case "hm":
		return &HM{Archs: hmArchs, Rate: 0.01, Patience: HMPatience}, nil
	case "hm-softmax":
		return NewSoftmax(), nil
	case "hm-rws":
		return &HM{Archs: hmArchs, Rate: 0.01, Patience: HMPatience, Samples: 5}, nil
	}
	return nil, fmt.Errorf("unknown estimator %.64q (known: %v)", name, Names)
}

// A Net is an estimator that keeps a Helmholtz machine's nets: the
// Helmholtz machine (HM) and the generative nets of the Gibbs machine and
// mean field (Latent), once fitted.
type Net interface {
	Net() *helmholtz.Machine
}

// Stream returns the number of the random stream of the estimator called
// name (New's names): fitted from rand.NewPCG(seed, Stream(name)), each
// gives the same fit alone or beside others, in the density command and
// in the density study, and adding an estimator changes no other's.
func Stream(name string) uint64 { return streams[name] }

var streams = map[string]uint64{"gzip": 0, "base": 1, "mixture": 2, "hm": 3, "fvbn": 4, "gm": 5, "mf": 6,
	"hm-rws": 0x727773, "hm-softmax": 0x736d78} // "rws", "smx"

// stopper is the paper's stopping rule: validation every 5 epochs; stop
// when patience successive validations (the paper: 2) fail to improve on
// the last one that did by more than a fraction tol of it (the paper:
// 0.2 %; 0 means these). The best validation is kept whether or not it
// improved by that much.
type stopper struct {
	tol      float64
	patience int
	ref      float64 // the last validation that improved by more than tol
	best     float64 // the lowest validation so far
	fails    int
	seen     bool
}

// Every is the epochs between validations.
const Every = 5

// The paper's stopping rule.
const (
	PaperTolerance = 0.002
	PaperPatience  = 2
)

// record records a validation cost and reports whether it is the best so
// far, and whether to stop.
func (s *stopper) record(cost float64) (best, done bool) {
	tol, patience := s.tol, s.patience
	if tol == 0 {
		tol = PaperTolerance
	}
	if patience == 0 {
		patience = PaperPatience
	}
	best = !s.seen || cost < s.best
	if best {
		s.best = cost
	}
	if !s.seen || cost < s.ref*(1-tol) {
		s.ref, s.fails, s.seen = cost, 0, true
	} else {
		s.fails++
	}
	return best, s.fails >= patience
}

// maxEpochs bounds the training of any estimator.
const maxEpochs = 1000
