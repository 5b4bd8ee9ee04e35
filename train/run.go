package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/exact"
)

// ErrInterrupted is returned by Train when its context was cancelled; the
// run's state was saved to checkpoint.npz first.
var ErrInterrupted = errors.New("training interrupted")

// stream is the second PCG seed word: runs differ only by Config.Seed.
const stream = 0x68656c6d686f6c74 // "helmholt"

// Point is one exact evaluation during training.
type Point struct {
	Step    int
	Samples int // data patterns seen: Step·Batch
	KL      float64
	NLL     float64
}

// Run is a training run in progress.
type Run struct {
	Config  Config
	Data    dataset.Set
	Machine *helmholtz.Machine
	Step    int
	History []Point
	Entropy float64       // H(p_data), bits
	Elapsed time.Duration // wall time spent training (restarts included) by this process

	src  *rand.PCG
	rng  *rand.Rand
	ws   *helmholtz.WakeSleep
	eval *exact.Evaluator
	data helmholtz.Data // Data as the interface Step takes, converted once
}

// New starts a run: it draws the initial weights from the run's stream,
// and with Restarts > 1 trains the candidates and keeps the best.
func New(cfg Config) (*Run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Restarts > 1 {
		start := time.Now()
		r, err := fresh(cfg, stream)
		if err != nil {
			return nil, err
		}
		err = r.restart()
		r.Elapsed = time.Since(start)
		return r, err
	}
	return fresh(cfg, stream)
}

// fresh returns a run at step 0 whose generator is PCG(seed, s).
func fresh(cfg Config, s uint64) (*Run, error) {
	r, err := newRun(cfg, helmholtz.New(cfg.Layers), rand.NewPCG(cfg.Seed, s))
	if err != nil {
		return nil, err
	}
	r.Machine.Init(r.rng, cfg.InitScale)
	if cfg.MarginalBias {
		r.Machine.SetVisibleBias(marginal(r.Data))
	}
	r.initHidden()
	return r, nil
}

func newRun(cfg Config, m *helmholtz.Machine, src *rand.PCG) (*Run, error) {
	set, err := dataset.Parse(cfg.Data)
	if err != nil {
		return nil, err
	}
	pats, probs := set.Support()
	ev, err := exact.NewEvaluator(cfg.Layers, pats, probs)
	if err != nil {
		return nil, err
	}
	gen, rec := cfg.Rates()
	r := &Run{
		Config: cfg, Data: set, Machine: m,
		Entropy: exact.Entropy(probs),
		src:     src, rng: rand.New(src),
		eval: ev, data: set,
	}
	r.ws = helmholtz.NewWakeSleep(m, gen, rec, cfg.Batch)
	r.ws.Options = helmholtz.Options{Decay: cfg.Decay, NonNegative: cfg.NonNegative}
	if cfg.HiddenCap != nil {
		r.ws.CapHidden, r.ws.HiddenCap = true, *cfg.HiddenCap
	}
	return r, nil
}

// Evaluate returns the exact KL and NLL of the machine now.
func (r *Run) Evaluate() Point {
	res := r.eval.Eval(r.Machine)
	return Point{Step: r.Step, Samples: r.Config.samples(r.Step), KL: res.KL, NLL: res.NLL}
}

// State returns the run's state for a snapshot. It shares the machine.
func (r *Run) State() State {
	rng, err := r.src.MarshalBinary()
	if err != nil {
		panic(err) // PCG.MarshalBinary cannot fail
	}
	cfg := r.Config
	return State{Machine: r.Machine, Step: r.Step, RNG: rng, Config: &cfg}
}

// step performs one wake-sleep step.
func (r *Run) step() {
	if r.Config.scheduled() {
		r.setRates()
	}
	r.ws.Step(r.data, r.rng)
	r.Step++
}

// chunk is the number of steps between checks for interruption and for
// non-finite weights.
const chunk = 4096

// Train advances the run to Config.LastStep(). It evaluates every EvalEvery
// steps (and at step 0 and the end), calling progress with each point
// when progress is not nil. With dir not empty it writes the run's files
// there (see the package documentation). When ctx is cancelled it saves a
// checkpoint and returns ErrInterrupted.
func (r *Run) Train(ctx context.Context, dir string, progress func(Point)) error {
	start := time.Now()
	defer func() { r.Elapsed += time.Since(start) }()
	cfg := r.Config
	if dir != "" {
		if err := r.prepare(dir); err != nil {
			return err
		}
	}
	if len(r.History) == 0 || r.History[len(r.History)-1].Step < r.Step {
		if err := r.observe(dir, progress); err != nil {
			return err
		}
	}
	saved := r.Machine.Clone()
	end := cfg.LastStep()
	for r.Step < end {
		next := min(end, nextMultiple(r.Step, cfg.EvalEvery), r.Step+chunk)
		if cfg.SnapshotEvery > 0 {
			next = min(next, nextMultiple(r.Step, cfg.SnapshotEvery))
		}
		if cfg.Reinit > 0 {
			next = min(next, nextMultiple(r.Step, cfg.Reinit))
		}
		saved.CopyFrom(r.Machine)
		savedSrc, savedStep := *r.src, r.Step
		for r.Step < next {
			r.step()
		}
		if !r.Machine.Finite() {
			return r.diverged(saved, savedSrc, savedStep)
		}
		if cfg.Reinit > 0 && r.Step%cfg.Reinit == 0 && r.Step < end {
			r.reinitIdle()
		}
		if err := r.observe(dir, progress); err != nil {
			return err
		}
		if ctx.Err() != nil && r.Step < end {
			if dir != "" {
				if err := WriteSnapshot(filepath.Join(dir, "checkpoint.npz"), r.State()); err != nil {
					return err
				}
				if err := r.writeHistory(dir); err != nil {
					return err
				}
			}
			return ErrInterrupted
		}
	}
	if dir != "" {
		if err := WriteSnapshot(filepath.Join(dir, "model.npz"), r.State()); err != nil {
			return err
		}
		if err := r.writeHistory(dir); err != nil {
			return err
		}
		if err := os.Remove(filepath.Join(dir, "checkpoint.npz")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// observe evaluates and snapshots when the schedule says so.
func (r *Run) observe(dir string, progress func(Point)) error {
	cfg := r.Config
	if r.Step%cfg.EvalEvery == 0 || r.Step == cfg.LastStep() || len(r.History) == 0 {
		p := r.Evaluate()
		r.History = append(r.History, p)
		if progress != nil {
			progress(p)
		}
	}
	if dir != "" && cfg.SnapshotEvery > 0 && r.Step%cfg.SnapshotEvery == 0 {
		if err := WriteSnapshot(SnapshotPath(dir, r.Step), r.State()); err != nil {
			return err
		}
		return r.writeHistory(dir)
	}
	return nil
}

// diverged replays the last chunk, from step to r.Step, from its saved
// state one step at a time to name the first step after which a parameter
// is NaN or infinite.
func (r *Run) diverged(saved *helmholtz.Machine, src rand.PCG, step int) error {
	end := r.Step
	r.Machine.CopyFrom(saved)
	*r.src = src
	for r.Step = step; r.Step < end; {
		r.step()
		if !r.Machine.Finite() {
			return fmt.Errorf("training diverged: non-finite weights after step %d (try a smaller --lr)", r.Step)
		}
	}
	return fmt.Errorf("training diverged: non-finite weights between steps %d and %d", step, end)
}

// prepare creates dir and its snapshots folder and writes config.json.
func (r *Run) prepare(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "snapshots"), 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	return WriteFile(filepath.Join(dir, "config.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.Config)
	})
}

func (r *Run) writeHistory(dir string) error {
	return WriteFile(filepath.Join(dir, "history.csv"), func(w io.Writer) error {
		return WriteHistory(w, r.History)
	})
}

// SnapshotPath returns the path of the snapshot of step in run directory dir.
func SnapshotPath(dir string, step int) string {
	return filepath.Join(dir, "snapshots", fmt.Sprintf("step_%09d.npz", step))
}

// nextMultiple returns the smallest multiple of k greater than n.
func nextMultiple(n, k int) int { return (n/k + 1) * k }

// marginal returns the pixel marginals of a data set.
func marginal(set dataset.Set) []float64 { return dataset.Marginal(set.Support()) }
