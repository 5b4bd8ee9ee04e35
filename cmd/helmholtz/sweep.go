package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"helmholtz/sweep"
	"helmholtz/train"
)

func runSweep(args []string) error {
	base := train.Default()
	base.EvalEvery = 100000 // evaluation never changes a run; fewer is faster
	base.SnapshotEvery = 0
	fs := newFlags("sweep", "[--seeds A-B] [--recipes FILE] [recipe flags] [--out DIR]")
	finish := configFlags(fs, &base)
	seeds := fs.String("seeds", "1-100", "seeds to run: A-B, or a comma-separated list")
	shard := fs.String("shard", "1/1", "run only shard i of n of the seed list (i/n), for job arrays")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel")
	recipes := fs.String("recipes", "", "file of recipes, one per line: NAME: FLAGS (default: one recipe from the flags)")
	out := fs.String("out", "runs/sweep", "output directory: models/, results and summary")
	report := fs.String("report", "", "where to write results, summary and plot (default: --out)")
	quiet := fs.Bool("quiet", false, "print only the summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	finish()
	if isSet(fs, "seed") {
		return fmt.Errorf("use --seeds, not --seed, with sweep")
	}
	list, err := parseSeeds(*seeds)
	if err != nil {
		return err
	}
	if list, err = shardOf(list, *shard); err != nil {
		return err
	}
	if *workers < 1 {
		return fmt.Errorf("--workers must be positive, got %d", *workers)
	}
	named, err := readRecipes(*recipes, base)
	if err != nil {
		return err
	}
	flags := map[string]string{}
	var jobs []sweep.Job
	for _, rc := range named {
		flags[rc.name] = rc.cfg.RecipeFlags()
		for _, s := range list {
			c := rc.cfg
			c.Seed = s
			if err := c.Validate(); err != nil {
				return fmt.Errorf("recipe %s: %w", rc.name, err)
			}
			jobs = append(jobs, sweep.Job{Recipe: rc.name, Config: c})
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	ctx, stop := interruptible()
	defer stop()
	start, n := time.Now(), 0
	results, err := sweep.Run(ctx, jobs, *workers, *out, func(r sweep.Result) {
		n++
		if !*quiet {
			fmt.Fprintf(os.Stderr, "[%d/%d] %s seed %d: KL %.4f bits, %d bar units (%.1fs, %.0fs elapsed)\n",
				n, len(jobs), r.Recipe, r.Seed, r.KL, r.Units.Bars, r.Seconds, time.Since(start).Seconds())
		}
	})
	if errors.Is(err, context.Canceled) {
		err = exitError{130, fmt.Errorf("interrupted after %d of %d runs", len(results), len(jobs))}
	}
	if err != nil {
		return err
	}
	dir := *report
	if dir == "" {
		dir = *out
	}
	stats, err := sweep.WriteReport(dir, results, flags)
	if err != nil {
		return err
	}
	sweep.Markdown(os.Stdout, stats)
	plural := "s"
	if *workers == 1 {
		plural = ""
	}
	fmt.Printf("\n%d runs on %d worker%s in %.1f s; results in %s\n", len(results), *workers, plural,
		time.Since(start).Seconds(), filepath.Join(dir, "results.csv"))
	return nil
}

type recipe struct {
	name string
	cfg  train.Config
}

// readRecipes reads a recipe file: lines "NAME: FLAGS", # comments. Each
// recipe's flags apply on top of base. With no file, base is the one
// recipe, named "recipe".
func readRecipes(path string, base train.Config) ([]recipe, error) {
	if path == "" {
		return []recipe{{name: "recipe", cfg: base}}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []recipe
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, flagText, ok := strings.Cut(text, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " /\\") || seen[name] {
			return nil, fmt.Errorf("%s:%d: want NAME: FLAGS with a unique name without spaces or slashes", path, line)
		}
		seen[name] = true
		cfg := base
		fs := newFlags("recipe", "")
		finish := configFlags(fs, &cfg)
		if err := parse(fs, strings.Fields(flagText)); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if isSet(fs, "seed") {
			return nil, fmt.Errorf("%s:%d: a recipe cannot set --seed", path, line)
		}
		finish()
		out = append(out, recipe{name: name, cfg: cfg})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no recipes", path)
	}
	return out, nil
}

// parseSeeds reads "A-B" or "a,b,c".
func parseSeeds(s string) ([]uint64, error) {
	bad := fmt.Errorf("--seeds %q: want A-B or a comma-separated list of seeds", s)
	if a, b, ok := strings.Cut(s, "-"); ok {
		lo, err1 := strconv.ParseUint(a, 10, 64)
		hi, err2 := strconv.ParseUint(b, 10, 64)
		if err1 != nil || err2 != nil || hi < lo || hi-lo >= 1_000_000 {
			return nil, bad
		}
		var out []uint64
		for x := lo; x <= hi; x++ {
			out = append(out, x)
		}
		return out, nil
	}
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, bad
		}
		out = append(out, x)
	}
	return out, nil
}

// shardOf returns the i-th of n interleaved shards of seeds ("i/n",
// 1 ≤ i ≤ n): seeds at positions i-1, i-1+n, ...
func shardOf(seeds []uint64, spec string) ([]uint64, error) {
	a, b, ok := strings.Cut(spec, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("--shard %q: want i/n with 1 ≤ i ≤ n", spec)
	}
	var out []uint64
	for k := i - 1; k < len(seeds); k += n {
		out = append(out, seeds[k])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--shard %s of %d seeds is empty", spec, len(seeds))
	}
	return out, nil
}

// runSummarize merges the results of several sweeps (shards) into one
// report.
func runSummarize(args []string) error {
	fs := newFlags("summarize", "--out DIR RESULTS.jsonl...")
	out := fs.String("out", "runs/summary", "where to write results, summary and plot")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
		}
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one results.jsonl file")
	}
	var all []sweep.Result
	flags := map[string]string{}
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		rs, err := sweep.ReadJSONL(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, rs...)
	}
	for _, r := range all {
		flags[r.Recipe] = r.Config.RecipeFlags()
	}
	stats, err := sweep.WriteReport(*out, all, flags)
	if err != nil {
		return err
	}
	return sweep.Markdown(os.Stdout, stats)
}
