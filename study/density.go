package study

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/density"
	"helmholtz/figure"
	"helmholtz/synth"
	"helmholtz/train"
)

// Density is the held-out density-estimation study: the five synthetic
// tasks of Frey, Hinton & Dayan (1995), each drawn for several seeds, and
// the estimators of package density fitted to each, beside the paper's
// Table 1.
type Density struct {
	Tasks   []string // synth.Names by default
	Seeds   []uint64
	Sizes   synth.Sizes
	NLLSub  int // test examples on which the HM's likelihood is measured
	NLLK    int // importance samples per example where it is not exact
	Workers int
	// SlowSeeds are the seeds on which the Gibbs machine and mean field
	// are fitted (each costs about a hundred times the HM), validated on
	// the first SlowValid validation examples and costed on the first
	// SlowTest test examples.
	SlowSeeds           []uint64
	SlowValid, SlowTest int
	// On the first seed, if it is a slow seed and TraceEpochs > 0, the
	// Gibbs machine and mean field also train a TraceNet net for
	// TraceEpochs epochs without stopping, their bound and their exact
	// −log2 p(v) traced (TraceNet must be small enough to enumerate).
	TraceNet    []int
	TraceEpochs int
	// GapDraws, by MRF task, is how many fresh models the first seed's
	// record draws (synth.BaseRateGaps) to compare our redraw threshold's
	// data with the paper's.
	GapDraws map[string]int
	Out      string // data files, results.jsonl; an interrupted study continues there
	Doc      string // where DENSITY.md and density/ go
	Log      io.Writer
}

// DensityResult is one task and seed: every estimator's test cost.
type DensityResult struct {
	Task    string             `json:"task"`
	Seed    uint64             `json:"seed"`
	Entropy float64            `json:"entropy_bits"`
	Costs   map[string]float64 `json:"test_bits"` // by estimator
	Seconds map[string]float64 `json:"seconds"`   // fitting time, by estimator
	DataSec float64            `json:"data_seconds"`
	HMNet   []int              `json:"hm_layers"`
	HMEpoch int                `json:"hm_epochs"`
	// The HM's coding cost and −log2 p(v) on the first NLLSub test
	// examples; SE 0 where the likelihood is exact.
	HMCode  float64 `json:"hm_coding_bits"`
	HMNLL   float64 `json:"hm_nll_bits"`
	HMNLLSE float64 `json:"hm_nll_se"`
	HMExact bool    `json:"hm_nll_exact"`
	// RWS is the HM trained by reweighted wake-sleep (K = 5), on Mix
	// 20-100 only: does it close wake-sleep's gap there?
	RWS *HMCheck `json:"rws,omitempty"`
	// Softmax is the HM with a one-of-C hidden unit (density.Softmax), on
	// Mix 20-100 only: the paper's remedy for that task. Its NLL is exact.
	Softmax *HMCheck `json:"softmax,omitempty"`
	// KCurve is the HM's importance-sampled −log2 p(v) on the first
	// KExamples test examples for growing K, on each task's first seed.
	KCurve []KPoint `json:"k_curve,omitempty"`
	// Slow are the Gibbs machine's and mean field's fits (on SlowSeeds
	// only), by estimator: Cost is the mean-field bound on the first
	// SlowTest test examples, Code the bound and NLL the importance-sampled
	// −log2 p(v) (K = NLLK draws from the mean-field posterior) on the
	// first KExamples.
	Slow map[string]*HMCheck `json:"slow,omitempty"`
	// Trace is the slow learners' bound beside their exact −log2 p(v) as
	// they train (Density.TraceNet), on the first KExamples test examples;
	// TraceSec its seconds.
	Trace    []TracePoint `json:"trace,omitempty"`
	TraceSec float64      `json:"trace_seconds,omitempty"`
	// Gaps are the base-rate gaps of Density.GapDraws fresh models of an
	// MRF task (first seed only); GapSec their seconds.
	Gaps   []float64 `json:"base_rate_gaps,omitempty"`
	GapSec float64   `json:"gaps_seconds,omitempty"`
}

// TracePoint is a slow learner's net at an epoch: its mean-field bound
// and its exact −log2 p(v), bits per example.
type TracePoint struct {
	Learner string  `json:"learner"`
	Epoch   int     `json:"epoch"`
	Bound   float64 `json:"bound_bits"`
	NLL     float64 `json:"nll_bits"`
	// AIS is −log2 p(v) estimated by annealed importance sampling, as for
	// the Gibbs machine's fits, at the last epoch only: the check of that
	// estimate against NLL.
	AIS float64 `json:"ais_bits,omitempty"`
}

// slow are the estimators fitted only on SlowSeeds.
var slow = []string{"gm", "mf"}

// HMCheck is a Helmholtz machine's test cost, and its coding cost and
// −log2 p(v) on the likelihood subset.
type HMCheck struct {
	Net     []int   `json:"layers"`
	Epochs  int     `json:"epochs"`
	Cost    float64 `json:"test_bits"`
	Code    float64 `json:"coding_bits"`
	NLL     float64 `json:"nll_bits"`
	NLLSE   float64 `json:"nll_se"`
	Exact   bool    `json:"nll_exact"`
	Seconds float64 `json:"seconds"`
	// AIS is −log2 p(v) on the likelihood subset estimated by annealed
	// importance sampling (AISChains chains of AISSteps steps per
	// example), for the Gibbs machine, whose nets the mean-field posterior
	// fits badly; AISSE its standard error over the examples.
	AIS   float64 `json:"ais_bits,omitempty"`
	AISSE float64 `json:"ais_se,omitempty"`
}

// The annealed importance sampling of the Gibbs machine's nets: chains
// per example and steps per chain (within 0.1 bit of the exact
// −log2 p(v) on the traced nets: see the page).
const (
	AISChains = 10
	AISSteps  = 1000
)

// KPoint is an importance-sampled −log2 p(v) with K samples per example.
type KPoint struct {
	K     int     `json:"k"`
	NLL   float64 `json:"nll_bits"`
	SE    float64 `json:"se"`
	Exact bool    `json:"exact"`
}

// The K of the convergence check, and its examples.
var (
	KCurveK   = []int{10, 100, 1000, 5000}
	KExamples = 500
)

// needs reports whether result r (nil: none yet) lacks a part this study
// computes: a record kept part way (after a slow fit) lacks the rest.
func (d Density) needs(r *DensityResult) bool {
	if r == nil || (r.Task == "mix20" && (r.RWS == nil || r.Softmax == nil)) || (r.Seed == d.Seeds[0] && r.KCurve == nil) ||
		d.needsTrace(r) || (r.Seed == d.Seeds[0] && d.GapDraws[r.Task] > 0 && r.Gaps == nil) {
		return true
	}
	for _, name := range density.Names {
		if _, ok := r.Costs[name]; !ok && (!slices.Contains(slow, name) || slices.Contains(d.SlowSeeds, r.Seed)) {
			return true
		}
	}
	if slices.Contains(d.SlowSeeds, r.Seed) && !r.gmEstimated() {
		return true
	}
	return false
}

// needsTrace reports whether r lacks the trace the study makes on its
// seed (or has one from before the trace's AIS check).
func (d Density) needsTrace(r *DensityResult) bool {
	return d.traces(r.Seed) && !slices.ContainsFunc(r.Trace, func(t TracePoint) bool { return t.AIS != 0 })
}

// gmNLL returns the Gibbs machine's test −log2 p(v) as its test cost less
// its bound's excess over the AIS estimate on the likelihood subset, and
// whether r has it.
func (r *DensityResult) gmNLL() (float64, bool) {
	c, ok := r.Slow["gm"]
	if !ok || c.AIS == 0 {
		return 0, false
	}
	return c.Cost - (c.Code - c.AIS), true
}

// gmEstimated reports whether r's Gibbs machine, if fitted, has its
// likelihood estimated by annealed importance sampling (records of
// studies before AIS lack it, and are fitted again).
func (r *DensityResult) gmEstimated() bool {
	c, ok := r.Slow["gm"]
	return !ok || c.AIS != 0
}

// traces reports whether the study traces the slow learners on seed.
func (d Density) traces(seed uint64) bool {
	return d.TraceEpochs > 0 && seed == d.Seeds[0] && slices.Contains(d.SlowSeeds, seed)
}

// TaskTitles are the paper's names of the tasks.
var TaskTitles = map[string]string{"mix20": "Mix 20-100", "bn20": "BN 20-100", "bn5-10-15-20": "BN 5-10-15-20-100",
	"mrf10-20": "MRF 10-20-100", "mrf10x10": "MRF 10×(10-10)"}

// pm writes a mean ± sd, the sd left out where it is not defined (one
// seed).
func pm(m, sd float64) string {
	if math.IsNaN(sd) {
		return fmt.Sprintf("%.1f", m)
	}
	return fmt.Sprintf("%.1f ± %.1f", m, sd)
}

// PaperTable1 is the paper's Table 1, test cost in bits, by estimator,
// for its tasks in synth.Names order; and the entropies (NaN: unknown).
var (
	PaperTable1 = map[string][5]float64{
		"gzip":    {61.4, 98.0, 92.1, 35.6, 59.9},
		"base":    {96.6, 80.7, 69.2, 42.2, 68.1},
		"mixture": {36.7, 74.0, 62.6, 19.3, 49.6},
		"gm":      {44.1, 63.9, 58.1, 26.1, 40.3},
		"mf":      {42.2, 64.7, 58.4, 19.3, 38.7},
		"hm":      {42.7, 65.2, 58.5, 19.4, 38.6},
		"fvbn":    {50.9, 67.8, 60.6, 19.8, 38.2},
	}
	PaperEntropy = [5]float64{36.5, 63.5, math.NaN(), 19.2, 36.8}
	// PaperHours are the paper's training times, hours, on its machines.
	PaperHours = map[string]string{"hm": "2-8", "mf": "68-89", "gm": "131-251"}
)

// Run runs every task and seed not in Out/results.jsonl yet, then writes
// Doc/DENSITY.md and Doc/density/.
func (d Density) Run(ctx context.Context) error {
	start := time.Now()
	if err := os.MkdirAll(filepath.Join(d.Out, "data"), 0o755); err != nil {
		return err
	}
	lock, err := train.LockDir(d.Out)
	if err != nil {
		return err
	}
	defer lock.Close()
	resultsPath := filepath.Join(d.Out, "results.jsonl")
	done, err := readDensityResults(resultsPath)
	if err != nil {
		return err
	}
	type job struct {
		task string
		seed uint64
		prev *DensityResult
	}
	var jobs []job
	for _, task := range d.Tasks {
		for _, seed := range d.Seeds {
			var prev *DensityResult
			if k := slices.IndexFunc(done, func(r DensityResult) bool { return r.Task == task && r.Seed == seed }); k >= 0 {
				r := done[k] // a copy: done changes as the workers finish
				prev = &r
			}
			if d.needs(prev) {
				jobs = append(jobs, job{task, seed, prev})
			}
		}
	}
	fmt.Fprintf(d.Log, "density study: %d of %d task-seeds to run (or to complete) on %d workers\n", len(jobs), len(d.Tasks)*len(d.Seeds), d.Workers)
	var mu sync.Mutex
	var firstErr error
	// keep records r, replacing its task-seed's earlier record; mu held.
	keep := func(r DensityResult) error {
		done = slices.DeleteFunc(done, func(x DensityResult) bool { return x.Task == r.Task && x.Seed == r.Seed })
		done = append(done, r)
		return appendJSON(resultsPath, r)
	}
	next := make(chan job)
	var wg sync.WaitGroup
	for range max(d.Workers, 1) {
		wg.Go(func() {
			for j := range next {
				// The slow fits take many minutes each: each is kept as it
				// ends, so that an interruption loses at most the one under way.
				partial := func(r DensityResult, name string) error {
					mu.Lock()
					defer mu.Unlock()
					fmt.Fprintf(d.Log, "  %s seed %d: %s fitted, %.2f bits (kept)\n", r.Task, r.Seed, name, r.Costs[name])
					return keep(r)
				}
				r, err := d.one(ctx, j.task, j.seed, j.prev, partial)
				mu.Lock()
				if err == nil {
					err = keep(r)
					fmt.Fprintf(d.Log, "  %s seed %d: entropy %.2f, HM %.2f, mixture %.2f bits (%d of %d done, %.0f s)\n",
						r.Task, r.Seed, r.Entropy, r.Costs["hm"], r.Costs["mixture"], len(done), len(d.Tasks)*len(d.Seeds), time.Since(start).Seconds())
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.write(done)
}

// one makes (or reads) the data of task and seed and fits every
// estimator to it, passing the result so far to partial after each slow
// fit.
func (d Density) one(ctx context.Context, task string, seed uint64, prev *DensityResult, partial func(r DensityResult, name string) error) (DensityResult, error) {
	r := DensityResult{Task: task, Seed: seed, Costs: map[string]float64{}, Seconds: map[string]float64{}}
	if prev != nil {
		r = *prev
		r.Costs, r.Seconds, r.Slow = maps.Clone(prev.Costs), maps.Clone(prev.Seconds), maps.Clone(prev.Slow)
		if r.Task != task || r.Seed != seed {
			panic(fmt.Sprintf("study: the result of %s seed %d completes %s seed %d", r.Task, r.Seed, task, seed))
		}
	}
	path := filepath.Join(d.Out, "data", fmt.Sprintf("%s-seed%d.npz", task, seed))
	t0 := time.Now()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		data, err := synth.Make(task, seed, d.Sizes)
		if err != nil {
			return r, err
		}
		if err := train.WriteFile(path, data.WriteNpz); err != nil {
			return r, err
		}
	}
	if prev == nil {
		r.DataSec = time.Since(t0).Seconds()
	}
	f, err := dataset.ReadFinite(path)
	if err != nil {
		return r, err
	}
	r.Entropy, err = synth.ReadEntropy(path)
	if err != nil {
		return r, err
	}
	sub := f.Test[:min(d.NLLSub, len(f.Test))]
	var hmFit *density.HM
	for _, name := range density.Names {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		if _, ok := r.Costs[name]; ok && !(name == "hm" && r.Seed == d.Seeds[0] && r.KCurve == nil) &&
			!(name == "gm" && !r.gmEstimated()) {
			continue // done before, and not needed again
		}
		isSlow := slices.Contains(slow, name)
		if isSlow && !slices.Contains(d.SlowSeeds, seed) {
			continue
		}
		e, err := density.New(name)
		if err != nil {
			return r, err
		}
		t := time.Now()
		if isSlow {
			c, err := d.slowFit(e, f, seed, name)
			if err != nil {
				return r, err
			}
			if err := d.saveNet(task, seed, name, e); err != nil {
				return r, err
			}
			c.Seconds = time.Since(t).Seconds()
			if r.Slow == nil {
				r.Slow = map[string]*HMCheck{}
			}
			r.Slow[name] = c
			r.Costs[name], r.Seconds[name] = c.Cost, c.Seconds
			if err := partial(r, name); err != nil {
				return r, err
			}
			continue
		}
		if err := e.Fit(f.Train, f.Valid, rand.New(rand.NewPCG(seed, density.Stream(name)))); err != nil {
			return r, err
		}
		if _, ok := r.Costs[name]; ok { // fitted again, the same way, for its K curve
			hmFit = e.(*density.HM)
			continue
		}
		r.Costs[name] = e.Cost(f.Test)
		r.Seconds[name] = time.Since(t).Seconds()
		if err := d.saveNet(task, seed, name, e); err != nil {
			return r, err
		}
		if hm, ok := e.(*density.HM); ok {
			hmFit = hm
			r.HMNet, r.HMEpoch = hm.M.Sizes, hm.Epochs
			r.HMCode = hm.Cost(sub)
			r.HMNLL, r.HMNLLSE, r.HMExact = hm.NLL(sub, d.NLLK, rand.New(rand.NewPCG(seed, 0x6e6c6c)))
		}
	}
	if r.Seed == d.Seeds[0] && r.KCurve == nil && hmFit != nil {
		ex := sub[:min(KExamples, len(sub))]
		for _, k := range KCurveK {
			p := KPoint{K: k}
			p.NLL, p.SE = hmFit.ISNLL(ex, k, rand.New(rand.NewPCG(seed, uint64(k))))
			r.KCurve = append(r.KCurve, p)
		}
		if nll, ok := hmFit.ExactNLL(ex); ok {
			r.KCurve = append(r.KCurve, KPoint{NLL: nll, Exact: true})
		}
	}
	if d.needsTrace(&r) {
		r.Trace = nil
		t := time.Now()
		ex := f.Test[:min(KExamples, len(f.Test))]
		for _, name := range slow {
			if err := ctx.Err(); err != nil {
				return r, err
			}
			e, _ := density.New(name)
			var err error
			e.(*density.Latent).Trace(d.TraceNet, f.Train, d.TraceEpochs, rand.New(rand.NewPCG(seed, 0x7472616365+density.Stream(name))),
				func(epoch int, m *helmholtz.Machine) {
					nll, ok := density.ExactNLL(m, ex)
					if !ok && err == nil {
						err = fmt.Errorf("study: the traced net %s cannot be enumerated", layerString(m.Sizes))
					}
					tp := TracePoint{Learner: name, Epoch: epoch, Bound: density.MeanFieldBound(m, ex), NLL: nll}
					if epoch+density.Every > d.TraceEpochs {
						tp.AIS, _ = density.AISNLL(m, ex, AISChains, AISSteps, rand.New(rand.NewPCG(seed, 0x616973)))
					}
					r.Trace = append(r.Trace, tp)
				})
			if err != nil {
				return r, err
			}
		}
		r.TraceSec = time.Since(t).Seconds()
	}
	if n := d.GapDraws[task]; n > 0 && seed == d.Seeds[0] && r.Gaps == nil {
		t := time.Now()
		if r.Gaps, err = synth.BaseRateGaps(task, seed, n); err != nil {
			return r, err
		}
		r.GapSec = time.Since(t).Seconds()
	}
	if task == "mix20" && r.RWS == nil {
		e, _ := density.New("hm-rws")
		t := time.Now()
		if err := e.Fit(f.Train, f.Valid, rand.New(rand.NewPCG(seed, density.Stream("hm-rws")))); err != nil {
			return r, err
		}
		if err := d.saveNet(task, seed, "hm-rws", e); err != nil {
			return r, err
		}
		hm := e.(*density.HM)
		c := HMCheck{Net: hm.M.Sizes, Epochs: hm.Epochs, Cost: hm.Cost(f.Test), Code: hm.Cost(sub), Seconds: time.Since(t).Seconds()}
		c.NLL, c.NLLSE, c.Exact = hm.NLL(sub, d.NLLK, rand.New(rand.NewPCG(seed, 0x6e6c6c)))
		r.RWS = &c
	}
	if task == "mix20" && r.Softmax == nil {
		s := density.NewSoftmax()
		t := time.Now()
		if err := s.Fit(f.Train, f.Valid, rand.New(rand.NewPCG(seed, density.Stream("hm-softmax")))); err != nil {
			return r, err
		}
		c := HMCheck{Net: []int{len(f.Train[0]), s.C}, Epochs: s.Epochs, Cost: s.Cost(f.Test), Code: s.Cost(sub),
			NLL: s.NLL(sub), Exact: true, Seconds: time.Since(t).Seconds()}
		r.Softmax = &c
	}
	return r, nil
}

// saveNet writes the net a latent-variable estimator e kept, fitted as
// name to task and seed, to Out/nets/TASK-seedN-NAME.npz, a model file
// for helmholtz eval --model (the data: Out/data/TASK-seedN.npz).
func (d Density) saveNet(task string, seed uint64, name string, e density.Estimator) error {
	n, ok := e.(density.Net)
	if !ok {
		return nil
	}
	dir := filepath.Join(d.Out, "nets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return train.WriteSnapshot(filepath.Join(dir, fmt.Sprintf("%s-seed%d-%s.npz", task, seed, name)), train.State{Machine: n.Net()})
}

// slowFit fits the Gibbs machine or mean field, e, to a data set and
// costs it.
func (d Density) slowFit(e density.Estimator, f *dataset.Finite, seed uint64, name string) (*HMCheck, error) {
	if err := e.Fit(f.Train, f.Valid[:min(d.SlowValid, len(f.Valid))], rand.New(rand.NewPCG(seed, density.Stream(name)))); err != nil {
		return nil, err
	}
	var c HMCheck
	ex := f.Test[:min(KExamples, len(f.Test))]
	rng := rand.New(rand.NewPCG(seed, 0x6e6c6c))
	if e, ok := e.(*density.Latent); ok {
		c.Net, c.Epochs = e.M.Sizes, e.Epochs
		c.NLL, c.NLLSE = e.NLL(ex, d.NLLK, rng)
		if name == "gm" {
			c.AIS, c.AISSE = density.AISNLL(e.M, ex, AISChains, AISSteps, rand.New(rand.NewPCG(seed, 0x616973))) // "ais"
		}
	}
	c.Cost = e.Cost(f.Test[:min(d.SlowTest, len(f.Test))])
	c.Code = e.Cost(ex)
	return &c, nil
}

func readDensityResults(path string) ([]DensityResult, error) {
	return readJSONL(path, func(r DensityResult) string {
		if r.Task == "" {
			return ""
		}
		return fmt.Sprint(r.Task, "/", r.Seed)
	})
}

// readJSONL reads a study's results.jsonl: one JSON record a line, a
// later record of a key completing (replacing) an earlier one. A line that
// does not parse, or whose key is empty, was cut by an interruption and is
// left out: its work runs again. A missing file holds no records.
func readJSONL[T any](path string, key func(T) string) ([]T, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r T
		if json.Unmarshal(sc.Bytes(), &r) != nil || key(r) == "" {
			continue
		}
		out = slices.DeleteFunc(out, func(x T) bool { return key(x) == key(r) })
		out = append(out, r)
	}
	return out, sc.Err()
}

// appendJSON appends v to path as a line of JSON.
func appendJSON(path string, v any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(js, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// meanSD returns the mean and standard deviation of xs.
func meanSD(xs []float64) (float64, float64) {
	var s, s2 float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		s2 += float64((x - m) * (x - m)) // unfused: the same page on every build
	}
	if len(xs) < 2 {
		return m, math.NaN()
	}
	return m, math.Sqrt(s2 / float64(len(xs)-1))
}

// write writes the page and its data.
func (d Density) write(results []DensityResult) error {
	dir := filepath.Join(d.Doc, "density")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	slices.SortFunc(results, func(a, b DensityResult) int {
		if c := slices.Index(synth.Names, a.Task) - slices.Index(synth.Names, b.Task); c != 0 {
			return c
		}
		return int(a.Seed) - int(b.Seed)
	})
	if err := train.WriteFile(filepath.Join(dir, "results.jsonl"), func(w io.Writer) error {
		for _, r := range results {
			js, _ := json.Marshal(r)
			if _, err := fmt.Fprintf(w, "%s\n", js); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	of := func(task string) []DensityResult {
		var out []DensityResult
		for _, r := range results {
			if r.Task == task {
				out = append(out, r)
			}
		}
		return out
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Does wake-sleep make a good density estimator?\n\n")
	p("The question of Frey, Hinton & Dayan, *Does the wake-sleep algorithm produce good density estimators?*\n")
	p("(NIPS 8, 1995): on held-out data, how does a Helmholtz machine trained by wake-sleep compare with other\n")
	p("estimators of the same data? This page puts our answer beside the paper's Table 1. It was written by\n\n")
	p("```sh\nhelmholtz study density --seeds %s\n```\n\n", seedRange(d.Seeds))
	// The seconds each data set's making and each fit recorded; the study
	// runs two task-seeds at a time on the two cores (the slow learners'
	// four nets sharing them with the other task-seed's work), so the
	// machine's time is about half their sum.
	var recorded float64
	for _, r := range results {
		recorded += r.DataSec
		for _, sec := range r.Seconds {
			recorded += sec
		}
		for _, c := range []*HMCheck{r.RWS, r.Softmax} {
			if c != nil {
				recorded += c.Seconds
			}
		}
		recorded += r.TraceSec + r.GapSec
	}
	p("on a 2-core AMD EPYC VM (%s, %s): its data making and fits recorded %.0f minutes, two task-seeds at a time on\n", runtime.Version(), time.Now().UTC().Format("2006-01-02"), recorded/60)
	p("the two cores, so about %.1f hours of the machine (each fit's seconds as it recorded them, by the code of its day;\n", recorded/2/3600)
	p("see Time; the paper: hundreds of hours on 1995 machines), from the data and results\n")
	p("in [density/results.jsonl](density/results.jsonl). Each task was drawn for %d seeds (`helmholtz data make TASK --seed N`:\n", len(d.Seeds))
	p("%d training, %d validation and %d test examples of 100 units; the tasks are described in `go doc helmholtz/synth`);\n", d.Sizes.Train, d.Sizes.Valid, d.Sizes.Test)
	p("every estimator was fitted on the training\n")
	p("split, stopped or chosen on the validation split, and costed on the test split.\n\n")
	p("## Table 1, side by side\n\n")
	p("Test cost, bits per example: ours as the mean ± sd over seeds, the paper's, and ours minus the paper's.\n")
	p("The HM's, as the paper's, is its coding cost (the free energy, an upper bound on −log2 p(v)); the mean-field\n")
	p("learner's is its bound, and the Gibbs machine's the mean-field bound of its net (it has no bound of its own; how\n")
	p("far that bound can be from the net's −log2 p(v) is measured below, in \"Is the Gibbs machine's cost its fit?\").\n")
	allSlow := true
	for _, seed := range d.Seeds {
		allSlow = allSlow && slices.Contains(d.SlowSeeds, seed)
	}
	if allSlow {
		p("The Gibbs machine and mean field cost tens of times the HM to fit (see Time): they were validated on the first\n")
		p("%d validation examples and costed on the first %d test examples.\n\n", d.SlowValid, d.SlowTest)
	} else {
		p("The Gibbs machine and mean field cost tens of times the HM to fit (see Time): they were fitted on seed%s %s only\n", plural(len(d.SlowSeeds)), seedRange(d.SlowSeeds))
		p("(their cells say so), validated on the first %d validation examples and costed on the first %d test examples.\n\n", d.SlowValid, d.SlowTest)
	}
	p("| estimator |")
	for _, t := range d.Tasks {
		p(" %s |", TaskTitles[t])
	}
	p("\n|---|")
	for range d.Tasks {
		p("---|")
	}
	p("\n")
	rows := []string{"gzip", "base", "mixture", "gm", "mf", "hm", "fvbn"}
	rowName := map[string]string{"gzip": "gzip", "base": "base rates", "mixture": "mixture (EM)", "gm": "Gibbs machine", "mf": "mean field", "hm": "Helmholtz machine (wake-sleep)", "fvbn": "FVBN"}
	means := map[string][]float64{}
	for _, name := range rows {
		p("| %s |", rowName[name])
		for _, t := range d.Tasks {
			paper := PaperTable1[name][slices.Index(synth.Names, t)]
			var xs []float64
			for _, r := range of(t) {
				if slices.Contains(slow, name) && !slices.Contains(d.SlowSeeds, r.Seed) {
					continue // fitted by a study that named more slow seeds than this one
				}
				if c, ok := r.Costs[name]; ok {
					xs = append(xs, c)
				}
			}
			if len(xs) == 0 {
				p(" — (paper %.1f) |", paper)
				means[name] = append(means[name], math.NaN())
				continue
			}
			m, sd := meanSD(xs)
			means[name] = append(means[name], m)
			if slices.Contains(slow, name) && !allSlow {
				p(" %s (seed%s %s; paper %.1f, %+.1f) |", pm(m, sd), plural(len(xs)), seedRange(d.SlowSeeds), paper, m-paper)
				continue
			}
			p(" %s (paper %.1f, %+.1f) |", pm(m, sd), paper, m-paper)
		}
		p("\n")
	}
	hasAIS := false
	for _, r := range results {
		_, ok := r.gmNLL()
		hasAIS = hasAIS || (ok && slices.Contains(d.SlowSeeds, r.Seed))
	}
	if hasAIS {
		p("| Gibbs machine, −log2 p(v) (AIS) |")
		for _, t := range d.Tasks {
			var xs []float64
			for _, r := range of(t) {
				if b, ok := r.gmNLL(); ok && slices.Contains(d.SlowSeeds, r.Seed) {
					xs = append(xs, b)
				}
			}
			if len(xs) == 0 {
				p(" — |")
				continue
			}
			m, sd := meanSD(xs)
			p(" %s (paper: its bound only) |", pm(m, sd))
		}
		p("\n")
	}
	p("| entropy |")
	for _, t := range d.Tasks {
		var xs []float64
		for _, r := range of(t) {
			xs = append(xs, r.Entropy)
		}
		m, sd := meanSD(xs)
		paper := PaperEntropy[slices.Index(synth.Names, t)]
		if math.IsNaN(paper) {
			p(" %s (paper unknown) |", pm(m, sd))
		} else {
			p(" %s (paper %.1f, %+.1f) |", pm(m, sd), paper, m-paper)
		}
	}
	p("\n| HM − entropy |")
	for _, t := range d.Tasks {
		var xs []float64
		for _, r := range of(t) {
			xs = append(xs, r.Costs["hm"]-r.Entropy)
		}
		m, sd := meanSD(xs)
		ti := slices.Index(synth.Names, t)
		paper := PaperTable1["hm"][ti] - PaperEntropy[ti]
		if math.IsNaN(paper) {
			p(" %s (paper unknown) |", pm(m, sd))
		} else {
			p(" %s (paper %.1f) |", pm(m, sd), paper)
		}
	}
	p("\n\n")
	if hasAIS {
		p("The Gibbs machine's −log2 p(v) (AIS) is its test cost less its bound's excess over −log2 p(v) on the first %d\n", KExamples)
		p("test examples, where −log2 p(v) is estimated by annealed importance sampling (`helmholtz.AIS`: %d chains of %d steps\n", AISChains, AISSteps)
		p("an example, from the prior to the posterior; checked against the exact value below). Its mean weight is an unbiased\n")
		p("estimate of p(v), so its −log2 p(v) errs upward, against the Gibbs machine. It is not a cost the paper could report,\n")
		p("but it is the fit of the net the Gibbs machine learned.\n\n")
	}
	p("The entropy is the mean −log2 p(v) of the training split under its generating model, computed exactly\n")
	p("(for BN 5-10-15-20-100 by summing over all 2^35 states of its upper layers, which the paper could not).\n")
	p("Our data sets are new draws of the paper's generating models, so their entropies differ from the paper's;\n")
	p("the HM's cost above the entropy is the comparison that does not depend on the draw.\n\n")
	for _, r := range results {
		if len(r.Gaps) == 0 || r.Seed != d.Seeds[0] {
			continue
		}
		ti := slices.Index(synth.Names, r.Task)
		paper := PaperTable1["base"][ti] - PaperEntropy[ti]
		var ours []float64
		for _, x := range of(r.Task) {
			ours = append(ours, x.Costs["base"]-x.Entropy)
		}
		m, _ := meanSD(ours)
		g := slices.Sorted(slices.Values(r.Gaps))
		p("On %s the paper's base rates cost %.1f bits more than its data's entropy, ours %.1f on average (the\n", TaskTitles[r.Task], paper, m)
		p("redraws keep models whose gap is at least %d bits). Of %d fresh draws of the model as the paper describes it (seed %d,\n", synth.MRFGap, len(g), r.Seed)
		p("`synth.BaseRateGaps`), base rates cost a median %.1f and at most %.1f bits more than the model", g[len(g)/2], g[len(g)-1])
		if paper > g[len(g)-1] {
			p(":\nno threshold on such draws would give data like the paper's (none came within %.1f bits of its gap), so its models\n", paper-g[len(g)-1])
			p("differ from its description in some way it does not state.\n\n")
		} else {
			p(".\n\n")
		}
	}

	p("## Where the orderings hold\n\n")
	check := func(claim string, ok bool) {
		mark := "holds"
		if !ok {
			mark = "does not hold"
		}
		p("- %s: %s\n", claim, mark)
	}
	idx := func(t string) int { return slices.Index(d.Tasks, t) }
	// slowDiffs are the Gibbs machine's or mean field's costs on task t
	// minus the mixture's, on the same data sets (the study's slow seeds).
	slowDiffs := func(name, t string) []float64 {
		var diffs []float64
		for _, r := range of(t) {
			if c, ok := r.Costs[name]; ok && slices.Contains(d.SlowSeeds, r.Seed) {
				diffs = append(diffs, c-r.Costs["mixture"])
			}
		}
		return diffs
	}
	if i := idx("mix20"); i >= 0 {
		best := true
		for _, name := range []string{"gzip", "base", "hm", "fvbn"} {
			best = best && means["mixture"][i] < means[name][i]
		}
		for _, name := range slow { // on the seeds they were fitted on
			if diffs := slowDiffs(name, "mix20"); len(diffs) > 0 {
				m, _ := meanSD(diffs)
				best = best && m > 0
			}
		}
		check("the mixture is the best estimator of Mixture 20-100", best)
	}
	for _, t := range []string{"bn20", "bn5-10-15-20", "mrf10x10"} {
		if i := idx(t); i >= 0 {
			check(fmt.Sprintf("the HM beats the mixture on %s", TaskTitles[t]), means["hm"][i] < means["mixture"][i])
		}
	}
	for _, name := range slow {
		for _, t := range []string{"bn20", "bn5-10-15-20", "mrf10x10"} {
			if diffs := slowDiffs(name, t); len(diffs) > 0 {
				m, _ := meanSD(diffs)
				ahead := 0
				for _, x := range diffs {
					if x < 0 {
						ahead++
					}
				}
				claim := fmt.Sprintf("%s beats the mixture on %s (its cost minus the mixture's: %+.1f bits on average over the same data sets; ahead on %d of %d)", rowName[name], TaskTitles[t], m, ahead, len(diffs))
				if name == "gm" && m >= 0 {
					for _, r := range of(t) {
						if !d.traces(r.Seed) {
							continue
						}
						var last TracePoint
						for _, tp := range r.Trace {
							if tp.Learner == "gm" && tp.Epoch > last.Epoch {
								last = tp
							}
						}
						if last.Epoch > 0 {
							claim += fmt.Sprintf("; its cost is the mean-field bound of its net, which on the traced net of seed %d exceeds −log2 p(v) by %.1f bits at epoch %d (see \"Is the Gibbs machine's cost its fit?\")",
								r.Seed, last.Bound-last.NLL, last.Epoch)
						}
					}
				}
				check(claim, m < 0)
			}
		}
	}
	for _, t := range []string{"bn20", "bn5-10-15-20", "mrf10x10"} {
		var diffs []float64
		for _, r := range of(t) {
			if b, ok := r.gmNLL(); ok && slices.Contains(d.SlowSeeds, r.Seed) {
				if mix, ok := r.Costs["mixture"]; ok {
					diffs = append(diffs, b-mix)
				}
			}
		}
		if len(diffs) > 0 {
			m, _ := meanSD(diffs)
			ahead := 0
			for _, x := range diffs {
				if x < 0 {
					ahead++
				}
			}
			check(fmt.Sprintf("beyond the paper: the Gibbs machine's net, by its −log2 p(v) (AIS), beats the mixture on %s (%+.1f bits on average; ahead on %d of %d)", TaskTitles[t], m, ahead, len(diffs)), m < 0)
		}
	}
	for i, t := range d.Tasks {
		ti := slices.Index(synth.Names, t)
		var hs []float64
		for _, r := range of(t) {
			hs = append(hs, r.Entropy)
		}
		h, _ := meanSD(hs)
		if dh := math.Abs(h - PaperEntropy[ti]); dh <= 1.5 {
			dc := means["hm"][i] - PaperTable1["hm"][ti]
			check(fmt.Sprintf("on %s, whose entropy is within 1.5 bits of the paper's (%+.1f), the HM's cost is within 1.5 bits of the paper's (%+.1f)", TaskTitles[t], h-PaperEntropy[ti], dc), math.Abs(dc) <= 1.5)
		}
	}
	p("\n## How loose is the HM's coding cost?\n\n")
	p("The paper could measure only the coding cost. On the first %d test examples of each data set, the HM's\n", d.NLLSub)
	p("coding cost beside −log2 p(v) itself: exact where its first hidden layer can be enumerated, else an importance-sampled\n")
	p("estimate with %d samples from the recognition net per example (its standard error over examples given;\n", d.NLLK)
	p("the estimate is biased upward by more than that where q is poor).\n\n")
	p("| task | seed | HM layers | epochs | coding cost | −log2 p(v) | gap |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		how := "exact"
		if !r.HMExact {
			how = fmt.Sprintf("± %.2f, IS", r.HMNLLSE)
		}
		p("| %s | %d | %s | %d | %.2f | %.2f (%s) | %.2f |\n", r.Task, r.Seed, layerString(r.HMNet), r.HMEpoch, r.HMCode, r.HMNLL, how, r.HMCode-r.HMNLL)
	}
	slowRs := withResults(results, func(r DensityResult) bool { return len(r.Slow) > 0 })
	if len(slowRs) > 0 {
		p("\n## The Gibbs machine and mean field\n\n")
		p("The same generative nets as the HM's, trained without a recognition net: by the delta rule on hidden states\n")
		p("drawn by 20 sweeps of Gibbs sampling annealed from temperature 5 (the Gibbs machine, `helmholtz.Gibbs`), and by\n")
		p("on-line mean-field learning (`helmholtz.MeanField`), at rate 0.01 with the paper's stopping rule (two validations\n")
		p("of patience). Bits per example: the bound on the test examples; on the first %d, the bound beside −log2 p(v)\n", KExamples)
		p("estimated by importance sampling with %d draws from the fitted mean-field posterior (± its standard error; biased\n", d.NLLK)
		p("upward where that posterior is poor, as on the Gibbs machine's nets: see \"Is the Gibbs machine's cost its fit?\");\n")
		p("for the Gibbs machine also −log2 p(v) on the same examples by annealed importance sampling (%d chains of %d steps an\n", AISChains, AISSteps)
		p("example, ± its standard error); and, on the same data set, the HM's coding cost and the mixture's cost. The epochs are where the paper's rule stopped\n")
		p("them; with the same rule the HM stops early too (on a Mix 20-100 set, 100-20-50: 51.7 bits at epoch 55, against\n")
		p("43.0 at epoch 800 with ten validations of patience, `density.HMPatience`), so the rows here are the paper's protocol,\n")
		p("not what the learners can reach given time. The seconds are wall time of the four nets fitted at once on both cores.\n\n")
		p("| task | seed | learner | layers | epochs | test bound | bound / −log2 p(v), first %d | −log2 p(v) by AIS | HM | mixture | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|\n", KExamples)
		for _, r := range slowRs {
			for _, name := range slow {
				c, ok := r.Slow[name]
				if !ok {
					continue
				}
				ais := "—"
				if c.AIS != 0 {
					ais = fmt.Sprintf("%.2f ± %.2f", c.AIS, c.AISSE)
				}
				p("| %s | %d | %s | %s | %d | %.2f | %.2f / %.2f ± %.2f | %s | %.2f | %.2f | %.0f |\n", TaskTitles[r.Task], r.Seed, rowName[name],
					layerString(c.Net), c.Epochs, c.Cost, c.Code, c.NLL, c.NLLSE, ais, r.Costs["hm"], r.Costs["mixture"], c.Seconds)
			}
		}
		// Fits kept at their first validation: every later validation
		// (as many as the patience) was no lower.
		var first []string
		for _, name := range slow {
			for _, t := range d.Tasks {
				n, at := 0, 0
				for _, r := range slowRs {
					if c, ok := r.Slow[name]; ok && r.Task == t {
						n++
						if c.Epochs == density.Every {
							at++
						}
					}
				}
				if n > 1 && at == n {
					first = append(first, fmt.Sprintf("the %s on %s (all %d data sets)", rowName[name], TaskTitles[t], n))
				}
			}
		}
		if len(first) > 0 {
			p("\nKept at their first validation (epoch %d), every later validation no lower: %s. There the stopping\n", density.Every, strings.Join(first, "; "))
			p("rule did not cut a descent short: from epoch %d on, training made the net's bound on the validation split\n", density.Every)
			p("worse. Whether it made the net's fit worse is the next section's question.\n")
		}
	}
	if traced := withResults(results, func(r DensityResult) bool { return len(r.Trace) > 0 && d.traces(r.Seed) }); len(traced) > 0 {
		d.writeTrace(p, traced, rowName)
	}
	rws := withResults(results, func(r DensityResult) bool { return r.RWS != nil })
	if len(rws) > 0 {
		p("\n## Does reweighted wake-sleep close the HM's gap on Mix 20-100?\n\n")
		p("The paper's HM trailed the mixture on Mix 20-100. The same protocol with reweighted wake-sleep (Bornschein &\n")
		p("Bengio 2015; K = 5 samples from q per example, the wake-phase q update on; `density.New(\"hm-rws\")`), beside\n")
		p("wake-sleep and the mixture, bits per example: the test coding cost, and −log2 p(v) on the likelihood subset.\n\n")
		p("| seed | mixture, test | HM (wake-sleep): coding / −log2 p(v) | HM (RWS, K = 5): coding / −log2 p(v) | RWS layers, epochs, seconds |\n|---|---|---|---|---|\n")
		var dws, drws []float64
		for _, r := range rws {
			x := r.RWS
			p("| %d | %.2f | %.2f / %.2f | %.2f / %.2f | %s, %d, %.0f |\n", r.Seed, r.Costs["mixture"], r.Costs["hm"], r.HMNLL, x.Cost, x.NLL, layerString(x.Net), x.Epochs, x.Seconds)
			dws = append(dws, r.HMNLL-r.HMCode+r.Costs["hm"]-r.Costs["mixture"])
			drws = append(drws, x.NLL-x.Code+x.Cost-r.Costs["mixture"])
		}
		mw, _ := meanSD(dws)
		mr, _ := meanSD(drws)
		p("\nOn −log2 p(v) (the coding cost less its gap on the subset), wake-sleep trails the mixture by %.1f bits on average\n", mw)
		p("and reweighted wake-sleep by %.1f.\n", mr)
	}
	soft := withResults(results, func(r DensityResult) bool { return r.Softmax != nil })
	if len(soft) > 0 {
		p("\n## The paper's remedy: a one-of-C top layer\n\n")
		p("The paper suggested that the HM trails the mixture on Mix 20-100 because its binary hidden units must learn to\n")
		p("act as one-of-20. With a single one-of-C hidden unit instead (`density.Softmax`: a mixture of C products of\n")
		p("Bernoullis as its generative model, a softmax recognition net, trained by wake-sleep under the HM's protocol,\n")
		p("C chosen from 20, 40, 60, 100 on the validation split), bits per example on the test split; its coding cost\n")
		p("and −log2 p(v) are exact sums over the C states.\n\n")
		p("| seed | mixture (EM) | HM (binary) coding | one-of-C HM: coding / −log2 p(v) | C, epochs, seconds |\n|---|---|---|---|---|\n")
		var dc []float64
		for _, r := range soft {
			x := r.Softmax
			p("| %d | %.2f | %.2f | %.2f / %.2f | %d, %d, %.0f |\n", r.Seed, r.Costs["mixture"], r.Costs["hm"], x.Cost, x.NLL-x.Code+x.Cost, x.Net[1], x.Epochs, x.Seconds)
			dc = append(dc, x.Cost-r.Costs["mixture"])
		}
		m, _ := meanSD(dc)
		p("\n(−log2 p(v) on the test split is the coding cost less its gap on the first %d test examples.) The one-of-C HM's\n", d.NLLSub)
		p("coding cost is %.1f bits from the mixture's on average (positive: worse).\n", m)
	}
	curves := withResults(results, func(r DensityResult) bool { return len(r.KCurve) > 0 })
	if len(curves) > 0 {
		p("\n## Does the importance-sampled likelihood converge in K?\n\n")
		p("The HM's −log2 p(v) on the first %d test examples of each task's first seed, estimated with K samples from the\n", KExamples)
		p("recognition net per example (± its standard error over examples), and exactly where the net can be enumerated.\n")
		p("An estimate is biased upward by more than its standard error while q is poor: it is trusted where it has\n")
		p("stopped moving between K = 1,000 and K = 5,000.\n\n")
		cells := []string{"task", "seed", "layers"}
		for _, k := range KCurveK {
			cells = append(cells, fmt.Sprintf("K = %d", k))
		}
		tableHead(p, append(cells, "exact")...)
		for _, r := range curves {
			p("| %s | %d | %s |", TaskTitles[r.Task], r.Seed, layerString(r.HMNet))
			ex := "—"
			for _, pt := range r.KCurve {
				if pt.Exact {
					ex = fmt.Sprintf("%.3f", pt.NLL)
					continue
				}
				p(" %.3f ± %.3f |", pt.NLL, pt.SE)
			}
			p(" %s |\n", ex)
		}
	}
	p("\n## Time\n\n")
	p("Mean seconds per data set on this machine, fitting included (the HM: all four nets, on one core; the Gibbs\n")
	p("machine and mean field: their four nets at once, wall time on both cores):\n\n")
	p("| estimator | seconds | the paper |\n|---|---|---|\n")
	for _, name := range density.Names {
		var xs []float64
		for _, r := range results {
			if sec, ok := r.Seconds[name]; ok {
				xs = append(xs, sec)
			}
		}
		m, _ := meanSD(xs)
		paper := "—"
		if h, ok := PaperHours[name]; ok {
			paper = h + " hours"
		}
		p("| %s | %.1f | %s |\n", rowName[name], m, paper)
	}
	var dataSec []float64
	for _, r := range results {
		dataSec = append(dataSec, r.DataSec)
	}
	m, _ := meanSD(dataSec)
	p("\nMaking a data set and its exact entropy took %.0f s on average (BN 5-10-15-20-100's enumeration the longest).\n", m)
	p("Each fit's seconds are as the fit recorded them, by the code of its day (a study continued later keeps the\n")
	p("fits it has); docs/SPEED.md times the whole study made from nothing, and says what each learner's step costs.\n\n")

	p("## Costs relative to the HM\n\n![costs relative to the HM](density/relative.png)\n\n")
	p("As the paper's Figure 1: each estimator's test cost minus the HM's, per task (ours: on the same data sets, averaged);\n")
	p("left ours, right the paper's.\n\n")
	p("## The protocol\n\n")
	p("- **gzip**: the compressed size of the training set with a block of %d test examples appended, minus the training\n", density.BlockSize)
	p("  set's alone, at gzip's default level; examples packed eight units a byte.\n")
	p("- **Base rates**: each unit's training frequency with one extra on and one extra off count.\n")
	p("- **Mixture**: EM with the same smoothing, from random responsibilities, for 20, 40, 60 and 100 components; the one\n")
	p("  best on the validation split kept. Mixing proportions of the generating mixture are equal (the paper does not say).\n")
	p("- **HM**: wake-sleep at rate 0.01, online, on uniformly drawn training examples, for nets with hidden layers\n")
	p("  20, 50, 20-10 and 50-20 above the visible units (lowest first); the best by validation coding cost kept. The\n")
	p("  paper's stopping rule with ten validations of patience instead of two (see `density.HMPatience`).\n")
	p("- **Gibbs machine** and **mean field**: the HM's four nets, initial weights and rate, without a recognition net;\n")
	p("  the paper's stopping rule (two validations of patience). Annealing from temperature 5.0, times 0.9227 per sweep,\n")
	p("  20 sweeps, from a fantasy of the hidden layers; mean field from μ = ξ = 1/2, up to %d rounds of a Newton step in\n", helmholtz.MeanFieldIters)
	p("  each ξ and a fixed-point update of each μ, until no μ moves by more than %g.\n", helmholtz.MeanFieldTol)
	p("- **FVBN**: stochastic gradient ascent at rate 0.01 from base-rate biases.\n")
	p("- Validation every 5 epochs; stop when two successive validations fail to improve by more than 0.2 %%; the\n")
	p("  best-validation model is tested.\n")
	p("- MRF tasks are redrawn until base rates cost at least %d bits per example more than the generating model on 2,000\n", synth.MRFGap)
	p("  of its examples (the paper redrew \"until the base-rate model did badly\" without a threshold).\n")

	// Figure 1.
	ours := make([][]float64, len(rows))
	paper := make([][]float64, len(rows))
	var methods []string
	for m, name := range rows {
		methods = append(methods, rowName[name])
		for _, t := range d.Tasks {
			var diffs []float64 // against the HM on the same data sets
			for _, r := range of(t) {
				if c, ok := r.Costs[name]; ok {
					diffs = append(diffs, c-r.Costs["hm"])
				}
			}
			mean := math.NaN()
			if len(diffs) > 0 {
				mean, _ = meanSD(diffs)
			}
			ours[m] = append(ours[m], mean)
			ti := slices.Index(synth.Names, t)
			paper[m] = append(paper[m], PaperTable1[name][ti]-PaperTable1["hm"][ti])
		}
	}
	fig := figure.Relative([]string{"ours", "Frey, Hinton & Dayan (1995)"}, d.Tasks, methods, [][][]float64{ours, paper})
	if err := figure.Save(filepath.Join(dir, "relative.png"), fig); err != nil {
		return err
	}
	return train.WriteFile(filepath.Join(d.Doc, "DENSITY.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// withResults returns the results for which keep is true.
// writeTrace writes the section on the slow learners' traces: their
// bound beside their exact −log2 p(v) as they train.
func (d Density) writeTrace(p func(string, ...any), traced []DensityResult, rowName map[string]string) {
	var epochs []int // Every, 2·Every, 4·Every, … and the last
	for e := density.Every; e < d.TraceEpochs; e *= 2 {
		epochs = append(epochs, e)
	}
	epochs = append(epochs, d.TraceEpochs/density.Every*density.Every)
	p("\n## Is the Gibbs machine's cost its fit?\n\n")
	p("The Gibbs machine is validated and costed by the mean-field bound of its net, an upper bound on −log2 p(v) that is\n")
	p("only as tight as a factorial posterior can be. To see whether that bound follows the net's own fit, on each task's\n")
	p("first seed both slow learners trained a %s net, small enough for −log2 p(v) to be summed exactly over its hidden\n", layerString(append([]int{100}, d.TraceNet...)))
	p("states, for %d epochs without a stopping rule, from the start Fit gives each (rate 0.01, `density.Latent.Trace`).\n", d.TraceEpochs)
	p("Bits per example on the first %d test examples: the bound / the exact −log2 p(v).\n\n", KExamples)
	cells := []string{"task", "learner"}
	for _, e := range epochs {
		cells = append(cells, fmt.Sprintf("epoch %d", e))
	}
	tableHead(p, cells...)
	type change struct{ bound, nll, gap0, gap1 float64 }
	changes := map[string]map[string]change{}
	for _, r := range traced {
		for _, name := range slow {
			at := map[int]TracePoint{}
			for _, t := range r.Trace {
				if t.Learner == name {
					at[t.Epoch] = t
				}
			}
			p("| %s | %s |", TaskTitles[r.Task], rowName[name])
			for _, e := range epochs {
				if t, ok := at[e]; ok {
					p(" %.2f / %.2f |", t.Bound, t.NLL)
				} else {
					p(" — |")
				}
			}
			p("\n")
			a, b := at[epochs[0]], at[epochs[len(epochs)-1]]
			if changes[name] == nil {
				changes[name] = map[string]change{}
			}
			changes[name][r.Task] = change{b.Bound - a.Bound, b.NLL - a.NLL, a.Bound - a.NLL, b.Bound - b.NLL}
		}
	}
	// The AIS estimates at the last epoch against the exact values.
	var worst float64
	nAIS := 0
	for _, r := range traced {
		for _, t := range r.Trace {
			if t.AIS != 0 {
				worst = max(worst, math.Abs(t.AIS-t.NLL))
				nAIS++
			}
		}
	}
	if nAIS > 0 {
		p("\nAt epoch %d, −log2 p(v) estimated by annealed importance sampling as for the Gibbs machine's fits above (%d chains\n", d.TraceEpochs/density.Every*density.Every, AISChains)
		p("of %d steps an example) is within %.3f bits of the exact value on all %d nets", AISSteps, worst, nAIS)
		if worst < 0.1 {
			p(", so that estimate can stand in\nfor the exact one on nets too large to enumerate (on deeper nets it may err upward by more)")
		}
		p(".\n")
	}
	p("\nFrom epoch %d to epoch %d, the bound's change and −log2 p(v)'s, and the bound's excess over −log2 p(v)\n", epochs[0], epochs[len(epochs)-1])
	p("at the two epochs, bits:\n\n")
	for _, name := range slow {
		var parts []string
		for _, r := range traced {
			c := changes[name][r.Task]
			parts = append(parts, fmt.Sprintf("%s %+.1f and %+.1f, excess %.1f → %.1f", TaskTitles[r.Task], c.bound, c.nll, c.gap0, c.gap1))
		}
		p("- %s: %s.\n", rowName[name], strings.Join(parts, "; "))
	}
	// The bound's excess at the last epoch, least and most over tasks.
	excess := func(name string) string {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, c := range changes[name] {
			lo, hi = min(lo, c.gap1), max(hi, c.gap1)
		}
		return fmt.Sprintf("%.1f to %.1f", lo, hi)
	}
	p("\nAt epoch %d the bound exceeds the exact −log2 p(v) by %s bits on the Gibbs machine's nets, by %s on mean\n", epochs[len(epochs)-1], excess("gm"), excess("mf"))
	p("field's. Mean-field learning descends the bound itself, so its nets stay ones whose posterior a factorial q fits;\n")
	p("the Gibbs machine follows its samples, and its nets need not: its Table 1 cost, that bound, overstates its nets'\n")
	p("−log2 p(v) by excesses of this size.")
	var early []string
	for _, r := range traced {
		if c := changes["gm"][r.Task]; c.bound-c.nll > 1 {
			early = append(early, TaskTitles[r.Task])
		}
	}
	if len(early) > 0 {
		p(" Where its bound rose by more than a bit\n")
		p("beyond −log2 p(v)'s change (%s), validating by the bound keeps an earlier net than the net's fit would.", strings.Join(early, ", "))
	}
	p("\n")
}

// tableHead writes the head of a Markdown table of the given columns.
func tableHead(p func(string, ...any), cells ...string) {
	p("|")
	for _, c := range cells {
		p(" %s |", c)
	}
	p("\n|")
	for range cells {
		p("---|")
	}
	p("\n")
}

func withResults(results []DensityResult, keep func(DensityResult) bool) []DensityResult {
	var out []DensityResult
	for _, r := range results {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func layerString(sizes []int) string {
	var s []string
	for _, n := range sizes {
		s = append(s, fmt.Sprint(n))
	}
	return strings.Join(s, "-")
}
