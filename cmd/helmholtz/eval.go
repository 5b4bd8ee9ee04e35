package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"helmholtz/dataset"
	"helmholtz/estimate"
	"helmholtz/exact"
	"helmholtz/rbm"
	"helmholtz/train"
	"helmholtz/units"
)

// defaultSamples is the K of eval's importance-sampled estimate when the
// net is beyond exact evaluation and --samples is not given: as a run's
// history estimates. It errs upward by more than its standard error where
// q is poor; --samples 5000 is the MNIST literature's protocol.
const defaultSamples = 100

func runEval(ctx context.Context, args []string) (err error) {
	fs := newFlags("eval", "--model FILE [flags]")
	model := fs.String("model", "", "model or snapshot .npz file")
	data := fs.String("data", "", "data set (default: the one the model was trained on, else bars:4x4)")
	samples := fs.Int("samples", 0, "also estimate the NLL by importance sampling, with this many samples from q per pattern (1 to 100000; default: none where the net can be enumerated, else 100)")
	seed := fs.Uint64("seed", 1, "seed of the importance sampling")
	split := fs.String("split", "", "train, valid or test: evaluate on that split of a data set with splits (file:PATH.npz, mnist), in bits per example")
	first := fs.Int("first", 0, "with --split: only the split's first N examples (0: all)")
	ais := fs.Int("ais", 0, "with --split: also estimate −log2 p(v) by annealed importance sampling, this many steps a chain (1 to 100000): for nets whose recognition net is a poor proposal, such as --algo gibbs runs")
	aisChains := fs.Int("ais-chains", 10, "chains per example of --ais (1 to 10000)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *ais < 0 || *ais > 100000:
		return fmt.Errorf("--ais must be in 1..100000, got %d", *ais)
	case *aisChains < 1 || *aisChains > 10000:
		return fmt.Errorf("--ais-chains must be in 1..10000, got %d", *aisChains)
	case *ais > 0 && *split == "":
		return fmt.Errorf("--ais estimates held-out examples: it needs --split")
	case *first < 0:
		return fmt.Errorf("--first must be ≥ 0, got %d", *first)
	case *first > 0 && *split == "":
		return fmt.Errorf("--first takes a split's first examples: it needs --split")
	}
	if *model == "" {
		return fmt.Errorf("--model is required")
	}
	s, err := train.ReadSnapshot(*model)
	if err != nil {
		return err
	}
	spec := *data
	if spec == "" {
		spec = "bars:4x4"
		if s.Config != nil {
			spec = s.Config.Data
		}
	}
	set, err := dataset.Parse(spec)
	if err != nil {
		return err
	}
	if s.Machine.Sizes[0] != set.Dim() {
		return fmt.Errorf("model has %d visible units, %s has %d pixels", s.Machine.Sizes[0], set, set.Dim())
	}
	if *samples < 0 || *samples > 100000 {
		return fmt.Errorf("--samples must be in 1..100000, got %d", *samples)
	}
	// A net beyond enumeration is estimated unless told how: by
	// importance sampling with defaultSamples samples from q a pattern; on
	// a data set with splits, of the training examples unless --split
	// names others, each its own stream on every core (the support's
	// estimate is one stream on one core, and its KL and entropy are the
	// training examples' only).
	if !(s.Config != nil && s.Config.Algo == "rbm") && train.CheckEvaluation(s.Machine.Sizes, components(s), set) != nil {
		if *samples == 0 && *ais == 0 {
			*samples = defaultSamples
		}
		if _, ok := set.(*dataset.Finite); ok && *split == "" {
			*split = "train"
		}
	}
	if *split != "" {
		// The split's examples become the distribution evaluated: its NLL
		// is their mean cost, −log2 p(v), in bits per example.
		f, ok := set.(*dataset.Finite)
		if !ok {
			return fmt.Errorf("--split needs a data set with splits (file:PATH.npz), not %s", set)
		}
		ex, err := f.Split(*split)
		if err != nil {
			return err
		}
		if *first > 0 {
			ex = ex[:min(*first, len(ex))]
		}
		if s.Config != nil && s.Config.Algo == "rbm" && *ais > 0 {
			return fmt.Errorf("model %q is an RBM, whose likelihood is exact: --ais estimates a Helmholtz machine's", *model)
		}
		if *ais > 0 && float64(len(ex))*float64(*aisChains)*float64(*ais)*float64(train.Params(s.Machine.Sizes)) > train.MaxWork {
			return fmt.Errorf("--ais %d with %d chains on %d examples is more work than the limit", *ais, *aisChains, len(ex))
		}
		if exactErr := train.CheckEvaluation(s.Machine.Sizes, components(s), set); exactErr != nil && (*samples > 0 || *ais > 0) && !(s.Config != nil && s.Config.Algo == "rbm") {
			return evalHeldOut(*model, s, f.Name, *split, ex, *samples, *ais, *aisChains, *seed)
		}
		defer func() {
			if *ais > 0 && err == nil {
				printAIS(ex, s, *ais, *aisChains, *seed)
			}
		}()
		if set, err = dataset.NewFinite(f.Name+" ("+*split+" split)", ex, f.Valid, f.Test); err != nil {
			return err
		}
	}
	if s.Config != nil && s.Config.Algo == "rbm" {
		return evalRBM(*model, s, set, *samples)
	}
	exactErr := train.CheckEvaluation(s.Machine.Sizes, components(s), set)
	if exactErr != nil && *samples == 0 {
		return fmt.Errorf("%w; estimate instead with --samples K", exactErr)
	}
	if float64(set.SupportSize())*float64(*samples)*float64(train.Params(s.Machine.Sizes)) > train.MaxWork {
		return fmt.Errorf("--samples %d on %d support patterns is more work than the limit", *samples, set.SupportSize())
	}
	pats, probs := set.Support()
	entropy := exact.Entropy(probs)
	fmt.Printf("model    %s (layers %v, step %d)\n", *model, s.Machine.Sizes, s.Step)
	fmt.Printf("data     %s (%d support patterns)\n", set, len(pats))
	if exactErr == nil {
		ev, err := exact.NewEvaluator(s.Machine.Sizes, pats, probs)
		if err != nil {
			return err
		}
		res := ev.Eval(s.Machine)
		fmt.Printf("KL       %.6f bits\n", res.KL)
		fmt.Printf("NLL      %.6f bits\n", res.NLL)
		if *split != "" {
			fmt.Printf("cost     %.6f bits = %.4f nats per example: −log2 p(v) on the %s split, exact (KL and H are of its empirical distribution)\n", res.NLL, res.NLL*math.Ln2, *split)
		}
	}
	fmt.Printf("H(data)  %.6f bits\n", entropy)
	if *samples > 0 {
		sm, err := estimate.NewSampler(s.Machine.Sizes, *samples)
		if err != nil {
			return err
		}
		est := sm.NLL(s.Machine, pats, probs, entropy, rand.New(rand.NewPCG(*seed, 0x6576616c)))
		fmt.Printf("estimate NLL %.6f ± %.6f bits, KL %.6f ± %.6f bits (importance sampling: %d samples from q per support pattern)\n",
			est.NLL, est.NLLSE, est.KL, est.NLLSE, *samples)
	}
	if exactErr != nil {
		fmt.Printf("exact    not computed: %v\n", exactErr)
		return nil
	}
	if err := exact.CheckPosterior(s.Machine.Sizes); err == nil {
		q, err := s.Recognition()
		if err != nil {
			return fmt.Errorf("model %q: %w", *model, err)
		}
		g, err := exact.NewGapEvaluator(s.Machine.Sizes, pats, probs)
		if err != nil {
			return err
		}
		printGaps(os.Stdout, g.Eval(s.Machine, q), pats, probs, set)
	}
	switch d := set.(type) {
	case dataset.Bars:
		fmt.Printf("hidden units:\n%v", units.Diagnose(s.Machine, d))
	case dataset.Shifter:
		fmt.Printf("shift:\n%v", units.DiagnoseShift(s.Machine, d, shiftSamples, rand.New(rand.NewPCG(*seed, 0x7368696674))))
	}
	return nil
}

// evalHeldOut prints the importance-sampled −log p(v) and coding cost of
// the examples of a split under the model of state s, K samples from the
// recognition net per example, on every core (estimate.Parallel), and
// with steps > 0 its annealed importance sampling estimate.
func evalHeldOut(model string, s train.State, data, split string, ex [][]uint8, K, steps, chains int, seed uint64) error {
	if float64(len(ex))*float64(K)*4*float64(train.Params(s.Machine.Sizes)) > train.MaxWork {
		return fmt.Errorf("--samples %d on %d examples is more work than the limit", K, len(ex))
	}
	fmt.Printf("model    %s (layers %v, step %d)\n", model, s.Machine.Sizes, s.Step)
	fmt.Printf("data     %s, %s split, %d examples\n", data, split, len(ex))
	if K > 0 {
		start := time.Now()
		h := estimate.Parallel(s.Machine, ex, K, seed, runtime.GOMAXPROCS(0))
		fmt.Printf("NLL      %.4f ± %.4f bits = %.3f ± %.3f nats per example (importance sampling: %d samples from q each; ± the standard error over examples)\n",
			h.NLL, h.SE, h.NLL*math.Ln2, h.SE*math.Ln2, K)
		fmt.Printf("coding   %.4f bits = %.3f nats (−ELBO, the same samples)\n", h.Coding, h.Coding*math.Ln2)
		fmt.Printf("time     %.1f s on %d cores\n", time.Since(start).Seconds(), runtime.GOMAXPROCS(0))
	}
	if steps > 0 {
		printAIS(ex, s, steps, chains, seed)
	}
	return nil
}

// printAIS prints the annealed importance sampling estimate of −log p(v)
// on examples under the model of state s, on every core
// (estimate.ParallelAIS).
func printAIS(ex [][]uint8, s train.State, steps, chains int, seed uint64) {
	start := time.Now()
	h := estimate.ParallelAIS(s.Machine, ex, chains, steps, seed, runtime.GOMAXPROCS(0))
	fmt.Printf("AIS      %.4f ± %.4f bits = %.3f ± %.3f nats per example (annealed importance sampling: %d chains of %d steps each, from the prior; errs upward while too short)\n",
		h.NLL, h.SE, h.NLL*math.Ln2, h.SE*math.Ln2, chains, steps)
	fmt.Printf("time     %.1f s on %d cores\n", time.Since(start).Seconds(), runtime.GOMAXPROCS(0))
}

// evalRBM prints the exact KL and NLL of the RBM of state s (from model)
// on set, and its unit diagnosis.
func evalRBM(model string, s train.State, set dataset.Set, samples int) error {
	if samples > 0 {
		return fmt.Errorf("model %q is an RBM, whose likelihood is exact: --samples estimates a Helmholtz machine's", model)
	}
	pats, probs := set.Support()
	if len(pats) > maxRBMSupport {
		return fmt.Errorf("%s has %d support patterns: an RBM is evaluated on at most %d", set, len(pats), maxRBMSupport)
	}
	kl, nll := rbm.View(s.Machine).KL(pats, probs)
	fmt.Printf("model    %s (RBM, %d visible and %d hidden units, CD-%d, step %d)\n", model, s.Machine.Sizes[0], s.Machine.Sizes[1], s.Config.CDK, s.Step)
	fmt.Printf("data     %s (%d support patterns)\n", set, len(pats))
	fmt.Printf("KL       %.6f bits (exact: the hidden states summed out, log Z over all %d)\n", kl, 1<<s.Machine.Sizes[1])
	fmt.Printf("NLL      %.6f bits\n", nll)
	fmt.Printf("H(data)  %.6f bits\n", exact.Entropy(probs))
	if d, ok := set.(dataset.Bars); ok {
		fmt.Printf("hidden units (fields p(v | h_j = 1, other h off)):\n%v", units.Diagnose(s.Machine, d))
	}
	return nil
}

// maxRBMSupport bounds the support an RBM is evaluated on.
const maxRBMSupport = 1 << 20

// shiftSamples is the number of held-out samples eval judges the shift on.
const shiftSamples = 10000

// components returns the number of recognition nets of the learner that
// made state s.
func components(s train.State) int {
	if s.Config != nil && s.Config.Components > 0 {
		return s.Config.Components
	}
	return 1
}

// maxGapRows bounds the per-pattern table: the most probable patterns.
const maxGapRows = 64

// printGaps writes the variational gap: its averages, then per pattern
// (the most probable maxGapRows) p_data, log2 p(v), the pattern's share of
// the KL and the two KL divergences between q and the posterior.
func printGaps(w io.Writer, g exact.Gaps, pats [][]uint8, probs []float64, set dataset.Set) {
	fmt.Fprintf(w, "gap      %.6f bits: E_data KL(q ‖ p(·|v)), the variational gap (log p(v) − ELBO)\n", g.Gap)
	fmt.Fprintf(w, "         %.6f bits: E_data KL(p(·|v) ‖ q)\n", g.GapPQ)
	order := make([]int, len(pats))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	if len(order) > maxGapRows {
		order = order[:maxGapRows]
		fmt.Fprintf(w, "the %d most probable patterns:\n", maxGapRows)
	}
	fmt.Fprintf(w, "  %-*s  %8s  %10s  %9s  %9s  %9s\n", patternWidth(set), "pattern", "p_data", "log2 p(v)", "KL share", "KL(q‖p)", "KL(p‖q)")
	for _, k := range order {
		p := g.Patterns[k]
		fmt.Fprintf(w, "  %-*s  %8.5f  %10.4f  %9.5f  %9.5f  %9.5f\n", patternWidth(set), patternString(pats[k], set),
			probs[k], p.LogP, p.Share, p.QP, p.PQ)
	}
}

// patternString writes a pattern row by row, rows joined by '/', or as
// its number of units on when it is too wide for a table.
func patternString(v []uint8, set dataset.Set) string {
	h, w := set.Shape()
	if h*(w+1) > 40 {
		on := 0
		for _, b := range v {
			on += int(b)
		}
		return fmt.Sprintf("%d on", on)
	}
	var b strings.Builder
	for r := range h {
		if r > 0 {
			b.WriteByte('/')
		}
		for c := range w {
			b.WriteByte('0' + v[r*w+c])
		}
	}
	return b.String()
}

func patternWidth(set dataset.Set) int {
	h, w := set.Shape()
	return min(max(h*(w+1)-1, 7), 40)
}
