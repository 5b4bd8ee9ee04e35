package train

import (
	"errors"
	"fmt"
	"os"
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
}

// Inspect reads run directory dir as it is now. It checks what it reads
// as Open does, but for what a run still training may not have written:
// the config is valid, the history's rows are evaluations of that
// config. It does not re-evaluate any state (Open does), so it is cheap
// for any net: a page can call it for every run.
func Inspect(dir string) (*Progress, error) {
	d := &Dir{Path: dir}
	cfg, err := d.config()
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("run %q: no config.json: not a run directory", dir)
	} else if err != nil {
		return nil, err
	}
	set, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("run %q: config.json: %w", dir, err)
	}
	_, probs := set.Support()
	p := &Progress{Dir: dir, Config: cfg, Status: Interrupted, Entropy: exact.Entropy(probs)}
	switch held, err := lockHeld(d.path(lockName)); {
	case err != nil:
		return nil, fmt.Errorf("run %q: %w", dir, err)
	case held:
		p.Status = Running
	case exists(d.path(modelName)):
		p.Status = Finished
	}
	data, err := readFile(d.path(historyName), maxRead)
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
	entries, err := os.ReadDir(d.path(snapshotsName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
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
	return p, nil
}

// State reads the state of the run at step: its snapshot, or at the last
// step of a finished run its model when there is no snapshot there. It
// checks that the state belongs to the run.
func (p *Progress) State(step int) (State, error) {
	path := SnapshotPath(p.Dir, step)
	if !slices.Contains(p.Snapshots, step) {
		if p.Status != Finished || step != p.Config.LastStep() {
			return State{}, fmt.Errorf("run %q has no snapshot at step %d", p.Dir, step)
		}
		path = (&Dir{Path: p.Dir}).path(modelName)
	}
	s, err := ReadSnapshot(path)
	if err != nil {
		return State{}, err
	}
	if s.Config == nil || !sameRun(*s.Config, p.Config) || s.Step != step {
		return State{}, fmt.Errorf("%s does not belong to the run in %s at step %d", path, p.Dir, step)
	}
	return s, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
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
