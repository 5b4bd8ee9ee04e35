package sweep

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"helmholtz/internal/arrays"
	"helmholtz/train"
)

func jobs(seeds []uint64, steps int) []Job {
	var js []Job
	for _, s := range seeds {
		c := train.Default()
		c.Seed, c.Steps, c.EvalEvery, c.SnapshotEvery = s, steps, 5000, 0
		js = append(js, Job{Recipe: "stub", Config: c})
	}
	return js
}

// TestRunEqualsTrain: a sweep's run is the train run of its config, bit
// for bit, whatever the number of workers, whether it trained in lanes
// with three others (the first four) or alone (the last two); results
// come back in job order.
func TestRunEqualsTrain(t *testing.T) {
	js := jobs([]uint64{3, 1, 2, 7, 9, 4}, 20000)
	dir := t.TempDir()
	par, err := Run(context.Background(), js, 2, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ser, err := Run(context.Background(), js, 1, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := range js {
		if par[i].Seed != j.Config.Seed || ser[i].Seed != j.Config.Seed {
			t.Fatalf("result %d has seed %d/%d, want %d", i, par[i].Seed, ser[i].Seed, j.Config.Seed)
		}
		if par[i].KL != ser[i].KL {
			t.Errorf("seed %d: KL %v with 2 workers, %v with 1", j.Config.Seed, par[i].KL, ser[i].KL)
		}
		r, err := train.New(j.Config)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		saved, err := train.ReadSnapshot(filepath.Join(dir, par[i].Model))
		if err != nil {
			t.Fatal(err)
		}
		if !saved.Machine.Equal(r.Machine) || r.History[len(r.History)-1].KL != par[i].KL {
			t.Errorf("seed %d: sweep model differs from the train run", j.Config.Seed)
		}
	}
}

// TestGroupJobs: consecutive jobs of one recipe and config but the seed
// form groups of the lanes' width (four, or up to sixteen with AVX-512),
// then of half as many, down to four, while each worker gets one, and
// the rest is shared as evenly as can be among the workers.
func TestGroupJobs(t *testing.T) {
	js := jobs([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1000)
	js[6].Recipe = "other"
	js[8].Config.LR = 0.05
	for _, c := range []struct {
		jobs           []Job
		workers, width int
		want           string
	}{
		{js, 1, 4, "[[0 1 2 3] [4 5] [6] [7] [8]]"},
		{js, 2, 4, "[[0 1 2] [3 4 5] [6] [7] [8]]"},
		{js, 1, 8, "[[0 1 2 3] [4 5] [6] [7] [8]]"},
		{jobs([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 1000), 2, 4,
			"[[0 1 2 3] [4 5 6 7] [8 9] [10]]"},
		{jobs([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 1000), 2, 4,
			"[[0 1 2 3] [4 5 6 7] [8 9] [10 11]]"},
		{jobs([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 1000), 2, 8,
			"[[0 1 2 3] [4 5 6 7] [8 9] [10 11]]"},
		{jobs([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 1000), 2, 16,
			"[[0 1 2 3 4 5 6 7] [8 9 10 11 12 13 14 15] [16 17] [18 19]]"},
		{jobs([]uint64{1, 2, 3, 4, 5}, 1000), 8, 4, "[[0] [1] [2] [3] [4]]"},
	} {
		if got := fmt.Sprint(groupJobs(c.jobs, c.workers, lanes(c.width))); got != c.want {
			t.Errorf("%d jobs on %d workers, %d lanes: groups %s, want %s", len(c.jobs), c.workers, c.width, got, c.want)
		}
	}
	for width, want := range map[int]string{
		4:  "[4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 2 2]",
		8:  "[8 8 8 8 8 8 8 8 8 8 8 8 2 2]",
		16: "[16 16 16 16 16 16 2 2]",
	} {
		var sizes []int
		for _, g := range groupJobs(jobs(make([]uint64, 100), 1000), 2, lanes(width)) {
			sizes = append(sizes, len(g))
		}
		if got := fmt.Sprint(sizes); got != want {
			t.Errorf("100 jobs on 2 workers, %d lanes: groups of %s", width, got)
		}
	}
}

// lanes is a config's lane width of w whatever the config.
func lanes(w int) func(train.Config) int { return func(train.Config) int { return w } }

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, jobs([]uint64{1, 2, 3}, 1000), 2, "", nil)
	if err == nil || len(res) == 3 {
		t.Fatalf("cancelled sweep: %d results, error %v", len(res), err)
	}
}

func TestSummarize(t *testing.T) {
	var rs []Result
	for i, kl := range []float64{0.5, 0.05, 0.3, 0.2, 1.0} {
		rs = append(rs, Result{Recipe: "a", Seed: uint64(i), KL: kl, Units: Units{Bars: 2 * i},
			Config: train.Config{Data: "bars:4x4"}})
	}
	rs = append(rs, Result{Recipe: "b", KL: 2})
	st := Summarize(rs, nil)
	if len(st) != 2 || st[0].Recipe != "a" || st[1].N != 1 {
		t.Fatalf("stats %+v", st)
	}
	a := st[0]
	// Sorted: 0.05 0.2 0.3 0.5 1.0; quartiles by linear interpolation.
	for _, c := range []struct{ got, want float64 }{
		{a.Min, 0.05}, {a.Q1, 0.2}, {a.Median, 0.3}, {a.Q3, 0.5}, {a.Max, 1}, {a.MeanBars, 4}, {float64(a.AllBars), 1},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("got %v, want %v (%+v)", c.got, c.want, a)
		}
	}
	if a.Below[0.1] != 1 || a.Below[0.25] != 2 || a.Below[0.5] != 4 {
		t.Errorf("counts below thresholds %v", a.Below)
	}
}

func TestReport(t *testing.T) {
	res, err := Run(context.Background(), jobs([]uint64{1, 2}, 10000), 2, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := WriteReport(dir, res, map[string]string{"stub": ""}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"results.jsonl", "results.csv", "summary.md", "kl.png", "kl.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := ReadJSONL(f)
	if err != nil || len(back) != 2 || back[1].KL != res[1].KL || len(back[1].Checkpoints) != len(res[1].Checkpoints) {
		t.Errorf("results.jsonl does not round-trip: %v", err)
	}
}

// FuzzSummarize feeds arbitrary bytes as a results file to the reader,
// the duplicate check and the report: each must accept or refuse, never
// panic, and a report must be written for whatever they accept.
func FuzzSummarize(f *testing.F) {
	res, err := Run(context.Background(), jobs([]uint64{1, 2}, 6000), 2, "", nil)
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSONL(&b, res); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add(append(b.Bytes(), b.Bytes()...))
	f.Add([]byte("{}\n"))
	f.Add([]byte("\n\n"))
	f.Add(bytes.Replace(b.Bytes(), []byte(`"kl_bits":`), []byte(`"kl_bits":-1,"x":`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadJSONL(bytes.NewReader(data))
		if err != nil || len(rs) == 0 || CheckUnique(rs) != nil {
			return
		}
		flags := map[string]string{}
		for _, r := range rs {
			flags[r.Recipe] = r.Config.RecipeFlags()
		}
		if _, err := WriteReport(t.TempDir(), rs, flags); err != nil {
			t.Fatalf("accepted results but could not report them: %v", err)
		}
	})
}

// TestShifterResults: a shifter run's result carries its final direction
// recovery, results.csv a column of it, and the reader refuses a result
// whose recovery is not its last checkpoint's.
func TestShifterResults(t *testing.T) {
	js := jobs([]uint64{1}, 4000)
	js[0].Config.Data, js[0].Config.Layers, js[0].Config.EvalEvery = "shifter", []int{32, 6, 2}, 2000
	js = append(js, jobs([]uint64{1}, 4000)...)
	js[1].Recipe = "bars"
	res, err := Run(context.Background(), js, 1, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Shift == nil || *res[0].Shift != res[0].Checkpoints[len(res[0].Checkpoints)-1].Shift || res[1].Shift != nil {
		t.Fatalf("shift recovery %v (shifter) and %v (bars)", res[0].Shift, res[1].Shift)
	}
	var csv bytes.Buffer
	if err := WriteCSV(&csv, res, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(csv.String(), "\n")
	if !strings.Contains(lines[0], ",shift_recovery,") || strings.Count(lines[2], ",,") == 0 {
		t.Errorf("results.csv:\n%s", csv.String())
	}
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, res); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSONL(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("results do not read back: %v", err)
	}
	bad := *res[0].Shift + 0.25
	res[0].Shift = &bad
	buf.Reset()
	if err := WriteJSONL(&buf, res); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSONL(bytes.NewReader(buf.Bytes())); err == nil {
		t.Error("a result whose recovery is not its last checkpoint's was accepted")
	}
}

// TestHeldOutResults: on a data set with splits, a run's result carries
// its final validation cost, and the report ranks by it: summary.md's
// quantiles, results.csv's columns and valid.png instead of kl.png; the
// reader refuses a cost that is not the last checkpoint's.
func TestHeldOutResults(t *testing.T) {
	dir := t.TempDir()
	rows := func(n, seed int) [][]uint8 {
		out := make([][]uint8, n)
		for i := range out {
			out[i] = make([]uint8, 12)
			for k := range out[i] {
				out[i][k] = uint8((i*7 + k*seed + i*k) % 3 % 2)
			}
		}
		return out
	}
	path := filepath.Join(dir, "toy.npz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := arrays.Write(f, []arrays.Named{{Name: "train", Array: arrays.Uint8s(rows(40, 1))},
		{Name: "valid", Array: arrays.Uint8s(rows(20, 2))}, {Name: "test", Array: arrays.Uint8s(rows(20, 3))}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	js := jobs([]uint64{1, 2, 3}, 2000)
	for i := range js {
		js[i].Config.Data, js[i].Config.Layers, js[i].Config.EvalEvery = "file:"+path, []int{12, 4}, 1000
	}
	res, err := Run(context.Background(), js, 2, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if last := r.Checkpoints[len(r.Checkpoints)-1]; r.Valid == nil || *r.Valid != last.Valid || r.Measure() != last.Valid {
			t.Fatalf("seed %d: final validation cost %v, last checkpoint's %v", r.Seed, r.Valid, last.Valid)
		}
	}
	stats := Summarize(res, map[string]string{"stub": "--data file:toy.npz"})
	if s := stats[0]; !s.HeldOut || s.Max != max(*res[0].Valid, *res[1].Valid, *res[2].Valid) || s.Below[0.5] != 0 {
		t.Errorf("summary %+v of validation costs %v %v %v", s, *res[0].Valid, *res[1].Valid, *res[2].Valid)
	}
	out := t.TempDir()
	if _, err := WriteReport(out, res, map[string]string{"stub": "--data file:toy.npz"}); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(out, "summary.md"))
	csv, _ := os.ReadFile(filepath.Join(out, "results.csv"))
	if !strings.Contains(string(md), "Final cost of the validation examples") || strings.Contains(string(md), "bar units") ||
		!strings.HasPrefix(string(csv), "recipe,seed,kl_bits,nll_bits,gap_bits,valid_nll_bits,valid_at_1000,valid_at_2000,seconds\n") {
		t.Errorf("summary.md:\n%s\nresults.csv:\n%s", md, csv)
	}
	if _, err := os.Stat(filepath.Join(out, "valid.png")); err != nil {
		t.Error(err)
	}
	// Beside a recipe on the bars, each is summarised by its own measure,
	// in a table and a figure of its own.
	bars, err := Run(context.Background(), jobs([]uint64{1}, 2000), 1, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	bars[0].Recipe = "bars"
	mixed := t.TempDir()
	if _, err := WriteReport(mixed, append(slices.Clone(res), bars...), map[string]string{"stub": "--data file:toy.npz"}); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(mixed, "summary.md"))
	if kl, _, found := strings.Cut(string(md), "Final cost of the validation examples"); !found ||
		!strings.Contains(kl, "| bars | 1 |") || strings.Contains(kl, "| stub |") || !strings.Contains(string(md), "| stub | 3 |") {
		t.Errorf("summary.md of a mixed sweep:\n%s", md)
	}
	for _, f := range []string{"kl.png", "valid.png"} {
		if _, err := os.Stat(filepath.Join(mixed, f)); err != nil {
			t.Error(err)
		}
	}
	var buf bytes.Buffer
	bad := *res[0].Valid + 1
	res[0].Valid = &bad
	if err := WriteJSONL(&buf, res); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSONL(bytes.NewReader(buf.Bytes())); err == nil {
		t.Error("a result whose validation cost is not its last checkpoint's was accepted")
	}
}
