package study

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helmholtz/train"
)

// TestDMDStudy runs the data-movement study on two seeds and short runs:
// the page has every learner's rows for every criterion, the step costs
// and the scaling fit, and no missing value.
func TestDMDStudy(t *testing.T) {
	doc := t.TempDir()
	recipe := train.Default()
	recipe.Restarts, recipe.RestartSteps, recipe.SelectSamples, recipe.Halving = 2, 500, 200, true
	c := DMD{Seeds: []uint64{1, 2}, Steps: 3000, Every: 500, Thresholds: []float64{9, 0.01}, Recipe: recipe,
		RecipeName: "--restarts 2", CDK: []int{1, 2}, Workers: 2, Doc: doc, Log: io.Discard}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(doc, "DMD.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"exact KL ≤ 9 bits", "exact KL ≤ 0.01 bits", "| wake-sleep, stub recipe | 2 of 2 |",
		"| wake-sleep, stub recipe | 0 of 2 | – |", "| RBM, CD-2 |", "7 of 8 bars covered", "| 64-16-1 |",
		"cost ∝ parameters^", "CD-2: positive phase"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	noMissing(t, page, "Inf")
}

// noMissing fails t if page shows NaN, a missing template value or any of
// the other strings given, quoting where.
func noMissing(t *testing.T, page string, more ...string) {
	t.Helper()
	for _, bad := range append([]string{"NaN", "<no value>"}, more...) {
		if i := strings.Index(page, bad); i >= 0 {
			t.Errorf("the page shows %s: ...%s...", bad, page[max(0, i-200):min(len(page), i+50)])
		}
	}
}
