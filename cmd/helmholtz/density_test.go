package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"helmholtz/internal/arrays"
)

// TestHeldOut: a small data set of the density study, end to end: made by
// data make, fitted by the density command's estimators, trained on by
// train and scored per split by eval; and the bad inputs of each, refused
// with one line.
func TestHeldOut(t *testing.T) {
	dir := t.TempDir()
	out := succeeds(t, dir, "data", "make", "mix20", "--seed", "2", "--train", "300", "--valid", "100", "--test", "100", "--out", "mix.npz")
	if !strings.Contains(out, "entropy") || !strings.Contains(out, "wrote mix.npz") {
		t.Errorf("data make printed %q", out)
	}
	succeeds(t, dir, "data", "make", "mix20", "--seed", "2", "--train", "300", "--valid", "100", "--test", "100", "--out", "mix2.npz")
	a, _ := os.ReadFile(filepath.Join(dir, "mix.npz"))
	b, _ := os.ReadFile(filepath.Join(dir, "mix2.npz"))
	if len(a) == 0 || string(a) != string(b) {
		t.Error("two makes of one seed differ")
	}
	out = succeeds(t, dir, "density", "--data", "file:mix.npz", "--estimators", "gzip,base,fvbn")
	for _, want := range []string{"| gzip |", "| base |", "| fvbn |"} {
		if !strings.Contains(out, want) {
			t.Errorf("density lacks %q:\n%s", want, out)
		}
	}
	// The first --valid and --test examples only, as the density study
	// validates and costs its slow learners; out of range is refused.
	out = succeeds(t, dir, "density", "--data", "file:mix.npz", "--estimators", "base", "--valid", "50", "--test", "30")
	if !strings.Contains(out, "300 / 50 / 30 examples") {
		t.Errorf("density --valid 50 --test 30 printed:\n%s", out)
	}
	for _, bad := range [][]string{{"--valid", "-1"}, {"--test", "101"}} {
		if e := refused(t, dir, "density", "--data", "file:mix.npz", "--estimators", "base", bad[0], bad[1]); !strings.Contains(e, bad[0]+" "+bad[1]) {
			t.Errorf("density %v: %q", bad, e)
		}
	}
	// The nets the latent-variable estimators keep, saved for eval; a
	// --save that is a file is refused before anything is fitted.
	out = succeeds(t, dir, "density", "--data", "file:mix.npz", "--estimators", "base,hm", "--save", "nets")
	if names, want := files(filepath.Join(dir, "nets")), []string{filepath.Join(dir, "nets", "hm.npz")}; !slices.Equal(names, want) {
		t.Errorf("density --save wrote %v, want %v", names, want)
	}
	out = succeeds(t, dir, "eval", "--model", "nets/hm.npz", "--data", "file:mix.npz", "--split", "test", "--samples", "50")
	if !strings.Contains(out, "test split") {
		t.Errorf("eval of a saved net printed:\n%s", out)
	}
	if e := refused(t, dir, "density", "--data", "file:mix.npz", "--estimators", "hm", "--save", "mix.npz"); !strings.Contains(e, "--save") {
		t.Errorf("density --save onto a file: %q", e)
	}
	succeeds(t, dir, "train", "--data", "file:mix.npz", "--layers", "100,6", "--n-steps", "600", "--eval-every", "300", "--out", "run", "--quiet")
	// Every evaluation in the history scores the validation split too, as
	// eval --split valid does.
	hist, err := os.ReadFile(filepath.Join(dir, "run", "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(hist)), "\n")
	last := strings.Split(rows[len(rows)-1], ",")
	if len(rows) != 4 || !strings.HasSuffix(rows[0], ",valid_nll_bits") || len(last) != 9 {
		t.Fatalf("history.csv:\n%s", hist)
	}
	valid, _ := strconv.ParseFloat(last[8], 64)
	// Its results table gives the two costs in bits and nats, and calls
	// the KL and entropy the training examples'.
	res, _ := os.ReadFile(filepath.Join(dir, "run", "results.md"))
	for _, want := range []string{
		fmt.Sprintf("| Final −log p(v), validation examples | %.3f bits = %.3f nats per example; the first 100 of 100 |", valid, valid*math.Ln2),
		"| Final −log p(v), training examples | ", "; all 300 |", "| Entropy of the training examples' distribution |",
	} {
		if !strings.Contains(string(res), want) || strings.Contains(string(res), "H(p_data)") {
			t.Errorf("results.md lacks %q or has H(p_data):\n%s", want, res)
		}
	}
	out = succeeds(t, dir, "train", "--data", "file:mix.npz", "--layers", "100,6", "--n-steps", "600", "--eval-every", "300", "--out", "run")
	if !strings.Contains(out, "initial −log p(v): training examples ") {
		t.Errorf("train on a data set with splits printed:\n%s", out)
	}
	// Its animation is named for what it shows, not the bars.
	if out = succeeds(t, dir, "gif", "--run", "run"); strings.TrimSpace(out) != filepath.Join("run", "training.gif") {
		t.Errorf("gif --run run wrote %q", out)
	}
	out = succeeds(t, dir, "eval", "--model", "run/model.npz", "--split", "valid")
	if want := fmt.Sprintf("NLL      %.6f bits", valid); !(valid > 0) || !strings.Contains(out, want) {
		t.Errorf("history's last validation NLL %v; eval --split valid printed:\n%.300s", valid, out)
	}
	out = succeeds(t, dir, "eval", "--model", "run/model.npz", "--split", "test")
	if !strings.Contains(out, "cost") || !strings.Contains(out, "test split") {
		t.Errorf("eval --split printed:\n%s", out)
	}
	// Annealed importance sampling beside the exact cost of the 100-6 net,
	// and alone on a Gibbs machine's net too large to enumerate.
	out = succeeds(t, dir, "eval", "--model", "run/model.npz", "--split", "test", "--first", "30", "--ais", "300")
	var cost, ais float64
	for _, line := range strings.Split(out, "\n") {
		fmt.Sscanf(line, "cost %f", &cost)
		fmt.Sscanf(line, "AIS %f", &ais)
	}
	if !(cost > 0) || math.Abs(ais-cost) > 0.2 {
		t.Errorf("eval --ais: AIS %v bits, exact cost %v:\n%s", ais, cost, out)
	}
	succeeds(t, dir, "train", "--data", "file:mix.npz", "--layers", "100,20,12", "--algo", "gibbs", "--lr", "0.01", "--n-steps", "300", "--eval-every", "300", "--out", "gm", "--quiet")
	out = succeeds(t, dir, "eval", "--model", "gm/model.npz", "--split", "test", "--first", "10", "--ais", "50", "--ais-chains", "3")
	if !strings.Contains(out, "AIS ") || !strings.Contains(out, "3 chains of 50 steps") || strings.Contains(out, "importance sampling: ") && !strings.Contains(out, "annealed") {
		t.Errorf("eval --ais on a Gibbs machine printed:\n%s", out)
	}
	// A net beyond enumeration (2^30 states of its hidden layer) is
	// estimated by eval unless told how: K = 100, the training examples
	// unless --split names others.
	succeeds(t, dir, "train", "--data", "file:mix.npz", "--layers", "100,30", "--n-steps", "300", "--out", "big", "--quiet")
	for split, want := range map[string]string{"": "train split, 300 examples", "test": "test split, 100 examples"} {
		args := []string{"eval", "--model", "big/model.npz"}
		if split != "" {
			args = append(args, "--split", split)
		}
		if out := succeeds(t, dir, args...); !strings.Contains(out, want) || !strings.Contains(out, "importance sampling: 100 samples from q each") {
			t.Errorf("%v printed:\n%s", args, out)
		}
	}
	succeeds(t, dir, "train", "--n-steps", "2000", "--out", "bars", "--quiet")
	// A training split past density's bound: 500,001 examples of 100 units.
	big := arrays.Array{Dtype: "|u1", Shape: []int{500001, 100}, Data: make([]byte, 500001*100)}
	small := arrays.Uint8s([][]uint8{make([]uint8, 100)})
	f, err := os.Create(filepath.Join(dir, "big.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := arrays.Write(f, []arrays.Named{{Name: "train", Array: big}, {Name: "valid", Array: small}, {Name: "test", Array: small}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	writeText(t, filepath.Join(dir, "notdata.npz"), "not a zip")
	for _, args := range [][]string{
		{"data"},
		{"data", "make"},
		{"data", "make", "nope"},
		{"data", "make", "mix20", "--train", "0"},
		{"data", "make", "mix20", "--test", "1000001"},
		{"data", "make", "mix20", "--train", "100001"},
		{"study", "density", "--seeds", "1-101"},
		{"data", "make", "mix20", "--out", dir},
		{"data", "make", "mix20", "--out", "/proc/nope/x.npz"},
		{"density"},
		{"density", "--data", "bars:4x4"},
		{"density", "--data", "file:missing.npz"},
		{"density", "--data", "file:notdata.npz"},
		{"density", "--data", "file:bars/model.npz"},
		{"density", "--data", "file:mix.npz", "--estimators", "nope"},
		{"density", "--data", "file:big.npz"},
		{"eval", "--model", "bars/model.npz", "--split", "test"},
		{"eval", "--model", "run/model.npz", "--split", "nope"},
		{"train", "--data", "file:"},
		{"train", "--data", "file:mix.npz", "--layers", "64,6"},
		{"eval", "--model", "run/model.npz", "--split", "test", "--first", "-1"},
		{"eval", "--model", "run/model.npz", "--ais", "10"},
		{"eval", "--model", "run/model.npz", "--first", "10"},
		{"eval", "--model", "big/model.npz", "--first", "10"},
		{"eval", "--model", "run/model.npz", "--split", "test", "--ais", "-1"},
		{"eval", "--model", "run/model.npz", "--split", "test", "--ais", "10", "--ais-chains", "0"},
		{"eval", "--model", "run/model.npz", "--split", "test", "--ais", "100001"},
		{"eval", "--model", "run/model.npz", "--split", "test", "--ais", "10", "--ais-chains", "10001"},
		{"eval", "--model", "run/model.npz", "--split", "test", "--ais", "x"},
		{"study", "density", "--tasks", "nope"},
		{"study", "density", "--tasks", "mix20,mix20"},
		{"study", "density", "--seeds", "x"},
		{"study", "density", "--slow-seeds", "x"},
		{"study", "density", "--slow-seeds", "all,2"},
		{"study", "density", "--workers", "0"},
		{"serve", "--host", "a b", "--runs", "runs-x"},
		{"serve", "--host", "evil.example:80", "--runs", "runs-x"},
		{"serve", "--host", strings.Repeat("x", 300), "--runs", "runs-x"},
	} {
		refused(t, dir, args...)
	}
	// A directory that exists but takes no files is named, not the probe
	// file written to find out.
	if e := refused(t, dir, "data", "make", "mix20", "--out", "/proc/x.npz"); !strings.Contains(e, "cannot write files in /proc") || strings.Contains(e, "probe") {
		t.Errorf("data make into /proc: %q", e)
	}
}
