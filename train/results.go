package train

import (
	"fmt"
	"math"
	"strings"
	"time"

	"helmholtz"
	"helmholtz/dataset"
)

// WallClockRow starts the one row of Results that differs between two
// runs of the same Config.
const WallClockRow = "| Wall-clock time |"

// Results returns the seed's results table, in Markdown, for a finished
// run. Every row but the wall-clock time is determined by the Config.
func (r *Run) Results() string {
	cfg := r.Config
	first, last := r.History[0], r.History[len(r.History)-1]
	gen, rec := cfg.Rates()
	how := "constant"
	if cfg.scheduled() {
		how = fmt.Sprintf("%s schedule down to %g× by the last step", cfg.Schedule, cfg.ScheduleEnd)
	}
	rate := fmt.Sprintf("%g (%s, both phases)", gen, how)
	if gen != rec {
		rate = fmt.Sprintf("%g generative (wake), %g recognition (sleep), %s", gen, rec, how)
	}
	batch := fmt.Sprint(cfg.Batch)
	if cfg.Batch == 1 {
		batch += " (online)"
	}
	bias := "0"
	if cfg.MarginalBias {
		bias = fmt.Sprintf("logit of pixel marginal (≈ %.2f)", mean(r.initialVisibleBias()))
	}
	// The steps this process took: all of them, or those since it resumed.
	steps := r.Step + cfg.offset()
	resumed := ""
	if r.resumedAt > 0 {
		steps, resumed = r.Step-r.resumedAt, fmt.Sprintf(" since resuming at step %s", Commas(r.resumedAt))
	}
	perStep := r.Elapsed / time.Duration(max(steps, 1))
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("Metric", "Value")
	b.WriteString("|---|---|\n")
	row("Seed", fmt.Sprint(cfg.Seed))
	row("Data", cfg.Data)
	if cfg.Algo == "rbm" {
		row("Architecture", fmt.Sprintf("%d visible — %d hidden, restricted Boltzmann machine", cfg.Layers[0], cfg.Layers[1]))
		row("CD updates", fmt.Sprintf("%s (CD-%d, momentum %g, each from 1 data pattern)", Commas(r.Step+cfg.offset()), cfg.CDK, cfg.Momentum))
		row("Total samples", Commas(cfg.samples(r.Step))+" data patterns")
		rate = fmt.Sprintf("%g (%s)", gen, how)
	} else {
		row("Architecture", archString(cfg.Layers)+", sigmoid belief net")
		row("Wake-sleep iterations", Commas(r.Step+cfg.offset())+" (each = 1 wake update + 1 sleep update)")
		row("Total samples", Commas(cfg.samples(r.Step))+" wake + "+Commas(cfg.samples(r.Step))+" sleep")
	}
	row("Batch size", batch)
	row("Learning rate", rate)
	row("Init scale", fmt.Sprint(cfg.InitScale))
	row("Visible-bias init", bias)
	if opts := cfg.RecipeFlags(); opts != "" {
		row("Recipe options", "`"+opts+"`")
	}
	est := ""
	if last.K > 0 {
		est = fmt.Sprintf(" ± %.3f (importance sampling, %d samples from q per pattern)", last.SE, last.K)
	}
	f, held := r.Data.(*dataset.Finite)
	held = held && !math.IsNaN(last.Valid) // a data set with splits, scored on them
	if held {
		r.heldOutRows(row, f, last)
	} else {
		row("Final KL[p_data ‖ p_model]", fmt.Sprintf("%.3f bits%s", last.KL, est))
		if !math.IsNaN(last.Gap) {
			row("Final variational gap E[KL(q ‖ p(·|v))]", fmt.Sprintf("%.3f bits", last.Gap))
		}
		row("Final NLL of p_data under model", fmt.Sprintf("%.3f bits%s", last.NLL, est))
		row("Entropy H(p_data)", fmt.Sprintf("%.3f bits (target NLL floor)", r.Entropy))
	}
	initial, value := "Initial KL (random init)", first.KL
	if cfg.Restarts > 1 {
		initial = "KL of the chosen restart candidate"
	}
	if held {
		initial, value = "Initial −log p(v), training examples (random init)", first.NLL
		if cfg.Restarts > 1 {
			initial = "−log p(v) of the training examples, chosen restart candidate"
		}
	}
	row(initial, fmt.Sprintf("%.2f bits", value))
	kind := "exact"
	if !cfg.exactly() {
		kind = "estimated"
	}
	fmt.Fprintf(&b, "%s %.2f s%s (%.0f ns per step, with %d %s evaluations) |\n",
		WallClockRow, r.Elapsed.Seconds(), resumed, float64(perStep.Nanoseconds()), len(r.History), kind)
	return b.String()
}

// heldOutRows writes the rows of the last evaluation of a data set with
// splits: the cost −log p(v) of the training and validation examples it
// scored, in bits and in nats (the MNIST literature's unit), and the KL
// and entropy of the training examples' empirical distribution, which
// the data's other rows call p_data: that entropy is the floor of the
// training examples' cost, not of held-out examples'.
func (r *Run) heldOutRows(row func(k, v string), f *dataset.Finite, last Point) {
	cfg := r.Config
	scored := fmt.Sprintf("all %s", Commas(len(f.Train)))
	if n := cfg.estimated(cfg.estimateK()); !cfg.exactly() && len(r.support) > n {
		scored = fmt.Sprintf("%s drawn from the %s", Commas(n), Commas(len(f.Train)))
	}
	// The history keeps the standard error of the training examples'
	// estimate only.
	se, how := "", ""
	if last.K > 0 {
		se = fmt.Sprintf(" ± %.3f", last.SE)
		how = fmt.Sprintf(" (importance sampling, %d samples from q per example)", last.K)
	}
	cost := func(bits float64, se string) string {
		return fmt.Sprintf("%.3f%s bits = %.3f nats per example%s", bits, se, bits*math.Ln2, how)
	}
	row("Final −log p(v), training examples", cost(last.NLL, se)+"; "+scored)
	row("Final −log p(v), validation examples", cost(last.Valid, "")+fmt.Sprintf("; the first %s of %s",
		Commas(len(validSplit(r.Data, cfg))), Commas(len(f.Valid))))
	if !math.IsNaN(last.Gap) {
		row("Final variational gap E[KL(q ‖ p(·|v))]", fmt.Sprintf("%.3f bits", last.Gap))
	}
	row("KL from the training examples' distribution", fmt.Sprintf("%.3f bits (their cost less its entropy)", last.KL))
	row("Entropy of the training examples' distribution", fmt.Sprintf("%.3f bits (the floor of their cost, not of held-out examples')", r.Entropy))
}

// initialVisibleBias returns b_v as New sets it.
func (r *Run) initialVisibleBias() []float64 {
	m := helmholtz.New(r.Config.Layers)
	m.SetVisibleBias(r.marginal)
	return m.B[0]
}

func archString(sizes []int) string {
	var parts []string
	for i, n := range sizes {
		name := "hidden"
		switch i {
		case 0:
			name = "visible"
		case len(sizes) - 1:
			name = "top"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	return strings.Join(parts, " — ")
}

// Commas formats n with thousands separators: 2,000,000.
func Commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
