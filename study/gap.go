// Package study runs the project's studies and writes each as a document:
// a sweep over seeds and recipes (resumable, as every sweep is) and a
// Markdown page whose every number comes from the sweep's results and
// the runs it makes, never typed by hand.
package study

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/figure"
	"helmholtz/sweep"
	"helmholtz/train"
)

// GapLearners are the learners of the gap study, each run with the
// stub's recipe and with the recommended one: NAME and NAME-recipe.
var GapLearners = []struct{ Name, Flags string }{
	{"ws", ""},
	{"exact", "--algo exact"},
	{"rws1", "--algo rws --samples 1"},
	{"rws5", "--algo rws --samples 5"},
	{"rws20", "--algo rws --samples 20"},
	{"mix2", "--algo mixture --components 2"},
	{"mix4", "--algo mixture --components 4"},
}

// Gap is the gap study: where the residual KL comes from.
type Gap struct {
	Plan    sweep.Plan // the recipes (GapLearners, stub and recipe) and seeds
	Recipe  string     // the recommended recipe's flags, for the page
	Workers int
	Out     string // the sweep directory
	Doc     string // where GAP.md and gap/ go
	Force   bool   // replace another sweep in Out
	Log     io.Writer
}

// Run runs the study's sweep (the runs Out holds already are not run
// again) and writes Doc/GAP.md and its data in Doc/gap/. When ctx is
// cancelled it keeps the finished runs and returns ctx's error.
func (g Gap) Run(ctx context.Context) error {
	start := time.Now()
	results, err := runPlan(ctx, "gap study", g.Plan, g.Workers, g.Out, g.Force, g.Log)
	if err != nil {
		return err
	}
	canon, err := canonicalGaps(ctx)
	if err != nil {
		return err
	}
	return g.write(results, canon, time.Since(start))
}

// runPlan runs the jobs of plan that the sweep directory out does not
// hold yet, logging each run, and returns every result of the plan.
func runPlan(ctx context.Context, name string, plan sweep.Plan, workers int, out string, force bool, log io.Writer) ([]sweep.Result, error) {
	if len(plan.Recipes) == 0 {
		return nil, nil
	}
	d, done, err := sweep.Open(out, plan, force)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	jobs := plan.Jobs()
	have := map[string]bool{}
	for _, r := range done {
		have[key(r.Recipe, r.Seed)] = true
	}
	var todo []sweep.Job
	for _, j := range jobs {
		if !have[key(j.Recipe, j.Config.Seed)] {
			todo = append(todo, j)
		}
	}
	fmt.Fprintf(log, "%s: %d runs, %d done already\n", name, len(jobs), len(done))
	n := len(done)
	results, err := sweep.Run(ctx, todo, workers, out, func(r sweep.Result) error {
		n++
		fmt.Fprintf(log, "[%d/%d] %s seed %d: KL %.4f bits (%.1fs)\n", n, len(jobs), r.Recipe, r.Seed, r.KL, r.Seconds)
		return d.Record(r)
	})
	if err != nil {
		return nil, err
	}
	return append(done, results...), nil
}

func key(recipe string, seed uint64) string { return fmt.Sprintf("%s/%d", recipe, seed) }

// canonicalGaps trains the canonical run (seed 2, the stub's recipe) and
// returns its per-pattern gaps on the bars.
func canonicalGaps(ctx context.Context) (canonical, error) {
	r, err := train.New(train.Default())
	if err != nil {
		return canonical{}, err
	}
	if err := r.Train(ctx, nil); err != nil {
		return canonical{}, err
	}
	set, _ := dataset.Parse(r.Config.Data)
	pats, probs := set.Support()
	g, err := exact.NewGapEvaluator(r.Machine.Sizes, pats, probs)
	if err != nil {
		return canonical{}, err
	}
	return canonical{Gaps: g.Eval(r.Machine, exact.Factorial(r.Machine)), Patterns: pats, Probs: probs}, nil
}

type canonical struct {
	exact.Gaps
	Patterns [][]uint8
	Probs    []float64
}

// row is one recipe's line of the study's table.
type row struct {
	Name, Flags                       string
	N, Below, Diverged                int
	KLQ1, KLMedian, KLQ3, KLMin       float64
	GapQ1, GapMedian, GapQ3, GapShare float64
	Seconds                           float64
}

func summarise(plan sweep.Plan, results []sweep.Result) []row {
	var rows []row
	for _, rc := range plan.Recipes {
		var kl, gap []float64
		var secs float64
		diverged := 0
		for _, r := range results {
			if r.Recipe != rc.Name {
				continue
			}
			if r.Diverged != "" {
				diverged++
				continue
			}
			kl = append(kl, r.KL)
			if r.Gap != nil {
				gap = append(gap, *r.Gap)
			}
			secs += r.Seconds
		}
		if len(kl) == 0 {
			continue
		}
		sort.Float64s(kl)
		sort.Float64s(gap)
		rw := row{Name: rc.Name, Flags: rc.Config.RecipeFlags(), N: len(kl), Diverged: diverged, Seconds: secs / float64(len(kl)),
			KLMin: kl[0], KLQ1: sweep.Quantile(kl, 0.25), KLMedian: sweep.Quantile(kl, 0.5), KLQ3: sweep.Quantile(kl, 0.75)}
		for _, v := range kl {
			if v <= sweep.Target {
				rw.Below++
			}
		}
		if len(gap) > 0 {
			rw.GapQ1, rw.GapMedian, rw.GapQ3 = sweep.Quantile(gap, 0.25), sweep.Quantile(gap, 0.5), sweep.Quantile(gap, 0.75)
			rw.GapShare = rw.GapMedian / rw.KLMedian
		}
		rows = append(rows, rw)
	}
	return rows
}

// write writes the page and its data.
func (g Gap) write(results []sweep.Result, canon canonical, took time.Duration) error {
	data := filepath.Join(g.Doc, "gap")
	flags := map[string]string{}
	for _, rc := range g.Plan.Recipes {
		flags[rc.Name] = rc.Config.RecipeFlags()
	}
	if _, err := sweep.WriteReport(data, results, flags); err != nil {
		return err
	}
	rows := summarise(g.Plan, results)
	var names []string
	var gaps [][]float64
	for _, rw := range rows {
		names = append(names, rw.Name)
		var v []float64
		for _, r := range results {
			if r.Recipe == rw.Name && r.Gap != nil && r.Diverged == "" {
				v = append(v, *r.Gap)
			}
		}
		gaps = append(gaps, v)
	}
	fig := figure.DistributionOf("final variational gap E[KL(q ‖ p(·|v))] over seeds, per recipe", names, gaps, 0)
	for _, ext := range []string{".png", ".svg"} {
		if err := figure.Save(filepath.Join(data, "gap"+ext), fig); err != nil {
			return err
		}
	}
	set, _ := dataset.Parse("bars:4x4")
	h, w := set.Shape()
	if err := figure.Save(filepath.Join(data, "canonical-gap.png"), figure.Gap(canon.Gaps, canon.Patterns, canon.Probs, h, w)); err != nil {
		return err
	}
	page, err := gapPage(g, rows, canon, took)
	if err != nil {
		return err
	}
	return train.WriteFile(filepath.Join(g.Doc, "GAP.md"), func(wr io.Writer) error {
		_, err := io.WriteString(wr, page)
		return err
	})
}

// find returns the row of a recipe.
func find(rows []row, name string) row {
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	return row{KLMedian: math.NaN(), GapMedian: math.NaN()}
}

// images are the canonical run's patterns by their part of the gap.
type image struct {
	Pattern          string
	P, Gap, Part, KL float64 // p_data, KL(q‖p), p_data·KL(q‖p), share of the data KL
}

func gapPage(g Gap, rows []row, canon canonical, took time.Duration) (string, error) {
	ws, ex := find(rows, "ws"), find(rows, "exact")
	var imgs []image
	for k, v := range canon.Patterns {
		p := canon.Gaps.Patterns[k]
		imgs = append(imgs, image{Pattern: picture(v), P: canon.Probs[k], Gap: p.QP, Part: canon.Probs[k] * p.QP, KL: p.Share})
	}
	slices.SortStableFunc(imgs, func(a, b image) int { return cmpDesc(a.Part, b.Part) })
	// The ambiguous images: the blank (first of the bars' support) and the
	// all-on one.
	blank, allOn := picture(canon.Patterns[0]), strings.Repeat("1111/", 3)+"1111"
	var ambiguous float64
	for _, im := range imgs {
		if im.Pattern == blank || im.Pattern == allOn {
			ambiguous += im.Part
		}
	}
	// The per-image gap of the ambiguous images against the median image's.
	perImage := make([]float64, len(imgs))
	var blankGap float64
	for i, im := range imgs {
		perImage[i] = im.Gap
		if im.Pattern == blank {
			blankGap = im.Gap
		}
	}
	var runTime float64
	for _, rw := range rows {
		runTime += float64(rw.Seconds * float64(rw.N))
	}
	vars := map[string]any{
		"BlankGap": blankGap, "BlankP": canon.Probs[0],
		"RecipeBought":      find(rows, "ws-recipe").KLMedian - find(rows, "exact-recipe").KLMedian,
		"RecipeBoughtShare": 1 - find(rows, "exact-recipe").KLMedian/find(rows, "ws-recipe").KLMedian, "MedianImageGap": sweep.Quantile(perImage, 0.5),
		"RunTime": (time.Duration(runTime/float64(max(g.Workers, 1))) * time.Second).Round(time.Minute).String(),
		"Rows":    rows, "Seeds": seedRange(g.Plan.Seeds), "Steps": train.Commas(g.Plan.Recipes[0].Config.Steps),
		"Recipe": g.Recipe, "Took": took.Round(time.Second).String(), "Workers": g.Workers,
		"WS": ws, "Exact": ex, "WSRecipe": find(rows, "ws-recipe"), "ExactRecipe": find(rows, "exact-recipe"),
		"Bought": ws.KLMedian - ex.KLMedian, "BoughtShare": (ws.KLMedian - ex.KLMedian) / ws.KLMedian,
		"Canon": canon, "Images": imgs[:min(6, len(imgs))], "Blank": blank, "AllOn": allOn,
		"Ambiguous": ambiguous, "AmbiguousShare": ambiguous / canon.Gap, "Diverged": diverged(rows),
		"RWS1": find(rows, "rws1"), "RWS5": find(rows, "rws5"), "RWS20": find(rows, "rws20"),
		"RWS5Recipe": find(rows, "rws5-recipe"),
		"Mix2":       find(rows, "mix2"), "Mix4": find(rows, "mix4"),
	}
	var b strings.Builder
	if err := gapTemplate.Execute(&b, vars); err != nil {
		return "", err
	}
	return b.String(), nil
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// picture draws a 4×4 pattern as rows joined by '/'.
func picture(v []uint8) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 && i%4 == 0 {
			b.WriteByte('/')
		}
		b.WriteByte('0' + x)
	}
	return b.String()
}

func seedRange(seeds []uint64) string {
	if len(seeds) == 0 {
		return ""
	}
	if len(seeds) == 1 {
		return fmt.Sprint(seeds[0])
	}
	if uint64(len(seeds)) == seeds[len(seeds)-1]-seeds[0]+1 {
		return fmt.Sprintf("%d-%d", seeds[0], seeds[len(seeds)-1])
	}
	return fmt.Sprintf("%d seeds", len(seeds))
}

// diverged returns the rows with runs that diverged.
func diverged(rows []row) []row {
	var out []row
	for _, r := range rows {
		if r.Diverged > 0 {
			out = append(out, r)
		}
	}
	return out
}
