package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
)

// Resume reopens the run in dir at its latest saved state: the newest
// snapshot or the checkpoint written on interruption, whichever has the
// higher step. Its history is read back up to that step.
func Resume(dir string) (*Run, error) {
	path, err := latest(dir)
	if err != nil {
		return nil, err
	}
	s, err := ReadSnapshot(path)
	if err != nil {
		return nil, err
	}
	if s.Config == nil || s.RNG == nil {
		return nil, fmt.Errorf("resume %q: %s has no config or generator state", dir, filepath.Base(path))
	}
	cfg := *s.Config
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("resume %q: %w", dir, err)
	}
	var src rand.PCG
	if err := src.UnmarshalBinary(s.RNG); err != nil {
		return nil, fmt.Errorf("resume %q: generator state: %w", dir, err)
	}
	if !slices.Equal(s.Machine.Sizes, cfg.Layers) {
		return nil, fmt.Errorf("resume %q: model sizes %v differ from config layers %v", dir, s.Machine.Sizes, cfg.Layers)
	}
	r, err := newRun(cfg, s.Machine, &src)
	if err != nil {
		return nil, err
	}
	r.Step = s.Step
	f, err := os.Open(filepath.Join(dir, "history.csv"))
	if err == nil {
		defer f.Close()
		h, err := ReadHistory(f)
		if err != nil {
			return nil, fmt.Errorf("resume %q: %w", dir, err)
		}
		for _, p := range h {
			if p.Step <= r.Step {
				r.History = append(r.History, p)
			}
		}
	}
	return r, nil
}

// latest returns the saved state with the highest step in dir.
func latest(dir string) (string, error) {
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("resume: %w", err)
	}
	cands, _ := filepath.Glob(filepath.Join(dir, "snapshots", "step_*.npz"))
	cp := filepath.Join(dir, "checkpoint.npz")
	if _, err := os.Stat(cp); err == nil {
		cands = append(cands, cp)
	}
	best, bestStep := "", -1
	for _, c := range cands {
		var step int
		if filepath.Base(c) == "checkpoint.npz" {
			s, err := ReadSnapshot(c)
			if err != nil {
				return "", err
			}
			step = s.Step
		} else if _, err := fmt.Sscanf(filepath.Base(c), "step_%d.npz", &step); err != nil {
			continue
		}
		if step > bestStep {
			best, bestStep = c, step
		}
	}
	if best == "" {
		return "", fmt.Errorf("resume %q: %w", dir, errNoSnapshot)
	}
	return best, nil
}

var errNoSnapshot = errors.New("no snapshot or checkpoint to resume from (was it trained with --snapshot-every 0?)")

// Saved is a finished run as read back from its directory.
type Saved struct {
	Dir       string
	Model     State    // model.npz
	History   []Point  // history.csv
	Snapshots []string // snapshot files, in step order
}

// Open reads the finished run in dir: its model, history and the list of
// its snapshots.
func Open(dir string) (*Saved, error) {
	model := filepath.Join(dir, "model.npz")
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
	f, err := os.Open(filepath.Join(dir, "history.csv"))
	if err != nil {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	defer f.Close()
	h, err := ReadHistory(f)
	if err != nil {
		return nil, fmt.Errorf("run %q: %w", dir, err)
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "snapshots", "step_*.npz"))
	slices.Sort(snaps) // zero-padded step numbers sort in step order
	return &Saved{Dir: dir, Model: s, History: h, Snapshots: snaps}, nil
}
