// Package sweep runs many training runs in parallel (seeds × recipes) and
// summarises the distribution of their final KL. Each run is exactly the
// train.Run its Config makes, so a sweep's run equals the same
// helmholtz train run bit for bit.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"time"

	"helmholtz/dataset"
	"helmholtz/train"
	"helmholtz/units"
)

// Job is one run: a recipe's configuration with a seed.
type Job struct {
	Recipe string
	Config train.Config
}

// Result is the outcome of one run.
type Result struct {
	Recipe      string        `json:"recipe"`
	Seed        uint64        `json:"seed"`
	Config      train.Config  `json:"config"`
	KL          float64       `json:"kl_bits"`
	NLL         float64       `json:"nll_bits"`
	Gap         *float64      `json:"gap_bits,omitempty"`       // the final variational gap, where computed
	Shift       *float64      `json:"shift_recovery,omitempty"` // the shifter's final direction recovery (train.Point.Shift)
	Valid       *float64      `json:"valid_nll_bits,omitempty"` // a data set with splits: the final cost of its validation examples (train.Point.Valid)
	Diverged    string        `json:"diverged,omitempty"`       // why the run stopped early; KL and NLL are its last evaluation's
	Checkpoints []train.Point `json:"checkpoints"`              // every evaluation of the run
	Units       Units         `json:"units"`
	Seconds     float64       `json:"seconds"` // wall time of the run
	Model       string        `json:"model,omitempty"`
}

// Units summarises the unit diagnosis of a bars run.
type Units struct {
	Bars         int  `json:"bars"`
	Duplicates   int  `json:"duplicates"`
	Dead         int  `json:"dead"`
	AlwaysOn     int  `json:"always_on"`
	Mixed        int  `json:"mixed"`
	TopSeparates bool `json:"top_separates"`
}

// Run runs the jobs on workers goroutines and returns their results in
// job order. Consecutive jobs of one recipe train up to sixteen at a time in
// one goroutine, one per vector lane (groupJobs, train.TrainGroup), each
// exactly as it would train alone. With dir not empty each run's final
// model is written to dir/models/RECIPE/seed_N.npz. done, if not nil, is called (from one
// goroutine at a time) as each run finishes; an error it returns stops
// the sweep. When ctx is cancelled, runs in progress stop and Run returns
// the results of the runs that finished, with ctx's error.
func Run(ctx context.Context, jobs []Job, workers int, dir string, done func(Result) error) ([]Result, error) {
	results := make([]Result, len(jobs))
	finished := make([]bool, len(jobs))
	next := make(chan []int)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	groups := groupJobs(jobs, workers, train.Config.LaneWidth)
	for range min(max(workers, 1), len(groups)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range next {
				res, errs := runGroup(ctx, jobs, g, dir)
				mu.Lock()
				for k, i := range g {
					err := errs[k]
					if err == nil && done != nil {
						err = done(res[k])
					}
					if err == nil {
						results[i], finished[i] = res[k], true
					} else if firstErr == nil && !errors.Is(err, train.ErrInterrupted) {
						firstErr = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, g := range groups {
		if ctx.Err() != nil {
			break
		}
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		next <- g
	}
	close(next)
	wg.Wait()
	var out []Result
	for i, ok := range finished {
		if ok {
			out = append(out, results[i])
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, firstErr
}

// groupJobs splits the jobs, in order, into groups that train together
// (train.TrainGroup): consecutive jobs of one recipe whose configs differ
// only in the seed, in full groups of the widest lanes (width of their
// config, then half as wide, down to four) while every worker gets one,
// the rest shared as evenly as can be among the workers, so that none
// waits at the end while another trains a whole group. 100 seeds on two
// workers make 24 groups of four and two of two in four lanes, not 25 of
// four; in sixteen, six of sixteen and two of two; 20 seeds, two of
// eight and two of two.
func groupJobs(jobs []Job, workers int, width func(train.Config) int) [][]int {
	same := func(a, b Job) bool {
		x, y := a.Config, b.Config
		x.Seed, y.Seed = 0, 0
		return a.Recipe == b.Recipe && reflect.DeepEqual(x, y)
	}
	workers = max(workers, 1)
	var groups [][]int
	for i := 0; i < len(jobs); {
		n := 1 // jobs[i:i+n] is a block that can train together
		for i+n < len(jobs) && same(jobs[i], jobs[i+n]) {
			n++
		}
		done, widest := 0, width(jobs[i].Config)
		for w := widest; w >= 4 || w == widest; w /= 2 {
			full := (n - done) / (w * workers) * w * workers
			for k := 0; k < full; k += w {
				groups = append(groups, span(i+done+k, w))
			}
			done += full
		}
		rest := n - done
		parts := min(workers, rest)
		for p := range parts { // sizes as even as can be, larger first
			size := rest / parts
			if p < rest%parts {
				size++
			}
			groups = append(groups, span(i+done, size))
			done += size
		}
		i += n
	}
	return groups
}

// span returns the indices [from, from+n).
func span(from, n int) []int {
	g := make([]int, n)
	for k := range g {
		g[k] = from + k
	}
	return g
}

// runGroup trains the jobs g together and returns each one's result or
// error. Each run's seconds are its share of the group's wall time.
func runGroup(ctx context.Context, jobs []Job, g []int, dir string) ([]Result, []error) {
	start := time.Now()
	res, errs := make([]Result, len(g)), make([]error, len(g))
	var runs []*train.Run
	var at []int // the index in g of each run
	for k, i := range g {
		r, err := train.New(jobs[i].Config)
		if err != nil {
			errs[k] = err
			continue
		}
		runs, at = append(runs, r), append(at, k)
	}
	trainErrs := train.TrainGroup(ctx, runs, nil)
	seconds := time.Since(start).Seconds() / float64(len(g))
	for n, r := range runs {
		k := at[n]
		res[k], errs[k] = result(jobs[g[k]], r, trainErrs[n], dir)
		res[k].Seconds = seconds
	}
	return res, errs
}

// result returns the result of job's run r, which ended with err.
func result(job Job, r *train.Run, err error, dir string) (Result, error) {
	var diverged string
	switch {
	case errors.Is(err, train.ErrDiverged) && len(r.History) > 0:
		// A run that diverges is a result of its recipe, not a reason to
		// stop the sweep.
		diverged = err.Error()
	case err != nil:
		return Result{}, fmt.Errorf("recipe %s seed %d: %w", job.Recipe, job.Config.Seed, err)
	}
	last := r.History[len(r.History)-1]
	res := Result{
		Recipe: job.Recipe, Seed: job.Config.Seed, Config: job.Config,
		KL: last.KL, NLL: last.NLL, Checkpoints: r.History, Diverged: diverged,
	}
	if !math.IsNaN(last.Gap) {
		res.Gap = &last.Gap
	}
	if !math.IsNaN(last.Shift) {
		res.Shift = &last.Shift
	}
	if !math.IsNaN(last.Valid) {
		res.Valid = &last.Valid
	}
	if diverged != "" {
		return res, nil // no model worth keeping, nor a diagnosis
	}
	if bars, ok := r.Data.(dataset.Bars); ok {
		d := units.Diagnose(r.Machine, bars)
		res.Units = Units{Bars: d.Bars, Duplicates: d.Duplicates, Dead: d.Dead, AlwaysOn: d.AlwaysOn,
			Mixed: d.Mixed, TopSeparates: d.TopSeparates}
	}
	if dir != "" {
		res.Model = ModelPath(job.Recipe, job.Config.Seed)
		path := filepath.Join(dir, res.Model)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return Result{}, err
		}
		if err := train.WriteSnapshot(path, r.State()); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

// ModelPath is where a sweep keeps the model of a recipe's seed, relative
// to its directory.
func ModelPath(recipe string, seed uint64) string {
	return filepath.Join("models", recipe, fmt.Sprintf("seed_%d.npz", seed))
}

// Stats summarises one recipe's final KLs, or, on a data set with
// splits, the final costs of its validation examples (HeldOut).
type Stats struct {
	Recipe                   string
	Flags                    string
	N                        int
	HeldOut                  bool // the quantiles are of the validation costs, bits per example
	Min, Q1, Median, Q3, Max float64
	Below                    map[float64]int // runs with KL ≤ threshold (not HeldOut)
	MeanBars                 float64
	AllBars                  int // runs with a unit for every bar
	Separated                int // runs whose top unit separates orientations
	Seconds                  float64
	Diverged                 int    // runs that diverged, left out of the KL statistics
	Estimator                string // how the runs' KL was computed (train.Config.Estimator)
}

// Thresholds are the KL levels (bits) that Summarize counts runs below.
var Thresholds = []float64{0.1, 0.25, 0.5}

// Summarize returns the statistics of each recipe, in order of first
// appearance; none for no results. Runs that diverged are counted, and
// left out of the KL statistics (NaN if no run is left).
func Summarize(results []Result, flags map[string]string) []Stats {
	var order []string
	by := map[string][]Result{}
	for _, r := range results {
		if _, ok := by[r.Recipe]; !ok {
			order = append(order, r.Recipe)
		}
		by[r.Recipe] = append(by[r.Recipe], r)
	}
	var out []Stats
	for _, name := range order {
		rs := by[name]
		var kl []float64
		s := Stats{Recipe: name, Flags: flags[name], N: len(rs), Below: map[float64]int{}, Estimator: rs[0].Config.Estimator(),
			HeldOut: HeldOut(rs)}
		for _, r := range rs {
			if r.Diverged != "" {
				s.Diverged++
				continue
			}
			kl = append(kl, r.Measure())
			for _, t := range Thresholds {
				if r.KL <= t && !s.HeldOut {
					s.Below[t]++
				}
			}
			s.MeanBars += float64(r.Units.Bars) / float64(len(rs))
			if n := barCount(r.Config.Data); n > 0 && r.Units.Bars == n {
				s.AllBars++
			}
			if r.Units.TopSeparates {
				s.Separated++
			}
			s.Seconds += r.Seconds
		}
		sort.Float64s(kl)
		s.Min, s.Q1, s.Median, s.Q3, s.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if len(kl) > 0 {
			s.Min, s.Q1, s.Median, s.Q3, s.Max = kl[0], Quantile(kl, 0.25), Quantile(kl, 0.5), Quantile(kl, 0.75), kl[len(kl)-1]
		}
		out = append(out, s)
	}
	return out
}

// HeldOut reports whether results are of a data set with splits: every
// one has a final validation cost. Their summaries are of those costs,
// since the KL of such a set is only from its training examples.
func HeldOut(results []Result) bool {
	for _, r := range results {
		if r.Valid == nil {
			return false
		}
	}
	return len(results) > 0
}

// Measure returns what a summary of r's recipe ranks it by: its final
// validation cost where it has one, else its final KL.
func (r Result) Measure() float64 {
	if r.Valid != nil {
		return *r.Valid
	}
	return r.KL
}

// Quantile returns the q-quantile of sorted xs by linear interpolation.
func Quantile(xs []float64, q float64) float64 {
	p := float64(q * float64(len(xs)-1)) // unfused, as below
	i := int(p)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + float64((p-float64(i))*(xs[i+1]-xs[i])) // unfused: same bits everywhere
}

// barCount returns the number of bars of a bars data set, else 0.
func barCount(spec string) int {
	set, err := dataset.Parse(spec)
	if err != nil {
		return 0
	}
	if b, ok := set.(dataset.Bars); ok {
		return b.Height + b.Width
	}
	return 0
}
