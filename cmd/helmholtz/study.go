package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"helmholtz/dataset"
	"helmholtz/study"
	"helmholtz/sweep"
	"helmholtz/synth"
	"helmholtz/train"
)

// runStudy runs one of the project's studies and writes its document.
func runStudy(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Println("usage: helmholtz study gap|scale|dmd|density|mnist [flags]   (helmholtz study NAME -h for its flags)")
			return flag.ErrHelp
		}
		return errors.New("name a study: gap, scale, dmd, density or mnist")
	}
	switch args[0] {
	case "gap":
		return gapStudy(ctx, args[1:])
	case "scale":
		return scaleStudy(ctx, args[1:])
	case "dmd":
		return dmdStudy(ctx, args[1:])
	case "density":
		return densityStudy(ctx, args[1:])
	case "mnist":
		return mnistStudy(ctx, args[1:])
	}
	return fmt.Errorf("unknown study %.64q (known: gap, scale, dmd, density, mnist)", args[0])
}

// studyFlags are the flags every study has.
type studyFlags struct {
	fs                          *flag.FlagSet
	seeds, out, doc, recipeFile *string
	steps, workers              *int
	force, quiet                *bool
}

func newStudyFlags(name, seeds, out string) studyFlags {
	fs := newFlags("study "+name, "[--seeds A-B] [--n-steps N] [--workers N] [--out DIR] [--doc DIR] [--recipe FILE] [--force]")
	return studyFlags{fs: fs,
		seeds:      fs.String("seeds", seeds, "seeds of every recipe: A-B or a comma-separated list"),
		steps:      fs.Int("n-steps", 2000000, "steps of every run"),
		workers:    fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel (1 to 256)"),
		out:        fs.String("out", out, "the study's sweep directory; an interrupted study continues there"),
		doc:        fs.String("doc", "docs", "where to write the study's page and its data"),
		recipeFile: fs.String("recipe", "docs/RECIPE", "file with the recommended recipe's flags"),
		force:      fs.Bool("force", false, "replace another sweep that --out holds"),
		quiet:      fs.Bool("quiet", false, "print no progress"),
	}
}

// check validates the common flags after parsing and returns the seeds
// and the recommended recipe's flags.
func (f studyFlags) check() ([]uint64, string, error) {
	if *f.workers < 1 || *f.workers > 256 {
		return nil, "", fmt.Errorf("--workers must be in 1..256, got %d", *f.workers)
	}
	list, err := parseSeeds(*f.seeds)
	if err != nil {
		return nil, "", err
	}
	recipe, err := readRegular(*f.recipeFile, maxRecipeFile)
	if err != nil {
		return nil, "", err
	}
	if err := writable(*f.doc); err != nil {
		return nil, "", fmt.Errorf("--doc: %w", err)
	}
	return list, strings.Join(strings.Fields(string(recipe)), " "), nil
}

func (f studyFlags) log() io.Writer {
	if *f.quiet {
		return io.Discard
	}
	return os.Stderr
}

// recipeOf returns base with flags applied, validated, named name.
func recipeOf(name string, base train.Config, flags string) (sweep.Recipe, error) {
	cfg, err := withFlags(base, flags)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return sweep.Recipe{}, fmt.Errorf("recipe %s: %w", name, err)
	}
	return sweep.Recipe{Name: name, Config: cfg}, nil
}

func studyFailed(ctx context.Context, err error, out string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; the finished runs are in %s: run the same command again to go on", out)
	}
	return err
}

func gapStudy(ctx context.Context, args []string) error {
	f := newStudyFlags("gap", "1-100", "runs/gap")
	if err := parse(f.fs, args); err != nil {
		return err
	}
	list, recipe, err := f.check()
	if err != nil {
		return err
	}
	base := train.Default()
	base.Steps, base.EvalEvery, base.SnapshotEvery = *f.steps, 100000, 0
	plan := sweep.Plan{Seeds: list}
	for _, suffix := range []string{"", "-recipe"} {
		for _, l := range study.GapLearners {
			flags := l.Flags
			if suffix != "" {
				flags += " " + recipe
			}
			rc, err := recipeOf(l.Name+suffix, base, flags)
			if err != nil {
				return err
			}
			plan.Recipes = append(plan.Recipes, rc)
		}
	}
	if err := plan.CheckBudget(*f.workers); err != nil {
		return err
	}
	g := study.Gap{Plan: plan, Recipe: recipe, Workers: *f.workers, Out: *f.out, Doc: *f.doc, Force: *f.force, Log: f.log()}
	if err := g.Run(ctx); err != nil {
		return studyFailed(ctx, err, *f.out)
	}
	fmt.Printf("wrote %s\n", filepath.Join(*f.doc, "GAP.md"))
	return nil
}

func scaleStudy(ctx context.Context, args []string) error {
	f := newStudyFlags("scale", "1-20", "runs/scale")
	selSeeds := f.fs.String("select-seeds", "1-100", "seeds of the selection comparison on 16-8-1")
	k := f.fs.Int("select-estimate", 20, "samples per pattern of the importance-sampled choice among restart candidates")
	if err := parse(f.fs, args); err != nil {
		return err
	}
	list, recipe, err := f.check()
	if err != nil {
		return err
	}
	if *k < 1 || *k > 100000 {
		return fmt.Errorf("--select-estimate must be in 1..100000, got %d", *k)
	}
	selList, err := parseSeeds(*selSeeds)
	if err != nil {
		return fmt.Errorf("--select-seeds: %w", err)
	}
	base := train.Default()
	base.Steps, base.EvalEvery, base.SnapshotEvery = *f.steps, 200000, 0
	is := fmt.Sprintf("--select-estimate %d", *k)
	plan := sweep.Plan{Seeds: list}
	for _, n := range study.ScaleNets {
		for _, r := range []struct{ suffix, flags string }{{"-stub", ""}, {"-recipe", recipe + " " + is}} {
			rc, err := recipeOf(n.Name+r.suffix, base, n.Flags+" "+r.flags)
			if err != nil {
				return err
			}
			plan.Recipes = append(plan.Recipes, rc)
		}
	}
	sel := sweep.Plan{Seeds: selList}
	selBase := base
	selBase.EvalEvery = 100000
	for _, r := range study.SelectRecipes {
		rc, err := recipeOf(r.Name, selBase, recipe+" "+strings.ReplaceAll(r.Flags, "--select-estimate SELECT", is))
		if err != nil {
			return err
		}
		sel.Recipes = append(sel.Recipes, rc)
	}
	topNets, topSel := sweep.Plan{Seeds: list}, sweep.Plan{Seeds: selList}
	for _, n := range study.ScaleNets {
		rc, err := recipeOf(n.Name+"-recipe-top", base, n.Flags+" "+recipe+" "+is+" --reinit-top")
		if err != nil {
			return err
		}
		topNets.Recipes = append(topNets.Recipes, rc)
	}
	rc, err := recipeOf("recipe-top-is", selBase, recipe+" "+is+" --reinit-top")
	if err != nil {
		return err
	}
	topSel.Recipes = append(topSel.Recipes, rc)
	for _, p := range []sweep.Plan{plan, sel, topNets, topSel} {
		if err := p.CheckBudget(*f.workers); err != nil {
			return err
		}
	}
	s := study.Scale{Plan: plan, Select: sel, TopNets: topNets, TopSelect: topSel, Recipe: recipe, K: *k, Workers: *f.workers, Out: *f.out, Doc: *f.doc,
		Force: *f.force, Log: f.log()}
	if err := s.Run(ctx); err != nil {
		return studyFailed(ctx, err, *f.out)
	}
	fmt.Printf("wrote %s\n", filepath.Join(*f.doc, "SCALE.md"))
	return nil
}

func dmdStudy(ctx context.Context, args []string) error {
	fs := newFlags("study dmd", "[--seeds A-B] [--n-steps N] [--eval-every N] [--kl 1,0.1] [--recipe FILE] [--workers N] [--doc DIR]")
	seeds := fs.String("seeds", "1-20", "seeds: A-B or a comma-separated list")
	steps := fs.Int("n-steps", 2000000, "steps of every run (1,000 to 10,000,000)")
	every := fs.Int("eval-every", 1000, "steps between the exact evaluations (100 to --n-steps)")
	kls := fs.String("kl", "1,0.1", "the results to reach: KL thresholds in bits, comma-separated (beside 7 of 8 bars covered)")
	recipeFile := fs.String("recipe", "docs/RECIPE", "file with the recommended recipe's flags")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "runs in parallel (1 to 256)")
	doc := fs.String("doc", "docs", "where to write DMD.md")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := parse(fs, args); err != nil {
		return err
	}
	list, err := parseSeeds(*seeds)
	if err != nil {
		return err
	}
	if len(list) > 1000 {
		return fmt.Errorf("--seeds: at most 1,000, got %d", len(list))
	}
	if *steps < 1000 || *steps > 10_000_000 {
		return fmt.Errorf("--n-steps must be in 1000..10000000, got %d", *steps)
	}
	if *every < 100 || *every > *steps {
		return fmt.Errorf("--eval-every must be in 100..--n-steps, got %d", *every)
	}
	if *workers < 1 || *workers > 256 {
		return fmt.Errorf("--workers must be in 1..256, got %d", *workers)
	}
	var thresholds []float64
	for _, f := range strings.Split(*kls, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(x > 0 && x < 100) {
			return fmt.Errorf("--kl: want thresholds in bits between 0 and 100, got %.64q", f)
		}
		thresholds = append(thresholds, x)
	}
	if len(thresholds) > 10 {
		return fmt.Errorf("--kl: at most 10 thresholds")
	}
	if err := writable(*doc); err != nil {
		return fmt.Errorf("--doc: %w", err)
	}
	log := io.Writer(os.Stderr)
	if *quiet {
		log = io.Discard
	}
	text, err := readRegular(*recipeFile, maxRecipeFile)
	if err != nil {
		return err
	}
	recipeFlags := strings.Join(strings.Fields(string(text)), " ")
	base := train.Default()
	base.Steps = *steps
	rc, err := recipeOf("recipe", base, recipeFlags)
	if err != nil {
		return err
	}
	c := study.DMD{Seeds: list, Steps: *steps, Every: *every, Thresholds: thresholds, Recipe: rc.Config,
		RecipeName: recipeFlags, CDK: []int{1, 5}, Workers: *workers, Doc: *doc, Log: log}
	if err := c.Run(ctx); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", filepath.Join(*doc, "DMD.md"))
	return nil
}

// maxDensitySeeds bounds the seeds of a density study.
const maxDensitySeeds = 100

func densityStudy(ctx context.Context, args []string) error {
	fs := newFlags("study density", "[--seeds A-B] [--slow-seeds LIST] [--tasks LIST] [--workers N] [--out DIR] [--doc DIR]")
	seeds := fs.String("seeds", "1-5", "data-set seeds of every task: A-B or a comma-separated list")
	slowSeeds := fs.String("slow-seeds", "all", "of those, the seeds on which the Gibbs machine and mean field are fitted too (they take tens of times the HM: minutes per net): all, a list, or none: \"\"")
	tasks := fs.String("tasks", strings.Join(synth.Names, ","), "tasks, comma-separated")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "task-seeds in parallel (1 to 256)")
	out := fs.String("out", "runs/density", "the study's data and results; an interrupted study continues there")
	doc := fs.String("doc", "docs", "where to write DENSITY.md and density/")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := parse(fs, args); err != nil {
		return err
	}
	list, err := parseSeeds(*seeds)
	if err != nil {
		return err
	}
	var slow []uint64
	if *slowSeeds == "all" {
		slow = list
	} else if *slowSeeds != "" {
		if slow, err = parseSeeds(*slowSeeds); err != nil {
			return fmt.Errorf("--slow-seeds %.64q: want all, A-B, a comma-separated list of seeds, or \"\" for none", *slowSeeds)
		}
	}
	for _, s := range slow {
		if !slices.Contains(list, s) {
			return fmt.Errorf("--slow-seeds: seed %d is not one of --seeds", s)
		}
	}
	if len(list) > maxDensitySeeds {
		return fmt.Errorf("--seeds: %d seeds, more than the %d a density study runs (about a minute of both cores each per task)", len(list), maxDensitySeeds)
	}
	if *workers < 1 || *workers > 256 {
		return fmt.Errorf("--workers must be in 1..256, got %d", *workers)
	}
	var names []string
	for _, t := range strings.Split(*tasks, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(synth.Names, t) {
			return fmt.Errorf("--tasks: unknown task %.64q (known: %s)", t, strings.Join(synth.Names, ", "))
		}
		if slices.Contains(names, t) {
			return fmt.Errorf("--tasks: %s is named twice", t)
		}
		names = append(names, t)
	}
	if err := writable(*doc); err != nil {
		return fmt.Errorf("--doc: %w", err)
	}
	log := io.Writer(os.Stderr)
	if *quiet {
		log = io.Discard
	}
	d := study.Density{Tasks: names, Seeds: list, Sizes: synth.PaperSizes, NLLSub: 2000, NLLK: 1000,
		SlowSeeds: slow, SlowValid: 2000, SlowTest: 20000, TraceNet: []int{20}, TraceEpochs: 40,
		GapDraws: map[string]int{"mrf10x10": 200, "mrf10-20": 20},
		Workers:  *workers, Out: *out, Doc: *doc, Log: log}
	if err := d.Run(ctx); err != nil {
		return studyFailed(ctx, err, *out)
	}
	fmt.Printf("wrote %s\n", filepath.Join(*doc, "DENSITY.md"))
	return nil
}

// mnistStudy runs the binarized-MNIST study.
func mnistStudy(ctx context.Context, args []string) error {
	fs := newFlags("study mnist", "[--epochs N] [--test-k K] [--workers N] [--out DIR] [--doc DIR]")
	epochs := fs.Int("epochs", 100, "epochs of 50,000 images each run trains (1 to 10000)")
	testK := fs.Int("test-k", 5000, "samples from q per test image of the final estimate (1 to 100000)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "cores for the scoring (1 to 256)")
	out := fs.String("out", "runs/mnist", "the study's runs and results; an interrupted study continues there")
	doc := fs.String("doc", "docs", "where to write MNIST.md and mnist/")
	quiet := fs.Bool("quiet", false, "print no progress")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *epochs < 1 || *epochs > 10000:
		return fmt.Errorf("--epochs must be in 1..10000, got %d", *epochs)
	case *testK < 1 || *testK > 100000:
		return fmt.Errorf("--test-k must be in 1..100000, got %d", *testK)
	case *workers < 1 || *workers > 256:
		return fmt.Errorf("--workers must be in 1..256, got %d", *workers)
	}
	if err := writable(*doc); err != nil {
		return fmt.Errorf("--doc: %w", err)
	}
	if _, err := dataset.MNISTDir(); err != nil {
		return err
	}
	log := io.Writer(os.Stderr)
	if *quiet {
		log = io.Discard
	}
	s := study.MNIST{Runs: study.MNISTRuns(*epochs), TestK: *testK, KCurve: []int{100, 1000, 5000}, KExamples: 1000,
		Small: []string{"mnist8", "mnist8-pairs"}, Estimators: []string{"gzip", "base", "mixture", "hm", "fvbn"},
		Baselines: []string{"gzip", "base", "mixture", "fvbn"},
		Workers:   *workers, Out: *out, Doc: *doc, Log: log}
	if err := s.Run(ctx); err != nil {
		return studyFailed(ctx, err, *out)
	}
	fmt.Printf("wrote %s\n", filepath.Join(*doc, "MNIST.md"))
	return nil
}
