package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"helmholtz/synth"
	"helmholtz/train"
)

// runData makes the data sets of the density-estimation study.
func runData(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "make" {
		return fmt.Errorf("want: helmholtz data make TASK --seed N --out FILE.npz (tasks: %s)", strings.Join(synth.Names, ", "))
	}
	fs := newFlags("data make", "TASK [--seed N] [--out FILE.npz]   (TASK: "+strings.Join(synth.Names, ", ")+")")
	seed := fs.Uint64("seed", 1, "seed of the generating model and of the data")
	out := fs.String("out", "", "file to write (default data/TASK-seedN.npz)")
	nTrain := fs.Int("train", synth.PaperSizes.Train, "training examples (1 to 100,000: the exact entropy sums over them, minutes at the most)")
	valid := fs.Int("valid", synth.PaperSizes.Valid, "validation examples (1 to 1,000,000)")
	test := fs.Int("test", synth.PaperSizes.Test, "test examples (1 to 1,000,000)")
	task := ""
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		task, rest = rest[0], rest[1:]
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if task == "" {
		return fmt.Errorf("name a task: %s", strings.Join(synth.Names, ", "))
	}
	for _, n := range []struct {
		name    string
		v, most int
	}{{"train", *nTrain, 100_000}, {"valid", *valid, 1_000_000}, {"test", *test, 1_000_000}} {
		if n.v < 1 || n.v > n.most {
			return fmt.Errorf("--%s must be in 1..%d, got %d", n.name, n.most, n.v)
		}
	}
	known := false
	for _, n := range synth.Names {
		known = known || n == task
	}
	if !known {
		return fmt.Errorf("unknown task %.64q (known: %s)", task, strings.Join(synth.Names, ", "))
	}
	if *out == "" {
		*out = fmt.Sprintf("data/%s-seed%d.npz", task, *seed)
		if err := os.MkdirAll("data", 0o755); err != nil {
			return err
		}
	}
	if err := writable(filepath.Dir(*out)); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if fi, err := os.Stat(*out); err == nil && fi.IsDir() {
		return fmt.Errorf("--out %s is a directory: name the file to write", *out)
	}
	start := time.Now()
	d, err := synth.Make(task, *seed, synth.Sizes{Train: *nTrain, Valid: *valid, Test: *test})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := train.WriteFile(*out, d.WriteNpz); err != nil {
		return err
	}
	fmt.Printf("%s seed %d: %d / %d / %d examples of 100 units, entropy %.3f bits per example (exact, the training split under its generating model; %d model draw(s)); %.1f s; wrote %s\n",
		task, *seed, len(d.Train), len(d.Valid), len(d.Test), d.Entropy, d.Draws, time.Since(start).Seconds(), *out)
	return nil
}
