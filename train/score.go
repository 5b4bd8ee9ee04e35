package train

import (
	"context"
	"fmt"
	"math/rand/v2"

	"helmholtz"
	"helmholtz/estimate"
	"helmholtz/exact"
	"helmholtz/rbm"
)

// Every likelihood a run computes (its evaluations, the divergence
// check, the choice among restart candidates) is a cross-entropy of the
// machine on weighted patterns: exact where the net can be enumerated
// (exact.Check), else estimated by importance sampling with EstimateK
// samples from the recognition net per pattern (package estimate), or
// with Estimate set, by importance sampling always. The estimate draws
// from a stream of its own, seeded by the run's seed, the purpose and the
// step, so evaluating never touches the training stream and gives the
// same number whenever it is made.

// EstimateK is the number of samples per pattern of the importance
// sampling estimate when Config.Estimate does not give one.
const EstimateK = 100

// maxEstimated bounds the patterns an estimate averages over: a support
// with more is replaced by a draw of that many patterns from the data.
// For a large net fewer (estimated), so that one estimate costs about
// estimateOps operations, but never fewer than minEstimated.
const (
	maxEstimated = 4096
	minEstimated = 256
	estimateOps  = 1 << 34
)

// estimated returns the number of patterns an estimate of c with k
// samples per pattern averages over where the data offer more:
// maxEstimated for nets of up to about 10,000 parameters at k = 100 (all
// the bars and shifter nets), down to minEstimated for an MNIST net.
func (c Config) estimated(k int) int {
	n := estimateOps / (float64(k) * 4 * float64(Params(c.Layers)))
	return int(min(max(n, minEstimated), maxEstimated))
}

// scorer is the cross-entropy of machines of one config on weighted
// patterns.
type scorer struct {
	rbm     bool              // an RBM's exact likelihood (rbm.RBM.KL), or
	ev      *exact.Evaluator  // exact, or nil
	sampler *estimate.Sampler // else this
	pats    [][]uint8
	probs   []float64
	seed    uint64
	stream  uint64 // the estimate's stream, xored with the step
	sizes   []int
}

// exactly reports whether a run of c computes its likelihoods exactly.
func (c Config) exactly() bool {
	return c.Algo == "rbm" || c.Estimate == 0 && exact.Check(c.Layers) == nil
}

// estimateK returns the samples per pattern of c's estimates.
func (c Config) estimateK() int {
	if c.Estimate > 0 {
		return c.Estimate
	}
	return EstimateK
}

// newScorer returns a scorer of c's machines on pats weighted by probs,
// whose estimates draw from stream.
func (c Config) newScorer(pats [][]uint8, probs []float64, stream uint64) (*scorer, error) {
	s := &scorer{pats: pats, probs: probs, seed: c.Seed, stream: stream, sizes: c.Layers}
	var err error
	switch {
	case c.Algo == "rbm":
		s.rbm = true
	case c.exactly():
		s.ev, err = exact.NewEvaluator(c.Layers, pats, probs)
	default:
		s.sampler, err = estimate.NewSampler(c.Layers, c.estimateK())
		if err == nil {
			s.sampler.Fast = Params(c.Layers) >= fastParams
		}
	}
	return s, err
}

// fastParams is the size of net, in parameters, from which estimates use
// the training kernels (estimate.Sampler.Fast): every MNIST net, none of
// the bars or shifter nets, whose estimates stay comparable bit for bit
// with their portable computation.
const fastParams = 1 << 16

// cost returns the bytes and operations of one scoring.
func (s *scorer) cost() (bytes, ops float64) {
	if s.rbm {
		return 0, rbm.Cost(s.sizes[0], s.sizes[1], len(s.pats))
	}
	if s.ev != nil {
		return s.ev.Cost()
	}
	return 0, float64(len(s.pats)) * float64(s.sampler.K) * 4 * float64(s.params())
}

func (s *scorer) params() int {
	if s.sampler == nil {
		return 0
	}
	return Params(s.sampler.Sizes)
}

// score is a scorer's result in bits: NLL, its standard error (0 when
// exact) and the KL against entropy.
type score struct {
	NLL, SE, KL float64
}

// nll scores m at step, with entropy the data's H(p_data), in the
// background when it is long (on a copy of m), giving up with
// ErrInterrupted if ctx is cancelled first. An interrupted scorer must not
// be used again.
func (s *scorer) nll(ctx context.Context, m *helmholtz.Machine, step int, entropy float64) (score, error) {
	_, ops := s.cost()
	long := ops >= asyncEval
	if long {
		m = m.Clone()
	}
	return background(ctx, long, func() score {
		if s.rbm {
			kl, nll := rbm.View(m).KL(s.pats, s.probs)
			return score{NLL: nll, KL: kl}
		}
		if s.ev != nil {
			r := s.ev.Eval(m)
			return score{NLL: r.NLL, KL: r.KL}
		}
		rng := rand.New(rand.NewPCG(s.seed, s.stream^uint64(step)))
		r := s.sampler.NLL(m, s.pats, s.probs, entropy, rng)
		return score{NLL: r.NLL, SE: r.NLLSE, KL: r.KL}
	})
}

// chooser returns c with the config its choices (restart selection, the
// divergence check) on n patterns are scored with: with SelectEstimate, c
// estimating with that many samples per pattern; else the cheaper of c's
// own evaluations and an estimate with SelectK samples, by the cost model
// weighted by what an operation of each takes (exactNs, sampleNs). The
// weights are constants, not timings, so the choice, and with it the
// run, is the same on every machine: enumeration for 16-8-1 (70 µs
// against 320 µs a score), the estimate for 64-16-1 on 8×8 bars (113 ms
// against 12 ms).
func (c Config) chooser(n int) Config {
	if c.SelectEstimate > 0 {
		c.Estimate = c.SelectEstimate
		return c
	}
	if c.Algo == "rbm" || !c.exactly() {
		return c
	}
	_, exactOps := exact.Cost(c.Layers, n)
	est := c
	est.Estimate = SelectK
	estOps := float64(min(n, c.estimated(SelectK))) * SelectK * 4 * float64(Params(c.Layers))
	if estOps*sampleNs < exactOps*exactNs {
		return est
	}
	return c
}

// SelectK is the samples per pattern of a choice made by estimate where
// the run's flags do not say: the scaling study found choosing by an
// estimate with 20 no worse than by enumeration.
const SelectK = 20

// Nanoseconds an operation of the cost model takes in exact enumeration
// and in importance sampling, on the README's machine (the scores of
// 16-8-1 and 64-16-1 give 2.8-3.3 and 0.18-0.43).
const (
	exactNs  = 3.0
	sampleNs = 0.45
)

// Estimator names how a run of c computes its likelihoods: "exact", or
// "is-K" for importance sampling with K samples per pattern.
func (c Config) Estimator() string {
	if c.exactly() {
		return "exact"
	}
	return fmt.Sprintf("is-%d", c.estimateK())
}
