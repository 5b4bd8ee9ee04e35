package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"helmholtz/figure"
	"helmholtz/train"
)

func runPlot(ctx context.Context, args []string) error {
	fs := newFlags("plot", "--run DIR [--out DIR]")
	dir := fs.String("run", "", "run directory (as written by helmholtz train)")
	out := fs.String("out", "", "where to write the figures (default: the run directory)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("--run is required")
	}
	if *out == "" {
		*out = *dir
	}
	run, err := train.Open(*dir)
	if err != nil {
		return err
	}
	paths, err := figure.WriteAll(ctx, run, *out)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Println(p)
	}
	return nil
}

func runGIF(ctx context.Context, args []string) error {
	fs := newFlags("gif", "--run DIR [--fps N] [--out FILE]")
	dir := fs.String("run", "", "run directory with snapshots")
	fps := fs.Int("fps", 8, "frames per second (1 to 100)")
	out := fs.String("out", "", "GIF file to write (default: DIR/bars.gif for bars, else DIR/training.gif)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("--run is required")
	}
	if *fps < 1 || *fps > 100 {
		return fmt.Errorf("--fps must be in 1..100, got %d", *fps)
	}
	run, err := train.Open(*dir)
	if err != nil {
		return err
	}
	if *out == "" {
		name := "training.gif"
		if c := run.Model.Config; c == nil || c.Data == "" || strings.HasPrefix(c.Data, "bars") {
			name = "bars.gif"
		}
		*out = filepath.Join(*dir, name)
	}
	if err := figure.WriteGIF(ctx, run, *out, *fps); err != nil {
		return err
	}
	fmt.Println(*out)
	return nil
}
