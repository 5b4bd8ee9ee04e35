package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz"
	"helmholtz/exact"
	"helmholtz/rbm"
)

// Learners (Config.Algo), each a file of the root package beside
// wakesleep.go:
//
//   - "" (or "ws"): wake-sleep, the seed's algorithm (helmholtz.WakeSleep);
//   - "exact": the wake phase draws from the exact posterior
//     (helmholtz.ExactWake); nets of at most helmholtz.ExactBits latent
//     units;
//   - "rws": reweighted wake-sleep with Samples samples per pattern
//     (helmholtz.Reweighted), without the wake-phase q update if NoWakeQ,
//     without the sleep update if NoSleep;
//   - "mixture": a mixture of Components recognition nets
//     (helmholtz.Mixture); --reinit re-initialises component 0's units;
//   - "gibbs": the Gibbs machine (helmholtz.Gibbs): the wake phase's delta
//     rule on states drawn by annealed Gibbs sampling of the posterior;
//   - "mf": on-line mean-field learning (helmholtz.MeanField) of the
//     generative net. These two leave the recognition net untouched (at
//     its initial weights): a history's gap is that of an untrained net,
//     and a large net's estimates, which sample from it, are poor;
//   - "rbm": not a Helmholtz machine but the baseline it is compared
//     with, a restricted Boltzmann machine of Layers = (visible, hidden)
//     trained by CD-CDK with Momentum and weight decay Decay at rate
//     GenLR (rbm.Learner). It is kept in the arrays of a two-layer machine
//     (see package rbm), so snapshots, figures and diagnoses read it like
//     any run; its likelihood is its own (exact, by summing over the
//     hidden states) and its fantasies are drawn by Gibbs sampling.
//
// All draw from the run's one stream, so they keep every guarantee of a
// run: determinism, resume, restarts, sweeps. All but wake-sleep train
// online (batch size 1). This file is the one place that knows them all.

// Algos names the learners, as --algo takes them.
var Algos = []string{"ws", "exact", "rws", "mixture", "gibbs", "mf", "rbm"}

// Limits of the learners' settings.
const (
	maxSamples    = 1000
	maxComponents = 64
	maxCDK        = 1000
)

func (c Config) validateAlgo() error {
	switch c.Algo {
	case "", "exact", "rws", "mixture", "gibbs", "mf", "rbm":
	default:
		return fmt.Errorf("--algo must be one of %v, got %.64q", Algos, c.Algo)
	}
	if c.Algo != "" && c.Algo != "rws" && c.Batch != 1 {
		return fmt.Errorf("--algo %s trains online: --batch-size must be 1, got %d", c.Algo, c.Batch)
	}
	switch c.Optimizer {
	case "", "adam":
	default:
		return fmt.Errorf("--optimizer must be sgd or adam, got %.64q", c.Optimizer)
	}
	if c.Optimizer == "adam" && c.Algo != "" && c.Algo != "rws" {
		return fmt.Errorf("--optimizer adam is an option of --algo ws and rws, not of %s", c.Algo)
	}
	switch {
	case c.Algo == "rws" && (c.Samples < 1 || c.Samples > maxSamples):
		return fmt.Errorf("--samples must be in 1..%d, got %d", maxSamples, c.Samples)
	case c.Algo != "rws" && (c.Samples != 0 || c.NoWakeQ || c.NoSleep):
		return fmt.Errorf("--samples, --rws-wake-q and --rws-sleep need --algo rws")
	case c.Algo == "mixture" && (c.Components < 1 || c.Components > maxComponents):
		return fmt.Errorf("--components must be in 1..%d, got %d", maxComponents, c.Components)
	case c.Algo != "mixture" && c.Components != 0:
		return fmt.Errorf("--components needs --algo mixture")
	case c.Algo == "exact":
		if err := helmholtz.CheckExact(c.Layers); err != nil {
			return fmt.Errorf("--algo exact: %w", err)
		}
	case (c.Algo == "gibbs" || c.Algo == "mf") && (c.options() != helmholtz.Options{} || c.Reinit != 0):
		return fmt.Errorf("--algo %s learns the generative net alone: --decay, --nonneg, --hidden-cap and --reinit are not its options", c.Algo)
	case c.Algo != "rbm" && (c.CDK != 0 || c.Momentum != 0):
		return fmt.Errorf("--cd-k and --momentum need --algo rbm")
	case c.Algo == "rbm":
		return c.validateRBM()
	}
	return c.validatePrecision()
}

// validatePrecision checks --precision: float32 is an option of rws
// alone, whose float32 batches apply none of the recipe options (they
// change the float64 machine between steps).
func (c Config) validatePrecision() error {
	switch {
	case c.Precision != "" && c.Precision != "float32":
		return fmt.Errorf("--precision must be float64 or float32, got %.64q", c.Precision)
	case c.Precision == "float32" && c.Algo != "rws":
		return fmt.Errorf("--precision float32 is an option of --algo rws")
	case c.Precision == "float32" && (c.options() != helmholtz.Options{} || c.Reinit != 0 || c.Restarts > 1):
		return fmt.Errorf("--precision float32 trains without --decay, --nonneg, --hidden-cap, --reinit and --restarts")
	}
	return nil
}

// validateRBM checks the settings of an RBM run: what CD-k takes, and
// none of the options that are a Helmholtz machine's.
func (c Config) validateRBM() error {
	switch {
	case len(c.Layers) != 2:
		return fmt.Errorf("--algo rbm: --layers must be visible,hidden (two layers), got %v", c.Layers)
	case c.Layers[1] > rbm.MaxHidden:
		return fmt.Errorf("--algo rbm: at most %d hidden units (the likelihood sums over their states), got %d", rbm.MaxHidden, c.Layers[1])
	case c.CDK < 1 || c.CDK > maxCDK:
		return fmt.Errorf("--cd-k must be in 1..%d, got %d", maxCDK, c.CDK)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("--momentum must be in [0, 1), got %v", c.Momentum)
	case c.RecLR != 0:
		return fmt.Errorf("--algo rbm has one rate: give --lr, not --rec-lr")
	case c.Estimate != 0 || c.SelectEstimate != 0:
		return fmt.Errorf("--algo rbm computes its likelihood exactly: --estimate and --select-estimate estimate a Helmholtz machine's")
	case c.NonNegative || c.HiddenCap != nil || c.Reinit != 0:
		return fmt.Errorf("--nonneg, --hidden-cap and --reinit are options of a Helmholtz machine, not of --algo rbm")
	}
	return nil
}

// options returns the recipe options the learners apply after each step.
func (c Config) options() helmholtz.Options {
	o := helmholtz.Options{Decay: c.Decay, NonNegative: c.NonNegative}
	if c.HiddenCap != nil {
		o.CapHidden, o.HiddenCap = true, *c.HiddenCap
	}
	return o
}

// newLearner returns the learner of c for machine m.
func (c Config) newLearner(m *helmholtz.Machine) helmholtz.Learner {
	gen, rec := c.Rates()
	switch c.Algo {
	case "exact":
		l := helmholtz.NewExactWake(m, gen, rec)
		l.Options = c.options()
		return l
	case "rws":
		l := helmholtz.NewReweighted(m, gen, rec, c.Samples)
		l.WakeQ, l.Sleep, l.Options = !c.NoWakeQ, !c.NoSleep, c.options()
		l.Batch, l.Opt = c.Batch, c.optimizer(m)
		l.Float32 = c.Precision == "float32"
		return l
	case "mixture":
		l := helmholtz.NewMixture(m, gen, rec, c.Components)
		l.Options = c.options()
		return l
	case "gibbs":
		return helmholtz.NewGibbs(m, gen)
	case "mf":
		return helmholtz.NewMeanField(m, gen)
	case "rbm":
		return rbm.NewLearner(m, c.CDK, gen, c.Momentum, c.Decay)
	}
	l := helmholtz.NewWakeSleep(m, gen, rec, c.Batch)
	l.Options = c.options()
	l.Opt = c.optimizer(m)
	return l
}

// optimizer returns c's optimizer for machine m: nil for plain gradient
// ascent, else Adam with its moments allocated.
func (c Config) optimizer(m *helmholtz.Machine) helmholtz.Optimizer {
	if c.Optimizer != "adam" {
		return nil
	}
	a := helmholtz.NewAdam()
	a.Init(m)
	return a
}

// adamOf returns the Adam optimizer of learner l, or nil.
func adamOf(l helmholtz.Learner) *helmholtz.Adam {
	var opt helmholtz.Optimizer
	switch l := l.(type) {
	case *helmholtz.WakeSleep:
		opt = l.Opt
	case *helmholtz.Reweighted:
		opt = l.Opt
	}
	a, _ := opt.(*helmholtz.Adam)
	return a
}

// adamParams returns an Adam optimizer's state as it is saved: its step
// counts, adam_t (one per slot: B, W, C, R), and its moments, adam_m_X
// and adam_v_X for each parameter array X of the machine (B0, W0, ...),
// shaped as X.
func adamParams(a *helmholtz.Adam, sizes []int) []param {
	ps := []param{{name: "adam_t", cols: helmholtz.NumSlots, data: a.T[:]}}
	for slot, group := range []string{"B", "W", "C", "R"} {
		for l := range a.M[slot] {
			rows, cols := 0, len(a.M[slot][l])
			switch group {
			case "W":
				rows, cols = sizes[l+1], sizes[l]
			case "R":
				rows, cols = sizes[l], sizes[l+1]
			}
			if group == "C" && l == 0 { // the visible layer has no recognition bias
				continue
			}
			ps = append(ps, param{name: fmt.Sprintf("adam_m_%s%d", group, l), rows: rows, cols: cols, data: a.M[slot][l]},
				param{name: fmt.Sprintf("adam_v_%s%d", group, l), rows: rows, cols: cols, data: a.V[slot][l]})
		}
	}
	return ps
}

// initLearner draws a learner's own parameters from rng, after its
// machine's.
func (c Config) initLearner(l helmholtz.Learner, rng *rand.Rand) {
	switch l := l.(type) {
	case *helmholtz.Mixture:
		l.Init(rng, c.InitScale, c.HiddenBias)
	case *rbm.Learner: // the RBM's weights are the machine's recognition weights, drawn already
		l.Mirror()
	}
}

// learnerParams returns a learner's own parameter arrays, beyond its
// machine's, as they are saved: for a learner with Adam, its state
// (adamParams); for a mixture, each extra component's
// recognition arrays named as the machine's with a suffix _c2, _c3, ...
// and the gate, gate_W (visible × components) and gate_b; for an RBM, the
// velocities of its weights and biases under momentum, cd_uW (visible ×
// hidden), cd_ubv and cd_ubh.
func learnerParams(l helmholtz.Learner, sizes []int) []param {
	if a := adamOf(l); a != nil {
		return adamParams(a, sizes)
	}
	if cd, ok := l.(*rbm.Learner); ok {
		return []param{{name: "cd_uW", rows: sizes[0], cols: sizes[1], data: cd.UW},
			{name: "cd_ubv", cols: sizes[0], data: cd.UBV}, {name: "cd_ubh", cols: sizes[1], data: cd.UBH}}
	}
	mx, ok := l.(*helmholtz.Mixture)
	if !ok {
		return nil
	}
	var ps []param
	for c := range mx.C {
		ps = append(ps, recognitionParams(sizes, mx.C[c], mx.R[c], fmt.Sprintf("_c%d", c+2))...)
	}
	ps = append(ps, param{name: "gate_W", rows: sizes[0], cols: mx.Components(), data: mx.G},
		param{name: "gate_b", cols: mx.Components(), data: mx.Gb})
	return ps
}

// copyLearner copies the own parameters of src into dst, two learners of
// one config.
func copyLearner(dst, src helmholtz.Learner, sizes []int) {
	d, s := learnerParams(dst, sizes), learnerParams(src, sizes)
	for i := range d {
		copy(d[i].data, s[i].data)
	}
}

// restoreLearner loads a learner's own parameters from the extra arrays
// of a snapshot, which must be exactly those it has.
func restoreLearner(l helmholtz.Learner, sizes []int, extra []param) error {
	want := learnerParams(l, sizes)
	if len(extra) != len(want) {
		return fmt.Errorf("%d arrays beyond the machine's, its learner has %d", len(extra), len(want))
	}
	for _, w := range want {
		i := slices.IndexFunc(extra, func(p param) bool { return p.name == w.name })
		if i < 0 {
			return fmt.Errorf("missing array %s", w.name)
		}
		if e := extra[i]; e.rows != w.rows || e.cols != w.cols {
			return fmt.Errorf("array %s has shape %d×%d, want %d×%d", w.name, e.rows, e.cols, w.rows, w.cols)
		}
		copy(w.data, extra[i].data)
	}
	return nil
}

// learnerDiverged reports whether a learner's own parameters are not
// finite or beyond ±MaxLogit.
func learnerDiverged(l helmholtz.Learner, sizes []int) bool {
	for _, p := range learnerParams(l, sizes) {
		for _, x := range p.data {
			if !(math.Abs(x) <= MaxLogit) {
				return true
			}
		}
	}
	return false
}

// recognition returns the recognition distribution the learner trains,
// whose gap to the posterior the history records.
func recognition(l helmholtz.Learner, m *helmholtz.Machine) exact.Recognition {
	mx, ok := l.(*helmholtz.Mixture)
	if !ok || mx.Components() == 1 {
		return exact.Factorial(m)
	}
	q := exact.Recognition{C: [][][]float64{m.C}, R: [][][]float64{m.R}, LogPi: mx.LogPi}
	q.C, q.R = append(q.C, mx.C...), append(q.R, mx.R...)
	return q
}

// Recognition returns the recognition distribution of the learner that
// made state s (its machine's own net, or a mixture's), whose gap
// exact.GapEvaluator measures. A bare model (no config) has its machine's.
func (s State) Recognition() (exact.Recognition, error) {
	if s.Config == nil {
		if len(s.Extra) > 0 {
			return exact.Recognition{}, fmt.Errorf("%d arrays beyond the machine's and no config to say whose", len(s.Extra))
		}
		return exact.Factorial(s.Machine), nil
	}
	if err := s.Config.validateAlgo(); err != nil {
		return exact.Recognition{}, err
	}
	if s.Config.Algo == "rbm" {
		return exact.Recognition{}, errors.New("an RBM's p(h | v) is its exact posterior: it has no variational gap")
	}
	l := s.Config.newLearner(s.Machine)
	if err := restoreLearner(l, s.Machine.Sizes, s.Extra); err != nil {
		return exact.Recognition{}, err
	}
	return recognition(l, s.Machine), nil
}

// GibbsSweeps is the number of block Gibbs sweeps that draw each fantasy
// of an RBM.
const GibbsSweeps = 1000

// Dreamer returns what draws the fantasies of state s: its machine,
// top-down, or for an RBM a Gibbs chain of GibbsSweeps sweeps.
func (s State) Dreamer() helmholtz.Dreamer {
	if s.Config != nil && s.Config.Algo == "rbm" {
		return rbm.Gibbs{M: s.Machine, Sweeps: GibbsSweeps}
	}
	return s.Machine
}
