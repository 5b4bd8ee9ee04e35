package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"helmholtz/figure"
	"helmholtz/train"
)

// runReproduce is the seed's canonical pipeline in one command: train the
// canonical run (seed 2, 2,000,000 online steps at rate 0.1, a snapshot
// every 50,000), then write every figure, the animation and the results
// table.
func runReproduce(args []string) error {
	fs := newFlags("reproduce", "[--run DIR] [--out DIR] [--reuse]")
	dir := fs.String("run", "runs/canonical", "run directory: model, snapshots, history")
	out := fs.String("out", "docs", "where to write figures, bars.gif and results.md")
	reuse := fs.Bool("reuse", false, "reuse the trained run in --run if it is complete")
	fps := fs.Int("fps", 8, "frames per second of bars.gif")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *fps < 1 || *fps > 100 {
		return fmt.Errorf("--fps must be in 1..100, got %d", *fps)
	}
	start := time.Now()
	cfg := train.Default()
	results := filepath.Join(*dir, "results.md")
	_, errModel := os.Stat(filepath.Join(*dir, "model.npz"))
	_, errResults := os.Stat(results)
	if !*reuse || errModel != nil || errResults != nil {
		if err := trainCanonical(cfg, *dir); err != nil {
			return err
		}
	}
	run, err := train.Open(*dir)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(*run.Model.Config, cfg) {
		return fmt.Errorf("run %q was not trained with the canonical config; use another --run or drop --reuse", *dir)
	}
	table, err := os.ReadFile(results)
	if err != nil {
		return err
	}
	paths, err := figure.WriteAll(run, *out)
	if err != nil {
		return err
	}
	gif := filepath.Join(*out, "bars.gif")
	if err := figure.WriteGIF(run, gif, *fps); err != nil {
		return err
	}
	if err := train.WriteFile(filepath.Join(*out, "results.md"), writeString(string(table))); err != nil {
		return err
	}
	fmt.Print(string(table))
	fmt.Printf("\nwrote %d figures, %s and %s in %.1f s\n", len(paths), gif,
		filepath.Join(*out, "results.md"), time.Since(start).Seconds())
	return nil
}

// trainCanonical trains cfg into dir from scratch, clearing old snapshots.
func trainCanonical(cfg train.Config, dir string) error {
	if err := os.RemoveAll(filepath.Join(dir, "snapshots")); err != nil {
		return err
	}
	os.Remove(filepath.Join(dir, "checkpoint.npz"))
	r, err := train.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	fmt.Fprintf(os.Stderr, "training the canonical run into %s ...\n", dir)
	if err := r.Train(ctx, dir, nil); err != nil {
		if errors.Is(err, train.ErrInterrupted) {
			return exitError{130, fmt.Errorf("interrupted at step %d", r.Step)}
		}
		return err
	}
	return train.WriteFile(filepath.Join(dir, "results.md"), writeString(r.Results()))
}
