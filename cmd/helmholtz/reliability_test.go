package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"helmholtz/train"
)

// The tests of this file follow the classes of failure of the
// reliability battery (issue 8): each case must end with exit status 0,
// or with one line on stderr and a non-zero status, and never leave a
// temporary file behind.

// refused runs a command that must fail cleanly: non-zero exit, one line
// on stderr naming no panic, no temporary file left under dir. It
// returns the line.
func refused(t *testing.T, dir string, args ...string) string {
	t.Helper()
	_, stderr, code := cli(t, dir, args...)
	if code == 0 {
		t.Fatalf("%v: exit status 0", args)
	}
	oneLine(t, stderr)
	noTemps(t, dir)
	return stderr
}

// succeeds runs a command that must succeed and returns its stdout.
func succeeds(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, stderr, code := cli(t, dir, args...)
	if code != 0 {
		t.Fatalf("%v: exit status %d: %s", args, code, stderr)
	}
	noTemps(t, dir)
	return out
}

func oneLine(t *testing.T, stderr string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Fatalf("want one line on stderr, got:\n%s", stderr)
	}
	for _, bad := range []string{"panic", "goroutine", "runtime error"} {
		if strings.Contains(stderr, bad) {
			t.Fatalf("stderr shows a crash: %s", stderr)
		}
	}
}

// noTemps fails if a temporary file of an atomic write is left under dir.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	for _, f := range files(dir) {
		if base := filepath.Base(f); strings.HasPrefix(base, ".") && strings.Contains(base, ".tmp") {
			t.Fatalf("temporary file left behind: %s", f)
		}
	}
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the regular files of a run directory.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	for _, f := range files(from) {
		rel, _ := filepath.Rel(from, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeText(t, filepath.Join(to, rel), string(data))
	}
}

// Class 1: every run train finishes can be plotted and animated; readers
// refuse what they cannot draw with one line instead of a panic.
func TestRunsTrainWritesCanBePlotted(t *testing.T) {
	dir := t.TempDir()
	for i, flags := range [][]string{
		{"--data", "bars:1x1", "--layers", "1,2,1"},
		{"--data", "bars:1x1", "--layers", "1,1"},
		{"--layers", "16,2"},
		{"--layers", "16,6,3,2"},
		{"--init-hidden-bias", "50"},
		{"--lr", "2"},
		{"--data", "bars:2x7", "--layers", "14,9,2", "--batch-size", "3"},
		{"--restarts", "3", "--restart-steps", "500", "--halving", "--reinit", "1000", "--nonneg", "--hidden-cap", "0"},
	} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			run := fmt.Sprintf("r%d", i)
			args := append([]string{"train", "--n-steps", "3000", "--eval-every", "500", "--snapshot-every", "1000", "--out", run, "--quiet"}, flags...)
			succeeds(t, dir, args...)
			succeeds(t, dir, "plot", "--run", run)
			succeeds(t, dir, "gif", "--run", run)
			succeeds(t, dir, "eval", "--model", filepath.Join(run, "model.npz"))
		})
	}
}

func TestPlotRefusesBadHistory(t *testing.T) {
	dir := t.TempDir()
	succeeds(t, dir, "train", "--n-steps", "2000", "--eval-every", "500", "--out", "good", "--quiet")
	good, err := os.ReadFile(filepath.Join(dir, "good", "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	head, rows, _ := strings.Cut(string(good), "\n")
	last := rows[strings.LastIndex(strings.TrimRight(rows, "\n"), "\n")+1:]
	for name, history := range map[string]string{
		"header only":         head + "\n",
		"empty":               "",
		"NaN":                 head + "\n0,0,NaN,NaN\n",
		"Inf":                 head + "\n0,0,+Inf,+Inf\n",
		"zero samples":        head + "\n" + strings.Replace(last, ",2000,", ",0,", 1),
		"negative KL":         head + "\n2000,2000,-3,1\n",
		"unordered":           head + "\n" + last + rows,
		"not the model's KL":  head + "\n" + shifted(last, 0.25),
		"not the model's gap": head + "\n" + withField(last, 4, "0.01"),
		"recovery above 1":    head + "\n" + withField(last, 7, "2"),
		"recovery on bars":    head + "\n" + withField(last, 7, "0.5"),
		"binary junk":         "\x00\xff\x93NUMPY",
	} {
		t.Run(name, func(t *testing.T) {
			run := filepath.Join(t.TempDir(), "run")
			copyDir(t, filepath.Join(dir, "good"), run)
			writeText(t, filepath.Join(run, "history.csv"), history)
			refused(t, run, "plot", "--run", ".")
			refused(t, run, "gif", "--run", ".")
		})
	}
}

// npyFile returns a .npy array with the given header dictionary and data.
func npyFile(header string, data []byte) []byte {
	h := header + strings.Repeat(" ", 63-(10+len(header))%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	b.WriteByte(byte(len(h)))
	b.WriteByte(byte(len(h) >> 8))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

func TestEvalRefusesOddArrays(t *testing.T) {
	dir := t.TempDir()
	succeeds(t, dir, "train", "--n-steps", "1000", "--out", "good", "--quiet")
	for name, member := range map[string][]byte{
		"shape beyond the data": npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }", make([]byte, 128)),
		"complex dtype":         npyFile("{'descr': '<c16', 'fortran_order': False, 'shape': (16,), }", make([]byte, 256)),
		"big endian":            npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (16,), }", make([]byte, 128)),
		"three dimensions":      npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 4), }", make([]byte, 128)),
		"huge dimension":        npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", nil),
		"not a dictionary":      npyFile("[1, 2, 3]", make([]byte, 128)),
		"header past the end":   []byte("\x93NUMPY\x01\x00\xff\xff{'descr'"),
		"unknown version":       []byte("\x93NUMPY\x09\x00\x10\x00{}              \n"),
		"NaN":                   npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (16,), }", bytes.Repeat([]byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, 16)),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.npz")
			replaceMember(t, filepath.Join(dir, "good", "model.npz"), path, "b_v.npy", member)
			refused(t, dir, "eval", "--model", path)
		})
	}
}

// Class 2: no flag or file can make a command allocate or loop without
// bound.
func TestBoundedInputs(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"sweep", "--seeds", "0-18446744073709551615", "--out", "s"},
		{"sweep", "--seeds", "1,2,1", "--out", "s"},
		{"sweep", "--seeds", "1-4", "--workers", "100000", "--out", "s"},
		{"sweep", "--seeds", "1-1000000", "--n-steps", "2000000000", "--out", "s"},
		{"train", "--restarts", "4611686018427387904", "--restart-steps", "4", "--out", "t"},
		{"train", "--restarts", "3", "--restart-steps", "4611686018427387904", "--halving", "--out", "t"},
		{"train", "--n-steps", "9223372036854775807", "--out", "t"},
		{"train", "--n-steps", "1000000000", "--batch-size", "1000000000", "--out", "t"},
		{"train", "--batch-size", "10000000", "--out", "t"},
		{"train", "--snapshot-every", "1", "--out", "t"},
		{"train", "--layers", strings.Repeat("16,", 40) + "1", "--out", "t"},
		{"eval", "--model", "/dev/zero"},
		{"eval", "--model", "."},
		{"summarize", "--out", "s", "/dev/zero"},
		{"sweep", "--recipes", "/dev/zero", "--out", "s"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			done := make(chan string, 1)
			go func() { done <- refused(t, dir, args...) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second): // a hang guard, not a speed test
				t.Fatal("no answer within 20 s")
			}
		})
	}
	// Seeds up to the largest uint64 are counted, not looped past.
	out := succeeds(t, dir, "sweep", "--seeds", "18446744073709551614-18446744073709551615", "--n-steps", "1000", "--out", "top", "--quiet")
	if !strings.Contains(out, "| recipe | 2 |") {
		t.Errorf("want a sweep of 2 runs:\n%s", out)
	}
}

// signalAfter starts the binary, waits until its stdout or stderr shows
// text, sends sig and returns the exit code, stderr and the time the
// program took to exit after the signal.
func signalAfter(t *testing.T, dir, text string, sig os.Signal, args ...string) (int, string, time.Duration) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	r, w := io.Pipe()
	var errb bytes.Buffer
	cmd.Stdout = w
	cmd.Stderr = io.MultiWriter(&errb, w)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan bool, 1)
	go func() {
		if text == "" {
			return
		}
		var buf []byte
		chunk := make([]byte, 256)
		found := false
		for {
			n, err := r.Read(chunk)
			buf = append(buf, chunk[:n]...)
			if !found && bytes.Contains(buf, []byte(text)) {
				found = true
				seen <- true
			}
			if err != nil {
				if !found {
					seen <- false
				}
				return
			}
		}
	}()
	if text == "" {
		go io.Copy(io.Discard, r)
		time.Sleep(300 * time.Millisecond)
	} else if !<-seen {
		t.Fatalf("%v never printed %q", args, text)
	}
	start := time.Now()
	cmd.Process.Signal(sig)
	err := cmd.Wait()
	took := time.Since(start)
	w.Close()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	return code, errb.String(), took
}

// Signals are honoured in every phase: with the largest batch, during the
// restart phase (nothing to resume yet: a clear line), in a sweep (the
// finished runs' results kept, the rest run by the same command again),
// and while a GIF is drawn (no temporary file left).
func TestSignals(t *testing.T) {
	dir := t.TempDir()
	t.Run("largest batch", func(t *testing.T) {
		code, stderr, took := signalAfter(t, dir, "initial KL", os.Interrupt,
			"train", "--batch-size", "27000", "--n-steps", "1000000", "--out", "batch", "--snapshot-every", "0")
		if code != 130 || !strings.Contains(stderr, "--resume batch") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		t.Logf("stopped %v after SIGINT", took)
		if _, err := os.Stat(filepath.Join(dir, "batch", "checkpoint.npz")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("restart phase", func(t *testing.T) {
		code, stderr, _ := signalAfter(t, dir, "", syscall.SIGTERM,
			"train", "--restarts", "100000", "--restart-steps", "50", "--n-steps", "6000000", "--out", "restarts", "--quiet")
		if code != 143 || !strings.Contains(stderr, "restart candidates") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		oneLine(t, stderr)
		if _, err := os.Stat(filepath.Join(dir, "restarts", "checkpoint.npz")); err == nil {
			t.Error("a checkpoint from the restart phase, which cannot be resumed")
		}
	})
	t.Run("sweep", func(t *testing.T) {
		args := []string{"sweep", "--seeds", "1-200", "--n-steps", "100000", "--workers", "2", "--out", "sw"}
		code, stderr, _ := signalAfter(t, dir, "[2/200]", os.Interrupt, args...)
		if code != 130 || !strings.Contains(stderr, "interrupted after") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		data, err := os.ReadFile(filepath.Join(dir, "sw", "results.jsonl"))
		if err != nil || bytes.Count(data, []byte("\n")) < 2 {
			t.Fatalf("results of the finished runs not kept: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "sw", "summary.md")); err != nil {
			t.Error("no summary of the finished runs")
		}
	})
	t.Run("gif", func(t *testing.T) {
		succeeds(t, dir, "train", "--n-steps", "300000", "--snapshot-every", "1000", "--eval-every", "1000", "--out", "g", "--quiet")
		code, _, _ := signalAfter(t, dir, "", os.Interrupt, "gif", "--run", "g", "--out", "g/anim.gif")
		if code == 0 {
			t.Skip("the GIF was drawn before the signal arrived")
		}
		noTemps(t, dir)
		if _, err := os.Stat(filepath.Join(dir, "g", "anim.gif")); err == nil {
			t.Error("an interrupted gif left its output")
		}
	})
}

// replaceMember copies the npz file from to to, with member name replaced
// by data.
func replaceMember(t *testing.T, from, to, name string, data []byte) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			w.Write(data)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	writeText(t, to, b.String())
}

// Class 3: a directory holds one run; nothing mixes two runs or loses a
// row.
func TestOneRunPerDirectory(t *testing.T) {
	dir := t.TempDir()
	succeeds(t, dir, "train", "--n-steps", "4000", "--out", "a", "--quiet")
	// Another run into it: refused, the old run untouched.
	before, _ := os.ReadFile(filepath.Join(dir, "a", "model.npz"))
	refused(t, dir, "train", "--seed", "3", "--n-steps", "4000", "--out", "a", "--quiet")
	after, _ := os.ReadFile(filepath.Join(dir, "a", "model.npz"))
	if !bytes.Equal(before, after) {
		t.Fatal("a refused run changed the directory")
	}
	// The same run again: allowed, the same bits.
	succeeds(t, dir, "train", "--n-steps", "4000", "--out", "a", "--quiet")
	if again, _ := os.ReadFile(filepath.Join(dir, "a", "model.npz")); !bytes.Equal(before, again) {
		t.Fatal("the same run trained again gave another model")
	}
	// --force replaces the run and leaves files that are not a run's.
	writeText(t, filepath.Join(dir, "a", "notes.txt"), "mine")
	succeeds(t, dir, "train", "--seed", "3", "--n-steps", "4000", "--out", "a", "--quiet", "--force")
	if _, err := os.Stat(filepath.Join(dir, "a", "notes.txt")); err != nil {
		t.Error("--force removed a file that is not a run's")
	}
	out := succeeds(t, dir, "eval", "--model", "a/model.npz")
	if !strings.Contains(out, "step 4000") {
		t.Errorf("eval after --force:\n%s", out)
	}
	// A directory of other files, and no directory at all.
	writeText(t, filepath.Join(dir, "papers", "draft.tex"), "x")
	refused(t, dir, "train", "--out", "papers", "--force")
	refused(t, dir, "train", "--out", "")
	refused(t, dir, "train", "--resume", "")
	refused(t, dir, "reproduce", "--run", "papers", "--out", "docs")
	if _, err := os.Stat(filepath.Join(dir, "papers", "draft.tex")); err != nil {
		t.Fatal("a refused command removed a file it did not write")
	}
	if _, err := os.Stat(filepath.Join(dir, "papers", ".lock")); err == nil {
		t.Error("a refused command left its lock file in a directory it does not use")
	}
}

func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(binary, "train", "--n-steps", "100000000", "--out", "run", "--snapshot-every", "0")
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdout.Read(make([]byte, 32)) // "initial KL ...": the first holds the run
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		go io.Copy(io.Discard, stdout)
		cmd.Wait()
	}()
	line := refused(t, dir, "train", "--n-steps", "100000000", "--out", "run")
	if !strings.Contains(line, "in use") {
		t.Errorf("second writer: %s", line)
	}
	refused(t, dir, "train", "--resume", "run")
}

// A history that lost rows (a disk that filled up between a snapshot and
// its rows) is mended by training again from an older state, never
// resumed with a gap.
func TestResumeRecomputesLostRows(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--n-steps", "20000", "--eval-every", "1000", "--snapshot-every", "5000", "--quiet"}
	succeeds(t, dir, append([]string{"train", "--out", "whole"}, args...)...)
	succeeds(t, dir, append([]string{"train", "--out", "cut"}, args...)...)
	// Rows of steps 11000-20000 lost, the checkpoint and model too.
	data, _ := os.ReadFile(filepath.Join(dir, "cut", "history.csv"))
	lines := strings.SplitAfter(string(data), "\n")
	writeText(t, filepath.Join(dir, "cut", "history.csv"), strings.Join(lines[:12], ""))
	os.Remove(filepath.Join(dir, "cut", "model.npz"))
	succeeds(t, dir, "train", "--resume", "cut", "--quiet")
	for _, f := range []string{"history.csv", "model.npz"} {
		a, _ := os.ReadFile(filepath.Join(dir, "whole", f))
		b, _ := os.ReadFile(filepath.Join(dir, "cut", f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s of the mended run differs from the run trained whole", f)
		}
	}
}

// Resume refuses any file that is not of the run in config.json.
func TestResumeRefusesMixedFiles(t *testing.T) {
	dir := t.TempDir()
	// Evaluations and snapshots meet only at step 0: the history of
	// another seed must still be caught.
	args := []string{"--n-steps", "20000", "--snapshot-every", "5000", "--eval-every", "8000", "--quiet"}
	succeeds(t, dir, append([]string{"train", "--out", "a"}, args...)...)
	succeeds(t, dir, append([]string{"train", "--out", "b", "--seed", "7"}, args...)...)
	for name, mix := range map[string]func(run string){
		"snapshot of another seed": func(run string) {
			data, _ := os.ReadFile(filepath.Join(dir, "b", "snapshots", "step_000015000.npz"))
			writeText(t, filepath.Join(run, "snapshots", "step_000015000.npz"), string(data))
		},
		"history of another seed": func(run string) {
			data, _ := os.ReadFile(filepath.Join(dir, "b", "history.csv"))
			writeText(t, filepath.Join(run, "history.csv"), string(data))
		},
		"snapshot under another step's name": func(run string) {
			os.Rename(filepath.Join(run, "snapshots", "step_000010000.npz"), filepath.Join(run, "snapshots", "step_000012000.npz"))
		},
		"a flipped byte": func(run string) {
			p := filepath.Join(run, "snapshots", "step_000015000.npz")
			data, _ := os.ReadFile(p)
			data[len(data)/3] ^= 1
			writeText(t, p, string(data))
		},
	} {
		t.Run(name, func(t *testing.T) {
			run := filepath.Join(t.TempDir(), "run")
			copyDir(t, filepath.Join(dir, "a"), run)
			os.Remove(filepath.Join(run, "model.npz"))
			mix(run)
			refused(t, run, "train", "--resume", ".", "--n-steps", "30000")
		})
	}
}

// Class 4: wrong numbers. A flipped byte is refused where numpy refuses
// it; a diverging rate stops naming the step; extending a run equals
// training it whole, or is refused when it cannot.
func TestNoWrongNumbers(t *testing.T) {
	dir := t.TempDir()
	succeeds(t, dir, "train", "--n-steps", "4000", "--out", "a", "--quiet")
	// A flipped bit anywhere is refused or changes nothing (a zip
	// timestamp, say): never another number with exit status 0.
	model, _ := os.ReadFile(filepath.Join(dir, "a", "model.npz"))
	want := succeeds(t, dir, "eval", "--model", "a/model.npz")
	changed := 0
	for i := 0; i < len(model); i += len(model)/40 + 1 {
		flipped := append([]byte(nil), model...)
		flipped[i] ^= 0x10
		writeText(t, filepath.Join(dir, "flipped.npz"), string(flipped))
		got, stderr, code := cli(t, dir, "eval", "--model", "flipped.npz")
		switch {
		case code != 0:
			oneLine(t, stderr)
			changed++
		case strings.ReplaceAll(got, "flipped.npz", "a/model.npz") != want:
			t.Errorf("byte %d flipped: eval gives other numbers with exit status 0:\n%s", i, got)
		}
	}
	if changed < 30 {
		t.Errorf("only %d of 41 flipped bytes refused", changed)
	}
	for _, lr := range []string{"1e308", "1000", "50", "5"} {
		line := refused(t, dir, "train", "--lr", lr, "--n-steps", "100000", "--out", "lr"+lr, "--quiet")
		if !strings.Contains(line, "diverged") || !strings.Contains(line, "step") {
			t.Errorf("--lr %s: %s", lr, line)
		}
		if _, err := os.Stat(filepath.Join(dir, "lr"+lr)); err == nil {
			t.Errorf("--lr %s left the diverged run's directory", lr)
		}
	}
	// Extension equals one go, with every recipe option that allows it.
	recipe := []string{"--eval-every", "1000", "--snapshot-every", "3000", "--quiet", "--reinit", "4000", "--nonneg",
		"--decay", "0.0001", "--restarts", "3", "--restart-steps", "1000", "--halving", "--init-hidden-bias", "-2"}
	succeeds(t, dir, append([]string{"train", "--n-steps", "20000", "--out", "ext"}, recipe...)...)
	succeeds(t, dir, "train", "--resume", "ext", "--n-steps", "30000", "--quiet")
	succeeds(t, dir, append([]string{"train", "--n-steps", "30000", "--out", "whole"}, recipe...)...)
	for _, f := range []string{"history.csv", "model.npz", "snapshots/step_000021000.npz"} {
		a, _ := os.ReadFile(filepath.Join(dir, "ext", f))
		b, _ := os.ReadFile(filepath.Join(dir, "whole", f))
		if !bytes.Equal(a, b) {
			t.Errorf("extended run's %s differs from the run trained whole", f)
		}
	}
	succeeds(t, dir, "train", "--n-steps", "5000", "--schedule", "linear", "--schedule-end", "0.2", "--out", "sched", "--quiet")
	refused(t, dir, "train", "--resume", "sched", "--n-steps", "9000")
	table, _ := os.ReadFile(filepath.Join(dir, "sched", "results.md"))
	if strings.Contains(string(table), "constant") || !strings.Contains(string(table), "linear") {
		t.Errorf("a scheduled run's table:\n%s", table)
	}
}

func TestSummarizeRefusesNonsense(t *testing.T) {
	dir := t.TempDir()
	succeeds(t, dir, "sweep", "--seeds", "1-2", "--n-steps", "2000", "--out", "s", "--quiet")
	good, _ := os.ReadFile(filepath.Join(dir, "s", "results.jsonl"))
	line := strings.SplitAfter(string(good), "\n")[0]
	for name, text := range map[string]string{
		"empty object":                 "{}\n",
		"negative KL":                  strings.Replace(line, `"kl_bits":`, `"kl_bits":-1,"x":`, 1),
		"KL not the last checkpoint's": strings.Replace(line, `"kl_bits":`, `"kl_bits":0.001e-300,"nll_bits":3.4284,"y":`, 1),
		"other seed than its config":   strings.Replace(line, `"seed":1,`, `"seed":9,`, 1),
		"model outside models/":        strings.Replace(line, `"model":"models/recipe/seed_1.npz"`, `"model":"../../etc/passwd"`, 1),
		"not JSON":                     "hello\n",
		"empty file":                   "",
	} {
		t.Run(name, func(t *testing.T) {
			writeText(t, filepath.Join(dir, "bad.jsonl"), text)
			refused(t, dir, "summarize", "--out", "sum", "bad.jsonl")
		})
	}
	refused(t, dir, "summarize", "--out", "sum", "s/results.jsonl", "s/results.jsonl")
	succeeds(t, dir, "summarize", "--out", "sum", "s/results.jsonl")

	// A merge never writes into one of the sweeps it merges, nor into a
	// sweep being written (its lock held), and copies only models that
	// are regular files of their sweep and read as its results' models.
	succeeds(t, dir, "sweep", "--seeds", "3-4", "--n-steps", "2000", "--out", "t", "--quiet")
	before, _ := os.ReadFile(filepath.Join(dir, "t", "results.jsonl"))
	refused(t, dir, "summarize", "--out", "t", "s/results.jsonl", "t/results.jsonl")
	refused(t, dir, "summarize", "--out", "./t/", "s/results.jsonl", "t/results.jsonl")
	if after, _ := os.ReadFile(filepath.Join(dir, "t", "results.jsonl")); !bytes.Equal(before, after) {
		t.Error("summarize --out into one of its shards rewrote that shard")
	}
	lock, err := train.LockDir(filepath.Join(dir, "running"))
	if err != nil {
		t.Fatal(err)
	}
	refused(t, dir, "summarize", "--out", "running", "s/results.jsonl")
	lock.Close()
	for name, mend := range map[string]func(model string){
		"model a symlink": func(m string) {
			os.Remove(m)
			os.Symlink(filepath.Join(dir, "s", "models", "recipe", "seed_2.npz"), m)
		},
		"model truncated": func(m string) {
			data, _ := os.ReadFile(m)
			os.WriteFile(m, data[:len(data)/2], 0o644)
		},
		"model of another seed": func(m string) {
			data, _ := os.ReadFile(filepath.Join(dir, "s", "models", "recipe", "seed_2.npz"))
			os.WriteFile(m, data, 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			shard := filepath.Join(dir, "bad-"+strings.ReplaceAll(name, " ", "-"))
			copyDir(t, filepath.Join(dir, "s"), shard)
			mend(filepath.Join(shard, "models", "recipe", "seed_1.npz"))
			refused(t, dir, "summarize", "--out", "merged-"+filepath.Base(shard), filepath.Join(shard, "results.jsonl"))
			if _, err := os.Stat(filepath.Join(dir, "merged-"+filepath.Base(shard), "results.jsonl")); err == nil {
				t.Error("a refused merge wrote its results")
			}
		})
	}
	// An error quotes a short excerpt of what it refuses, not all of it.
	huge := strings.Replace(line, `"recipe":"recipe"`, `"recipe":"`+strings.Repeat("r", 1<<20)+`"`, 1)
	writeText(t, filepath.Join(dir, "huge.jsonl"), huge)
	if msg := refused(t, dir, "summarize", "--out", "sum2", "huge.jsonl"); len(msg) > 400 {
		t.Errorf("the error quotes %d bytes", len(msg))
	}
}

// Class 5: smaller things.
func TestSmallerThings(t *testing.T) {
	dir := t.TempDir()
	out, _, code := cli(t, dir, "train", "-h")
	if code != 0 || strings.Count(out, "usage:") != 1 {
		t.Errorf("train -h printed the usage %d times (exit %d)", strings.Count(out, "usage:"), code)
	}
	// A refused flag value is quoted by an excerpt.
	for _, args := range [][]string{{"train", "--lr", strings.Repeat("x", 100000)}, {"train", "--data", strings.Repeat("é", 50000)},
		{"train", "--layers", strings.Repeat("1,", 50000)}, {"sweep", "--seeds", strings.Repeat("1", 100000)}} {
		if msg := refused(t, dir, args...); len(msg) > 400 {
			t.Errorf("%s %s: the error quotes %d bytes", args[0], args[1], len(msg))
		}
	}
	// A recipe file is read whole or refused: flags after 64 KiB of
	// blanks are not dropped silently.
	writeText(t, filepath.Join(dir, "late.txt"), strings.Repeat(" ", 70000)+"--lr 0.05\n")
	refused(t, dir, "study", "gap", "--recipe", "late.txt", "--doc", filepath.Join(dir, "doc"))
	writeText(t, filepath.Join(dir, "dots.txt"), "..: --lr 0.05\n")
	refused(t, dir, "sweep", "--recipes", "dots.txt", "--seeds", "1-2", "--n-steps", "1000", "--out", "s")
	if _, err := os.Stat(filepath.Join(dir, "s")); err == nil {
		t.Error("a refused sweep made its directory")
	}
	refused(t, dir, "sweep", "--seeds", "1-2", "--n-steps", "1000", "--out", "s", "--report", "/proc/version/report")
	if _, err := os.Stat(filepath.Join(dir, "s", "models")); err == nil {
		t.Error("a sweep whose report cannot be written ran first")
	}
	// A sweep interrupted (here: stopped by a run that cannot be written)
	// continues where it stopped when run again.
	succeeds(t, dir, "sweep", "--seeds", "1-3", "--n-steps", "2000", "--out", "c", "--quiet")
	data, _ := os.ReadFile(filepath.Join(dir, "c", "results.jsonl"))
	lines := strings.SplitAfter(string(data), "\n")
	writeText(t, filepath.Join(dir, "c", "results.jsonl"), lines[0]+lines[2][:len(lines[2])/2])
	_, stderr, code := cli(t, dir, "sweep", "--seeds", "1-3", "--n-steps", "2000", "--out", "c")
	if code != 0 || !strings.Contains(stderr, "holds 1 of the 3 runs") {
		t.Errorf("continuing a sweep: exit %d\n%s", code, stderr)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "c", "results.jsonl"))
	if bytes.Count(again, []byte("\n")) != 3 {
		t.Errorf("continued sweep has %d results, want 3", bytes.Count(again, []byte("\n")))
	}
	refused(t, dir, "sweep", "--seeds", "1-4", "--n-steps", "2000", "--out", "c")
	// --force replaces the other sweep, not files that are not a sweep's.
	writeText(t, filepath.Join(dir, "c", "models", "recipe", "notes.txt"), "mine")
	succeeds(t, dir, "sweep", "--seeds", "1-4", "--n-steps", "2000", "--out", "c", "--force", "--quiet")
	if _, err := os.Stat(filepath.Join(dir, "c", "models", "recipe", "notes.txt")); err != nil {
		t.Error("sweep --force removed a file it did not write")
	}
}

// withField returns a CSV row with field i replaced by v.
func withField(row string, i int, v string) string {
	f := strings.Split(strings.TrimRight(row, "\n"), ",")
	f[i] = v
	return strings.Join(f, ",") + "\n"
}

// shifted returns a history row with KL and NLL both raised by d bits, so
// that it is consistent in itself but not the model's.
func shifted(row string, d float64) string {
	f := strings.Split(strings.TrimRight(row, "\n"), ",")
	kl, _ := strconv.ParseFloat(f[2], 64)
	nll, _ := strconv.ParseFloat(f[3], 64)
	f[2], f[3] = strconv.FormatFloat(kl+d, 'g', -1, 64), strconv.FormatFloat(nll+d, 'g', -1, 64)
	return strings.Join(f, ",") + "\n"
}
