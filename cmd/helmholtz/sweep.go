package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"helmholtz/sweep"
	"helmholtz/train"
)

func runSweep(ctx context.Context, args []string) error {
	base := train.Default()
	base.EvalEvery = 100000 // evaluation never changes a run; fewer is faster
	base.SnapshotEvery = 0
	fs := newFlags("sweep", "[--seeds A-B] [--recipes FILE] [recipe flags] [--out DIR]")
	finish := configFlags(fs, &base)
	seeds := fs.String("seeds", "1-100", "seeds to run: A-B, or a comma-separated list")
	shard := fs.String("shard", "1/1", "run only shard i of n of the seed list (i/n), for job arrays")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel (1 to 256)")
	recipes := fs.String("recipes", "", "file of recipes, one per line: NAME: FLAGS (default: one recipe from the flags)")
	out := fs.String("out", "runs/sweep", "sweep directory: models/ and results.jsonl; a sweep interrupted there continues")
	force := fs.Bool("force", false, "replace the other sweep that --out holds")
	report := fs.String("report", "", "where to write results, summary and plot (default: --out)")
	quiet := fs.Bool("quiet", false, "print only the summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	finish()
	if isSet(fs, "seed") {
		return fmt.Errorf("use --seeds, not --seed, with sweep")
	}
	if *workers < 1 || *workers > 256 {
		return fmt.Errorf("--workers must be in 1..256, got %d", *workers)
	}
	list, err := parseSeeds(*seeds)
	if err != nil {
		return err
	}
	if list, err = shardOf(list, *shard); err != nil {
		return err
	}
	plan := sweep.Plan{Seeds: list}
	if plan.Recipes, err = readRecipes(*recipes, base); err != nil {
		return err
	}
	for _, rc := range plan.Recipes { // the seed does not change what is valid
		if err := rc.Config.Validate(); err != nil {
			if *recipes == "" { // the flags' one recipe: its flags are the command's
				return err
			}
			return fmt.Errorf("recipe %s: %w", rc.Name, err)
		}
	}
	if err := plan.CheckBudget(*workers); err != nil {
		return err
	}
	jobs := plan.Jobs()
	dir := *report
	if dir == "" {
		dir = *out
	}
	if err := writable(dir); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	d, done, err := sweep.Open(*out, plan, *force)
	if err != nil {
		return err
	}
	defer d.Close()
	finished := map[string]bool{}
	for _, r := range done {
		finished[fmt.Sprintf("%s/%d", r.Recipe, r.Seed)] = true
	}
	var todo []sweep.Job
	for _, j := range jobs {
		if !finished[fmt.Sprintf("%s/%d", j.Recipe, j.Config.Seed)] {
			todo = append(todo, j)
		}
	}
	if len(done) > 0 && !*quiet {
		fmt.Fprintf(os.Stderr, "%s holds %d of the %d runs already; running the other %d\n", *out, len(done), len(jobs), len(todo))
	}
	start, n := time.Now(), len(done)
	results, err := sweep.Run(ctx, todo, *workers, *out, func(r sweep.Result) error {
		n++
		if !*quiet {
			fmt.Fprintf(os.Stderr, "[%d/%d] %s seed %d: KL %.4f bits, %d bar units (%.1fs, %.0fs elapsed)\n",
				n, len(jobs), r.Recipe, r.Seed, r.KL, r.Units.Bars, r.Seconds, time.Since(start).Seconds())
		}
		return d.Record(r)
	})
	results = inJobOrder(jobs, append(done, results...))
	if err != nil && ctx.Err() == nil {
		return err
	}
	flags := map[string]string{}
	for _, rc := range plan.Recipes {
		flags[rc.Name] = rc.Config.RecipeFlags()
	}
	var stats []sweep.Stats
	if len(results) > 0 {
		if stats, err = sweep.WriteReport(dir, results, flags); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d runs; their results are in %s; run the same command again to run the rest",
			len(results), len(jobs), dir)
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

// inJobOrder returns results sorted as their jobs are.
func inJobOrder(jobs []sweep.Job, results []sweep.Result) []sweep.Result {
	at := map[string]int{}
	for i, j := range jobs {
		at[fmt.Sprintf("%s/%d", j.Recipe, j.Config.Seed)] = i
	}
	slices.SortFunc(results, func(a, b sweep.Result) int {
		return at[fmt.Sprintf("%s/%d", a.Recipe, a.Seed)] - at[fmt.Sprintf("%s/%d", b.Recipe, b.Seed)]
	})
	return results
}

// writable creates dir if needed and checks that a file can be written
// there, so that a sweep does not find out only after its last run.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	probe := filepath.Join(dir, "helmholtz-probe")
	if err := train.WriteFile(probe, writeString("")); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) { // not the probe's temporary file's name
			err = pe.Err
		}
		return fmt.Errorf("cannot write files in %s: %w", dir, err)
	}
	return os.Remove(probe)
}

// readRecipes reads a recipe file: lines "NAME: FLAGS", # comments. Each
// recipe's flags apply on top of base. With no file, base is the one
// recipe, named "recipe".
func readRecipes(path string, base train.Config) ([]sweep.Recipe, error) {
	if path == "" {
		return []sweep.Recipe{{Name: "recipe", Config: base}}, nil
	}
	data, err := readRegular(path, maxRecipesFile)
	if err != nil {
		return nil, err
	}
	var out []sweep.Recipe
	seen := map[string]bool{}
	for line, text := range strings.Split(string(data), "\n") {
		line++
		text = strings.TrimSpace(text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, flagText, ok := strings.Cut(text, ":")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("%s:%d: want NAME: FLAGS", path, line)
		}
		if err := sweep.ValidName(name); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s:%d: recipe %s is named twice", path, line, name)
		}
		if len(out) == maxRecipes {
			return nil, fmt.Errorf("%s: more than %d recipes", path, maxRecipes)
		}
		seen[name] = true
		cfg, err := withFlags(base, flagText)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, sweep.Recipe{Name: name, Config: cfg})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no recipes", path)
	}
	return out, nil
}

// maxSeeds and maxRecipes bound a sweep's lists.
const (
	maxSeeds   = 1_000_000
	maxRecipes = 1000
)

// withFlags returns base with a recipe's flags applied; a recipe cannot
// set the seed.
func withFlags(base train.Config, flags string) (train.Config, error) {
	cfg := base
	fs := newFlags("recipe", "")
	finish := configFlags(fs, &cfg)
	if err := parse(fs, strings.Fields(flags)); err != nil {
		return cfg, err
	}
	if isSet(fs, "seed") {
		return cfg, fmt.Errorf("a recipe cannot set --seed")
	}
	finish()
	return cfg, nil
}

// parseSeeds reads "A-B" or "a,b,c": at most maxSeeds seeds, none twice.
func parseSeeds(s string) ([]uint64, error) {
	bad := fmt.Errorf("--seeds %.64q: want A-B or a comma-separated list of seeds", s)
	var out []uint64
	if a, b, ok := strings.Cut(s, "-"); ok {
		lo, err1 := strconv.ParseUint(a, 10, 64)
		hi, err2 := strconv.ParseUint(b, 10, 64)
		if err1 != nil || err2 != nil || hi < lo {
			return nil, bad
		}
		if hi-lo >= maxSeeds {
			return nil, fmt.Errorf("--seeds %.64q: more than %d seeds", s, maxSeeds)
		}
		for i := range hi - lo + 1 { // counted, so that hi = 2^64−1 ends
			out = append(out, lo+i)
		}
		return out, nil
	}
	seen := map[uint64]bool{}
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, bad
		}
		if seen[x] {
			return nil, fmt.Errorf("--seeds %.64q: seed %d is given twice", s, x)
		}
		if len(out) == maxSeeds {
			return nil, fmt.Errorf("--seeds: more than %d seeds", maxSeeds)
		}
		seen[x] = true
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
		return nil, fmt.Errorf("--shard %.64q: want i/n with 1 ≤ i ≤ n", spec)
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
func runSummarize(ctx context.Context, args []string) error {
	fs := newFlags("summarize", "--out DIR RESULTS.jsonl...")
	out := fs.String("out", "runs/summary", "where to write results, summary and plot")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one results.jsonl file")
	}
	var all []sweep.Result
	var from []string // the directory of each result's results.jsonl
	for _, path := range fs.Args() {
		if same, err := sameDir(filepath.Dir(path), *out); err != nil {
			return err
		} else if same {
			return fmt.Errorf("--out %s is the directory of %s, one of the sweeps it merges: write the merge to another directory", *out, path)
		}
		f, err := openRegular(path)
		if err != nil {
			return err
		}
		rs, err := sweep.ReadJSONL(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, rs...)
		for range rs {
			from = append(from, filepath.Dir(path))
		}
	}
	if len(all) == 0 {
		return fmt.Errorf("%s: no results", strings.Join(fs.Args(), ", "))
	}
	if err := sweep.CheckUnique(all); err != nil {
		return err
	}
	// The models come along, so that the merged directory is a sweep
	// directory like any other (helmholtz serve shows it whole); a result
	// whose model is not beside its results.jsonl names none. Every model
	// is read and checked before anything is written.
	models := make([][]byte, len(all))
	for i, r := range all {
		if r.Model == "" {
			continue
		}
		data, err := readModel(from[i], r)
		if errors.Is(err, os.ErrNotExist) {
			all[i].Model = ""
		} else if err != nil {
			return err
		}
		models[i] = data
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	// Then the lock a sweep holds while it writes: no merge into a running
	// sweep, and no two merges into one directory.
	lock, err := train.LockDir(*out)
	if err != nil {
		return fmt.Errorf("--out %s: %w", *out, err)
	}
	defer lock.Close()
	for i, r := range all {
		if models[i] == nil {
			continue
		}
		if err := writeModel(models[i], filepath.Join(from[i], r.Model), filepath.Join(*out, r.Model)); err != nil {
			return err
		}
		models[i] = nil
	}
	flags := map[string]string{}
	for _, r := range all {
		flags[r.Recipe] = r.Config.RecipeFlags()
	}
	stats, err := sweep.WriteReport(*out, all, flags)
	if err != nil {
		return err
	}
	return sweep.Markdown(os.Stdout, stats)
}

// sameDir reports whether directories a and b are one (b may not exist).
func sameDir(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("--out: %w", err)
	}
	return os.SameFile(fa, fb), nil
}

// readModel reads the model of result r in sweep directory dir: a regular
// file under dir (not a symlink), of at most maxModel bytes, that reads
// strictly as a model of r's config.
func readModel(dir string, r sweep.Result) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	name := filepath.Join(dir, r.Model)
	fi, err := root.Lstat(r.Model)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("model %s: not a regular file in its sweep directory (a symlink?)", name)
	}
	if fi.Size() > maxModel {
		return nil, fmt.Errorf("model %s: larger than a model is", name)
	}
	f, err := root.Open(r.Model)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxModel+1))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	st, err := train.DecodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	if st.Config == nil || !train.SameRun(*st.Config, r.Config) {
		return nil, fmt.Errorf("model %s is not the model of its result (recipe %s, seed %d)", name, r.Recipe, r.Seed)
	}
	return data, nil
}

// writeModel writes the model read from src to dst, atomically, unless
// they are the same file.
func writeModel(data []byte, src, dst string) error {
	a, err := os.Stat(src)
	if err != nil {
		return err
	}
	if b, err := os.Stat(dst); err == nil && os.SameFile(a, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return train.WriteFile(dst, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// maxModel bounds a model file summarize copies.
const maxModel = 256 << 20

// maxRecipeFile bounds a file of one recipe's flags, maxRecipesFile a
// sweep's file of named recipes.
const (
	maxRecipeFile  = 64 << 10
	maxRecipesFile = 1 << 20
)

// readRegular reads a regular file of at most limit bytes, whole, or
// refuses it: nothing beyond the limit is dropped silently.
func readRegular(path string, limit int64) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d KiB, more than it can hold", path, limit>>10)
	}
	return data, nil
}

// openRegular opens a file that must be a regular file (not a device or
// a pipe, which could be read forever).
func openRegular(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, nil
}
