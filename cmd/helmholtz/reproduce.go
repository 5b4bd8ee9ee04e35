package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"time"

	"helmholtz/figure"
	"helmholtz/train"
)

// runReproduce is the seed's canonical pipeline in one command: train the
// canonical run (seed 2, 2,000,000 online steps at rate 0.1, a snapshot
// every 50,000), then write every figure, the animation and the results
// table.
func runReproduce(ctx context.Context, args []string) error {
	fs := newFlags("reproduce", "[--run DIR] [--out DIR] [--reuse] [--force] [--fps N]")
	dir := fs.String("run", "runs/canonical", "run directory: model, snapshots, history (empty, or holding the canonical run)")
	out := fs.String("out", "docs", "where to write figures, bars.gif and results.md")
	reuse := fs.Bool("reuse", false, "reuse the trained run in --run if it is complete")
	force := fs.Bool("force", false, "replace another run that --run holds")
	fps := fs.Int("fps", 8, "frames per second of bars.gif (1 to 100)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *fps < 1 || *fps > 100 {
		return fmt.Errorf("--fps must be in 1..100, got %d", *fps)
	}
	if *out == "" {
		return errors.New("--out must name a directory")
	}
	start := time.Now()
	cfg := train.Default()
	run, err := train.Open(*dir)
	if !*reuse || err != nil || !reflect.DeepEqual(*run.Model.Config, cfg) {
		if err := trainCanonical(ctx, cfg, *dir, *force); err != nil {
			return err
		}
		if run, err = train.Open(*dir); err != nil {
			return err
		}
	}
	table, err := os.ReadFile(filepath.Join(*dir, "results.md"))
	if err != nil {
		return err
	}
	paths, err := figure.WriteAll(ctx, run, *out)
	if err != nil {
		return err
	}
	gif := filepath.Join(*out, "bars.gif")
	if err := figure.WriteGIF(ctx, run, gif, *fps); err != nil {
		return err
	}
	// The copy in --out leaves out the wall-clock time, the one row that
	// differs between two runs, so that reproducing leaves docs/ as it was.
	if err := train.WriteFile(filepath.Join(*out, "results.md"), writeString(withoutWallClock(string(table)))); err != nil {
		return err
	}
	// The README beside docs/ quotes the table in a marked block: the
	// same command keeps it the same.
	if readme := filepath.Join(filepath.Dir(filepath.Clean(*out)), "README.md"); filepath.Base(filepath.Clean(*out)) == "docs" {
		if err := updateBlock(readme, "docs/results.md", withoutWallClock(string(table))); err != nil {
			return err
		}
	}
	fmt.Print(string(table))
	fmt.Printf("\nwrote %d figures, %s and %s in %.1f s\n", len(paths), gif,
		filepath.Join(*out, "results.md"), time.Since(start).Seconds())
	return nil
}

// updateBlock replaces the lines between "<!-- begin NAME" and "<!-- end
// NAME -->" in the file at path by text, if the file has such a block; a
// missing file or block is left alone.
func updateBlock(path, name, text string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	begin, end := "<!-- begin "+name, "<!-- end "+name+" -->"
	s := string(data)
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		return nil
	}
	i += strings.IndexByte(s[i:], '\n') + 1
	updated := s[:i] + strings.TrimRight(text, "\n") + "\n" + s[j:]
	if updated == s {
		return nil
	}
	return train.WriteFile(path, writeString(updated))
}

// trainCanonical trains cfg into dir: from where it stopped if dir holds
// the canonical run unfinished (interrupted, say), else from scratch. dir
// must be empty or hold the canonical run, unless force is set.
func trainCanonical(ctx context.Context, cfg train.Config, dir string, force bool) error {
	r, err := train.Resume(dir, 0)
	if err != nil || !reflect.DeepEqual(r.Config, cfg) || r.Step >= cfg.LastStep() {
		if r != nil {
			r.Close()
		}
		if r, err = train.Create(cfg, dir, force); err != nil {
			return err
		}
	}
	defer r.Close()
	fmt.Fprintf(os.Stderr, "training the canonical run into %s ...\n", dir)
	r.Overlap = runtime.GOMAXPROCS(0) > 1 // evaluations on a free core
	if err := r.Train(ctx, nil); err != nil {
		if errors.Is(err, train.ErrInterrupted) {
			return fmt.Errorf("interrupted at step %d; state saved in %s; run reproduce again to go on from there", r.Step, dir)
		}
		return err
	}
	return writeResults(r)
}

// withoutWallClock returns a results table without its wall-clock row.
func withoutWallClock(table string) string {
	var keep []string
	for _, line := range strings.SplitAfter(table, "\n") {
		if !strings.HasPrefix(line, train.WallClockRow) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}
