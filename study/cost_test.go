package study

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCostStudy runs the data-movement study on two seeds and short runs:
// the page has both learners' rows for every threshold, their step costs,
// and no missing value.
func TestCostStudy(t *testing.T) {
	doc := t.TempDir()
	c := Cost{Seeds: []uint64{1, 2}, Steps: 3000, Every: 500, Thresholds: []float64{9, 0.01}, Doc: doc, Log: io.Discard}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(doc, "COST.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"KL ≤ 9 bits", "KL ≤ 0.01 bits", "| wake-sleep (stub recipe) | 2 of 2 |",
		"| wake-sleep (stub recipe) | 0 of 2 | – |", "| 1 element per value | 1,", "Neither gets there"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"NaN", "<no value>", "Inf"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page shows %s", bad)
		}
	}
}
