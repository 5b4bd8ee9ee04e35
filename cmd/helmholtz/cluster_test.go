package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"helmholtz/sweep"
	"helmholtz/train"
	"helmholtz/web"
)

// TestClusterScripts runs the sweep of docs/cluster as the Slurm job array
// and as the Kubernetes Indexed Job would, each shard a process of its
// own, merges the shards, and checks the merge against the same sweep run
// in one process, result for result.
func TestClusterScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cluster := filepath.Join(root, "docs", "cluster")
	manifest, err := os.ReadFile(filepath.Join(cluster, "sweep-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The manifest's shards: its completions, and the commands of both Jobs.
	m := regexp.MustCompile(`completions: (\d+)`).FindSubmatch(manifest)
	if m == nil {
		t.Fatal("the manifest has no completions")
	}
	count, _ := strconv.Atoi(string(m[1]))
	cmds := regexp.MustCompile(`command: \["sh", "([^"]+)", "([^"]+)"(?:, "([^"]+)")?\]`).FindAllSubmatch(manifest, -1)
	if len(cmds) != 2 || string(cmds[0][1]) != "docs/cluster/shard.sh" || string(cmds[0][2]) != "$(JOB_COMPLETION_INDEX)" ||
		string(cmds[0][3]) != strconv.Itoa(count) || string(cmds[1][1]) != "docs/cluster/merge.sh" || string(cmds[1][2]) != strconv.Itoa(count) {
		t.Fatalf("the manifest's commands are not shard.sh INDEX %d and merge.sh %d: %q", count, count, cmds)
	}
	dir := t.TempDir()
	seeds := "1-" + strconv.Itoa(count)
	env := append(os.Environ(), "HELMHOLTZ="+binary, "SEEDS="+seeds, "STEPS=2000", "RECIPE=--lr 0.05 --eval-every 500")
	run := func(out string, extra []string, args ...string) {
		t.Helper()
		c := exec.Command("sh", args...)
		c.Dir = root
		c.Env = append(append(slices.Clone(env), "OUT="+out), extra...)
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	// Kubernetes: shard.sh with each completion index, then merge.sh.
	k8s := filepath.Join(dir, "k8s")
	for i := range count {
		run(k8s, nil, filepath.Join(cluster, "shard.sh"), strconv.Itoa(i), strconv.Itoa(count))
	}
	run(k8s, nil, filepath.Join(cluster, "merge.sh"), strconv.Itoa(count))
	// Slurm: slurm.sh with each array task ID, then the merge it names.
	slurm := filepath.Join(dir, "slurm")
	for i := range count {
		run(slurm, []string{"SLURM_ARRAY_TASK_ID=" + strconv.Itoa(i)}, filepath.Join(cluster, "slurm.sh"), strconv.Itoa(count))
	}
	run(slurm, nil, filepath.Join(cluster, "merge.sh"), strconv.Itoa(count))
	// One process.
	if _, stderr, code := cli(t, dir, "sweep", "--seeds", seeds, "--n-steps", "2000", "--lr", "0.05", "--eval-every", "500",
		"--out", "one", "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	read := func(path string) []sweep.Result {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rs, err := sweep.ReadJSONL(f)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(rs, func(a, b sweep.Result) int { return int(a.Seed) - int(b.Seed) })
		return rs
	}
	one := read(filepath.Join(dir, "one", "results.jsonl"))
	for _, merged := range []string{k8s, slurm} {
		got := read(filepath.Join(merged, "all", "results.jsonl"))
		if len(got) != len(one) {
			t.Fatalf("%s: %d results, one process %d", merged, len(got), len(one))
		}
		for i := range one {
			a, b := got[i], one[i]
			if a.Seed != b.Seed || a.KL != b.KL || a.NLL != b.NLL || a.Units != b.Units || !slices.EqualFunc(a.Checkpoints, b.Checkpoints, train.Point.Equal) {
				t.Fatalf("%s: seed %d differs from the one-process sweep: %+v / %+v", merged, a.Seed, a, b)
			}
			ma, _ := os.ReadFile(filepath.Join(merged, "all", a.Model))
			mb, _ := os.ReadFile(filepath.Join(dir, "one", b.Model))
			if a.Model != b.Model || len(ma) == 0 || !bytes.Equal(ma, mb) {
				t.Fatalf("%s: seed %d: the merged model %q differs from the one-process sweep's", merged, a.Seed, a.Model)
			}
		}
	}
	// The explorer shows the merged sweep like any other, each run's dot
	// (and table row) a link to its model.
	srv, err := web.New(context.Background(), k8s, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	for _, path := range []string{"/", "/sweep/all", "/model/all/" + one[0].Model, "/fig/fields/all/" + one[0].Model} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || path == "/sweep/all" && strings.Count(string(b), `<a href="/model/all/models/`) != 2*len(one) {
			t.Errorf("GET %s of the merged sweep: %d %.200s", path, resp.StatusCode, b)
		}
	}
}

// TestSweepsScriptRejectsGarbage: docs/speed/sweeps.sh refuses a round
// count or a base revision it cannot use with one line on stderr and exit
// status 2, before it builds or times anything.
func TestSweepsScriptRejectsGarbage(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"97a0619", "x"}, {"97a0619", "0"}, {"97a0619", "-1"}, {"97a0619", "100"},
		{"no-such-revision", "1"}, {"97a0619;echo", "1"}} {
		cmd := exec.Command("bash", append([]string{"docs/speed/sweeps.sh"}, args...)...)
		cmd.Dir = root
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 {
			t.Errorf("sweeps.sh %q: exit %d (%v), want 2", args, code, err)
		}
		if stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), "sweeps.sh: ") {
			t.Errorf("sweeps.sh %q: stdout %q, stderr %q; want one line on stderr", args, stdout.String(), stderr.String())
		}
	}
}
