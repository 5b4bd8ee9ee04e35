package train

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"helmholtz"
)

var errNoSnapshot = errors.New("no snapshot, checkpoint or model to resume from (trained with --snapshot-every 0, or interrupted before its first one? train it again with the same flags)")

// Resume reopens the run in directory path at its latest saved state: the
// newest snapshot, checkpoint or model that its history covers. With
// steps > 0 the run is extended (or shortened) to that many steps; a
// scheduled run cannot change its steps, since its rates depend on them.
//
// Every file it continues must belong to the run in config.json: each
// saved state's config must be that config (but for the steps), the
// history's rows must be the run's evaluations, and the row of the state
// it resumes from must equal a fresh evaluation of that state, bit for
// bit. A history that lacks rows before the newest state (a disk that
// filled up between a snapshot and its history, say) makes it resume
// from an older state and compute them again; rows are never lost.
// The run holds the directory's lock until Close.
func Resume(path string, steps int) (*Run, error) {
	if path == "" {
		return nil, errors.New("no run directory given (an empty --resume?)")
	}
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("resume %q: not a directory", path)
	}
	d, err := claim(path)
	if err != nil {
		return nil, err
	}
	r, err := d.resume(steps)
	if err != nil {
		d.release()
		return nil, fmt.Errorf("resume %q: %w", path, err)
	}
	return r, nil
}

type savedState struct {
	path string
	State
}

func (d *Dir) resume(steps int) (*Run, error) {
	saved, err := d.config()
	if errors.Is(err, os.ErrNotExist) {
		return nil, errors.New("no config.json: not a run directory")
	} else if err != nil {
		return nil, err
	}
	cfg := saved
	if steps > 0 && steps != cfg.Steps {
		if cfg.scheduled() {
			return nil, fmt.Errorf("--n-steps cannot change: the rates of --schedule %s depend on it", cfg.Schedule)
		}
		cfg.Steps = steps
	}
	set, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	states, err := d.states(cfg)
	if err != nil {
		return nil, err
	}
	r, err := newRun(cfg, set, helmholtz.New(cfg.Layers), new(rand.PCG))
	if err != nil {
		return nil, err
	}
	data, err := readFile(d.path(historyName), maxRead)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	// A write cut short (a full disk) may leave half a last row.
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	rows, err := parseHistory(data)
	if err != nil && len(data) > 0 {
		return nil, fmt.Errorf("%s: %w", d.path(historyName), err)
	}
	if err := checkRows(saved, r.Entropy, rows); err != nil {
		return nil, fmt.Errorf("%s: %w", d.path(historyName), err)
	}

	// The newest state whose evaluations before it are all in the history.
	var from *savedState
	missing := -1
	for i := range states {
		if m := cfg.firstMissing(rows, states[i].Step); m < 0 {
			from = &states[i]
			break
		} else if missing < 0 {
			missing = m
		}
	}
	switch {
	case len(states) == 0:
		return nil, errNoSnapshot
	case from == nil:
		return nil, fmt.Errorf("history.csv lacks the evaluation of step %d and no saved state comes before it; train the run again", missing)
	case from.Step > cfg.LastStep():
		return nil, fmt.Errorf("--n-steps %d is before the saved step %d", cfg.Steps, from.Step+cfg.offset())
	}
	for _, p := range rows {
		if p.Step <= from.Step && cfg.evaluatedAt(p.Step) {
			r.History = append(r.History, p)
		}
	}
	// The history vouches for the state it resumes from through the
	// newest row that a saved state has the step of (the state itself, or
	// one before it where the cadences of evaluations and snapshots meet,
	// step 0 at least): that state, evaluated again, must give the row.
	for i := len(r.History) - 1; i >= 0; i-- {
		row := r.History[i]
		k := slices.IndexFunc(states, func(s savedState) bool { return s.Step == row.Step })
		if k < 0 {
			continue
		}
		st := &states[k]
		r.Machine.CopyFrom(st.Machine)
		if err := restoreLearner(r.learner, cfg.Layers, st.Extra); err != nil {
			return nil, fmt.Errorf("%s: %w", st.path, err)
		}
		r.Step = st.Step
		if p := r.Evaluate(); !row.same(p) {
			return nil, fmt.Errorf("history.csv gives KL %v at step %d, but %s gives %v: %s",
				row.KL, row.Step, st.path, p.KL, notSame(row, p))
		}
		break
	}
	r.Machine.CopyFrom(from.Machine)
	if err := restoreLearner(r.learner, cfg.Layers, from.Extra); err != nil {
		return nil, fmt.Errorf("%s: %w", from.path, err)
	}
	if err := r.src.UnmarshalBinary(from.RNG); err != nil {
		return nil, fmt.Errorf("%s: %w", from.path, err)
	}
	r.Step, r.resumedAt = from.Step, from.Step
	if err := WriteFile(d.path(configName), func(w io.Writer) error { return writeConfig(w, cfg) }); err != nil {
		return nil, err
	}
	if err := d.writeHistory(r.History); err != nil {
		return nil, err
	}
	r.dir = d
	return r, nil
}

// states reads every saved state in d, newest first, and checks that each
// belongs to the run cfg.
func (d *Dir) states(cfg Config) ([]savedState, error) {
	var paths []string
	entries, err := os.ReadDir(d.path(snapshotsName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if _, ok := snapshotStep(e.Name()); ok {
			paths = append(paths, filepath.Join(d.Path, snapshotsName, e.Name()))
		}
	}
	if len(paths) > MaxSnapshots {
		return nil, fmt.Errorf("%d snapshots, more than a run writes (%d)", len(paths), MaxSnapshots)
	}
	for _, name := range []string{checkpointName, modelName} {
		if _, err := os.Stat(d.path(name)); err == nil {
			paths = append(paths, d.path(name))
		}
	}
	var out []savedState
	for _, p := range paths {
		s, err := ReadSnapshot(p)
		if err != nil {
			return nil, fmt.Errorf("%w (remove it to resume from an earlier state)", err)
		}
		if s.Config == nil || s.RNG == nil {
			return nil, fmt.Errorf("%s has no config or generator state", p)
		}
		if !SameRun(*s.Config, cfg) {
			return nil, fmt.Errorf("%s belongs to another run (%s), not to the one in config.json (%s)", p, s.Config.describe(), cfg.describe())
		}
		if step, ok := snapshotStep(filepath.Base(p)); ok && step != s.Step {
			return nil, fmt.Errorf("%s holds step %d", p, s.Step)
		}
		out = append(out, savedState{p, s})
	}
	slices.SortStableFunc(out, func(a, b savedState) int { return b.Step - a.Step })
	return out, nil
}

// SameRun reports whether two configs are of one run, which they are if
// they differ at most in the number of steps (a run extended by Resume).
func SameRun(a, b Config) bool {
	a.Steps, b.Steps = 0, 0
	return reflect.DeepEqual(a, b)
}

// evaluatedAt reports whether a run of c evaluates at step: at its first
// step, every EvalEvery steps after it and at its last.
func (c Config) evaluatedAt(step int) bool {
	first, last := c.firstStep(), c.LastStep()
	return step == first || step == last || (step > first && step < last && step%c.EvalEvery == 0)
}

// firstMissing returns the first step before step (and from the run's
// first step) at which a run of c evaluates but rows has no row, or −1.
// rows are in step order.
func (c Config) firstMissing(rows []Point, step int) int {
	k := 0
	for s := c.firstStep(); s < step; {
		for k < len(rows) && rows[k].Step < s {
			k++
		}
		if k == len(rows) || rows[k].Step != s {
			return s
		}
		s = nextMultiple(s, c.EvalEvery)
	}
	return -1
}

// checkRows checks that every row is an evaluation a run of c makes: at a
// step it evaluates, with the samples of that step, and NLL − KL = H.
// notSame says why a state evaluated again does not give its history's
// row: a difference in the last bits comes from a helmholtz whose
// arithmetic differs (sums reordered for speed), a larger one from
// another run.
func notSame(row, p Point) string {
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a)) }
	if row.Step == p.Step && row.Samples == p.Samples && near(row.KL, p.KL) && near(row.NLL, p.NLL) {
		return "they differ in the last bits, so the run was written by another version of helmholtz (finish it with that version, or train it again)"
	}
	return "they are not of one run"
}

func checkRows(c Config, entropy float64, rows []Point) error {
	for _, p := range rows {
		switch {
		case !c.evaluatedAt(p.Step):
			return fmt.Errorf("a row at step %d, where this run (every %d steps from %d to %d) does not evaluate", p.Step, c.EvalEvery, c.firstStep(), c.LastStep())
		case p.Samples != c.samples(p.Step):
			return fmt.Errorf("step %d with %d samples; this run has seen %d by then", p.Step, p.Samples, c.samples(p.Step))
		case !(math.Abs(p.NLL-p.KL-entropy) <= 1e-9*max(1, p.NLL)):
			return fmt.Errorf("step %d: NLL − KL = %.9g bits, but the data's entropy is %.9g", p.Step, p.NLL-p.KL, entropy)
		}
	}
	return nil
}

// Saved is a finished run as read back from its directory.
type Saved struct {
	Dir       string
	Model     State    // model.npz
	History   []Point  // history.csv
	Snapshots []string // snapshot files, in step order
}

// Open reads the finished run in dir: its model, history and the list of
// its snapshots. It checks what it reads as Resume does: the model's
// config is valid, the history holds the run's evaluations and ends at
// the model's step with the model's KL.
func Open(dir string) (*Saved, error) {
	d := &Dir{Path: dir}
	model := d.path(modelName)
	if _, err := os.Stat(model); err != nil {
		return nil, fmt.Errorf("run %q holds no model.npz (train it first, or finish it with --resume)", dir)
	}
	s, err := ReadSnapshot(model)
	if err != nil {
		return nil, err
	}
	if s.Config == nil {
		return nil, fmt.Errorf("run %q: model.npz has no config", dir)
	}
	cfg := *s.Config
	set, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("run %q: model.npz: %w", dir, err)
	}
	if dc, err := d.config(); err == nil && !reflect.DeepEqual(dc, cfg) {
		return nil, fmt.Errorf("run %q: model.npz belongs to another run (%s) than config.json (%s)", dir, cfg.describe(), dc.describe())
	}
	if s.Step != cfg.LastStep() {
		return nil, fmt.Errorf("run %q: model.npz is at step %d, its config ends at step %d", dir, s.Step, cfg.LastStep())
	}
	data, err := readFile(d.path(historyName), maxRead)
	if err != nil {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	h, err := parseHistory(data)
	if err != nil {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	// The model, evaluated as the run evaluated it, must give the
	// history's last row.
	r, err := newRun(cfg, set, s.Machine, new(rand.PCG))
	if err != nil {
		return nil, err
	}
	if err := restoreLearner(r.learner, cfg.Layers, s.Extra); err != nil {
		return nil, fmt.Errorf("run %q: model.npz: %w", dir, err)
	}
	r.Step = s.Step
	if err := checkRows(cfg, r.Entropy, h); err != nil {
		return nil, fmt.Errorf("run %q: history.csv: %w", dir, err)
	}
	if len(h) == 0 || h[len(h)-1].Step != s.Step {
		return nil, fmt.Errorf("run %q: history.csv does not end at the model's step %d", dir, s.Step)
	}
	if end, p := h[len(h)-1], r.Evaluate(); !end.same(p) {
		return nil, fmt.Errorf("run %q: history.csv ends at KL %v (gap %v), but model.npz has KL %v (gap %v): %s",
			dir, end.KL, end.Gap, p.KL, p.Gap, notSame(end, p))
	}
	entries, err := os.ReadDir(d.path(snapshotsName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	var snaps []string
	for _, e := range entries {
		if step, ok := snapshotStep(e.Name()); ok && step <= s.Step {
			snaps = append(snaps, SnapshotPath(dir, step))
		}
	}
	if len(snaps) > MaxSnapshots {
		return nil, fmt.Errorf("run %q: %d snapshots, more than a run writes (%d)", dir, len(snaps), MaxSnapshots)
	}
	return &Saved{Dir: dir, Model: s, History: h, Snapshots: snaps}, nil
}

// ReadSnapshots reads up to n of the run's snapshots, evenly spread from
// the first to the last, and checks that each belongs to the run.
func (s *Saved) ReadSnapshots(n int) ([]State, error) {
	paths := s.Snapshots
	if len(paths) > n && n >= 2 {
		picked := make([]string, n)
		for i := range picked {
			picked[i] = paths[i*(len(paths)-1)/(n-1)]
		}
		paths = picked
	}
	out := make([]State, len(paths))
	for i, p := range paths {
		st, err := ReadSnapshot(p)
		if err != nil {
			return nil, err
		}
		if st.Config == nil || !SameRun(*st.Config, *s.Model.Config) {
			return nil, fmt.Errorf("%s does not belong to the run in %s", p, s.Dir)
		}
		out[i] = st
	}
	return out, nil
}

// CheckHistory reports whether points could be the evaluations of a run
// of c on data of entropy H(p_data) = entropy: in step order, at steps
// where such a run evaluates, with the samples it has seen by then and
// NLL − KL = entropy, ending at the run's last step.
func CheckHistory(c Config, entropy float64, points []Point) error {
	for i, p := range points {
		if i > 0 && p.Step <= points[i-1].Step {
			return fmt.Errorf("step %d after step %d", p.Step, points[i-1].Step)
		}
		if err := p.check(); err != nil {
			return err
		}
	}
	if err := checkRows(c, entropy, points); err != nil {
		return err
	}
	if len(points) == 0 || points[len(points)-1].Step != c.LastStep() {
		return fmt.Errorf("the evaluations do not end at the run's last step %d", c.LastStep())
	}
	return nil
}
