package study

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"helmholtz/dataset"
	"helmholtz/density"
	"helmholtz/synth"
	"helmholtz/train"
)

// TestDensityCompletes: a density study on small data writes its page;
// run again over results that lack their later parts (RWS on Mix 20-100,
// the K curve), it completes each task and seed from its own record and
// data, and no record takes another's place.
func TestDensityCompletes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains Helmholtz machines")
	}
	dir := t.TempDir()
	// One worker: the second job waits while the first completes.
	d := Density{Tasks: []string{"mix20"}, Seeds: []uint64{1, 2}, Sizes: synth.Sizes{Train: 100, Valid: 50, Test: 50},
		NLLSub: 50, NLLK: 10, Workers: 1, Out: filepath.Join(dir, "out"), Doc: filepath.Join(dir, "doc"), Log: io.Discard}
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(d.Out, "results.jsonl")
	first, err := readDensityResults(path)
	if err != nil || len(first) != 2 {
		t.Fatalf("%d results, %v", len(first), err)
	}
	// The nets the HM kept, as model files: the first seed's reproduces
	// its recorded test cost.
	for _, name := range []string{"mix20-seed1-hm.npz", "mix20-seed2-hm.npz", "mix20-seed1-hm-rws.npz"} {
		if _, err := os.Stat(filepath.Join(d.Out, "nets", name)); err != nil {
			t.Errorf("net %s: %v", name, err)
		}
	}
	if s, err := train.ReadSnapshot(filepath.Join(d.Out, "nets", "mix20-seed1-hm.npz")); err != nil {
		t.Error(err)
	} else if data, err := dataset.ReadFinite(filepath.Join(d.Out, "data", "mix20-seed1.npz")); err != nil {
		t.Error(err)
	} else {
		k := slices.IndexFunc(first, func(r DensityResult) bool { return r.Seed == 1 })
		if hm := (&density.HM{M: s.Machine}); k < 0 || hm.Cost(data.Test) != first[k].Costs["hm"] {
			t.Errorf("the saved HM net costs %v bits, the record of seed 1 (at %d) another", hm.Cost(data.Test), k)
		}
	}
	// Strip the later parts, as results written before them lack them.
	var b strings.Builder
	for _, r := range first {
		r.RWS, r.KCurve = nil, nil
		js, _ := json.Marshal(r)
		b.Write(append(js, '\n'))
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, _ := readDensityResults(path)
	if len(again) != 2 {
		t.Fatalf("%d results after completing, want 2", len(again))
	}
	for _, r := range again {
		var orig DensityResult
		for _, o := range first {
			if o.Task == r.Task && o.Seed == r.Seed {
				orig = o
			}
		}
		if r.Entropy != orig.Entropy || r.Costs["mixture"] != orig.Costs["mixture"] || r.Costs["hm"] != orig.Costs["hm"] {
			t.Errorf("%s seed %d: completed from another record (entropy %v, was %v)", r.Task, r.Seed, r.Entropy, orig.Entropy)
		}
		if (r.Task == "mix20") != (r.RWS != nil) || (r.Seed == 1) != (len(r.KCurve) > 0) {
			t.Errorf("%s seed %d: RWS %v, K curve %d points", r.Task, r.Seed, r.RWS != nil, len(r.KCurve))
		}
		if r.Seed == 1 && orig.KCurve != nil && r.KCurve[0] != orig.KCurve[0] {
			t.Errorf("%s seed 1: the K curve of the refitted HM differs from the first (%v, %v)", r.Task, r.KCurve[0], orig.KCurve[0])
		}
	}
	page, _ := os.ReadFile(filepath.Join(d.Doc, "DENSITY.md"))
	for _, want := range []string{"Table 1, side by side", "reweighted wake-sleep close", "converge in K"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("DENSITY.md lacks %q", want)
		}
	}
}

// cancelOn is a log that cancels a context when a line holds its text.
type cancelOn struct {
	text   string
	cancel context.CancelFunc
}

func (c cancelOn) Write(b []byte) (int, error) {
	if strings.Contains(string(b), c.text) {
		c.cancel()
	}
	return len(b), nil
}

// TestDensityKeepsSlowFits: a slow fit (the Gibbs machine, mean field) is
// kept as soon as it ends, so a study interrupted after it resumes without
// fitting it again, and completes the record.
func TestDensityKeepsSlowFits(t *testing.T) {
	if testing.Short() {
		t.Skip("trains Helmholtz machines")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	d := Density{Tasks: []string{"bn20"}, Seeds: []uint64{1}, Sizes: synth.Sizes{Train: 100, Valid: 50, Test: 50},
		NLLSub: 50, NLLK: 10, SlowSeeds: []uint64{1}, SlowValid: 50, SlowTest: 50, TraceNet: []int{4}, TraceEpochs: 10, Workers: 1,
		Out: filepath.Join(dir, "out"), Doc: filepath.Join(dir, "doc"), Log: cancelOn{"gm fitted", cancel}}
	if err := d.Run(ctx); err == nil {
		t.Fatal("the study ran to its end through a cancelled context")
	}
	path := filepath.Join(d.Out, "results.jsonl")
	kept, err := readDensityResults(path)
	if err != nil || len(kept) != 1 {
		t.Fatalf("%d records after the interruption, %v", len(kept), err)
	}
	gm, ok := kept[0].Costs["gm"]
	if _, mf := kept[0].Costs["mf"]; !ok || mf || !d.needs(&kept[0]) {
		t.Fatalf("kept record: gm %v, mf %v, needs completing %v", ok, mf, d.needs(&kept[0]))
	}
	d.Log = io.Discard
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	done, _ := readDensityResults(path)
	if len(done) != 1 || d.needs(&done[0]) {
		t.Fatalf("%d records after resuming; complete: %v", len(done), len(done) == 1 && !d.needs(&done[0]))
	}
	if r := done[0]; r.Costs["gm"] != gm || r.Seconds["gm"] != kept[0].Seconds["gm"] {
		t.Errorf("the Gibbs machine was fitted again: %v bits in %v s, kept %v in %v s", r.Costs["gm"], r.Seconds["gm"], gm, kept[0].Seconds["gm"])
	}
	// The trace: both slow learners at epochs 5 and 10, each bound above
	// the exact −log2 p(v) it bounds.
	if tr := done[0].Trace; len(tr) != 4 {
		t.Errorf("trace of %d points, want 4: %+v", len(tr), tr)
	}
	for _, p := range done[0].Trace {
		if !(p.Bound >= p.NLL && p.NLL > 0) || p.Epoch%5 != 0 {
			t.Errorf("trace point %+v: want a bound ≥ −log2 p(v) > 0 at a multiple of 5 epochs", p)
		}
		// AIS at the last epoch only, close to the exact value on so
		// small a net.
		if (p.Epoch == 10) != (p.AIS != 0) || math.Abs(p.AIS-p.NLL) > 0.1 && p.AIS != 0 {
			t.Errorf("trace point %+v: want AIS at epoch 10 only, within 0.1 bit of −log2 p(v)", p)
		}
	}
	if gm := done[0].Slow["gm"]; gm == nil || !(gm.AIS > 0 && gm.AIS <= gm.Code+0.1) {
		t.Errorf("the Gibbs machine's fit %+v: want its AIS −log2 p(v), at most its bound", gm)
	}
	// A record of a study before AIS (the Gibbs machine's fit without it)
	// is completed by fitting the Gibbs machine again: the same fit.
	old := done[0]
	old.Slow = maps.Clone(old.Slow)
	stripped := *old.Slow["gm"]
	stripped.AIS, stripped.AISSE = 0, 0
	old.Slow["gm"] = &stripped
	if !d.needs(&old) {
		t.Error("a record whose Gibbs machine lacks AIS needs nothing")
	}
	js, _ := json.Marshal(old)
	os.WriteFile(path, append(js, '\n'), 0o644)
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again, _ := readDensityResults(path); len(again) != 1 ||
		again[0].Slow["gm"].Cost != done[0].Slow["gm"].Cost || again[0].Slow["gm"].AIS != done[0].Slow["gm"].AIS {
		t.Errorf("the Gibbs machine fitted again for AIS: %+v, first %+v", again[0].Slow["gm"], done[0].Slow["gm"])
	}
	if page, _ := os.ReadFile(filepath.Join(d.Doc, "DENSITY.md")); !strings.Contains(string(page), "Is the Gibbs machine's cost its fit?") {
		t.Error("DENSITY.md lacks the slow learners' trace")
	}
	// A study that names no slow seeds writes no slow cells, though its
	// records hold fits from one that did.
	d.SlowSeeds = nil
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(d.Doc, "DENSITY.md"))
	if !strings.Contains(string(page), "| Gibbs machine | — (paper") {
		t.Error("DENSITY.md shows Gibbs-machine costs of seeds the study did not name as slow")
	}
}

// TestDensityGaps: on an MRF task's first seed the study draws fresh
// models and puts their base-rate gaps beside the paper's on the page.
func TestDensityGaps(t *testing.T) {
	if testing.Short() {
		t.Skip("trains Helmholtz machines")
	}
	dir := t.TempDir()
	d := Density{Tasks: []string{"mrf10x10"}, Seeds: []uint64{1}, Sizes: synth.Sizes{Train: 100, Valid: 50, Test: 50},
		NLLSub: 50, NLLK: 10, GapDraws: map[string]int{"mrf10x10": 4}, Workers: 1,
		Out: filepath.Join(dir, "out"), Doc: filepath.Join(dir, "doc"), Log: io.Discard}
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	rs, _ := readDensityResults(filepath.Join(d.Out, "results.jsonl"))
	want, _ := synth.BaseRateGaps("mrf10x10", 1, 4)
	if len(rs) != 1 || !slices.Equal(rs[0].Gaps, want) {
		t.Fatalf("records %+v, want one with gaps %v", rs, want)
	}
	page, _ := os.ReadFile(filepath.Join(d.Doc, "DENSITY.md"))
	if !strings.Contains(string(page), "Of 4 fresh draws of the model") {
		t.Error("DENSITY.md lacks the fresh draws' gaps")
	}
}
