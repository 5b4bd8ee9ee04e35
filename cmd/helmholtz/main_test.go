package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/gif"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/sbinet/npyio/npz"

	"helmholtz/train"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "helmholtz-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "helmholtz")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the binary in dir and returns stdout, stderr and the exit code.
func cli(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	// Killed when the test ends: a hang guard's abandoned run must not
	// go on eating the cores of the tests after it.
	cmd := exec.CommandContext(t.Context(), binary, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// files lists the regular files under dir.
func files(dir string) []string {
	var fs []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fs = append(fs, p)
		}
		return nil
	})
	return fs
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	// A good model to corrupt.
	if _, stderr, code := cli(t, dir, "train", "--n-steps", "2000", "--out", "good", "--quiet"); code != 0 {
		t.Fatalf("training a small model failed: %s", stderr)
	}
	good, err := os.ReadFile(filepath.Join(dir, "good", "model.npz"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	npzFile := func(name string, arrays map[string]any) string {
		if err := npz.Write(filepath.Join(dir, name), arrays); err != nil {
			t.Fatal(err)
		}
		return name
	}
	truncated := write("truncated.npz", good[:len(good)/2])
	notNpz := write("not.npz", []byte("hello, not a zip\n"))
	onlyBias := npzFile("onlybias.npz", map[string]any{"b_v": make([]float64, 16), "b_top": []float64{0}})
	wrongShape := npzFile("shape.npz", map[string]any{
		"b_v": make([]float64, 16), "b_h": make([]float64, 8), "b_top": []float64{0},
		"W_hv": make([]float64, 128), "W_th": make([]float64, 8),
		"c_h": make([]float64, 8), "c_top": []float64{0},
		"R_vh": make([]float64, 128), "R_ht": make([]float64, 8),
	})
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)

	for _, args := range [][]string{
		{"train", "--n-steps", "0"},
		{"train", "--n-steps", "-5"},
		{"train", "--lr", "0"},
		{"train", "--lr", "-0.1"},
		{"train", "--lr", "NaN"},
		{"train", "--lr", "Inf"},
		{"train", "--batch-size", "0"},
		{"train", "--snapshot-every", "-1"},
		{"train", "--eval-every", "-1"},
		{"train", "--layers", "16,x,1"},
		{"train", "--layers", "15,8,1"},
		{"train", "--estimate", "-1"},
		{"train", "--estimate", "1000000"},
		{"train", "--select-estimate", "-1"},
		{"train", "--select-estimate", "1000000"},
		{"train", "--n-hidden", "0"},
		{"train", "--data", "shifter:1"},
		{"train", "--data", "shifter:8,p=1"},
		{"train", "--data", "mnist9"},
		{"train", "--bogus"},
		{"train", "stray"},
		{"frobnicate"},
		{"dmd", "--steps", "0"},
		{"dmd", "--k", "0"},
		{"dmd", "--steps", "100001"},
		{"dmd", "--layers", "15,8,1"},
		{"dmd", "--data", "nope"},
		{"dmd", "--layers", "16,4000,1"},
		{"dmd", "--data", "bars:20x20"},                         // its RBM: 40 hidden units, refused before tracing
		{"dmd", "--data", "bars:20x20", "--layers", "400,16,1"}, // minutes of tracing
		{"study"},
		{"study", "nope"},
		{"study", "gap", "--workers", "0"},
		{"study", "scale", "--select-estimate", "0"},
		{"study", "dmd", "--n-steps", "10"},
		{"study", "dmd", "--eval-every", "5"},
		{"study", "dmd", "--kl", "x"},
		{"study", "dmd", "--kl", "-1"},
		{"study", "dmd", "--seeds", "3-1"},
		{"study", "dmd", "--workers", "0"},
		{"study", "dmd", "--recipe", "missing"},
		{"study", "dmd", "--kl", "1,1,1,1,1,1,1,1,1,1,1"},
		{"study", "dmd", "--n-steps", "20000000"},
		{"study", "scale", "--select-seeds", "5-1"},
		{"study", "scale", "--seeds", "x"},
		{"study", "scale", "--recipe", "missing"},
		{"train", "--n-steps", "100", "--out", "/etc/passwd/run"},
		{"train", "--resume", "empty"},
		{"train", "--resume", "missing"},
		{"train", "--resume", "good", "--lr", "0.2"},
		{"eval"},
		{"eval", "--model", "missing.npz"},
		{"eval", "--model", truncated},
		{"eval", "--model", notNpz},
		{"eval", "--model", onlyBias},
		{"eval", "--model", wrongShape},
		{"eval", "--model", "good/model.npz", "--data", "bars:5x5"},
		{"eval", "--model", "good/model.npz", "--samples", "-1"},
		{"eval", "--model", "good/model.npz", "--samples", "1000001"},
		{"train", "--schedule", "cosine"},
		{"train", "--restarts", "30", "--restart-steps", "100000"},
		{"train", "--decay", "-1"},
		{"train", "--algo", "boltzmann"},
		{"train", "--algo", "gibbs", "--batch-size", "4"},
		{"train", "--optimizer", "rmsprop"},
		{"study", "mnist", "--epochs", "0"},
		{"study", "mnist", "--test-k", "100001"},
		{"study", "mnist", "--workers", "0"},
		{"study", "density", "--slow-seeds", "9"},
		{"train", "--algo", "mf", "--optimizer", "adam"},
		{"train", "--precision", "float16"},
		{"train", "--precision", "float32"},
		{"train", "--algo", "rws", "--precision", "float32", "--decay", "1e-4"},
		{"sweep", "--seeds", "1-2", "--precision", "float32"},
		{"train", "--data", "mnist,binarize=sometimes"},
		{"train", "--data", "mnist:/nonexistent"},
		{"train", "--data", "mnist", "--layers", "100,10"},
		{"train", "--data", "mnist8-pairs", "--layers", "64,10"},
		{"train", "--algo", "rws", "--samples", "0"},
		{"train", "--algo", "rws", "--samples", "-2"},
		{"train", "--algo", "mixture", "--components", "0"},
		{"train", "--components", "2"},
		{"train", "--samples", "5"},
		{"train", "--rws-sleep=false"},
		{"train", "--algo", "exact", "--layers", "16,12,6"},
		{"train", "--algo", "exact", "--batch-size", "4"},
		{"train", "--algo", "rbm"},
		{"train", "--algo", "rbm", "--layers", "16,8", "--cd-k", "0"},
		{"train", "--algo", "rbm", "--layers", "16,8", "--momentum", "1"},
		{"train", "--algo", "rbm", "--layers", "16,21"},
		{"train", "--algo", "rbm", "--layers", "16,8", "--estimate", "10"},
		{"train", "--cd-k", "2"},
		{"train", "--momentum", "0.5"},
		{"train", "--hidden-cap", "x"},
		{"train", "--hidden-cap", "NaN"},
		{"sweep", "--seeds", "5-1"},
		{"sweep", "--seeds", "a-b"},
		{"sweep", "--shard", "3/2"},
		{"sweep", "--shard", "x"},
		{"sweep", "--recipes", "missing.txt"},
		{"sweep", "--recipes", write("seeded.txt", []byte("a: --seed 3\n"))},
		{"sweep", "--recipes", write("badflag.txt", []byte("a: --frob\n"))},
		{"sweep", "--recipes", write("dup.txt", []byte("a: --lr 0.1\na: --lr 0.2\n"))},
		{"sweep", "--seed", "3"},
		{"sweep", "--workers", "0"},
		{"sweep", "--lr", "-1"},
		{"serve", "--max-runs", "0"},
		{"serve", "--addr", "nonsense", "--runs", "servedir"},
		{"serve", "--train", "--lr -1", "--runs", "servedir"},
		{"serve", "--train", "--frob 3", "--runs", "servedir"},
		{"serve", "--runs", truncated},
		{"serve", "--train", "--n-steps 1000", "--name", "../up", "--runs", "servedir"},
		{"serve", "--train", "--n-steps 1000", "--name", ".hidden", "--runs", "servedir"},
		{"summarize"},
		{"summarize", "missing.jsonl"},
		{"plot", "--run", "empty"},
		{"gif", "--run", "empty"},
		{"gif", "--run", "good", "--fps", "0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			if (args[0] == "train" || args[0] == "sweep") && !strings.Contains(strings.Join(args, " "), "--out") {
				args = append(args, "--out", out)
			}
			_, stderr, code := cli(t, dir, args...)
			if code == 0 {
				t.Fatal("exit status 0")
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 1 || lines[0] == "" || strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Fatalf("want one line on stderr, got:\n%s", stderr)
			}
			if fs := files(out); len(fs) > 0 {
				t.Fatalf("failed run left files: %v", fs)
			}
			if args[0] == "serve" && !slices.Contains(args, "--name") {
				if _, err := os.Stat(filepath.Join(dir, "servedir")); err == nil {
					t.Fatal("a refused serve made its --runs directory")
				}
			}
		})
	}
}

func TestTrainEvalResume(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := cli(t, dir, "train", "--n-steps", "20000", "--snapshot-every", "5000", "--eval-every", "1000", "--out", "run")
	if code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	for _, want := range []string{"initial KL: 8.1", "| Final KL[p_data ‖ p_model] |", "| Total samples | 20,000 wake + 20,000 sleep |"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"model.npz", "history.csv", "config.json", "results.md", "snapshots/step_000000000.npz", "snapshots/step_000020000.npz"} {
		if _, err := os.Stat(filepath.Join(dir, "run", f)); err != nil {
			t.Error(err)
		}
	}
	evalOut, stderr, code := cli(t, dir, "eval", "--model", "run/model.npz")
	if code != 0 || !strings.Contains(evalOut, "KL ") {
		t.Fatalf("eval: %d %s %s", code, evalOut, stderr)
	}
	// The KL that eval prints matches the training table to 3 decimals.
	kl := strings.Fields(strings.SplitN(evalOut[strings.Index(evalOut, "KL "):], "\n", 2)[0])[1]
	if !strings.Contains(stdout, "| Final KL[p_data ‖ p_model] | "+kl[:5]) {
		t.Errorf("eval KL %s does not match the training table", kl)
	}
	// Extending the run by resuming equals training longer from scratch.
	if _, stderr, code := cli(t, dir, "train", "--resume", "run", "--n-steps", "30000", "--quiet"); code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	if _, stderr, code := cli(t, dir, "train", "--n-steps", "30000", "--snapshot-every", "5000", "--eval-every", "1000", "--out", "long", "--quiet"); code != 0 {
		t.Fatalf("train long: %s", stderr)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "run", "model.npz"))
	b, _ := os.ReadFile(filepath.Join(dir, "long", "model.npz"))
	if !bytes.Equal(a, b) {
		t.Error("resumed-and-extended model differs from the model trained in one go")
	}
}

// TestReproduceMatchesDocs runs the canonical pipeline and checks that the
// committed docs are what it writes: the results table row for row (all
// but the wall-clock time) and every figure and the GIF byte for byte.
func TestReproduceMatchesDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the canonical 2,000,000-step run")
	}
	dir := t.TempDir()
	if _, stderr, code := cli(t, dir, "reproduce", "--run", "run", "--out", "docs"); code != 0 {
		t.Fatalf("reproduce: %s", stderr)
	}
	// The canonical GIF: one frame per snapshot (steps 0 to 2,000,000 every
	// 50,000), under 2 MiB.
	f, err := os.Open(filepath.Join(dir, "docs", "bars.gif"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(f)
	f.Close()
	if fi, _ := os.Stat(filepath.Join(dir, "docs", "bars.gif")); err != nil || len(g.Image) != 41 || fi.Size() >= 2<<20 {
		t.Errorf("bars.gif: %v, want 41 frames under 2 MiB", err)
	}
	committed := filepath.Join("..", "..", "docs")
	for _, name := range []string{"results.md", "bars.gif", "curves.png", "fantasies.png", "fields.png", "codes.png", "weights.png",
		"curves.svg", "fantasies.svg", "fields.svg", "codes.svg", "weights.svg", "gap.png", "gap.svg"} {
		got, err := os.ReadFile(filepath.Join(dir, "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Fatalf("%v (regenerate docs with: go run ./cmd/helmholtz reproduce)", err)
		}
		if name == "results.md" {
			got, want = dropWallClock(got), dropWallClock(want)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/%s differs from what reproduce writes (regenerate with: go run ./cmd/helmholtz reproduce)", name)
		}
	}
}

func dropWallClock(table []byte) []byte {
	var keep []string
	for _, line := range strings.Split(string(table), "\n") {
		if !strings.HasPrefix(line, train.WallClockRow) {
			keep = append(keep, line)
		}
	}
	return []byte(strings.Join(keep, "\n"))
}

// TestInterrupt sends SIGINT to a long training run: it must save a
// checkpoint, exit with status 130 and say how to resume; resuming with a
// shorter --n-steps than already done is refused, and resuming to a
// later step finishes the run.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "train", "--n-steps", "1000000000", "--out", "run", "--snapshot-every", "0")
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The initial KL line means training has started.
	buf := make([]byte, 64)
	if _, err := stdout.Read(buf); err != nil {
		t.Fatal(err)
	}
	// An interrupt acts after the step under way: give it some steps.
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted train: %v, want exit status 130; stderr:\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "--resume run") {
		t.Errorf("stderr does not say how to resume:\n%s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "run", "checkpoint.npz")); err != nil {
		t.Fatal(err)
	}
	if _, _, code := cli(t, dir, "train", "--resume", "run", "--n-steps", "1"); code == 0 {
		t.Error("resuming to a step before the checkpoint succeeded")
	}
	out, _, _ := cli(t, dir, "eval", "--model", "run/checkpoint.npz")
	var step int
	if i := strings.Index(out, "step "); i < 0 {
		t.Fatalf("eval output lacks the step:\n%s", out)
	} else {
		fmt.Sscanf(out[i:], "step %d", &step)
	}
	if step <= 0 {
		t.Fatalf("checkpoint at step %d", step)
	}
	if _, stderr, code := cli(t, dir, "train", "--resume", "run", "--n-steps", fmt.Sprint(step+10000), "--quiet"); code != 0 {
		t.Fatalf("resume: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "run", "model.npz")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "run", "checkpoint.npz")); !os.IsNotExist(err) {
		t.Error("checkpoint.npz left after the resumed run finished")
	}
}

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	recipes := filepath.Join(dir, "recipes.txt")
	os.WriteFile(recipes, []byte("# two recipes\nstub:\nslow: --lr 0.05\n"), 0o644)
	stdout, stderr, code := cli(t, dir, "sweep", "--seeds", "1-4", "--shard", "2/2", "--n-steps", "5000",
		"--recipes", "recipes.txt", "--out", "sw", "--quiet")
	if code != 0 {
		t.Fatalf("sweep: %s", stderr)
	}
	if !strings.Contains(stdout, "| stub | 2 |") || !strings.Contains(stdout, "| slow | 2 |") {
		t.Errorf("summary lacks a row of 2 runs per recipe:\n%s", stdout)
	}
	for _, f := range []string{"models/stub/seed_2.npz", "models/stub/seed_4.npz", "models/slow/seed_4.npz", "results.csv", "summary.md", "kl.png"} {
		if _, err := os.Stat(filepath.Join(dir, "sw", f)); err != nil {
			t.Error(err)
		}
	}
	// Seed 4 of the stub recipe is the train run with the same flags.
	if _, stderr, code := cli(t, dir, "train", "--seed", "4", "--n-steps", "5000", "--out", "t4", "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	a, _, _ := cli(t, dir, "eval", "--model", "sw/models/stub/seed_4.npz")
	b, _, _ := cli(t, dir, "eval", "--model", "t4/model.npz")
	strip := func(s string) string { return s[strings.Index(s, "KL "):] }
	if strip(a) != strip(b) {
		t.Errorf("sweep seed 4 and train seed 4 differ:\n%s\n%s", a, b)
	}
	// Shard 1/2 completes the set; summarize merges the shards.
	if _, stderr, code := cli(t, dir, "sweep", "--seeds", "1-4", "--shard", "1/2", "--n-steps", "5000",
		"--recipes", "recipes.txt", "--out", "sw1", "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := cli(t, dir, "summarize", "--out", "all", "sw/results.jsonl", "sw1/results.jsonl")
	if code != 0 || !strings.Contains(out, "| stub | 4 |") {
		t.Errorf("summarize: %s %s", out, stderr)
	}
}
