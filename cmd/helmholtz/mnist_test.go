package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helmholtz/dataset"
)

// TestMNIST: MNIST end to end on a small slice of the work: a 784-20 net
// trained by RWS in batches with Adam for 200 steps, its history scoring
// the validation split, then the first 50 test images scored by importance
// sampling on both cores, and the same run resumed bit for bit. It needs
// the data in the module cache (`go mod download`); CI sets
// HELMHOLTZ_MNIST=1 and it must run there.
func TestMNIST(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	// The flags of the run (importance sampling with K = 10 for its
	// evaluations, to keep them cheap).
	flags := func(steps, out string) []string {
		return []string{"train", "--data", "mnist", "--layers", "784,20,10", "--algo", "rws", "--samples", "2", "--batch-size", "5",
			"--optimizer", "adam", "--lr", "0.001", "--estimate", "10", "--n-steps", steps, "--eval-every", "100",
			"--snapshot-every", "100", "--quiet", "--out", out}
	}
	succeeds(t, dir, flags("200", "m")...)
	hist, err := os.ReadFile(filepath.Join(dir, "m", "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(hist)), "\n")
	if len(rows) != 4 || !strings.HasSuffix(rows[0], "valid_nll_bits") || strings.HasSuffix(rows[2], ",") {
		t.Fatalf("history.csv:\n%s", hist)
	}
	out := succeeds(t, dir, "eval", "--model", "m/model.npz", "--split", "test", "--samples", "10", "--first", "50")
	if !strings.Contains(out, "nats per example") || !strings.Contains(out, "50 examples") {
		t.Errorf("eval printed:\n%s", out)
	}
	// Interrupted at step 100 (the snapshot), then resumed: the same model.
	succeeds(t, dir, flags("100", "r")...)
	succeeds(t, dir, "train", "--resume", "r", "--n-steps", "200", "--quiet")
	a, _ := os.ReadFile(filepath.Join(dir, "m", "model.npz"))
	b, _ := os.ReadFile(filepath.Join(dir, "r", "model.npz"))
	if len(a) == 0 || string(a) != string(b) {
		t.Error("the resumed run's model differs from the run trained whole")
	}
}

// TestMNISTRecipe: --data mnist alone trains as the study does, in
// minibatches of 25 with Adam at 0.001 for 100 epochs (the defaults, one
// pattern at a time at 0.1, diverge there); a flag given still wins.
func TestMNISTRecipe(t *testing.T) {
	needMNIST(t)
	dir := t.TempDir()
	succeeds(t, dir, "train", "--data", "mnist", "--layers", "784,10", "--n-steps", "4", "--estimate", "2", "--quiet", "--out", "d")
	cfg, err := os.ReadFile(filepath.Join(dir, "d", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"batch_size": 25`, `"optimizer": "adam"`, `"lr": 0.001`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.json lacks %s:\n%s", want, cfg)
		}
	}
	// 100 epochs are 200,000 steps: one snapshot a step would be 200,001.
	if _, stderr, code := cli(t, dir, "train", "--data", "mnist", "--snapshot-every", "1", "--out", "s"); code == 0 || !strings.Contains(stderr, "200001 snapshots") {
		t.Errorf("--snapshot-every 1: exit %d, stderr %q", code, stderr)
	}
	succeeds(t, dir, "train", "--data", "mnist", "--layers", "784,10", "--n-steps", "4", "--estimate", "2", "--batch-size", "3",
		"--lr", "0.002", "--quiet", "--out", "e")
	cfg, _ = os.ReadFile(filepath.Join(dir, "e", "config.json"))
	for _, want := range []string{`"batch_size": 3`, `"lr": 0.002`, `"optimizer": "adam"`} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("with flags, config.json lacks %s:\n%s", want, cfg)
		}
	}
}

// needMNIST skips the test where MNIST is not in the module cache, and
// fails it there when HELMHOLTZ_MNIST is set (as CI sets it).
func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := dataset.MNISTDir(); err != nil {
		if os.Getenv("HELMHOLTZ_MNIST") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}
