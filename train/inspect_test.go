package train

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TestInspect: a run directory reads as running while a process holds its
// lock (here, this one), as interrupted after a cancel, as finished after
// its model, with its history and snapshots so far; its states are those
// of the run.
func TestInspect(t *testing.T) {
	cfg := small(12000)
	dir := filepath.Join(t.TempDir(), "run")
	r := start(t, cfg, dir)
	ctx, cancel := context.WithCancel(context.Background())
	var during *Progress
	err := r.Train(ctx, func(p Point) {
		if p.Step == 6000 {
			var err error
			if during, err = Inspect(dir); err != nil {
				t.Error(err)
			}
			cancel()
		}
	})
	r.Close()
	if err == nil {
		t.Fatal("the run was not interrupted")
	}
	if runtime.GOOS == "linux" && during.Status != Running {
		t.Errorf("a run training reads as %q", during.Status)
	}
	if !slices.Equal(during.Snapshots, []int{0, 5000}) {
		t.Errorf("snapshots while training: %v", during.Snapshots)
	}
	p, err := Inspect(dir)
	if err != nil || p.Status != Interrupted {
		t.Fatalf("after the interrupt: %+v %v", p, err)
	}
	if n := len(p.History); n == 0 || p.History[n-1].Step != 6000 {
		t.Errorf("the history read back ends at %+v", p.History[len(p.History)-1])
	}
	full := trained(t, cfg, filepath.Join(t.TempDir(), "whole"))
	p, err = Inspect(full.Dir())
	if err != nil || p.Status != Finished || !slices.Equal(p.Snapshots, []int{0, 5000, 10000}) ||
		!slices.EqualFunc(p.History, full.History, Point.Equal) {
		t.Fatalf("a finished run: %+v %v", p, err)
	}
	st, err := p.State(12000) // the model: no snapshot at the last step
	if err != nil || !st.Machine.Equal(full.Machine) {
		t.Fatalf("the last state: %v", err)
	}
	if _, err := p.State(7000); err == nil {
		t.Error("a state at a step without a snapshot")
	}
	// A snapshot of another run is refused.
	other := cfg
	other.Seed = 9
	o := trained(t, other, filepath.Join(t.TempDir(), "other"))
	b, _ := os.ReadFile(SnapshotPath(o.Dir(), 5000))
	os.WriteFile(SnapshotPath(full.Dir(), 5000), b, 0o644)
	if _, err := p.State(5000); err == nil {
		t.Error("another run's snapshot read as this run's")
	}
	// A history cut mid-row, or not of this config, is an error.
	h := filepath.Join(full.Dir(), historyName)
	data, _ := os.ReadFile(h)
	os.WriteFile(h, data[:len(data)/2+3], 0o644)
	if _, err := Inspect(full.Dir()); err == nil {
		t.Error("a history cut mid-row read")
	}
}

func TestHeldIn(t *testing.T) {
	locks := "1: FLOCK  ADVISORY  WRITE 4242 00:2d:1234 0 EOF\n1: -> FLOCK  ADVISORY  WRITE 4243 00:2d:99 0 EOF\n2: POSIX  ADVISORY  READ 17 fd:01:777 0 EOF\n"
	for ino, want := range map[uint64]bool{1234: true, 99: false, 777: true, 123: false, 34: false} {
		if heldIn(locks, ino) != want {
			t.Errorf("inode %d: held %v", ino, !want)
		}
	}
}

// TestSnapshotConfigChecked: a snapshot whose config cannot be the run of
// its arrays is refused on reading: a learner that cannot train them (an
// RBM of three layers), a data set of another size or none at all.
func TestSnapshotConfigChecked(t *testing.T) {
	r := trained(t, small(1000), "")
	for name, mod := range map[string]func(*Config){
		"rbm of three layers": func(c *Config) { c.Algo, c.CDK = "rbm", 1 },
		"other data size":     func(c *Config) { c.Data = "bars:5x5" },
		"no such data":        func(c *Config) { c.Data = "stripes" },
	} {
		st := r.State()
		cfg := *st.Config
		mod(&cfg)
		st.Config = &cfg
		path := filepath.Join(t.TempDir(), "m.npz")
		if err := WriteSnapshot(path, st); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSnapshot(path); err == nil {
			t.Errorf("%s: read", name)
		}
	}
}
