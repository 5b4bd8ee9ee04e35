package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestOverlap: a run whose evaluations go on in the background (Overlap)
// ends as the run that makes them in line, bit for bit: weights, stream,
// history, every file, errors; for the learners, estimated evaluations
// (whose estimator draws from a stream of its own, evaluation after
// evaluation), the shifter's diagnosis, runs that diverge and runs
// trained four at a time in lanes; and an interrupted overlapping run
// resumes to the same end.
func TestOverlap(t *testing.T) {
	diverging := small(6000)
	diverging.LR = 4
	shifter := small(6000)
	shifter.Data, shifter.Layers = "shifter", []int{32, 6, 2}
	estimated := small(6000)
	estimated.Estimate = 50
	cases := map[string]Config{
		"stub": small(12000), "recipe": recipeSmall(16000), "diverging": diverging,
		"shifter": shifter, "estimated": estimated,
	}
	for name, c := range learnerConfigs(6000) {
		cases[name] = c
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			cfg.EvalEvery = 500
			dir := t.TempDir()
			var runs [2]*Run
			var errs [2]error
			for k, overlap := range []bool{false, true} {
				r := start(t, cfg, filepath.Join(dir, fmt.Sprint(overlap)))
				r.Overlap = overlap
				var seen []Point
				errs[k] = r.Train(context.Background(), func(p Point) { seen = append(seen, p) })
				r.Close()
				if !slices.EqualFunc(seen, r.History, Point.Equal) {
					t.Fatalf("overlap %v: progress saw %d points, the history has %d", overlap, len(seen), len(r.History))
				}
				runs[k] = r
			}
			a, b := runs[0], runs[1]
			if fmt.Sprint(errs[0]) != fmt.Sprint(errs[1]) {
				t.Fatalf("error %v in line, %v overlapping", errs[0], errs[1])
			}
			if !b.Machine.Equal(a.Machine) || *b.src != *a.src || b.Step != a.Step ||
				!slices.EqualFunc(b.History, a.History, Point.Equal) {
				t.Fatal("the overlapping run differs from the run evaluating in line")
			}
			sameDirs(t, filepath.Join(dir, "false"), filepath.Join(dir, "true"))
			if name == "diverging" && errs[0] == nil {
				t.Error("the diverging config does not diverge")
			}
		})
	}

	t.Run("interrupted", func(t *testing.T) {
		cfg := small(30000)
		cfg.EvalEvery = 500
		full := trained(t, cfg, "")
		dir := t.TempDir()
		r := start(t, cfg, dir)
		r.Overlap = true
		ctx, cancel := context.WithCancel(context.Background())
		err := r.Train(ctx, func(p Point) {
			if p.Step >= 12000 {
				cancel()
			}
		})
		r.Close()
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Train after cancel: %v", err)
		}
		if n := len(r.History); r.History[n-1].Step != r.Step {
			t.Errorf("interrupted at step %d, its history ends at %d", r.Step, r.History[n-1].Step)
		}
		res, err := Resume(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Close()
		res.Overlap = true
		if err := res.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if !res.Machine.Equal(full.Machine) || !slices.EqualFunc(res.History, full.History, Point.Equal) {
			t.Fatal("the resumed overlapping run differs from the whole run")
		}
	})

	t.Run("group", func(t *testing.T) {
		cfg := small(12000)
		cfg.EvalEvery = 500
		var runs []*Run
		for k := range cfg.LaneWidth() {
			c := cfg
			c.Seed = uint64(5 + k)
			r := start(t, c, "")
			r.Overlap = true
			runs = append(runs, r)
		}
		for k, err := range TrainGroup(context.Background(), runs, nil) {
			c := cfg
			c.Seed = uint64(5 + k)
			want := trained(t, c, "")
			if err != nil || !runs[k].Machine.Equal(want.Machine) || !slices.EqualFunc(runs[k].History, want.History, Point.Equal) {
				t.Fatalf("seed %d: the overlapping run in lanes differs (%v)", c.Seed, err)
			}
		}
	})
}

// sameDirs fails unless run directories a and b hold the same files with
// the same bytes.
func sameDirs(t *testing.T, a, b string) {
	t.Helper()
	var names []string
	err := filepath.WalkDir(a, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(a, path)
			names = append(names, rel)
		}
		return err
	})
	if err != nil || len(names) < 3 {
		t.Fatalf("%s holds %v (%v)", a, names, err)
	}
	for _, name := range names {
		if name == "lock" || name == "results.md" {
			continue
		}
		x, errX := os.ReadFile(filepath.Join(a, name))
		y, errY := os.ReadFile(filepath.Join(b, name))
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs (%v, %v)", name, errX, errY)
		}
	}
}
