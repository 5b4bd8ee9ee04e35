package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"helmholtz/study"
	"helmholtz/sweep"
	"helmholtz/train"
)

// runStudy runs one of the project's studies and writes its document.
func runStudy(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Println("usage: helmholtz study gap [flags]   (helmholtz study gap -h for its flags)")
			return flag.ErrHelp
		}
		return errors.New("name a study: gap")
	}
	if args[0] != "gap" {
		return fmt.Errorf("unknown study %q (known: gap)", args[0])
	}
	fs := newFlags("study gap", "[--seeds A-B] [--n-steps N] [--workers N] [--out DIR] [--doc DIR] [--recipe FILE] [--force]")
	seeds := fs.String("seeds", "1-100", "seeds of every recipe: A-B or a comma-separated list")
	steps := fs.Int("n-steps", 2000000, "steps of every run")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel (1 to 256)")
	out := fs.String("out", "runs/gap", "the study's sweep directory; an interrupted study continues there")
	doc := fs.String("doc", "docs", "where to write GAP.md and gap/")
	recipeFile := fs.String("recipe", "docs/RECIPE", "file with the recommended recipe's flags")
	force := fs.Bool("force", false, "replace another sweep that --out holds")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *workers < 1 || *workers > 256 {
		return fmt.Errorf("--workers must be in 1..256, got %d", *workers)
	}
	list, err := parseSeeds(*seeds)
	if err != nil {
		return err
	}
	f, err := openRegular(*recipeFile)
	if err != nil {
		return err
	}
	recipe, err := io.ReadAll(io.LimitReader(f, 1<<16))
	f.Close()
	if err != nil {
		return err
	}
	base := train.Default()
	base.Steps, base.EvalEvery, base.SnapshotEvery = *steps, 100000, 0
	plan := sweep.Plan{Seeds: list}
	for _, suffix := range []string{"", "-recipe"} {
		for _, l := range study.GapLearners {
			flags := l.Flags
			if suffix != "" {
				flags += " " + string(recipe)
			}
			cfg, err := withFlags(base, flags)
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				return fmt.Errorf("recipe %s%s: %w", l.Name, suffix, err)
			}
			plan.Recipes = append(plan.Recipes, sweep.Recipe{Name: l.Name + suffix, Config: cfg})
		}
	}
	if err := plan.CheckBudget(*workers); err != nil {
		return err
	}
	if err := writable(*doc); err != nil {
		return fmt.Errorf("--doc: %w", err)
	}
	log := io.Writer(os.Stderr)
	if *quiet {
		log = io.Discard
	}
	g := study.Gap{Plan: plan, Recipe: strings.Join(strings.Fields(string(recipe)), " "), Workers: *workers,
		Out: *out, Doc: *doc, Force: *force, Log: log}
	if err := g.Run(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; the finished runs are in %s: run the same command again to go on", *out)
		}
		return err
	}
	fmt.Printf("wrote %s\n", *doc+"/GAP.md")
	return nil
}
