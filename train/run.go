package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"time"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/units"
)

// ErrInterrupted is returned by Train when its context was cancelled. A
// run with a directory saved its state to checkpoint.npz first, unless it
// was still choosing among restart candidates.
var ErrInterrupted = errors.New("training interrupted")

// ErrDiverged is wrapped by the error of a run that diverged (see
// checkDivergence).
var ErrDiverged = errors.New("training diverged")

// stream is the second PCG seed word: runs differ only by Config.Seed.
const stream = 0x68656c6d686f6c74 // "helmholt"

// Point is one exact evaluation during training.
type Point struct {
	Step    int
	Samples int // data patterns seen: Step·Batch
	KL      float64
	NLL     float64
	Gap     float64 // E_data KL(q ‖ p(·|v)), bits: the variational gap; NaN if not computed
	SE      float64 // standard error of KL and NLL: 0 if exact, else of the estimate
	K       int     // 0 if exact, else the samples per pattern of the estimate
	// Shift is, for the shifter, the direction recovery of the best top
	// unit on ShiftSamples held-out samples whose image shows the shift
	// (units.ShiftReport.Telling); NaN for other data.
	Shift float64
	// Valid is the mean −log2 p(v) of the data set's validation split,
	// bits, computed as NLL is (exactly or by the same estimate, on at
	// most maxEstimated of its first examples, fewer for a large net
	// estimated); NaN for data without one.
	Valid float64
}

// ShiftSamples is the number of held-out shifter samples each evaluation
// diagnoses, drawn from a stream of their own seeded by the step.
const ShiftSamples = 10000

// Run is a training run in progress.
type Run struct {
	Config  Config
	Data    dataset.Set
	Machine *helmholtz.Machine
	Step    int
	History []Point
	Entropy float64       // H(p_data), bits
	Elapsed time.Duration // wall time spent training (restarts included) by this process

	// Overlap, set before Train, has the evaluations run in a goroutine
	// of their own, each on a copy of the weights, while training goes
	// on: a run then takes about its training time alone when a core is
	// free for them. The history is the same, bit for bit; a point is
	// recorded (and given to progress) when the next chunk of steps has
	// been trained. The first and last evaluations, and those at a
	// snapshot, are made in line.
	Overlap bool

	src        *rand.PCG
	rng        *rand.Rand
	learner    helmholtz.Learner
	score      *scorer             // of the evaluations; nil after an interrupted one: made again when needed
	validScore *scorer             // of the validation split, where the data set has one
	gaps       *exact.GapEvaluator // nil where the posterior cannot be enumerated
	check      *scorer             // of the divergence check, made when first needed
	data       helmholtz.Data      // Data as the interface Step takes, converted once
	support    [][]uint8
	probs      []float64
	marginal   []float64
	chunk      int                // steps between checks, see Config.chunk
	saved      *helmholtz.Machine // a chunk's starting point, to replay it
	savedL     helmholtz.Learner  // its learner's own parameters
	chunkSrc   rand.PCG           // the stream at the chunk's start
	chunkFrom  int                // the step the chunk started at
	lanes      *laneStepper       // of the restart candidates, made when first needed
	pending    chan evaluation    // the evaluation under way in the background, if any
	evalM      *helmholtz.Machine // the copy it evaluates, and its learner's
	evalL      helmholtz.Learner
	laneSaved  []*helmholtz.Machine
	dir        *Dir // nil: the run keeps no files
	resumedAt  int  // the step Resume started this process at, else 0
}

// New starts a run at step 0 with the initial weights drawn from the
// run's stream. It keeps no files; Create starts one in a directory.
func New(cfg Config) (*Run, error) {
	set, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	r, err := newRun(cfg, set, helmholtz.New(cfg.Layers), rand.NewPCG(cfg.Seed, stream))
	if err != nil {
		return nil, err
	}
	r.initChain(r.Machine, r.learner, r.rng)
	if !(r.Machine.MaxLogit() <= MaxLogit) {
		return nil, fmt.Errorf("the initial weights (--init-scale %v, --init-hidden-bias %v) can give logits beyond ±%d: nothing can be learned from there",
			cfg.InitScale, cfg.HiddenBias, MaxLogit)
	}
	return r, nil
}

// newRun returns a run of the valid cfg with machine m and generator src.
func newRun(cfg Config, set dataset.Set, m *helmholtz.Machine, src *rand.PCG) (*Run, error) {
	pats, probs := set.Support()
	r := &Run{
		Config: cfg, Data: set, Machine: m,
		Entropy: exact.Entropy(probs),
		src:     src, rng: rand.New(src),
		data: set, support: pats, probs: probs,
		marginal: dataset.Marginal(pats, probs),
		chunk:    cfg.chunk(set),
		saved:    helmholtz.New(cfg.Layers),
	}
	r.learner = cfg.newLearner(m)
	r.savedL = cfg.newLearner(r.saved)
	return r, nil
}

// initChain draws the initial weights of machine m and of its learner l
// from rng, the machine's first, and sets the machine's biases as the
// config says: b_v at the logit of the pixel marginals, the hidden
// layers' generative and recognition biases at HiddenBias.
func (r *Run) initChain(m *helmholtz.Machine, l helmholtz.Learner, rng *rand.Rand) {
	r.initMachine(m, rng)
	r.Config.initLearner(l, rng)
}

// initMachine draws m's initial weights and sets its biases (initChain).
func (r *Run) initMachine(m *helmholtz.Machine, rng *rand.Rand) {
	m.Init(rng, r.Config.InitScale)
	if r.Config.MarginalBias {
		m.SetVisibleBias(r.marginal)
	}
	for l := 1; l < len(m.Sizes)-1; l++ {
		for i := range m.B[l] {
			m.B[l][i] = r.Config.HiddenBias
			m.C[l][i] = r.Config.HiddenBias
		}
	}
}

// Evaluate returns the exact KL and NLL of the machine now, and the
// variational gap of its learner's recognition net where the posterior can
// be enumerated (else NaN).
func (r *Run) Evaluate() Point {
	p, _ := r.evaluate(context.Background())
	return p
}

// evaluate is Evaluate, giving up with ErrInterrupted when ctx is
// cancelled during a long evaluation.
func (r *Run) evaluate(ctx context.Context) (Point, error) {
	return r.evaluateOf(ctx, r.Machine, r.learner, r.Step)
}

// evaluateOf is evaluate for machine m, trained by learner l, at step
// (the run's own or a copy of them).
func (r *Run) evaluateOf(ctx context.Context, m *helmholtz.Machine, l helmholtz.Learner, step int) (Point, error) {
	cfg := r.Config
	if r.score == nil {
		pats, probs := r.support, r.probs
		if n := cfg.estimated(cfg.estimateK()); !cfg.exactly() && len(pats) > n {
			pats, probs = drawPatterns(cfg, r.Data, n, evalStream)
		}
		sc, err := cfg.newScorer(pats, probs, evalStream)
		if err != nil {
			return Point{}, err
		}
		r.score = sc
	}
	res, err := r.score.nll(ctx, m, step, r.Entropy)
	if err != nil {
		r.score = nil // still in use by the abandoned evaluation
		return Point{}, err
	}
	p := Point{Step: step, Samples: cfg.samples(step), KL: res.KL, NLL: res.NLL, Gap: math.NaN(), SE: res.SE, Shift: math.NaN(), Valid: math.NaN()}
	if valid := validSplit(r.Data, cfg); len(valid) > 0 {
		if r.validScore == nil {
			pats, probs := dataset.Distribution(valid)
			if r.validScore, err = cfg.newScorer(pats, probs, validStream); err != nil {
				return Point{}, err
			}
		}
		v, err := r.validScore.nll(ctx, m, step, 0)
		if err != nil {
			r.validScore = nil
			return Point{}, err
		}
		p.Valid = v.NLL
	}
	if s, ok := r.Data.(dataset.Shifter); ok {
		rng := rand.New(rand.NewPCG(cfg.Seed, shiftStream^uint64(step)))
		p.Shift = units.DiagnoseShift(m, s, ShiftSamples, rng).Telling
	}
	if !cfg.exactly() {
		p.K = cfg.estimateK()
	}
	if cfg.recordsGap() {
		if r.gaps == nil {
			if r.gaps, err = exact.NewGapEvaluator(cfg.Layers, r.support, r.probs); err != nil {
				return Point{}, err
			}
		}
		_, ops := exact.GapCost(cfg.Layers, len(r.support), max(cfg.Components, 1))
		long := ops >= asyncEval
		if long { // evaluated in the background, on copies
			m0, l0 := m, l
			m = m0.Clone()
			l = cfg.newLearner(m)
			copyLearner(l, l0, cfg.Layers)
		}
		q := recognition(l, m)
		g, err := background(ctx, long, func() exact.Gaps { return r.gaps.Eval(m, q) })
		if err != nil {
			r.gaps = nil
			return Point{}, err
		}
		p.Gap = g.Gap
	}
	return p, nil
}

// Streams of the estimates (the training stream is stream).
const (
	evalStream   = stream ^ 0x6576616c     // "eval"
	checkStream  = stream ^ 0x636865636b   // "check"
	selectStream = stream ^ 0x73656c656374 // "select"
	shiftStream  = stream ^ 0x7368696674   // "shift"
	validStream  = stream ^ 0x76616c6964   // "valid"
)

// validSplit returns the first examples of the validation split of set
// that an evaluation of c scores (at most maxEstimated, fewer for a large
// net estimated), or nil if it has none.
func validSplit(set dataset.Set, c Config) [][]uint8 {
	f, ok := set.(*dataset.Finite)
	if !ok {
		return nil
	}
	n := maxEstimated
	if !c.exactly() {
		n = c.estimated(c.estimateK())
	}
	return f.Valid[:min(len(f.Valid), n)]
}

// maxHistoryGap bounds the work of the gap evaluation that goes with each
// of a run's evaluations: about 20 ms (the 16-8-1 net's takes 0.3 million
// operations; a 32-16-4 net's, 2^20 latent states, 4 billion: there the
// history has no gap, and eval computes it on demand).
const maxHistoryGap = 1 << 24

// recordsGap reports whether a run of c records the variational gap with
// each evaluation.
func (c Config) recordsGap() bool {
	if c.Algo == "rbm" || exact.CheckPosterior(c.Layers) != nil {
		return false
	}
	set, err := dataset.Parse(c.Data)
	if err != nil {
		return false
	}
	_, ops := exact.GapCost(c.Layers, set.SupportSize(), max(c.Components, 1))
	return ops <= maxHistoryGap
}

// asyncEval is the work of one evaluation above which it runs in a
// goroutine of its own (on copies), so that an interrupt need not wait
// for it: about 4 ms.
const asyncEval = 1 << 22

// background returns f(), run in a goroutine of its own if long, or
// ErrInterrupted if ctx is cancelled first; f then goes on in the
// background, and whatever it uses must not be used again.
func background[T any](ctx context.Context, long bool, f func() T) (T, error) {
	if !long {
		return f(), nil
	}
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case res := <-done:
		return res, nil
	case <-ctx.Done():
		var zero T
		return zero, ErrInterrupted
	}
}

// State returns the run's state for a snapshot. It shares the machine.
func (r *Run) State() State {
	rng, err := r.src.MarshalBinary()
	if err != nil {
		panic(err) // PCG.MarshalBinary cannot fail
	}
	cfg := r.Config
	return State{Machine: r.Machine, Step: r.Step, RNG: rng, Config: &cfg, Extra: learnerParams(r.learner, cfg.Layers)}
}

// step performs one wake-sleep step of the kept chain.
func (r *Run) step() {
	if r.Config.scheduled() {
		r.Config.setRates(r.learner, r.Step, r.Config.LastStep())
	}
	r.learner.Step(r.data, r.rng)
	r.Step++
}

// Train advances the run to Config.LastStep(), first choosing among
// restart candidates if the config asks for them. It evaluates every
// EvalEvery steps (and at the first and last step), calling progress
// with each point when progress is not nil. A run with a directory
// writes its files there as it goes (see the package documentation).
// When ctx is cancelled it saves a checkpoint and returns ErrInterrupted
// after the step under way.
func (r *Run) Train(ctx context.Context, progress func(Point)) error {
	start := time.Now()
	defer func() { r.Elapsed += time.Since(start) }()
	if err := r.begin(ctx, progress); err != nil {
		return err
	}
	return r.rest(ctx, progress)
}

// begin chooses among restart candidates if the run starts with them, and
// makes the run's first evaluation if it has none at its step.
func (r *Run) begin(ctx context.Context, progress func(Point)) error {
	if r.Step == 0 && r.Config.Restarts > 1 {
		if err := r.restart(ctx); err != nil {
			return err
		}
	}
	if len(r.History) == 0 || r.History[len(r.History)-1].Step < r.Step {
		if err := r.observe(ctx, progress); err != nil {
			return r.stopped(err)
		}
	}
	return nil
}

// rest trains the run chunk by chunk to its last step and finishes it.
func (r *Run) rest(ctx context.Context, progress func(Point)) error {
	for r.Step < r.Config.LastStep() {
		next := r.chunkStart()
		for r.Step < next && ctx.Err() == nil { // an interrupt ends the chunk early
			r.step()
		}
		r.sync()
		if err := r.chunkEnd(ctx, progress); err != nil {
			return err
		}
	}
	return r.finish()
}

// chunkStart re-initialises idle units if due, keeps the chain's state to
// replay the chunk from, and returns the step at which the chunk ends: the
// next evaluation, divergence check, snapshot or re-initialisation, at
// most a chunk of steps on.
func (r *Run) chunkStart() int {
	cfg := r.Config
	if r.reinitDue() {
		r.reinitIdle()
		if cfg.ReinitTop {
			r.reinitTop()
		}
	}
	next := min(cfg.LastStep(), nextMultiple(r.Step, cfg.EvalEvery), r.Step+r.chunk, nextCheck(r.Step))
	if cfg.SnapshotEvery > 0 {
		next = min(next, nextMultiple(r.Step, cfg.SnapshotEvery))
	}
	if cfg.Reinit > 0 {
		next = min(next, nextMultiple(r.Step, cfg.Reinit))
	}
	r.saved.CopyFrom(r.Machine)
	copyLearner(r.savedL, r.learner, cfg.Layers)
	r.chunkSrc, r.chunkFrom = *r.src, r.Step
	return next
}

// chunkEnd checks the chunk just trained for divergence, evaluates and
// snapshots when due, and stops the run when ctx is cancelled.
func (r *Run) chunkEnd(ctx context.Context, progress func(Point)) error {
	if err := r.await(progress); err != nil {
		return r.stopped(err)
	}
	if r.divergedNow() {
		return r.diverged(r.chunkSrc, r.chunkFrom)
	}
	if err := r.observe(ctx, progress); err != nil {
		return r.stopped(err)
	}
	if ctx.Err() != nil && r.Step < r.Config.LastStep() {
		return r.stopped(ErrInterrupted)
	}
	return nil
}

// finish writes a finished run's final files, if it has a directory.
func (r *Run) finish() error {
	if r.pending != nil {
		panic("train: a run finished with an evaluation under way")
	}
	if r.dir != nil {
		return r.dir.finish(r)
	}
	return nil
}

// stopped saves a checkpoint if err is an interrupt and the run has a
// directory, and returns err.
func (r *Run) stopped(err error) error {
	if r.pending != nil { // its point goes before the checkpoint
		perr := r.await(nil)
		if perr != nil && !errors.Is(perr, ErrInterrupted) && errors.Is(err, ErrInterrupted) {
			return perr
		}
	}
	if errors.Is(err, ErrInterrupted) && r.dir != nil {
		if err := r.dir.checkpoint(r); err != nil {
			return err
		}
	}
	return err
}

// observe evaluates, checks for divergence and snapshots when the
// schedules say so.
func (r *Run) observe(ctx context.Context, progress func(Point)) error {
	cfg := r.Config
	if r.Step%cfg.EvalEvery == 0 || r.Step == cfg.LastStep() || len(r.History) == 0 {
		snapshot := r.dir != nil && cfg.SnapshotEvery > 0 && r.Step%cfg.SnapshotEvery == 0
		if r.Overlap && len(r.History) > 0 && r.Step < cfg.LastStep() && !snapshot {
			r.launch(ctx)
		} else {
			p, err := r.evaluate(ctx)
			if err := r.record(p, err, progress); err != nil {
				return err
			}
		}
	}
	if r.Step > cfg.firstStep() && (r.Step == nextCheck(r.Step-1) || r.Step == cfg.LastStep()) {
		if err := r.checkDivergence(ctx); err != nil {
			return err
		}
	}
	if r.dir != nil && cfg.SnapshotEvery > 0 && r.Step%cfg.SnapshotEvery == 0 {
		return r.dir.snapshot(r)
	}
	return nil
}

// record appends the point p of an evaluation that returned err to the
// history, and gives it to progress.
func (r *Run) record(p Point, err error, progress func(Point)) error {
	if err != nil {
		return err
	}
	if math.IsNaN(p.NLL) || math.IsInf(p.NLL, 0) || math.IsNaN(p.KL) {
		return fmt.Errorf("exact evaluation at step %d gave NLL %v with finite weights below ±%d: a bug", p.Step, p.NLL, MaxLogit)
	}
	r.History = append(r.History, p)
	if progress != nil {
		progress(p)
	}
	if r.dir != nil && len(r.History)-r.dir.flushed >= flushRows {
		return r.dir.flush(r)
	}
	return nil
}

// evaluation is the outcome of an evaluation made in the background.
type evaluation struct {
	p   Point
	err error
}

// launch starts the evaluation of the run's weights now in a goroutine of
// its own, on a copy (see Overlap); await records it.
func (r *Run) launch(ctx context.Context) {
	if r.pending != nil {
		panic("train: an evaluation launched while another is under way")
	}
	if r.evalM == nil {
		r.evalM = helmholtz.New(r.Config.Layers)
		r.evalL = r.Config.newLearner(r.evalM)
	}
	r.evalM.CopyFrom(r.Machine)
	copyLearner(r.evalL, r.learner, r.Config.Layers)
	done, step := make(chan evaluation, 1), r.Step
	go func() {
		p, err := r.evaluateOf(ctx, r.evalM, r.evalL, step)
		done <- evaluation{p, err}
	}()
	r.pending = done
}

// await waits for the evaluation under way, if any, and records it.
func (r *Run) await(progress func(Point)) error {
	if r.pending == nil {
		return nil
	}
	e := <-r.pending
	r.pending = nil
	return r.record(e.p, e.err, progress)
}

// flushRows is the number of history rows kept in memory before they are
// appended to history.csv even without a snapshot, so that stopping never
// has many to write.
const flushRows = 4096

// Divergence. A run stops with an error naming the step when
//
//   - a weight becomes infinite or NaN, or a logit could pass ±MaxLogit
//     (checked every chunk; the chunk is then replayed step by step to
//     find the first step);
//   - at a check step (a power of two from 1024 on, and the last step,
//     whatever the evaluation schedule, so that whether a run diverges
//     never depends on how often it is evaluated) the model is worse than where it
//     started and worse than a uniform guess: its cross-entropy on
//     checkDraws patterns drawn from the data (a stream of their own) is
//     more than a bit above both the first evaluation's NLL and
//     Layers[0] bits. The stub's recipe at rates from about 5 up gets
//     there within the first check. The sample keeps the check cheap for
//     any data set; its error, a tenth of a bit or so, is far below the
//     margin.

// nextCheck returns the first divergence check step after step.
func nextCheck(step int) int {
	if step < firstCheck {
		return firstCheck
	}
	return 1 << bits.Len(uint(step))
}

const (
	firstCheck = 1024
	checkDraws = 1024
)

// checkDivergence applies the cross-entropy test.
func (r *Run) checkDivergence(ctx context.Context) error {
	if r.check == nil {
		n := checkDraws
		if c := r.Config.chooser(n); !c.exactly() {
			n = min(n, c.estimated(c.estimateK()))
		}
		pats, probs := drawPatterns(r.Config, r.Data, n, checkStream)
		sc, err := r.Config.chooser(len(pats)).newScorer(pats, probs, checkStream)
		if err != nil {
			return err
		}
		r.check = sc
	}
	res, err := r.check.nll(ctx, r.Machine, r.Step, -1)
	if err != nil {
		r.check = nil
		return err
	}
	first, uniform := r.History[0].NLL, float64(r.Config.Layers[0])
	if !(res.NLL <= max(first, uniform)+1) {
		return fmt.Errorf("%w: at step %d the model gives data patterns %.1f bits each, worse than its first %.1f bits and than a uniform guess (%.0f bits); try a smaller --lr",
			ErrDiverged, r.Step, res.NLL, first, uniform)
	}
	return nil
}

// diverged replays the chunk that started at step from, with generator
// state src and the machine in r.saved, to name the step at which the
// weights diverged.
func (r *Run) diverged(src rand.PCG, from int) error {
	end := r.Step
	return errDiverged(firstDiverged(r.divergedNow, end, func() {
		r.Machine.CopyFrom(r.saved)
		copyLearner(r.learner, r.savedL, r.Config.Layers)
		r.load()
		*r.src, r.Step = src, from
	}, func() int { r.step(); r.sync(); return r.Step }))
}

// A mirrored learner trains a copy of the machine's parameters (and of its
// optimizer's state) in another precision (helmholtz.Reweighted's
// Float32): Sync writes the copy into them, Load reads them into it.
type mirrored interface {
	Sync()
	Load()
}

// sync brings the machine (and the learner's optimizer's state) up to the
// learner's steps, before they are read: at the end of each chunk.
func (r *Run) sync() {
	if m, ok := r.learner.(mirrored); ok {
		m.Sync()
	}
}

// load has the learner take up the machine as it is, after it was set
// from elsewhere.
func (r *Run) load() {
	if m, ok := r.learner.(mirrored); ok {
		m.Load()
	}
}

// firstDiverged replays a chunk that ended at step end with diverged
// weights: restore puts the chain back at the chunk's start, step
// advances it by one step and returns the new step number. It returns the
// first step after which diverged reports true.
func firstDiverged(diverged func() bool, end int, restore func(), step func() int) int {
	restore()
	for {
		t := step()
		if diverged() || t >= end {
			return t
		}
	}
}

// divergedNow reports whether the run's weights, its machine's or its
// learner's own, are not finite or can give logits beyond ±MaxLogit.
func (r *Run) divergedNow() bool {
	return !(r.Machine.MaxLogit() <= MaxLogit) || learnerDiverged(r.learner, r.Config.Layers)
}

func errDiverged(step int) error {
	return fmt.Errorf("%w: after step %d a weight is not finite or a logit can pass ±%d (try a smaller --lr)", ErrDiverged, step, MaxLogit)
}

// nextMultiple returns the smallest multiple of k greater than n.
func nextMultiple(n, k int) int { return (n/k + 1) * k }
