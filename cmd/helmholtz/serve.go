package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"helmholtz/study"
	"helmholtz/train"
	"helmholtz/web"
)

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve", "[flags]")
	runs := fs.String("runs", "runs", "directory of the runs and sweeps to serve (created if missing)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (another host than localhost exposes your runs)")
	maxRuns := fs.Int("max-runs", 1, "runs the server trains at once (1 to 16)")
	readOnly := fs.Bool("read-only", false, "no form: the server starts no runs")
	trainFlags := fs.String("train", "", "start a run with these train flags (quoted, e.g. \"--seed 3 --n-steps 4000000\") as the server starts")
	name := fs.String("name", "live", "directory under --runs of the run --train starts")
	hosts := fs.String("host", "", "comma-separated host names the server is reached by, besides IP addresses and localhost (requests naming any other host are refused)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var names []string
	if h, _, err := net.SplitHostPort(*addr); err == nil && h != "" {
		names = append(names, h) // --addr by name: that name
	}
	for h := range strings.SplitSeq(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			if len(h) > 253 || strings.ContainsAny(h, ":/ \t@") {
				return fmt.Errorf("--host %.40q: want host names, such as --host myserver.lan", h)
			}
			names = append(names, h)
		}
	}
	if *maxRuns < 1 || *maxRuns > 16 {
		return fmt.Errorf("--max-runs must be in 1..16, got %d", *maxRuns)
	}
	var cfg *train.Config
	if *trainFlags != "" {
		c, err := parseTrainFlags(*trainFlags)
		if err != nil {
			return fmt.Errorf("--train: %w", err)
		}
		cfg = &c
	}
	// Listen before making anything: a bad or busy address leaves no
	// directory behind.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	defer ln.Close()
	if err := os.MkdirAll(*runs, 0o755); err != nil {
		return fmt.Errorf("--runs: %w", err)
	}
	opt := web.Options{Recipes: formRecipes(), MaxRuns: *maxRuns, Log: slog.New(slog.NewTextHandler(os.Stderr, nil)),
		WriteResults: writeResults, Hosts: names}
	if !*readOnly {
		opt.Parse = parseTrainFlags
	}
	srv, err := web.New(ctx, *runs, opt)
	if err != nil {
		return err
	}
	if cfg != nil {
		if err := srv.Start(*name, *cfg); err != nil {
			return fmt.Errorf("--train: %w", err)
		}
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		MaxHeaderBytes: 64 << 10, BaseContext: func(net.Listener) context.Context { return ctx }}
	fmt.Fprintf(os.Stderr, "serving %s on http://%s/ (Ctrl-C to stop)\n", *runs, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	hs.Shutdown(sctx)
	srv.Wait() // the runs it started save their checkpoints
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// parseTrainFlags turns a line of `helmholtz train` flags into a
// validated config, as the command does (but for the run directory,
// which the server chooses).
func parseTrainFlags(flags string) (train.Config, error) {
	cfg := train.Default()
	cfg.EvalEvery = 0 // chosen by cost, unless given, as train does
	fs := newFlags("train", "")
	finish := configFlags(fs, &cfg)
	fs.IntVar(&cfg.SnapshotEvery, "snapshot-every", cfg.SnapshotEvery, "steps between snapshots (0 = none)")
	if err := parse(fs, strings.Fields(flags)); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %.64q", fs.Arg(0))
	}
	finish()
	cfg.ResolveEvalEvery()
	return cfg, cfg.Validate()
}

// formRecipes are the recipes the explorer's form offers by name.
func formRecipes() []web.Recipe {
	rbm := study.RBMConfig(train.Default(), 1)
	return []web.Recipe{
		{Name: "recommended (docs/RECIPE)", Flags: recommendedRecipe},
		{Name: "rws K=5", Flags: "--algo rws --samples 5"},
		{Name: "exact posterior", Flags: "--algo exact"},
		{Name: "mixture C=2", Flags: "--algo mixture --components 2"},
		{Name: "RBM CD-1", Flags: rbm.RecipeFlags()},
	}
}

// recommendedRecipe is docs/RECIPE (TestRecommendedRecipeIsTheDocs).
const recommendedRecipe = "--nonneg --init-hidden-bias -2 --decay 0.00001 --schedule linear --schedule-end 0.2 --hidden-cap -1.2 --restarts 128 --restart-steps 3125 --halving --reinit 100000"
