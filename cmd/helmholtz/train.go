package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"

	"helmholtz/dataset"
	"helmholtz/train"
)

// configFlags registers the flags of a Config on fs, with cfg's values as
// defaults, and returns a function that finishes cfg after parsing.
func configFlags(fs *flag.FlagSet, cfg *train.Config) func() {
	fs.StringVar(&cfg.Data, "data", cfg.Data, "data set: bars, bars:HxW, shifter or shifter:W[,p=P][,right=R], file:PATH.npz, mnist[:DIR][,binarize=dynamic|fixed|threshold], mnist8, mnist8-pairs (each with a net of its own unless --layers is given)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed (fixes everything)")
	fs.IntVar(&cfg.Steps, "n-steps", cfg.Steps, "wake-sleep iterations")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "learning rate of both phases")
	fs.Float64Var(&cfg.GenLR, "gen-lr", 0, "generative (wake) rate; 0 = --lr")
	fs.Float64Var(&cfg.RecLR, "rec-lr", 0, "recognition (sleep) rate; 0 = --lr")
	fs.IntVar(&cfg.Batch, "batch-size", cfg.Batch, "patterns per update (1 = online); ws and rws")
	fs.StringVar(&cfg.Optimizer, "optimizer", or(cfg.Optimizer, "sgd"), "sgd (plain gradient ascent) or adam (Kingma & Ba, β = 0.9, 0.999); ws and rws")
	fs.Float64Var(&cfg.InitScale, "init-scale", cfg.InitScale, "initial weights ~ N(0, scale²)")
	fs.BoolVar(&cfg.MarginalBias, "marginal-bias", cfg.MarginalBias, "start b_v at the logit of the data's pixel marginal")
	fs.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery, "steps between evaluations (0: chosen by their cost, so that they take about a tenth of the run; 2,000 for 16-8-1)")
	fs.StringVar(&cfg.Schedule, "schedule", cfg.Schedule, "learning-rate schedule: constant, linear or inverse")
	fs.Float64Var(&cfg.ScheduleEnd, "schedule-end", or(cfg.ScheduleEnd, 0.1), "final rate of a schedule, as a fraction of --lr")
	fs.Float64Var(&cfg.Decay, "decay", cfg.Decay, "L2 weight decay (per unit learning rate)")
	fs.BoolVar(&cfg.NonNegative, "nonneg", cfg.NonNegative, "keep generative weights into the visible layer ≥ 0")
	fs.Func("hidden-cap", "cap on each hidden unit's prior logit, e.g. 0: on at most half the time", func(v string) error {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return err
		}
		cfg.HiddenCap = &x
		return nil
	})
	fs.Float64Var(&cfg.HiddenBias, "init-hidden-bias", cfg.HiddenBias, "initial biases of the hidden layers")
	fs.IntVar(&cfg.Restarts, "restarts", cfg.Restarts, "train this many candidates, keep the most likely on sampled data")
	fs.IntVar(&cfg.RestartSteps, "restart-steps", or(cfg.RestartSteps, 100000), "steps each restart candidate trains")
	fs.IntVar(&cfg.SelectSamples, "select-samples", or(cfg.SelectSamples, 10000), "sampled data patterns that choose among restarts")
	fs.IntVar(&cfg.SelectEstimate, "select-estimate", cfg.SelectEstimate, "choose among restarts, and check divergence, by importance sampling with this many samples per pattern (0: as the evaluations; exact where the net can be enumerated)")
	fs.BoolVar(&cfg.Halving, "halving", cfg.Halving, "choose among restarts by successive halving")
	fs.IntVar(&cfg.Reinit, "reinit", cfg.Reinit, "every N steps re-initialise idle or duplicate hidden units (0 = never)")
	fs.BoolVar(&cfg.ReinitTop, "reinit-top", cfg.ReinitTop, "with --reinit, also re-initialise idle top units towards the strongest opposition in the hidden code")
	fs.StringVar(&cfg.Algo, "algo", or(cfg.Algo, "ws"), "learner: ws (wake-sleep), exact (exact-posterior wake phase), rws (reweighted wake-sleep), mixture (mixture recognition), gibbs (the Gibbs machine), mf (mean-field learning) or rbm (the baseline: an RBM of --layers visible,hidden trained by CD-k)")
	fs.IntVar(&cfg.Samples, "samples", cfg.Samples, "rws: samples per pattern (default 5)")
	wakeQ := fs.Bool("rws-wake-q", !cfg.NoWakeQ, "rws: the recognition net also learns from the weighted samples on real data")
	sleep := fs.Bool("rws-sleep", !cfg.NoSleep, "rws: the recognition net also learns from fantasies (the sleep update)")
	fs.StringVar(&cfg.Precision, "precision", or(cfg.Precision, "float64"), "rws: float64, or float32 as PyTorch trains (about 1.6× faster on MNIST with AVX-512)")
	fs.IntVar(&cfg.Components, "components", cfg.Components, "mixture: recognition components (default 2)")
	fs.IntVar(&cfg.CDK, "cd-k", cfg.CDK, "rbm: Gibbs steps of contrastive divergence CD-k (default 1)")
	fs.Float64Var(&cfg.Momentum, "momentum", cfg.Momentum, "rbm: momentum of the updates, in [0, 1)")
	fs.IntVar(&cfg.Estimate, "estimate", cfg.Estimate, "estimate every likelihood by importance sampling with this many samples per pattern (0: exact where the net can be enumerated, else 100)")
	layers := intList(cfg.Layers)
	fs.Var(&layers, "layers", "layer sizes, visible first")
	nHidden := fs.Int("n-hidden", 0, "hidden units: shorthand for --layers VISIBLE,N,1")
	return func() {
		// Parameters of options that are off stay zero, so that the
		// config says only what the run used.
		if cfg.Schedule == "" || cfg.Schedule == "constant" {
			cfg.Schedule, cfg.ScheduleEnd = "", 0
		}
		if cfg.Restarts <= 1 {
			cfg.RestartSteps, cfg.SelectSamples, cfg.Halving = 0, 0, false
		}
		cfg.Layers = layers
		// Another data set brings its own net, unless --layers names one.
		set, err := dataset.Parse(cfg.Data)
		if isSet(fs, "data") && !isSet(fs, "layers") && err == nil {
			cfg.Layers = set.Layers()
		}
		// And its own recipe (MNIST's minibatches with Adam, the 1995
		// study's rate for other data with splits), where the flags do not
		// say, for the learners that train in minibatches.
		batched := cfg.Algo == "" || cfg.Algo == "ws" || cfg.Algo == "rws"
		if r, ok := set.(interface{ Recipe() (dataset.Recipe, bool) }); ok && batched && isSet(fs, "data") && err == nil {
			if rc, ok := r.Recipe(); ok {
				if !isSet(fs, "batch-size") {
					cfg.Batch = rc.Batch
				}
				if !isSet(fs, "optimizer") {
					cfg.Optimizer = rc.Optimizer
				}
				if !isSet(fs, "lr") {
					cfg.LR = rc.LR
				}
				if !isSet(fs, "n-steps") && rc.Steps > 0 {
					cfg.Steps = rc.Steps
				}
			}
		}
		if isSet(fs, "n-hidden") { // Validate refuses sizes ≤ 0
			cfg.Layers = []int{cfg.Layers[0], *nHidden, 1}
		}
		// The learner's settings: defaults for the learner chosen where
		// neither these flags nor the base config (a sweep's, under a
		// recipe's flags) gave one, and the others left as given, for
		// Validate to refuse.
		if cfg.Algo == "ws" {
			cfg.Algo = ""
		}
		if cfg.Optimizer == "sgd" {
			cfg.Optimizer = ""
		}
		if cfg.Precision == "float64" {
			cfg.Precision = ""
		}
		if isSet(fs, "algo") { // another learner's settings from the base do not carry over
			if cfg.Algo != "rws" && !isSet(fs, "samples") {
				cfg.Samples = 0
			}
			if cfg.Algo != "mixture" && !isSet(fs, "components") {
				cfg.Components = 0
			}
			if cfg.Algo != "rbm" && !isSet(fs, "cd-k") {
				cfg.CDK = 0
			}
		}
		if cfg.Algo == "rws" && cfg.Samples == 0 && !isSet(fs, "samples") {
			cfg.Samples = 5
		}
		if cfg.Algo == "mixture" && cfg.Components == 0 && !isSet(fs, "components") {
			cfg.Components = 2
		}
		if cfg.Algo == "rbm" && cfg.CDK == 0 && !isSet(fs, "cd-k") {
			cfg.CDK = 1
		}
		cfg.NoWakeQ, cfg.NoSleep = !*wakeQ, !*sleep
	}
}

// or returns v, or def if v is its type's zero value.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func runTrain(ctx context.Context, args []string) error {
	cfg := train.Default()
	cfg.EvalEvery = 0 // chosen by cost, unless given
	fs := newFlags("train", "[flags]")
	finish := configFlags(fs, &cfg)
	fs.IntVar(&cfg.SnapshotEvery, "snapshot-every", cfg.SnapshotEvery, "steps between snapshots (0 = none)")
	out := fs.String("out", "runs/train", "run directory: it must be empty or hold this same run (see --force)")
	force := fs.Bool("force", false, "replace the run that --out holds")
	resume := fs.String("resume", "", "continue the run in this directory from its latest saved state")
	quiet := fs.Bool("quiet", false, "print only the results table")
	if err := parse(fs, args); err != nil {
		return err
	}
	finish()
	cfg.ResolveEvalEvery()

	var (
		r   *train.Run
		err error
	)
	if isSet(fs, "resume") {
		r, err = resumeRun(fs, *resume, cfg.Steps)
	} else {
		r, err = train.Create(cfg, *out, *force)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	dir := r.Dir()

	show := newProgress(r.Config.LastStep(), *quiet)
	r.Overlap = runtime.GOMAXPROCS(0) > 1 // evaluations on a free core
	err = r.Train(ctx, show.point)
	show.done()
	checkpoint := filepath.Join(dir, "checkpoint.npz")
	_, noCheckpoint := os.Stat(checkpoint)
	switch {
	case errors.Is(err, train.ErrInterrupted) && noCheckpoint != nil && r.Config.Restarts > 0:
		return fmt.Errorf("interrupted while choosing among restart candidates; nothing to resume yet: run the same command again to start over")
	case errors.Is(err, train.ErrInterrupted) && noCheckpoint != nil:
		return fmt.Errorf("interrupted before a checkpoint was written; nothing to resume yet: run the same command again to start over")
	case errors.Is(err, train.ErrInterrupted):
		return fmt.Errorf("interrupted at step %d; state saved in %s; continue with: helmholtz train --resume %s",
			r.Step, checkpoint, dir)
	case errors.Is(err, train.ErrDiverged) && *resume == "":
		// Resuming would diverge again: the run's files are of no use.
		r.Discard()
		return err
	case err != nil:
		return err
	}
	if err := writeResults(r); err != nil {
		return err
	}
	fmt.Print(r.Results())
	return nil
}

// writeResults writes a finished run's results table to its directory's
// results.md.
func writeResults(r *train.Run) error {
	return train.WriteFile(filepath.Join(r.Dir(), "results.md"), writeString(r.Results()))
}

// resumeRun reopens the run in dir. Only --n-steps may be given with
// --resume (to extend a run); the rest comes from the run.
func resumeRun(fs *flag.FlagSet, dir string, steps int) (*train.Run, error) {
	var bad string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "resume", "n-steps", "quiet":
		default:
			bad = f.Name
		}
	})
	if bad != "" {
		return nil, fmt.Errorf("--%s cannot be given with --resume; only --n-steps can (to extend the run)", bad)
	}
	if !isSet(fs, "n-steps") {
		steps = 0
	} else if steps <= 0 {
		return nil, fmt.Errorf("--n-steps must be positive, got %d", steps)
	}
	return train.Resume(dir, steps)
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// progress shows training progress on stderr: a bar on a terminal, plain
// lines (about ten per run) otherwise.
type progress struct {
	steps     int
	quiet     bool
	bar       *progressbar.ProgressBar
	start     time.Time
	nextPrint int
}

func newProgress(steps int, quiet bool) *progress {
	p := &progress{steps: steps, quiet: quiet, start: time.Now()}
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && !quiet {
		p.bar = progressbar.NewOptions(steps,
			progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
		)
	}
	return p
}

func (p *progress) point(pt train.Point) {
	if p.quiet {
		return
	}
	// A data set with splits is scored by the cost of its training and
	// validation examples; its KL is only from its training examples.
	heldOut := !math.IsNaN(pt.Valid)
	if pt.Step == 0 {
		if heldOut {
			fmt.Printf("initial −log p(v): training examples %.3f bits, validation examples %.3f bits\n", pt.NLL, pt.Valid)
		} else {
			fmt.Printf("initial KL: %.3f bits, NLL: %.3f bits\n", pt.KL, pt.NLL)
		}
	}
	if p.bar != nil {
		if heldOut {
			p.bar.Describe(fmt.Sprintf("train %.3f valid %.3f", pt.NLL, pt.Valid))
		} else {
			p.bar.Describe(fmt.Sprintf("KL %.3f NLL %.3f", pt.KL, pt.NLL))
		}
		p.bar.Set(pt.Step)
		return
	}
	if pt.Step >= p.nextPrint || pt.Step == p.steps {
		if heldOut {
			fmt.Fprintf(os.Stderr, "step %9d  samples %10d  −log p(v): train %.4f bits  valid %.4f bits  %6.2fs\n",
				pt.Step, pt.Samples, pt.NLL, pt.Valid, time.Since(p.start).Seconds())
		} else {
			fmt.Fprintf(os.Stderr, "step %9d  samples %10d  KL %.4f bits  NLL %.4f bits  %6.2fs\n",
				pt.Step, pt.Samples, pt.KL, pt.NLL, time.Since(p.start).Seconds())
		}
		p.nextPrint = pt.Step + max(p.steps/10, 1)
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
}
