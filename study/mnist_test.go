package study

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helmholtz/dataset"
	"helmholtz/train"
)

// TestMNISTStudy: the study's machinery on a small slice of its work: two
// 784-20-10 runs of 40 steps, scored with K = 5, the convergence check,
// mnist8 by two estimators, MNIST's base rates (about 206 nats); then the same study again finds every result
// done and writes the same page.
func TestMNISTStudy(t *testing.T) {
	if _, err := dataset.MNISTDir(); err != nil {
		if os.Getenv("HELMHOLTZ_MNIST") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	cfg := train.Default()
	cfg.Data, cfg.Layers, cfg.Steps, cfg.Batch, cfg.Optimizer, cfg.LR = "mnist", []int{784, 20, 10}, 40, 5, "adam", 0.001
	cfg.EvalEvery, cfg.SnapshotEvery, cfg.Estimate = 20, 20, 5
	rws := cfg
	rws.Algo, rws.Samples = "rws", 2
	s := MNIST{Runs: []MNISTRun{{"ws", cfg}, {"rws", rws}}, TestK: 5, KCurve: []int{2, 5}, KExamples: 50,
		Small: []string{"mnist8"}, Estimators: []string{"gzip", "base"}, Baselines: []string{"base"}, Workers: 2,
		Out: filepath.Join(dir, "runs"), Doc: filepath.Join(dir, "docs"), Log: io.Discard}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "docs", "MNIST.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| ws |", "| rws |", "Convergence in K", "| 2 | ", "mnist8 beside", "| gzip |", "fantasies.png",
		"Beside published numbers", "| SBN 200-200-200, RWS K = 5 | 93.5 |", "| base | 2", "ours, fitted in"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("MNIST.md lacks %q:\n%s", want, page)
		}
	}
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "docs", "MNIST.md"))
	strip := func(b []byte) string { _, rest, _ := strings.Cut(string(b), "## "); return rest } // the date line aside
	if strip(again) != strip(page) {
		t.Error("running the finished study again changed its page")
	}
}

// TestReadSeconds: a run's training seconds of earlier sittings are read
// back, and a missing, garbled or impossible file counts as none.
func TestReadSeconds(t *testing.T) {
	dir := t.TempDir()
	for content, want := range map[string]float64{"12.5\n": 12.5, "NaN\n": 0, "-3\n": 0, "+Inf\n": 0, "seconds": 0, "": 0} {
		path := filepath.Join(dir, "train_seconds")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := readSeconds(path); got != want {
			t.Errorf("%q: %v, want %v", content, got, want)
		}
	}
	if got := readSeconds(filepath.Join(dir, "missing")); got != 0 {
		t.Errorf("a missing file: %v", got)
	}
}
