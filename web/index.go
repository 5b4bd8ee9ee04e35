package web

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"helmholtz/train"
)

// Limits of the index's walk over the runs directory.
const (
	maxDepth   = 3    // runs/a/b/c
	maxEntries = 2000 // directories looked at
)

// runRow is a run in the index.
type runRow struct {
	Path, Data, Net, Flags, Algo string
	Status                       train.Status
	Samples                      int
	KL, NLL                      float64
	Valid                        float64 // the validation split's cost, bits; NaN for data without one
	Spark                        string  // an SVG polyline's points
	Err                          string
}

// sweepRow is a sweep in the index.
type sweepRow struct {
	Path    string
	Runs    int
	Recipes string
	Err     string
}

// scan walks the root for run directories (with a config.json) and sweep
// directories (with a results.jsonl), not descending into either.
func (s *Server) scan() (runs []runRow, sweeps []sweepRow) {
	seen := 0
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if seen >= maxEntries {
			return
		}
		seen++
		switch {
		case isFile(filepath.Join(dir, "config.json")):
			runs = append(runs, s.runRow(dir))
			return
		case isFile(filepath.Join(dir, "results.jsonl")):
			sweeps = append(sweeps, s.sweepRow(dir))
			return
		case depth == maxDepth:
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") { // not symlinks: they could lead out
				walk(filepath.Join(dir, e.Name()), depth+1)
			}
		}
	}
	walk(s.root, 0)
	return runs, sweeps
}

func isFile(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

func (s *Server) runRow(dir string) runRow {
	row := runRow{Path: s.rel(dir), KL: math.NaN(), NLL: math.NaN(), Valid: math.NaN()}
	p, err := s.readRun(row.Path)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	c := p.Config
	row.Data, row.Net, row.Flags, row.Status, row.Algo = c.Data, net(c.Layers), c.RecipeFlags(), p.Status, or(c.Algo, "ws")
	if n := len(p.History); n > 0 {
		last := p.History[n-1]
		row.Samples, row.KL, row.NLL, row.Valid = last.Samples, last.KL, last.NLL, last.Valid
		row.Spark = sparkline(p.History, 120, 24)
	}
	return row
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func net(layers []int) string {
	parts := make([]string, len(layers))
	for i, n := range layers {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, "-")
}

// sparkline returns the points of a w×h polyline of log KL over the
// history, at most 60 of them.
func sparkline(h []train.Point, w, ht float64) string {
	const most = 60
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range h {
		if p.KL > 0 {
			lo, hi = min(lo, math.Log(p.KL)), max(hi, math.Log(p.KL))
		}
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	var b strings.Builder
	n := min(len(h), most)
	for i := range n {
		k := i * (len(h) - 1) / max(n-1, 1)
		y := ht / 2
		if h[k].KL > 0 {
			y = ht - 1 - (math.Log(h[k].KL)-lo)/(hi-lo)*(ht-2)
		}
		fmt.Fprintf(&b, "%.1f,%.1f ", float64(i)/float64(max(n-1, 1))*w, y)
	}
	return b.String()
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	runs, sweeps := s.scan()
	sort.Slice(runs, func(i, j int) bool { return runs[i].Path < runs[j].Path })
	sort.Slice(sweeps, func(i, j int) bool { return sweeps[i].Path < sweeps[j].Path })
	s.render(w, "index.html", map[string]any{
		"Root": s.root, "Runs": runs, "Sweeps": sweeps,
		"Form": s.opt.Parse != nil, "Recipes": s.opt.Recipes, "MaxRuns": s.opt.MaxRuns,
		"Started": r.URL.Query().Get("started"), "Token": s.token,
	})
}
