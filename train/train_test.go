package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// small returns a quick configuration of the canonical recipe.
func small(steps int) Config {
	c := Default()
	c.Steps = steps
	c.EvalEvery = 1000
	c.SnapshotEvery = 5000
	return c
}

func trained(t *testing.T, cfg Config, dir string) *Run {
	t.Helper()
	r := start(t, cfg, dir)
	defer r.Close()
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return r
}

// start returns a new run of cfg, in directory dir unless it is "".
func start(t *testing.T, cfg Config, dir string) *Run {
	t.Helper()
	var r *Run
	var err error
	if dir == "" {
		r, err = New(cfg)
	} else {
		r, err = Create(cfg, dir, false)
	}
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDeterministic(t *testing.T) {
	a := trained(t, small(20000), "")
	b := trained(t, small(20000), "")
	if !a.Machine.Equal(b.Machine) || !slices.EqualFunc(a.History, b.History, Point.Equal) {
		t.Fatal("two runs with the same config differ")
	}
	c := small(20000)
	c.Seed = 3
	if trained(t, c, "").Machine.Equal(a.Machine) {
		t.Fatal("seeds 2 and 3 gave the same machine")
	}
}

// TestScheduleDoesNotChangeTrajectory: evaluating and snapshotting more or
// less often must leave the weights bit-identical.
func TestScheduleDoesNotChangeTrajectory(t *testing.T) {
	for _, batch := range []int{1, 3} {
		base := small(12345)
		base.Batch = batch
		want := trained(t, base, "").Machine
		for _, sched := range [][2]int{{1, 0}, {777, 1000}, {12345, 3}, {100000, 0}} {
			c := base
			c.EvalEvery, c.SnapshotEvery = sched[0], sched[1]
			dir := ""
			if c.SnapshotEvery > 0 && c.SnapshotEvery >= 1000 {
				dir = t.TempDir()
			}
			if got := trained(t, c, dir).Machine; !got.Equal(want) {
				t.Errorf("batch %d, eval every %d, snapshot every %d: weights differ", batch, sched[0], sched[1])
			}
		}
	}
}

// TestResume interrupts a run, resumes it from the checkpoint, and also
// resumes a copy from an older snapshot: both must end bit-identical to
// the uninterrupted run, history included.
func TestResume(t *testing.T) {
	cfg := small(30000)
	full := trained(t, cfg, t.TempDir())

	dir := t.TempDir()
	r := interrupted(t, cfg, dir, 12000)
	if r.Step >= cfg.Steps {
		t.Fatalf("interrupted run reached step %d", r.Step)
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.npz")); err != nil {
		t.Fatal("no checkpoint after interruption:", err)
	}
	res, err := Resume(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Step != r.Step {
		t.Fatalf("resumed at step %d, interrupted at %d", res.Step, r.Step)
	}
	if err := res.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if !res.Machine.Equal(full.Machine) {
		t.Fatal("resumed run differs from the uninterrupted run")
	}
	res.Close()
	if !slices.EqualFunc(res.History, full.History, Point.Equal) {
		t.Fatalf("resumed history differs:\n%v\n%v", res.History, full.History)
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.npz")); !os.IsNotExist(err) {
		t.Error("checkpoint.npz left after the run completed")
	}

	// From an older snapshot (as after a crash): delete the later ones.
	for _, step := range []int{10000, 15000, 20000, 25000, 30000} {
		os.Remove(SnapshotPath(dir, step))
	}
	os.Remove(filepath.Join(dir, "model.npz"))
	res2, err := Resume(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Close()
	if res2.Step != 5000 {
		t.Fatalf("resumed at step %d, want 5000", res2.Step)
	}
	if err := res2.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if !res2.Machine.Equal(full.Machine) {
		t.Fatal("run resumed from a snapshot differs from the uninterrupted run")
	}
}

// resumed interrupts a run of cfg in dir at step at, resumes it and
// trains it to the end.
func resumed(t *testing.T, cfg Config, dir string, at int) *Run {
	t.Helper()
	interrupted(t, cfg, dir, at)
	res, err := Resume(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() })
	if err := res.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return res
}

// interrupted trains cfg into dir and cancels it once an evaluation
// reaches step at, as Ctrl-C would.
func interrupted(t *testing.T, cfg Config, dir string, at int) *Run {
	t.Helper()
	r := start(t, cfg, dir)
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	err := r.Train(ctx, func(p Point) {
		if p.Step >= at {
			cancel()
		}
	})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Train after cancel: %v, want ErrInterrupted", err)
	}
	return r
}

// TestResumeOtherVersion: a history whose evaluations differ from its
// states' in the last bits, as a run written by a helmholtz whose
// arithmetic differs, is refused with a message that says so; a larger
// difference is another run's.
func TestResumeOtherVersion(t *testing.T) {
	cfg := small(30000)
	for _, c := range []struct {
		rel  float64
		want string
	}{{1e-12, "another version of helmholtz"}, {1e-3, "not of one run"}} {
		dir := t.TempDir()
		interrupted(t, cfg, dir, 12000).Close()
		path := filepath.Join(dir, "history.csv")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := ReadHistory(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			d := rows[i].KL * c.rel
			rows[i].KL += d
			rows[i].NLL += d
		}
		var buf bytes.Buffer
		if err := WriteHistory(&buf, rows); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Resume(dir, 0); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("KL off by %g of itself: Resume gave %v, want %q", c.rel, err, c.want)
		}
	}
}

func TestResumeEmptyDir(t *testing.T) {
	if _, err := Resume(t.TempDir(), 0); err == nil {
		t.Fatal("Resume of an empty directory succeeded")
	}
	if _, err := Resume(filepath.Join(t.TempDir(), "missing"), 0); err == nil {
		t.Fatal("Resume of a missing directory succeeded")
	}
}

// TestLearns: 200,000 online steps take the canonical net from ~8 bits
// to below 1.5 bits.
func TestLearns(t *testing.T) {
	r := trained(t, small(200000), "")
	first, last := r.History[0], r.History[len(r.History)-1]
	if first.KL < 7 || last.KL > 1.5 {
		t.Fatalf("KL %.3f → %.3f bits, want from ~8 to below 1.5", first.KL, last.KL)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	for _, layers := range [][]int{{16, 8, 1}, {16, 6, 3, 2}, {16, 2}} {
		cfg := small(3000)
		cfg.Layers = layers
		r := trained(t, cfg, "")
		path := filepath.Join(t.TempDir(), "m.npz")
		if err := WriteSnapshot(path, r.State()); err != nil {
			t.Fatal(err)
		}
		s, err := ReadSnapshot(path)
		if err != nil {
			t.Fatal(err)
		}
		want := r.State()
		if !s.Machine.Equal(r.Machine) || s.Step != r.Step || !bytes.Equal(s.RNG, want.RNG) ||
			s.Config == nil || !slices.Equal(s.Config.Layers, layers) || s.Config.Seed != cfg.Seed {
			t.Errorf("layers %v: snapshot does not round-trip", layers)
		}
	}
}

func TestHistoryRoundTrip(t *testing.T) {
	r := trained(t, small(5000), "")
	var b bytes.Buffer
	if err := WriteHistory(&b, r.History); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHistory(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, r.History, Point.Equal) {
		t.Fatal("history does not round-trip exactly")
	}
}

func TestValidate(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"steps":           func(c *Config) { c.Steps = 0 },
		"lr":              func(c *Config) { c.LR = -1 },
		"lr nan":          func(c *Config) { c.LR = nan() },
		"batch":           func(c *Config) { c.Batch = 0 },
		"eval":            func(c *Config) { c.EvalEvery = 0 },
		"snapshot":        func(c *Config) { c.SnapshotEvery = -1 },
		"layers":          func(c *Config) { c.Layers = []int{16} },
		"visible":         func(c *Config) { c.Layers = []int{15, 8, 1} },
		"estimate":        func(c *Config) { c.Layers, c.Estimate = []int{16, 30, 1}, -1 },
		"select-estimate": func(c *Config) { c.SelectEstimate = -1 },
		"data":            func(c *Config) { c.Data = "nope" },
		"scale":           func(c *Config) { c.InitScale = -0.1 },
		"gen-lr":          func(c *Config) { c.GenLR = -0.1 },
	} {
		c := Default()
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%s: invalid config accepted", name)
		}
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

func nan() float64 { z := 0.0; return z / z }

// TestDivergenceNamesStep: with a huge rate and weights set up so that
// the first wake update overflows W_th, Train must stop with an error
// naming step 1 instead of running on with infinite weights.
func TestDivergenceNamesStep(t *testing.T) {
	c := small(10000)
	c.LR = 1.7e308
	r, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Machine
	// Recognition switches every hidden unit and the top unit on; the
	// generative logit of each hidden unit is then b_h + W_th = 0, so the
	// wake delta is 1 − σ(0) = 0.5 and W_th grows by 0.85e308: overflow.
	m.C[1][0], m.C[2][0] = 100, 100
	for j := range m.W[1] {
		m.W[1][j] = 1.7e308
		m.B[1][j] = -1.7e308
		m.C[1][j] = 100
	}
	err = r.Train(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "after step 1 ") {
		t.Fatalf("Train: %v, want a divergence error naming step 1", err)
	}
	if r.Machine.Finite() {
		t.Fatal("machine is finite after reported divergence")
	}
}
