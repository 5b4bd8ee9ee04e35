package study

import (
	"math/rand/v2"
	"strings"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/sweep"
	"helmholtz/train"
)

// TestGapPage: the page states the numbers of the results it is given:
// medians, the difference exact makes, and the canonical run's images.
func TestGapPage(t *testing.T) {
	plan := sweep.Plan{Seeds: []uint64{1, 2, 3}}
	for _, suffix := range []string{"", "-recipe"} {
		for _, l := range GapLearners {
			plan.Recipes = append(plan.Recipes, sweep.Recipe{Name: l.Name + suffix, Config: train.Default()})
		}
	}
	kl := map[string][]float64{"ws": {0.5, 0.6, 0.7}, "exact": {0.1, 0.2, 0.3}, "ws-recipe": {0.08, 0.09, 0.3}}
	var results []sweep.Result
	for _, rc := range plan.Recipes {
		for i, s := range plan.Seeds {
			v := 1.0
			if vs, ok := kl[rc.Name]; ok {
				v = vs[i]
			}
			gap := v / 10
			results = append(results, sweep.Result{Recipe: rc.Name, Seed: s, KL: v, Gap: &gap})
		}
	}
	results = append(results, sweep.Result{Recipe: "mix2", Seed: 4, KL: 9, Diverged: "training diverged at step 1024"})
	images, probs := dataset.NewBars(4, 4).Support()
	m := helmholtz.New([]int{16, 8, 1})
	m.Init(rand.New(rand.NewPCG(1, 1)), 1)
	g, err := exact.NewGapEvaluator(m.Sizes, images, probs)
	if err != nil {
		t.Fatal(err)
	}
	canon := canonical{Gaps: g.Eval(m, exact.Factorial(m)), Patterns: images, Probs: probs}
	page, err := gapPage(Gap{Plan: plan, Recipe: "--nonneg", Workers: 2}, summarise(plan, results), canon, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"median KL of **0.600 bits** over 3", // ws
		"**0.060 bits**",                     // ws gap median
		"**0.200 bits**",                     // exact
		"buys 0.400 bits, 67 % of the stub's median",
		"most of the stub's residual KL is recognition error",
		"| ws | 3 | 0.600 (0.550–0.650) | 0.500 | 0 |",
		"mix2: 1 runs diverged",
		"takes wake-sleep to **0.090 bits**",
		"`0000/0000/0000/0000`",
		"`--nonneg`",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// With exact worse than wake-sleep the page says so.
	for i := range results {
		if results[i].Recipe == "exact" {
			results[i].KL += 1
		}
	}
	worse, err := gapPage(Gap{Plan: plan, Workers: 2}, summarise(plan, results), canon, 0)
	if err != nil || !strings.Contains(worse, "does\n  not help: the exact learner ends 0.600 bits higher") {
		t.Errorf("with exact worse the page does not say so (%v)", err)
	}
	noMissing(t, page)
}
