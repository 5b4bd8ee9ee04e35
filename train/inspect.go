package train

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"helmholtz/exact"
)

// Status says where a run directory's run stands.
type Status string

const (
	Finished    Status = "finished"    // model.npz written
	Running     Status = "running"     // a process holds the directory's lock
	Interrupted Status = "interrupted" // stopped with a checkpoint, or by a crash: resume it
)

// Progress is what a run directory holds so far, finished or not, read
// without taking its lock (the run may be training in another process):
// its config, the evaluations written so far and the steps of its
// snapshots.
type Progress struct {
	Dir       string
	Config    Config
	Status    Status
	History   []Point // as far as history.csv goes (rows reach it at snapshots and every few thousand evaluations)
	Snapshots []int   // steps of the snapshots, in order
	Entropy   float64 // H(p_data), bits

	files files // where State reads; a nil root: Dir, opened again
}

// Inspect reads run directory dir as it is now. It checks what it reads
// as Open does, but for what a run still training may not have written:
// the config is valid, the history's rows are evaluations of that
// config. It does not re-evaluate any state (Open does), so it is cheap
// for any net: a page can call it for every run. It reads only what lies
// in dir: a symlink that leads out of it is refused.
func Inspect(dir string) (*Progress, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("run %q: no such directory", dir)
		}
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	defer root.Close()
	p, err := inspect(files{root: root, dir: "."}, dir)
	if p != nil {
		p.files.root = nil // closed: State opens dir again
	}
	return p, err
}

// InspectIn is Inspect of the run at slash path dir under root, reading
// nothing outside root: a server's view of the runs under its directory.
// The Progress's Dir is the run's path in the file system; root must stay
// open while its State is read.
func InspectIn(root *os.Root, dir string) (*Progress, error) {
	return inspect(files{root: root, dir: path.Clean(dir), confine: true}, filepath.Join(root.Name(), filepath.FromSlash(dir)))
}

func inspect(f files, dir string) (*Progress, error) {
	js, err := f.read(configName, 1<<20)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("run %q: no config.json: not a run directory", dir)
	} else if err != nil {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	cfg, err := parseConfig(js)
	if err != nil {
		return nil, fmt.Errorf("run %q: config.json: %w", dir, err)
	}
	if err := f.checkData(cfg.Data); err != nil {
		return nil, fmt.Errorf("run %q: config.json: %w", dir, err)
	}
	set, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("run %q: config.json: %w", dir, err)
	}
	_, probs := set.Support()
	p := &Progress{Dir: dir, Config: cfg, Status: Interrupted, Entropy: exact.Entropy(probs), files: f}
	switch held, err := lockHeld(f, lockName); {
	case err != nil:
		return nil, fmt.Errorf("run %q: %w", dir, err)
	case held:
		p.Status = Running
	case f.exists(modelName):
		p.Status = Finished
	}
	data, err := f.read(historyName, maxRead)
	switch {
	case errors.Is(err, os.ErrNotExist): // not yet written
	case err != nil:
		return nil, fmt.Errorf("run %q: %w", dir, err)
	default:
		if p.History, err = parseHistory(data); err != nil {
			return nil, fmt.Errorf("run %q: %w", dir, err)
		}
		if err := checkRows(cfg, p.Entropy, p.History); err != nil {
			return nil, fmt.Errorf("run %q: history.csv: %w", dir, err)
		}
	}
	entries, err := f.readDir(snapshotsName, 2*MaxSnapshots)
	if err != nil {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	for _, e := range entries {
		if step, ok := snapshotStep(e.Name()); ok && step <= cfg.LastStep() && e.Type().IsRegular() {
			p.Snapshots = append(p.Snapshots, step)
		}
	}
	if len(p.Snapshots) > MaxSnapshots {
		return nil, fmt.Errorf("run %q: %d snapshots, more than a run writes (%d)", dir, len(p.Snapshots), MaxSnapshots)
	}
	slices.Sort(p.Snapshots)
	return p, nil
}

// State reads the state of the run at step: its snapshot, or at the last
// step of a finished run its model when there is no snapshot there. It
// checks that the state belongs to the run.
func (p *Progress) State(step int) (State, error) {
	name := path.Join(snapshotsName, filepath.Base(SnapshotPath("", step)))
	if !slices.Contains(p.Snapshots, step) {
		if p.Status != Finished || step != p.Config.LastStep() {
			return State{}, fmt.Errorf("run %q has no snapshot at step %d", p.Dir, step)
		}
		name = modelName
	}
	f := p.files
	if f.root == nil {
		root, err := os.OpenRoot(p.Dir)
		if err != nil {
			return State{}, fmt.Errorf("run %q: %w", p.Dir, err)
		}
		defer root.Close()
		f = files{root: root, dir: "."}
	}
	s, err := readSnapshotIn(f, name)
	if err != nil {
		return State{}, fmt.Errorf("model %q: %w", filepath.Join(p.Dir, filepath.FromSlash(name)), err)
	}
	if s.Config == nil || !SameRun(*s.Config, p.Config) || s.Step != step {
		return State{}, fmt.Errorf("%s does not belong to the run in %s at step %d", filepath.Join(p.Dir, filepath.FromSlash(name)), p.Dir, step)
	}
	return s, nil
}

// heldIn reports whether the table of /proc/locks lists a lock on inode
// ino (its sixth field is MAJOR:MINOR:INODE).
func heldIn(locks string, ino uint64) bool {
	want := fmt.Sprintf(":%d", ino)
	for line := range strings.SplitSeq(locks, "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] != "->" && strings.HasSuffix(f[5], want) && strings.Count(f[5], ":") == 2 {
			return true
		}
	}
	return false
}
