package study

import (
	"cmp"
	"context"
	"encoding/json"
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
	"time"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/density"
	"helmholtz/estimate"
	"helmholtz/figure"
	"helmholtz/train"
)

// MNIST is the binarized-MNIST study: Helmholtz machines trained by
// wake-sleep and reweighted wake-sleep at the literature's sizes, their
// test log-likelihood estimated by the literature's protocol (importance
// sampling with K = 5,000 on all 10,000 test images), beside published
// numbers and baselines fitted here; and the 1995 paper's digit tasks'
// stand-ins, mnist8 and mnist8-pairs, through the density study's
// estimators.
type MNIST struct {
	Runs       []MNISTRun
	TestK      int      // samples per test image of the final estimate
	KCurve     []int    // the convergence check's K, on KExamples test images of the first run
	KExamples  int      // test images of the convergence check
	Small      []string // data sets fitted by the density estimators (mnist8, mnist8-pairs)
	Estimators []string // those estimators
	// Baselines are the density estimators fitted to MNIST itself (the
	// draw of its training split that dataset.MNISTSeed fixes), scored on
	// the same test images as the runs.
	Baselines []string
	Workers   int
	Out       string // the runs, results.jsonl; an interrupted study continues there
	Doc       string // where MNIST.md and mnist/ go
	Log       io.Writer
}

// MNISTRun is one training run of the study.
type MNISTRun struct {
	Name   string
	Config train.Config
}

// MNISTRuns are the study's runs, each of the given epochs of 50,000
// images: 784-200-200-200 (the literature's SBN) by wake-sleep and by
// reweighted wake-sleep with K = 5 and 10, and 784-200-200 by RWS with
// K = 5; all on dynamically binarized MNIST, in batches of 25 with Adam
// at 0.001, seed 1; and the first again in float32.
func MNISTRuns(epochs int) []MNISTRun {
	base := train.Default()
	base.Data, base.Seed, base.Batch, base.Optimizer, base.LR = "mnist", 1, 25, "adam", 0.001
	base.Steps = epochs * 50000 / base.Batch
	base.EvalEvery = 0
	base.SnapshotEvery = max(base.Steps/50, 1)
	run := func(name string, layers []int, algo string, k int) MNISTRun {
		c := base
		c.Layers, c.Algo, c.Samples = layers, algo, k
		c.ResolveEvalEvery()
		return MNISTRun{Name: name, Config: c}
	}
	sbn3, sbn2 := []int{784, 200, 200, 200}, []int{784, 200, 200}
	return []MNISTRun{
		run("rws5-200x3", sbn3, "rws", 5),
		run("ws-200x3", sbn3, "", 0),
		run("rws10-200x3", sbn3, "rws", 10),
		run("rws5-200x2", sbn2, "rws", 5),
		float32Run(run("rws5-200x3-float32", sbn3, "rws", 5)),
	}
}

// float32Run is r trained in float32 (--precision float32).
func float32Run(r MNISTRun) MNISTRun {
	r.Config.Precision = "float32"
	return r
}

// MNISTResult is a finished run's test score, or a small data set's
// estimator costs.
type MNISTResult struct {
	Name   string   `json:"name"`
	Flags  string   `json:"flags,omitempty"`
	Steps  int      `json:"steps,omitempty"`
	Epochs float64  `json:"epochs,omitempty"` // of 50,000 images
	TrainS float64  `json:"train_seconds,omitempty"`
	NLL    float64  `json:"test_nll_nats,omitempty"`
	SE     float64  `json:"test_nll_se,omitempty"`
	Coding float64  `json:"test_coding_nats,omitempty"`
	K      int      `json:"k,omitempty"`
	EvalS  float64  `json:"eval_seconds,omitempty"`
	KCurve []KPoint `json:"k_curve,omitempty"`
	// For the convergence check: each K's estimate on the same images.
	Conv []KConv `json:"k_convergence,omitempty"`
	// For a small data set: each estimator's test cost in bits, and the
	// seconds its fit took.
	Costs map[string]float64 `json:"test_bits,omitempty"`
	FitS  map[string]float64 `json:"fit_seconds,omitempty"`
}

// KConv is the convergence check's estimate with K samples per image:
// −log p(v) in nats with its standard error over the images, and its
// mean difference from the largest K's on the same images (each image's
// samples are the first K of one stream, so the estimates are nested)
// with that difference's standard error.
type KConv struct {
	K      int     `json:"k"`
	NLL    float64 `json:"nll_nats"`
	SE     float64 `json:"se"`
	Diff   float64 `json:"diff_nats"`
	DiffSE float64 `json:"diff_se"`
}

// convName names the convergence check's record in results.jsonl.
const convName = "k-convergence"

// Published is a test −log p(v) on binarized MNIST from the literature.
type Published struct {
	Model, Source string
	NLL           float64 // nats
}

// PublishedMNIST are the numbers the study's page sets ours beside, as
// the request for the study quoted them (not checked against the papers): reweighted wake-sleep on the SBN 200-200-200 as
// tabulated by Mnih & Rezende ("Variational inference for Monte Carlo
// objectives", ICML 2016), and NADE (Larochelle & Murray, AISTATS 2011).
var PublishedMNIST = []Published{
	{"SBN 200-200-200, RWS K = 5", "Mnih & Rezende 2016 (VIMCO), as quoted", 93.5},
	{"SBN 200-200-200, RWS K = 10", "Mnih & Rezende 2016 (VIMCO), as quoted", 93.0},
	{"NADE 500 hidden units", "Larochelle & Murray 2011, as quoted", 88.9},
}

// PaperTable2 is Frey, Hinton & Dayan's (1995) Table 2, test cost in bits
// on their USPS digit tasks (single digits, 64 units; pairs, 128), by
// estimator: the tasks mnist8 and mnist8-pairs stand in for.
var PaperTable2 = map[string][2]float64{
	"gzip": {44.3, 89.2}, "base": {59.2, 118.4}, "mixture": {37.5, 92.7},
	"mf": {39.5, 80.7}, "hm": {39.1, 80.4}, "fvbn": {35.9, 72.9},
}

// Run trains every run not finished in Out (resuming those interrupted),
// scores each, fits the small data sets, and writes Doc/MNIST.md.
func (s MNIST) Run(ctx context.Context) error {
	if err := os.MkdirAll(s.Out, 0o755); err != nil {
		return err
	}
	lock, err := train.LockDir(s.Out)
	if err != nil {
		return err
	}
	defer lock.Close()
	resultsPath := filepath.Join(s.Out, "results.jsonl")
	done, err := readMNISTResults(resultsPath)
	if err != nil {
		return err
	}
	have := func(name string) bool {
		return slices.ContainsFunc(done, func(r MNISTResult) bool { return r.Name == name })
	}
	record := func(res MNISTResult) error {
		done = append(done, res)
		return appendJSON(resultsPath, res)
	}
	for _, run := range s.Runs {
		if have(run.Name) {
			continue
		}
		res, err := s.train(ctx, run)
		if err != nil {
			return fmt.Errorf("%s: %w", run.Name, err)
		}
		if err := record(res); err != nil {
			return err
		}
		fmt.Fprintf(s.Log, "  %s: test −log p(v) %.2f ± %.2f nats (K = %d), trained %.0f s, scored %.0f s\n",
			run.Name, res.NLL, res.SE, res.K, res.TrainS, res.EvalS)
	}
	if len(s.Runs) > 0 && len(s.KCurve) > 0 && !have(convName) && ctx.Err() == nil {
		res, err := s.convergence(s.Runs[0])
		if err != nil {
			return err
		}
		if err := record(res); err != nil {
			return err
		}
	}
	// The small data sets by every estimator, MNIST itself by the baselines.
	type fit struct {
		name       string
		estimators []string
	}
	var fits []fit
	for _, name := range s.Small {
		fits = append(fits, fit{name, s.Estimators})
	}
	if len(s.Baselines) > 0 {
		fits = append(fits, fit{"mnist", s.Baselines})
	}
	for _, f := range fits {
		if have(f.name) || ctx.Err() != nil {
			continue
		}
		res, err := s.small(f.name, f.estimators)
		if err != nil {
			return err
		}
		if err := record(res); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.write(done)
}

// train trains (or resumes, or finds finished) one run and scores its
// final model on the test split.
func (s MNIST) train(ctx context.Context, run MNISTRun) (MNISTResult, error) {
	var out MNISTResult
	dir := filepath.Join(s.Out, run.Name)
	secondsPath := filepath.Join(dir, "train_seconds")
	seconds := readSeconds(secondsPath) // of earlier sittings
	var m *helmholtz.Machine
	steps := 0
	if st, err := train.ReadSnapshot(filepath.Join(dir, "model.npz")); err == nil {
		m, steps = st.Machine, st.Step // trained before, not yet scored
	} else {
		var r *train.Run
		if _, statErr := os.Stat(filepath.Join(dir, "config.json")); statErr == nil {
			r, err = train.Resume(dir, 0)
		} else {
			r, err = train.Create(run.Config, dir, false)
		}
		if err != nil {
			return out, err
		}
		defer r.Close()
		r.Overlap = s.Workers > 1
		start := time.Now()
		err = r.Train(ctx, nil)
		seconds += time.Since(start).Seconds()
		if werr := train.WriteFile(secondsPath, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "%.3f\n", seconds)
			return err
		}); werr != nil {
			return out, werr
		}
		if err != nil {
			return out, err
		}
		m, steps = r.Machine, r.Step
	}
	out = MNISTResult{Name: run.Name, Flags: run.Config.RecipeFlags(), Steps: steps, TrainS: seconds, K: s.TestK,
		Epochs: float64(steps*max(run.Config.Batch, 1)) / 50000}
	test, err := s.testSplit(run.Config)
	if err != nil {
		return out, err
	}
	t := time.Now()
	h := estimate.Parallel(m, test, s.TestK, 1, s.Workers)
	out.EvalS = time.Since(t).Seconds()
	out.NLL, out.SE, out.Coding = h.NLL*math.Ln2, h.SE*math.Ln2, h.Coding*math.Ln2
	return out, nil
}

// mnistFindings reads the study's runs (by MNISTRuns' names) against one
// another and the goal, from the numbers above it.
func mnistFindings(results []MNISTResult) string {
	get := func(name string) (MNISTResult, bool) {
		i := slices.IndexFunc(results, func(r MNISTResult) bool { return r.Name == name })
		if i < 0 {
			return MNISTResult{}, false
		}
		return results[i], true
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	rws5, ok := get("rws5-200x3")
	if !ok {
		return ""
	}
	verdict := "met"
	if rws5.NLL > 95 {
		verdict = "not met"
	}
	p("\n**Findings.** RWS with K = 5 on 784-200-200-200 reaches %.2f ± %.2f nats after %.3g epochs (%.0f s of training):\n",
		rws5.NLL, rws5.SE, rws5.Epochs, rws5.TrainS)
	p("the goal of at most 95 nats is %s (published: about 93.5, after far longer training).", verdict)
	if ws, ok := get("ws-200x3"); ok {
		gw, gr := ws.Coding-ws.NLL, rws5.Coding-rws5.NLL
		closer := "closer to"
		if gw > gr {
			closer = "further from"
		}
		p(" Wake-sleep on the same net ends %.2f nats behind it, though its coding cost is %s its −log p(v)\n", ws.NLL-rws5.NLL, closer)
		p("(%.2f nats above it, against %.2f for RWS: the expected KL from q to the posterior), so the difference lies in the\n", gw, gr)
		p("generative net: wake-sleep follows one sample of q per image, a gradient biased wherever q is not the posterior,\n")
		p("and fits q on fantasies only; RWS weighs K samples by p/q (a bias that shrinks as K grows) and fits q on the\n")
		p("training images too.")
	}
	if r10, ok := get("rws10-200x3"); ok {
		p(" K = 10 against K = 5: %+.2f nats.", r10.NLL-rws5.NLL)
	}
	if r2, ok := get("rws5-200x2"); ok {
		p(" Two hidden layers (784-200-200) against three: %+.2f nats.", r2.NLL-rws5.NLL)
	}
	if f, ok := get("rws5-200x3-float32"); ok {
		p(" Trained in float32 (`--precision float32`, as PyTorch trains; the model scored in float64), the same run ends at\n")
		p("%.2f ± %.2f nats, %+.2f against float64, in %.0f s of training against %.0f s.", f.NLL, f.SE, f.NLL-rws5.NLL, f.TrainS, rws5.TrainS)
	}
	if base, ok := get("mnist"); ok {
		if f, ok := base.Costs["fvbn"]; ok {
			p(" The fully visible belief net (no hidden units, fitted in %.0f s) scores %.2f nats, %+.2f against RWS.",
				base.FitS["fvbn"], f*math.Ln2, float64(f*math.Ln2)-rws5.NLL)
		}
	}
	if conv, ok := get(convName); ok && len(conv.Conv) >= 2 {
		c := conv.Conv[len(conv.Conv)-2]
		last := conv.Conv[len(conv.Conv)-1]
		settled := "has settled"
		if c.Diff > float64(3*c.DiffSE)+0.05 {
			settled = "is still falling"
		}
		p(" From K = %d to %d the estimate falls by %.2f ± %.2f nats: it %s, and since an importance-sampled\n", c.K, last.K, c.Diff, c.DiffSE, settled)
		p("−log p(v) is too high in expectation, the K = %d figures are upper estimates.", last.K)
	}
	p("\n")
	for i, name := range []string{"mnist8", "mnist8-pairs"} {
		r, ok := get(name)
		if !ok {
			continue
		}
		ours := slices.SortedFunc(maps.Keys(r.Costs), func(a, b string) int { return cmp.Compare(r.Costs[a], r.Costs[b]) })
		var paper []string
		for _, e := range ours {
			if _, ok := PaperTable2[e]; ok {
				paper = append(paper, e)
			}
		}
		slices.SortFunc(paper, func(a, b string) int { return cmp.Compare(PaperTable2[a][i], PaperTable2[b][i]) })
		p("\nOn %s, best first: ours %s; the paper's on USPS (the same estimators) %s.\n", name, strings.Join(ours, ", "), strings.Join(paper, ", "))
	}
	return b.String()
}

// convergence estimates −log p(v) of the first KExamples test images
// under run's final model with each K of KCurve, and each estimate's
// difference from the largest K's, image by image.
func (s MNIST) convergence(run MNISTRun) (MNISTResult, error) {
	res := MNISTResult{Name: convName}
	st, err := train.ReadSnapshot(filepath.Join(s.Out, run.Name, "model.npz"))
	if err != nil {
		return res, err
	}
	test, err := s.testSplit(run.Config)
	if err != nil {
		return res, err
	}
	test = test[:min(s.KExamples, len(test))]
	ks := slices.Sorted(slices.Values(s.KCurve))
	each := make([][]float64, len(ks))
	for i, k := range ks {
		h := estimate.Parallel(st.Machine, test, k, 1, s.Workers)
		each[i] = h.Each
		res.Conv = append(res.Conv, KConv{K: k, NLL: h.NLL * math.Ln2, SE: h.SE * math.Ln2})
	}
	last := each[len(ks)-1]
	for i := range ks {
		var sum, sum2 float64
		for j, x := range each[i] {
			d := float64((x - last[j]) * math.Ln2)
			sum += d
			sum2 += float64(d * d) // unfused: the same page on every build
		}
		n := float64(len(last))
		mean := sum / n
		res.Conv[i].Diff = mean
		if n > 1 {
			res.Conv[i].DiffSE = math.Sqrt(max(0, (sum2-float64(n*mean*mean))/(n-1)) / n)
		}
	}
	fmt.Fprintf(s.Log, "  convergence in K on %d test images: done\n", len(test))
	return res, nil
}

// readSeconds returns the seconds a run's training took in earlier
// sittings, kept in path (0 if none).
func readSeconds(path string) float64 {
	var x float64
	if b, err := os.ReadFile(path); err == nil {
		fmt.Sscan(string(b), &x)
	}
	if !(x >= 0 && x < math.Inf(1)) { // unreadable: count from nothing
		return 0
	}
	return x
}

// testSplit returns the test images of a run's data set.
func (s MNIST) testSplit(c train.Config) ([][]uint8, error) {
	set, err := dataset.Parse(c.Data)
	if err != nil {
		return nil, err
	}
	f, ok := set.(*dataset.Finite)
	if !ok {
		return nil, fmt.Errorf("data set %s has no test split", set)
	}
	return f.Test, nil
}

// small fits density estimators to a data set.
func (s MNIST) small(name string, estimators []string) (MNISTResult, error) {
	res := MNISTResult{Name: name, Costs: map[string]float64{}, FitS: map[string]float64{}}
	set, err := dataset.Parse(name)
	if err != nil {
		return res, err
	}
	f := set.(*dataset.Finite)
	for _, est := range estimators {
		e, err := density.New(est)
		if err != nil {
			return res, err
		}
		start := time.Now()
		if err := e.Fit(f.Train, f.Valid, rand.New(rand.NewPCG(1, density.Stream(est)))); err != nil {
			return res, err
		}
		res.FitS[est] = time.Since(start).Seconds()
		res.Costs[est] = e.Cost(f.Test)
		fmt.Fprintf(s.Log, "  %s, %s: %.2f bits\n", name, est, res.Costs[est])
	}
	return res, nil
}

func readMNISTResults(path string) ([]MNISTResult, error) {
	return readJSONL(path, func(r MNISTResult) string { return r.Name })
}

// write writes MNIST.md and its figures.
func (s MNIST) write(results []MNISTResult) error {
	dir := filepath.Join(s.Doc, "mnist")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Binarized MNIST\n\n")
	p("Written by `helmholtz study mnist` on this machine (%s, %d cores, %s) from [mnist/results.jsonl](mnist/results.jsonl).\n\n",
		runtime.Version(), runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	p("## Test log-likelihood\n\n")
	p("−log p(v) of the 10,000 test images (dynamically binarized data; the test images drawn once from `dataset.MNISTSeed`),\n")
	p("nats, estimated by importance sampling from the recognition net with K samples per image (± the standard error over\n")
	p("images), beside the coding cost (−ELBO) from the same samples.\n\n")
	p("| run | flags | steps | −log p(v) | K | coding cost | training s | scoring s |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		if r.Costs != nil || r.Conv != nil {
			continue
		}
		p("| %s | `%s` | %d | %.2f ± %.2f | %d | %.2f | %.0f | %.0f |\n", r.Name, r.Flags, r.Steps, r.NLL, r.SE, r.K, r.Coding, r.TrainS, r.EvalS)
	}
	p("%s", mnistFindings(results))
	hasConv := slices.ContainsFunc(results, func(r MNISTResult) bool { return r.Name == convName })
	for _, r := range results {
		if len(r.Conv) > 0 {
			p("\n**Convergence in K** (%s's final model, the first %d test images, each image's samples the first K of one\n", s.Runs[0].Name, s.KExamples)
			p("stream, so the estimates are nested; the difference from the largest K is taken image by image):\n\n")
			p("| K | −log p(v), nats | minus the largest K's |\n|---|---|---|\n")
			for _, c := range r.Conv {
				p("| %d | %.2f ± %.2f | %+.3f ± %.3f |\n", c.K, c.NLL, c.SE, c.Diff, c.DiffSE)
			}
		}
		if len(r.KCurve) == 0 || hasConv {
			continue
		}
		p("\nConvergence in K (%s, the first %d test images): ", r.Name, s.KExamples)
		for i, pt := range r.KCurve {
			if i > 0 {
				p(", ")
			}
			p("K = %d: %.2f ± %.2f", pt.K, pt.NLL, pt.SE)
		}
		p(" nats.\n")
	}
	p("\n## Beside published numbers and baselines\n\n")
	p("Test −log p(v) in nats. Ours: the runs above (784-200-200-200 unless named) and the density study's estimators\n")
	p("fitted here to the fixed draw of the 50,000 training images (validation split for their stopping rules), on\n")
	p("the same 10,000 test images; exact likelihoods, except gzip's code length. Published: as quoted in the\n")
	p("request for this study, not checked against the papers here (the copies this machine can reach hold only their openings); they\n")
	p("were trained far longer (hundreds to thousands of epochs), and their test images may be binarized otherwise.\n\n")
	p("| model | −log p(v), nats | where |\n|---|---|---|\n")
	for _, r := range results {
		if r.Costs == nil && r.Conv == nil {
			p("| %s | %.2f ± %.2f | ours, %.3g epochs |\n", r.Name, r.NLL, r.SE, r.Epochs)
		}
	}
	if k := slices.IndexFunc(results, func(r MNISTResult) bool { return r.Name == "mnist" }); k >= 0 {
		for _, est := range s.Baselines {
			p("| %s | %.2f | ours, fitted in %.0f s |\n", est, results[k].Costs[est]*math.Ln2, results[k].FitS[est])
		}
	}
	for _, pub := range PublishedMNIST {
		p("| %s | %.1f | %s |\n", pub.Model, pub.NLL, pub.Source)
	}
	for i, name := range s.Small {
		k := slices.IndexFunc(results, func(r MNISTResult) bool { return r.Name == name })
		if k < 0 || i > 1 {
			continue
		}
		p("\n## %s beside the 1995 paper's USPS task\n\n| estimator | ours, test bits | the paper's (USPS) |\n|---|---|---|\n", name)
		for _, est := range s.Estimators {
			paper := "—"
			if v, ok := PaperTable2[est]; ok {
				paper = fmt.Sprintf("%.1f", v[i])
			}
			p("| %s | %.2f | %s |\n", est, results[k].Costs[est], paper)
		}
	}
	if err := train.WriteFile(filepath.Join(dir, "results.jsonl"), func(w io.Writer) error {
		for _, r := range results {
			if err := json.NewEncoder(w).Encode(r); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if len(s.Runs) > 0 {
		if saved, err := train.Open(filepath.Join(s.Out, s.Runs[0].Name)); err == nil {
			figs, err := figure.RunFigures(saved)
			if err == nil {
				p("\n## The %s run: its curves, fantasies and first-layer fields\n\n", s.Runs[0].Name)
				k := 0
				if n := len(saved.History); n > 0 {
					k = saved.History[n-1].K
				}
				p("`%s`: the cost of the training and validation examples its history scored (importance-sampled, K = %d), "+
					"64 fantasies, and the generative fields of its first hidden units (`helmholtz plot --run %s`).\n",
					s.Runs[0].Config.RecipeFlags(), k, filepath.Join(s.Out, s.Runs[0].Name))
				for _, name := range []string{"curves", "fantasies", "fields"} {
					if f, ok := figs[name]; ok {
						if err := figure.Save(filepath.Join(dir, name+".png"), f); err != nil {
							return err
						}
						p("\n![%s](mnist/%s.png)\n", name, name)
					}
				}
			}
		}
	}
	return train.WriteFile(filepath.Join(s.Doc, "MNIST.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}
