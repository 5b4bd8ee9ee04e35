package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"path"
	"slices"
	"strings"

	"helmholtz/sweep"
	"helmholtz/train"
)

func (s *Server) sweepRow(dir string) sweepRow {
	row := sweepRow{Path: s.rel(dir)}
	res, err := s.readSweep(row.Path)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	var names []string
	for _, r := range res {
		if !slices.Contains(names, r.Recipe) {
			names = append(names, r.Recipe)
		}
	}
	row.Runs, row.Recipes = len(res), strings.Join(names, ", ")
	return row
}

// resultRow is a sweep result as its page's table shows it.
type resultRow struct {
	Recipe               string
	Seed                 uint64
	KL, NLL, Gap, Shift  float64
	Valid                float64 // the final validation cost, bits; NaN for data without splits
	Bars, Dead, Dup      int
	Separates            bool
	Seconds              float64
	Diverged, Model, Err string
}

func (s *Server) sweepPage(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	if _, err := s.resolve(rel); err != nil {
		s.failErr(w, err)
		return
	}
	res, err := s.readSweep(rel)
	if err != nil {
		s.failErr(w, err)
		return
	}
	var rows []resultRow
	var recipes []string
	for _, x := range res {
		row := resultRow{Recipe: x.Recipe, Seed: x.Seed, KL: x.KL, NLL: x.NLL, Gap: math.NaN(), Shift: math.NaN(), Valid: math.NaN(),
			Bars: x.Units.Bars, Dead: x.Units.Dead, Dup: x.Units.Duplicates, Separates: x.Units.TopSeparates,
			Seconds: x.Seconds, Diverged: x.Diverged}
		if x.Gap != nil {
			row.Gap = *x.Gap
		}
		if x.Shift != nil {
			row.Shift = *x.Shift
		}
		if x.Valid != nil {
			row.Valid = *x.Valid
		}
		if x.Model != "" {
			if fi, err := s.runs.Lstat(path.Join(path.Clean(rel), x.Model)); err == nil && fi.Mode().IsRegular() {
				row.Model = path.Join(rel, x.Model)
			}
		}
		rows = append(rows, row)
		if !slices.Contains(recipes, x.Recipe) {
			recipes = append(recipes, x.Recipe)
		}
	}
	flags := map[string]string{}
	for _, x := range res {
		flags[x.Recipe] = x.Config.RecipeFlags()
	}
	held := sweep.HeldOut(res)
	s.render(w, "sweep.html", map[string]any{
		"Path": rel, "Stats": sweep.Summarize(res, flags), "Thresholds": sweep.Thresholds, "HeldOut": held,
		"Rows": rows, "Recipes": recipes, "Plot": dotPlot(rows, recipes, held),
	})
}

// dotPlot draws the final KL of every run as a dot per recipe column, on a
// log scale, each dot a link to its model's page; for runs on a data set
// with splits (held), their final validation costs on a linear scale.
func dotPlot(rows []resultRow, recipes []string, held bool) template.HTML {
	const colW, h, top, left = 110.0, 300.0, 20.0, 50.0
	value, what := func(r resultRow) float64 { return r.KL }, "KL"
	if held {
		value, what = func(r resultRow) float64 { return r.Valid }, "validation cost"
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		if v := value(r); v > 0 && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	switch {
	case math.IsInf(lo, 1): // no run with a finite KL yet (a sweep just started)
		lo, hi = 0.01, 10
	case !(hi > lo):
		lo, hi = lo/2, lo*2+1e-3
	}
	var b strings.Builder
	wd := left + colW*float64(len(recipes)) + 10
	fmt.Fprintf(&b, `<svg id="klplot" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" aria-label="final %s per run">`, wd, h+30, wd, h+30, what)
	grid := func(v, yv float64) {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="grid"/><text x="%.0f" y="%.1f" class="tick">%g</text>`,
			left, wd-10, yv, yv, left-4, yv+4, v)
	}
	var y func(float64) float64
	if held {
		pad := (hi - lo) / 20
		lo, hi = lo-pad, hi+pad
		y = func(v float64) float64 { return top + (hi-v)/(hi-lo)*(h-2*top) }
		step := math.Pow(10, math.Floor(math.Log10((hi-lo)/4)))
		for _, k := range []float64{1, 2, 5, 10} {
			if (hi-lo)/(k*step) <= 6 {
				step *= k
				break
			}
		}
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			grid(math.Round(v/step)*step, y(v))
		}
	} else {
		lo = max(lo, 1e-12) // at most 15 decades of grid lines
		ll, lh := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		y = func(kl float64) float64 { return top + (lh-math.Log10(kl))/(lh-ll)*(h-2*top) }
		for e := ll; e <= lh; e++ {
			for _, m := range []float64{1, 2, 5} {
				if v := m * math.Pow(10, e); v >= math.Pow(10, ll) && v <= math.Pow(10, lh) {
					grid(v, y(v))
				}
			}
		}
		if 0.1 >= math.Pow(10, ll) && 0.1 <= math.Pow(10, lh) {
			fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="target"/>`, left, wd-10, y(0.1), y(0.1))
		}
	}
	for i, name := range recipes {
		x0 := left + colW*float64(i) + colW/2
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="col">%s</text>`, x0, h+20, template.HTMLEscapeString(name))
		k := 0
		for _, r := range rows {
			v := value(r)
			if r.Recipe != name || !(v > 0) || math.IsInf(v, 0) {
				continue
			}
			x := x0 + (float64((k*37)%41)/41-0.5)*colW*0.6 // a fixed jitter
			k++
			title := fmt.Sprintf("%s seed %d: %s %.4f bits", name, r.Seed, what, v)
			dot := fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="4" class="dot"><title>%s</title></circle>`, x, y(v), template.HTMLEscapeString(title))
			if r.Model != "" {
				dot = fmt.Sprintf(`<a href="/model/%s">%s</a>`, template.HTMLEscapeString(r.Model), dot)
			}
			b.WriteString(dot)
		}
	}
	fmt.Fprintf(&b, `<text x="8" y="12" class="label">%s, bits</text></svg>`, what)
	return template.HTML(b.String())
}

// modelPage shows a bare model file (a sweep's models/RECIPE/seed_N.npz):
// its figures and diagnosis, and the curves of its sweep result.
func (s *Server) modelPage(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	if _, err := s.resolve(rel); err != nil {
		s.failErr(w, err)
		return
	}
	if fi, err := s.runs.Stat(path.Clean(rel)); err != nil || !fi.Mode().IsRegular() || path.Ext(rel) != ".npz" {
		s.fail(w, http.StatusNotFound, errors.New("not a model file"))
		return
	}
	st, err := train.ReadSnapshotIn(s.runs, path.Clean(rel))
	if err != nil {
		s.fail(w, http.StatusUnprocessableEntity, err)
		return
	}
	c := stateConfig(st)
	data := map[string]any{"Path": rel, "Step": st.Step, "Figures": figureNames(c)}
	if st.Config != nil {
		data["Config"], data["Net"], data["Flags"] = c, net(c.Layers), c.RecipeFlags()
	}
	// The sweep it belongs to, and its result there.
	if i := strings.LastIndex(rel, "/models/"); i >= 0 {
		sw := rel[:i]
		if _, err := s.resolve(sw); err == nil {
			if res, err := s.readSweep(sw); err == nil {
				for _, x := range res {
					if x.Model == rel[i+1:] {
						h, _ := json.Marshal(x.Checkpoints)
						data["Sweep"], data["History"], data["KL"] = sw, template.JS(h), x.KL
						data["Entropy"] = x.NLL - x.KL
					}
				}
			}
		}
	}
	s.render(w, "model.html", data)
}
