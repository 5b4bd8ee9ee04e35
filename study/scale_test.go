package study

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helmholtz/sweep"
	"helmholtz/train"
)

// TestScaleStudy runs the scaling study on small nets and short runs, end
// to end: both sweeps, the page, the reports and the typical runs'
// figures; run again, it trains nothing and writes the same page.
func TestScaleStudy(t *testing.T) {
	short := func(data string, layers []int, restarts int, est int) train.Config {
		c := train.Default()
		c.Data, c.Layers, c.Steps, c.EvalEvery, c.SnapshotEvery = data, layers, 4000, 2000, 0
		if restarts > 1 {
			c.Restarts, c.RestartSteps, c.SelectSamples, c.Halving = restarts, 500, 500, true
		}
		c.SelectEstimate = est
		return c
	}
	plan := sweep.Plan{Seeds: []uint64{1, 2, 3}, Recipes: []sweep.Recipe{
		{Name: "bars8-stub", Config: short("bars:3x3", []int{9, 6, 1}, 0, 0)},
		{Name: "bars8-recipe", Config: short("bars:3x3", []int{9, 6, 1}, 4, 10)},
		{Name: "bars8-h32-stub", Config: short("bars:3x3", []int{9, 30, 1}, 0, 0)}, // estimated
		{Name: "shifter-stub", Config: short("shifter:4", []int{16, 4, 2}, 0, 0)},
		{Name: "shifter-recipe", Config: short("shifter:4", []int{16, 4, 2}, 4, 10)},
	}}
	sel := sweep.Plan{Seeds: []uint64{1, 2}, Recipes: []sweep.Recipe{
		{Name: "recipe", Config: short("bars:4x4", []int{16, 8, 1}, 4, 0)},
		{Name: "recipe-is", Config: short("bars:4x4", []int{16, 8, 1}, 4, 10)},
	}}
	top := sweep.Plan{Seeds: []uint64{1, 2}, Recipes: []sweep.Recipe{
		{Name: "shifter-recipe-top", Config: short("shifter:4", []int{16, 4, 2}, 4, 10)},
	}}
	top.Recipes[0].Config.Reinit, top.Recipes[0].Config.ReinitTop = 1000, true
	out, doc := t.TempDir(), t.TempDir()
	s := Scale{Plan: plan, Select: sel, TopNets: top, Recipe: "--nonneg", K: 10, Workers: 2, Out: out, Doc: doc, Log: io.Discard}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(doc, "SCALE.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if os.Getenv("SHOW") != "" {
		t.Log(page)
	}
	for _, want := range []string{
		"| bars:3x3 | 9-6-1 | bars8-stub | 3 |",
		"(is-100) |", // the estimated net says so
		"recovery ",
		"| recipe-is | 2 |",
		"![curves](scale/shifter-recipe-curves.png)",
		"recommended recipe with `--reinit-top`**: ",
		"| shifter:4 | 16-4-2 | shifter-recipe-top | 2 |",
		"`--nonneg`",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	noMissing(t, page)
	for _, f := range []string{"scale/bars8-recipe-fields.png", "scale/shifter-stub-fantasies.png",
		"scale/nets/results.csv", "scale/select/summary.md"} {
		if _, err := os.Stat(filepath.Join(doc, f)); err != nil {
			t.Error(err)
		}
	}
	// Again: nothing to train, the same page but for the time it took.
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(filepath.Join(doc, "SCALE.md"))
	if err != nil {
		t.Fatal(err)
	}
	strip := func(s string) string { i := strings.Index(s, "this time it ran for"); return s[:i] + s[i+40:] }
	if strip(string(again)) != strip(page) {
		t.Error("running the study again changed its page")
	}
}
