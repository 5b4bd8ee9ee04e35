// Command helmholtz trains Helmholtz machines by wake-sleep on the bars
// task of Hinton, Dayan, Frey & Neal (1995), evaluates them exactly, and
// draws what they learned.
//
// Usage:
//
//	helmholtz reproduce          the seed's canonical pipeline: train, figures, GIF, table
//	helmholtz train [flags]      train a machine; write model, snapshots, history
//	helmholtz eval --model FILE  exact KL and NLL of a saved model
//	helmholtz plot --run DIR     figures of a run
//	helmholtz gif --run DIR      animation of a run's snapshots
//	helmholtz sweep [flags]      many seeds and recipes in parallel
//	helmholtz summarize FILES    merge sweep shards into one report
//	helmholtz study gap          where the residual KL comes from: docs/GAP.md
//	helmholtz serve              explore runs and sweeps in the browser
//
// Run "helmholtz COMMAND -h" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"helmholtz/train"
)

// command is one subcommand: its flags are parsed from args by run. ctx
// is cancelled by the first Ctrl-C or SIGTERM; a command that saves its
// state or stops between files watches it (stops), the others are
// stopped at once.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string) error
	stops         bool
}

var commands = []command{
	{"reproduce", "the canonical run, its figures, animation and results table", runReproduce, true},
	{"train", "train a machine by wake-sleep; write model, snapshots, history", runTrain, true},
	{"eval", "print the exact KL and NLL of a saved model", runEval, false},
	{"plot", "draw a run's figures: curves, fantasies, fields, codes, weights", runPlot, true},
	{"gif", "animate a run's snapshots as a GIF", runGIF, true},
	{"sweep", "many seeds (and recipes) in parallel; KL distribution per recipe", runSweep, true},
	{"summarize", "merge sweep results (e.g. shards) into one report", runSummarize, false},
	{"study", "run a study and write its document: gap (docs/GAP.md), scale (docs/SCALE.md), dmd (docs/DMD.md), density (docs/DENSITY.md), mnist (docs/MNIST.md)", runStudy, true},
	{"serve", "explore runs and sweeps in the browser, live; start runs from a form", runServe, true},
	{"dmd", "the data-movement (ByteDMD) cost of one update: wake-sleep by phase, and an RBM's CD-k", runDMD, true},
	{"data", "make a data set with train/valid/test splits: data make TASK (the 1995 density-estimation tasks)", runData, true},
	{"density", "fit density estimators (gzip, base rates, EM mixture, Gibbs machine, mean field, HM, FVBN) to a data set with splits", runDensity, true},
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			grace := time.Duration(0)
			if c.stops {
				grace = stopGrace
			}
			ctx, stop := interrupts(stderr, "helmholtz "+c.name, grace)
			err := c.run(ctx, args[1:])
			stop()
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			}
			fmt.Fprintf(stderr, "helmholtz %s: %v\n", c.name, err)
			var ee exitError
			if errors.As(err, &ee) {
				return ee.code
			}
			if ctx.Err() != nil {
				return interruptedCode(ctx)
			}
			return 1
		}
	}
	fmt.Fprintf(stderr, "helmholtz: unknown command %q (run helmholtz -h for the list)\n", args[0])
	return 2
}

// stopGrace is how long a command that watches for interrupts may take
// to stop after a Ctrl-C or SIGTERM: train saves its checkpoint well
// within it (in a few tens of milliseconds). After it, or at a second
// signal, the program removes the temporary files of the writes in
// progress and exits.
const stopGrace = 500 * time.Millisecond

// interrupts returns a context that the first SIGINT or SIGTERM cancels,
// so that commands can stop cleanly, and a function that stops watching.
// grace is how long the command has to stop.
func interrupts(stderr io.Writer, name string, grace time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	done := make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		var sig os.Signal
		select {
		case sig = <-ch:
		case <-done:
			return
		}
		cancel(signalError{sig})
		select {
		case <-ch:
		case <-time.After(grace):
		case <-done:
			return
		}
		train.RemoveTemporary()
		fmt.Fprintf(stderr, "%s: interrupted\n", name)
		os.Exit(interruptedCode(ctx))
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
	}
}

// signalError is the cause of an interrupted context.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "interrupted by " + e.sig.String() }

// interruptedCode returns the exit status of a command stopped by the
// signal that cancelled ctx: 128 + its number, as a shell reports it (130
// for Ctrl-C, 143 for SIGTERM).
func interruptedCode(ctx context.Context) int {
	var se signalError
	if errors.As(context.Cause(ctx), &se) {
		if s, ok := se.sig.(syscall.Signal); ok {
			return 128 + int(s)
		}
	}
	return 130
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: helmholtz COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
		if ex := examples[c.name]; ex != "" {
			fmt.Fprintf(w, "  %-10s   e.g. %s\n", "", ex)
		}
	}
	fmt.Fprintln(w, "\nRun helmholtz COMMAND -h for a command's flags.")
}

// examples are a command line of each command (and each flag set's
// usage), as help and -h show them.
var examples = map[string]string{
	"reproduce":     "helmholtz reproduce",
	"train":         "helmholtz train --seed 3 --n-steps 2000000 $(cat docs/RECIPE) --out runs/seed3",
	"eval":          "helmholtz eval --model runs/canonical/model.npz",
	"plot":          "helmholtz plot --run runs/canonical --out runs/canonical/figures",
	"gif":           "helmholtz gif --run runs/canonical --fps 10",
	"sweep":         "helmholtz sweep --seeds 1-100 --n-steps 2000000 $(cat docs/RECIPE) --out runs/sweep",
	"summarize":     "helmholtz summarize --out runs/merged runs/shard1/results.jsonl runs/shard2/results.jsonl",
	"study":         "helmholtz study gap --seeds 1-100",
	"study gap":     "helmholtz study gap --seeds 1-100",
	"study scale":   "helmholtz study scale --seeds 1-20",
	"study dmd":     "helmholtz study dmd --seeds 1-20",
	"study density": "helmholtz study density --seeds 1-5",
	"study mnist":   "helmholtz study mnist --epochs 100",
	"serve":         "helmholtz serve --runs runs --addr 127.0.0.1:8080",
	"dmd":           "helmholtz dmd --data bars:4x4 --steps 1000",
	"data":          "helmholtz data make bn20 --seed 1 --out data/bn20-seed1.npz",
	"data make":     "helmholtz data make bn20 --seed 1 --out data/bn20-seed1.npz",
	"density":       "helmholtz density --data file:data/bn20-seed1.npz --estimators base,mixture,fvbn",
}

// newFlags returns a flag set that reports errors to the caller instead
// of printing them with the usage text; -h prints the usage to stdout.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(os.Stdout, "usage: helmholtz %s %s\n\nflags:\n", name, synopsis)
		fs.SetOutput(os.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		if ex := examples[name]; ex != "" {
			fmt.Fprintf(os.Stdout, "\nexample:\n  %s\n", ex)
		}
	}
	return fs
}

// parse parses args, refusing positional arguments. (On -h the flag
// package has printed the usage already.)
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		// The flag package quotes a refused value whole: keep an excerpt.
		if r := []rune(err.Error()); len(r) > 200 {
			return errors.New(string(r[:120]) + "…" + string(r[len(r)-60:]))
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %.64q", fs.Arg(0))
	}
	return nil
}

// intList is a flag holding comma-separated integers, such as 16,8,1.
type intList []int

func (l *intList) String() string {
	var s []string
	for _, n := range *l {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(v string) error {
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("want comma-separated integers such as 16,8,1")
		}
		out = append(out, n)
	}
	*l = out
	return nil
}

// writeString returns a writer function for train.WriteFile.
func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}
