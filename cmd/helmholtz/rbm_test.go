package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"helmholtz/train"
)

// TestRBMThroughTheCLI: --algo rbm trains, snapshots, resumes bit for
// bit, evaluates, draws its figures and GIF, and runs in a sweep beside
// wake-sleep, like every learner.
func TestRBMThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	flags := []string{"--algo", "rbm", "--layers", "16,8", "--lr", "0.003", "--momentum", "0.5", "--init-scale", "0.01",
		"--snapshot-every", "5000", "--eval-every", "1000", "--quiet"}
	stdout, stderr, code := cli(t, dir, append([]string{"train", "--n-steps", "10000", "--out", "run"}, flags...)...)
	if code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	evalOut, stderr, code := cli(t, dir, "eval", "--model", "run/model.npz")
	if code != 0 || !strings.Contains(evalOut, "RBM, 16 visible and 8 hidden units, CD-1") {
		t.Fatalf("eval: %d %s %s", code, evalOut, stderr)
	}
	kl, _ := strconv.ParseFloat(strings.Fields(strings.SplitN(evalOut[strings.Index(evalOut, "KL "):], "\n", 2)[0])[1], 64)
	if !strings.Contains(stdout, fmt.Sprintf("| Final KL[p_data ‖ p_model] | %.3f bits |", kl)) || !strings.Contains(stdout, "| CD updates | 10,000 (CD-1, momentum 0.5") {
		t.Errorf("eval KL %v does not match the training table:\n%s", kl, stdout)
	}
	if _, stderr, code := cli(t, dir, "eval", "--model", "run/model.npz", "--samples", "10"); code == 0 || !strings.Contains(stderr, "exact") {
		t.Errorf("eval --samples of an RBM: %d %s", code, stderr)
	}
	if _, stderr, code := cli(t, dir, "train", "--resume", "run", "--n-steps", "15000", "--quiet"); code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	if _, stderr, code := cli(t, dir, append([]string{"train", "--n-steps", "15000", "--out", "long"}, flags...)...); code != 0 {
		t.Fatalf("train long: %s", stderr)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "run", "model.npz"))
	b, _ := os.ReadFile(filepath.Join(dir, "long", "model.npz"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("the resumed RBM differs from the one trained in one go")
	}
	if _, stderr, code := cli(t, dir, "plot", "--run", "run", "--out", "figs"); code != 0 {
		t.Fatalf("plot: %s", stderr)
	}
	for _, f := range []string{"fantasies.png", "fields.svg", "codes.png", "weights.png", "curves.png"} {
		if _, err := os.Stat(filepath.Join(dir, "figs", f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "figs", "gap.png")); err == nil {
		t.Error("an RBM run has a variational-gap figure")
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "figs", "fantasies.svg"))
	if !bytes.Contains(svg, []byte("Gibbs")) {
		t.Error("the RBM's fantasies do not say they are Gibbs samples")
	}
	if _, stderr, code := cli(t, dir, "gif", "--run", "run", "--out", "run.gif"); code != 0 {
		t.Fatalf("gif: %s", stderr)
	}
	os.WriteFile(filepath.Join(dir, "recipes.txt"), []byte("ws:\nrbm: --algo rbm --layers 16,8 --lr 0.003\n"), 0o644)
	out, stderr, code := cli(t, dir, "sweep", "--seeds", "1-2", "--n-steps", "3000", "--recipes", "recipes.txt", "--out", "sw", "--quiet")
	if code != 0 || !strings.Contains(out, "| rbm | 2 |") || !strings.Contains(out, "| ws | 2 |") {
		t.Fatalf("sweep: %s %s", out, stderr)
	}
	ev, stderr, code := cli(t, dir, "eval", "--model", "sw/models/rbm/seed_2.npz")
	if code != 0 || !strings.Contains(ev, "RBM") {
		t.Errorf("eval of a sweep's RBM: %s %s", ev, stderr)
	}
}

// TestRecipeFlagsOnABase: a recipe's flags apply on top of the sweep's,
// learner settings included, and choosing another learner drops the
// settings of the base's.
func TestRecipeFlagsOnABase(t *testing.T) {
	base := train.Default()
	base.Algo, base.Samples, base.Estimate = "rws", 3, 50
	c, err := withFlags(base, "--lr 0.05")
	if err != nil || c.Algo != "rws" || c.Samples != 3 || c.Estimate != 50 || c.LR != 0.05 {
		t.Errorf("recipe on an rws base: %+v %v", c, err)
	}
	c, err = withFlags(base, "--algo mixture --estimate 0")
	if err != nil || c.Algo != "mixture" || c.Samples != 0 || c.Components != 2 || c.Estimate != 0 {
		t.Errorf("mixture recipe on an rws base: %+v %v", c, err)
	}
	c, err = withFlags(base, "--algo rbm --layers 16,8 --estimate 0")
	if err != nil || c.Algo != "rbm" || c.CDK != 1 || c.Samples != 0 || c.Validate() != nil {
		t.Errorf("rbm recipe on an rws base: %+v %v %v", c, err, c.Validate())
	}
	c, err = withFlags(c, "--cd-k 5")
	if err != nil || c.Algo != "rbm" || c.CDK != 5 {
		t.Errorf("recipe on an rbm base: %+v %v", c, err)
	}
}
