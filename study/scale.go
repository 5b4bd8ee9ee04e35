package study

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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
	"helmholtz/units"
)

// ScaleNets are the nets of the scaling study, each run with the stub's
// recipe (NAME-stub) and with the recommended one choosing by importance
// sampling (NAME-recipe).
var ScaleNets = []struct{ Name, Flags string }{
	{"bars5", "--data bars:5x5"},
	{"bars8", "--data bars:8x8"},
	{"bars8-h32", "--data bars:8x8 --layers 64,32,1"},
	{"shifter", "--data shifter"},
	{"shifter1", "--data shifter --layers 32,16,1"},
}

// SelectRecipes are the recipes of the selection comparison on 16-8-1:
// the recommended recipe (and reweighted wake-sleep with it, the best
// learner of the gap study) choosing among candidates exactly and by
// importance sampling. Their flags follow the recommended recipe's.
var SelectRecipes = []struct{ Name, Flags string }{
	{"recipe", ""},
	{"recipe-is", "--select-estimate SELECT"},
	{"rws5-recipe", "--algo rws --samples 5"},
	{"rws5-recipe-is", "--algo rws --samples 5 --select-estimate SELECT"},
}

// SelectiveAccuracy is the accuracy over all held-out samples from which
// the page counts a top unit as shift-selective (the Bayes-optimal unit
// reaches 0.915).
const SelectiveAccuracy = 0.75

// Scale is the scaling study: larger bars and the shifter, and the choice
// among restart candidates by importance sampling on 16-8-1.
type Scale struct {
	Plan      sweep.Plan // ScaleNets with the stub's recipe and the recommended one
	Select    sweep.Plan // SelectRecipes on 16-8-1
	TopNets   sweep.Plan // the nets with the recommended recipe and --reinit-top
	TopSelect sweep.Plan // 16-8-1 likewise
	Recipe    string     // the recommended recipe's flags, for the page
	K         int        // samples per pattern of the estimator's choices
	Workers   int
	Out       string // the sweep directories: Out/nets and Out/select
	Doc       string // where SCALE.md and scale/ go
	Force     bool
	Log       io.Writer
}

// Run runs both sweeps (the runs already in Out are not run again) and
// writes Doc/SCALE.md and its data in Doc/scale/.
func (s Scale) Run(ctx context.Context) error {
	start := time.Now()
	nets, err := runPlan(ctx, "scaling study", s.Plan, s.Workers, filepath.Join(s.Out, "nets"), s.Force, s.Log)
	if err != nil {
		return err
	}
	sel, err := runPlan(ctx, "selection study", s.Select, s.Workers, filepath.Join(s.Out, "select"), s.Force, s.Log)
	if err != nil {
		return err
	}
	topNets, err := runPlan(ctx, "top re-initialisation", s.TopNets, s.Workers, filepath.Join(s.Out, "top-nets"), s.Force, s.Log)
	if err != nil {
		return err
	}
	topSel, err := runPlan(ctx, "top re-initialisation on 16-8-1", s.TopSelect, s.Workers, filepath.Join(s.Out, "top-select"), s.Force, s.Log)
	if err != nil {
		return err
	}
	return s.write(nets, sel, topNets, topSel, time.Since(start))
}

// scaleRow is one recipe's line of the scaling table.
type scaleRow struct {
	Name, Data, Layers, Flags string
	N, Diverged               int
	KLQ1, KLMedian, KLQ3      float64
	SE                        float64 // median standard error of the final KL; 0 if exact
	Estimator                 string
	NLLMedian, Entropy        float64
	Bars                      bool    // a bars net: the unit columns apply
	BarUnits                  float64 // mean bar units
	NBars                     int     // bars of the data
	EveryBar, Solved          int     // runs with every bar; with every bar and the top separating
	Shift                     bool    // a shifter net
	Recovery                  float64 // median recovery where the image shows the shift
	Recovered                 int     // runs with recovery ≥ 0.95
	Selective                 float64 // median number of shift-selective top units
	Bayes                     float64 // Bayes-optimal recovery over all samples
	Seconds                   float64
	Typical                   sweep.Result // the run of median KL
	ModelDir                  string       // where the sweep keeps its models
	Below                     int          // runs ≤ 0.10 bits
}

func (s Scale) rows(plan sweep.Plan, results []sweep.Result, modelDir string) ([]scaleRow, error) {
	var rows []scaleRow
	for _, rc := range plan.Recipes {
		var runs []sweep.Result
		diverged := 0
		for _, r := range results {
			if r.Recipe != rc.Name {
				continue
			}
			if r.Diverged != "" {
				diverged++
				continue
			}
			runs = append(runs, r)
		}
		if len(runs) == 0 {
			continue
		}
		set, err := dataset.Parse(rc.Config.Data)
		if err != nil {
			return nil, err
		}
		_, probs := set.Support()
		rw := scaleRow{Name: rc.Name, Data: rc.Config.Data, Layers: layers(rc.Config.Layers), Flags: rc.Config.RecipeFlags(),
			N: len(runs), Diverged: diverged, ModelDir: modelDir, Entropy: exact.Entropy(probs), Estimator: rc.Config.Estimator()}
		slices.SortStableFunc(runs, func(a, b sweep.Result) int { return cmpAsc(a.KL, b.KL) })
		rw.Typical = runs[(len(runs)-1)/2]
		var kl, nll, se, rec, sel []float64
		var bars float64
		for _, r := range runs {
			kl, nll = append(kl, r.KL), append(nll, r.NLL)
			se = append(se, r.Checkpoints[len(r.Checkpoints)-1].SE)
			rw.Seconds += r.Seconds / float64(len(runs))
			if r.KL <= sweep.Target {
				rw.Below++
			}
			if b, ok := set.(dataset.Bars); ok {
				rw.Bars, rw.NBars = true, b.Height+b.Width
				bars += float64(r.Units.Bars) / float64(len(runs))
				if r.Units.Bars == b.Height+b.Width {
					rw.EveryBar++
					if r.Units.TopSeparates {
						rw.Solved++
					}
				}
			}
			if sh, ok := set.(dataset.Shifter); ok && r.Shift != nil {
				rw.Shift = true
				rec = append(rec, *r.Shift)
				if *r.Shift >= 0.95 {
					rw.Recovered++
				}
				st, err := train.ReadSnapshot(filepath.Join(modelDir, r.Model))
				if err != nil {
					return nil, err
				}
				rep := units.DiagnoseShift(st.Machine, sh, train.ShiftSamples, rand.New(rand.NewPCG(r.Seed, 0x7368696674)))
				n := 0
				for _, t := range rep.Top {
					if t.Accuracy >= SelectiveAccuracy {
						n++
					}
				}
				sel = append(sel, float64(n))
				rw.Bayes = rep.Bayes
			}
		}
		rw.BarUnits = bars
		sort.Float64s(nll)
		sort.Float64s(se)
		rw.KLQ1, rw.KLMedian, rw.KLQ3 = sweep.Quantile(kl, 0.25), sweep.Quantile(kl, 0.5), sweep.Quantile(kl, 0.75)
		rw.NLLMedian, rw.SE = sweep.Quantile(nll, 0.5), sweep.Quantile(se, 0.5)
		if len(rec) > 0 {
			sort.Float64s(rec)
			sort.Float64s(sel)
			rw.Recovery, rw.Selective = sweep.Quantile(rec, 0.5), sweep.Quantile(sel, 0.5)
		}
		rows = append(rows, rw)
	}
	return rows, nil
}

func cmpAsc(a, b float64) int { return -cmpDesc(a, b) }

func layers(sizes []int) string {
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, "-")
}

// write writes the page, the sweeps' reports and the typical runs' figures.
func (s Scale) write(nets, sel, topNets, topSel []sweep.Result, took time.Duration) error {
	data := filepath.Join(s.Doc, "scale")
	for _, part := range []struct {
		dir     string
		plan    sweep.Plan
		results []sweep.Result
	}{{"nets", s.Plan, nets}, {"select", s.Select, sel}, {"top-nets", s.TopNets, topNets}, {"top-select", s.TopSelect, topSel}} {
		if len(part.plan.Recipes) == 0 {
			continue
		}
		flags := map[string]string{}
		for _, rc := range part.plan.Recipes {
			flags[rc.Name] = rc.Config.RecipeFlags()
		}
		if _, err := sweep.WriteReport(filepath.Join(data, part.dir), part.results, flags); err != nil {
			return err
		}
	}
	rows, err := s.rows(s.Plan, nets, filepath.Join(s.Out, "nets"))
	if err != nil {
		return err
	}
	selRows, err := s.rows(s.Select, sel, filepath.Join(s.Out, "select"))
	if err != nil {
		return err
	}
	// The top re-initialisation's rows join the tables.
	topRows, err := s.rows(s.TopNets, topNets, filepath.Join(s.Out, "top-nets"))
	if err != nil {
		return err
	}
	rows = append(rows, topRows...)
	topRows, err = s.rows(s.TopSelect, topSel, filepath.Join(s.Out, "top-select"))
	if err != nil {
		return err
	}
	selRows = append(selRows, topRows...)
	for _, rw := range rows {
		if err := s.typical(rw, data); err != nil {
			return err
		}
	}
	var runTime float64
	for _, rw := range append(slices.Clone(rows), selRows...) { // the top rows are among them
		runTime += float64(rw.Seconds * float64(rw.N))
	}
	vars := map[string]any{
		"Rows": rows, "Select": selRows, "Recipe": s.Recipe, "K": s.K, "Workers": s.Workers,
		"Seeds": seedRange(s.Plan.Seeds), "SelectSeeds": seedRange(s.Select.Seeds),
		"Steps":   train.Commas(s.Plan.Recipes[0].Config.Steps),
		"RunTime": (time.Duration(runTime/float64(max(s.Workers, 1))) * time.Second).Round(time.Minute).String(),
		"Took":    took.Round(time.Second).String(), "Selective": SelectiveAccuracy,
		"Bars8": findScale(rows, "bars8-recipe"), "Shifter": findScale(rows, "shifter-recipe"),
		"Shifter1": findScale(rows, "shifter1-recipe"), "ShifterStub": findScale(rows, "shifter-stub"),
		"Enum": findScale(selRows, "recipe"), "IS": findScale(selRows, "recipe-is"),
		"RWSEnum": findScale(selRows, "rws5-recipe"), "RWSIS": findScale(selRows, "rws5-recipe-is"),
		"Bars8Top": findScale(rows, "bars8-recipe-top"), "ShifterTop": findScale(rows, "shifter-recipe-top"),
		"Shifter1Top": findScale(rows, "shifter1-recipe-top"), "TopIS": findScale(selRows, "recipe-top-is"),
	}
	var b strings.Builder
	if err := scaleTemplate.Execute(&b, vars); err != nil {
		return err
	}
	return train.WriteFile(filepath.Join(s.Doc, "SCALE.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func findScale(rows []scaleRow, name string) scaleRow {
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	return scaleRow{KLMedian: math.NaN()}
}

// typical draws the curves, fields and fantasies of a row's run of median
// KL into dir as NAME-curves.png, NAME-fields.png and NAME-fantasies.png.
func (s Scale) typical(rw scaleRow, dir string) error {
	r := rw.Typical
	st, err := train.ReadSnapshot(filepath.Join(rw.ModelDir, r.Model))
	if err != nil {
		return err
	}
	set, err := dataset.Parse(r.Config.Data)
	if err != nil {
		return err
	}
	h, w := set.Shape()
	for name, fig := range map[string]figure.Figure{
		"curves":    figure.Curves(r.Checkpoints, rw.Entropy),
		"fields":    figure.Fields(st.Machine, h, w),
		"fantasies": figure.Fantasies(st.Machine, st.Machine.Sizes, h, w, 32, 8, 1),
	} {
		if err := figure.Save(filepath.Join(dir, rw.Name+"-"+name+".png"), fig); err != nil {
			return err
		}
	}
	return nil
}
