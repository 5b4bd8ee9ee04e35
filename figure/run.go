package figure

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/train"
)

// Names of the files WriteAll writes, without extension, in order.
var Names = []string{"curves", "fantasies", "fields", "codes", "weights"}

// WriteAll draws figures 1-5 of a finished run (learning curves,
// fantasies, hidden-unit fields, recognition codes, Hinton diagrams) into
// dir as PNG and SVG files, and returns the paths written.
func WriteAll(run *train.Saved, dir string) ([]string, error) {
	set, err := dataset.Parse(run.Model.Config.Data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	m := run.Model.Machine
	h, w := set.Shape()
	pats, probs := set.Support()
	figs := map[string]Figure{
		"curves":    Curves(run.History, exact.Entropy(probs)),
		"fantasies": Fantasies(m, h, w, 64, 8, run.Model.Config.Seed),
		"fields":    Fields(m, h, w),
		"codes":     Codes(m, pats, h, w),
		"weights":   Hinton(m),
	}
	var paths []string
	for _, name := range Names {
		for _, ext := range []string{".png", ".svg"} {
			p := filepath.Join(dir, name+ext)
			if err := Save(p, figs[name]); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// WriteGIF writes the animation of a finished run's snapshots to path.
func WriteGIF(run *train.Saved, path string, fps int) error {
	if len(run.Snapshots) == 0 {
		return fmt.Errorf("run %q has no snapshots to animate (train with --snapshot-every > 0)", run.Dir)
	}
	set, err := dataset.Parse(run.Model.Config.Data)
	if err != nil {
		return err
	}
	snaps := make([]train.State, len(run.Snapshots))
	for i, p := range run.Snapshots {
		if snaps[i], err = train.ReadSnapshot(p); err != nil {
			return err
		}
	}
	h, w := set.Shape()
	return train.WriteFile(path, func(wr io.Writer) error {
		return Animation(wr, snaps, run.History, h, w, fps, run.Model.Config.Seed)
	})
}
