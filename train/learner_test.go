package train

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/rbm"
	"helmholtz/units"
)

// learnerConfigs returns a short run of every learner.
func learnerConfigs(steps int) map[string]Config {
	out := map[string]Config{}
	for name, set := range map[string]func(c *Config){
		"ws":       func(c *Config) {},
		"exact":    func(c *Config) { c.Algo = "exact" },
		"rws":      func(c *Config) { c.Algo, c.Samples = "rws", 3 },
		"rws-only": func(c *Config) { c.Algo, c.Samples, c.NoWakeQ, c.NoSleep = "rws", 2, true, false },
		"mixture":  func(c *Config) { c.Algo, c.Components = "mixture", 3 },
		"gibbs":    func(c *Config) { c.Algo = "gibbs" },
		"ws-adam":  func(c *Config) { c.Batch, c.Optimizer, c.LR = 3, "adam", 0.01 },
		"rws-adam": func(c *Config) { c.Algo, c.Samples, c.Batch, c.Optimizer, c.LR = "rws", 3, 4, "adam", 0.01 },
		"rws-float32": func(c *Config) {
			c.Algo, c.Samples, c.Batch, c.Optimizer, c.LR, c.Precision = "rws", 3, 4, "adam", 0.01, "float32"
		},
		"mf": func(c *Config) { c.Algo = "mf" },
		"rbm": func(c *Config) {
			c.Algo, c.Layers, c.CDK, c.Momentum, c.Decay, c.LR = "rbm", []int{16, 8}, 2, 0.5, 1e-3, 0.05
		},
	} {
		c := small(steps)
		set(&c)
		out[name] = c
	}
	return out
}

// SameRun reports whether two runs ended with the same weights (a
// mixture's components included) and history.
func sameTrained(a, b *Run) bool {
	pa, pb := learnerParams(a.learner, a.Config.Layers), learnerParams(b.learner, b.Config.Layers)
	for i := range pa {
		if !slices.Equal(pa[i].data, pb[i].data) {
			return false
		}
	}
	return a.Machine.Equal(b.Machine) && len(pa) == len(pb)
}

// TestLearnersKeepTheGuarantees: for every learner a run is determined by
// its config, does not depend on how often it is evaluated or
// snapshotted, and resumes from an interruption bit for bit, history
// included; the history records its variational gap.
func TestLearnersKeepTheGuarantees(t *testing.T) {
	for name, cfg := range learnerConfigs(9000) {
		t.Run(name, func(t *testing.T) {
			full := trained(t, cfg, t.TempDir())
			if first, last := full.History[0], full.History[len(full.History)-1]; last.NLL == first.NLL {
				t.Fatalf("the evaluations at steps %d and %d saw the same machine", first.Step, last.Step)
			}
			if again := trained(t, cfg, ""); !sameTrained(full, again) {
				t.Fatal("two runs of one config differ")
			}
			other := cfg
			other.EvalEvery, other.SnapshotEvery = 777, 1300
			if !sameTrained(full, trained(t, other, t.TempDir())) {
				t.Fatal("evaluating and snapshotting at other steps changed the run")
			}
			for _, p := range full.History {
				if !(p.Gap >= 0) && !(cfg.Algo == "rbm" && math.IsNaN(p.Gap)) {
					t.Fatalf("step %d: gap %v", p.Step, p.Gap)
				}
			}
			res := resumed(t, cfg, t.TempDir(), 4000)
			if !sameTrained(res, full) || !slices.EqualFunc(res.History, full.History, Point.Equal) {
				t.Fatal("the resumed run differs from the run trained whole")
			}
		})
	}
}

// TestLearnersWithRestarts: restart candidates train with the run's
// learner, and the kept one's own parameters (a mixture's components)
// come with it.
func TestLearnersWithRestarts(t *testing.T) {
	for name, cfg := range learnerConfigs(12000) {
		if cfg.Precision == "float32" { // refused: see TestValidateAlgo
			continue
		}
		cfg.Restarts, cfg.RestartSteps, cfg.SelectSamples, cfg.Halving = 3, 1000, 300, true
		t.Run(name, func(t *testing.T) {
			a := trained(t, cfg, "")
			b := trained(t, cfg, t.TempDir())
			if !sameTrained(a, b) {
				t.Fatal("two runs of one config differ")
			}
			if mx, ok := a.learner.(*helmholtz.Mixture); ok {
				var moved bool
				for _, g := range mx.G {
					moved = moved || g != 0
				}
				if !moved {
					t.Error("the kept candidate's gate is the initial one")
				}
			}
		})
	}
}

func TestValidateAlgo(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"unknown":              func(c *Config) { c.Algo = "boltzmann" },
		"gibbs with decay":     func(c *Config) { c.Algo, c.Decay = "gibbs", 1e-4 },
		"mf with nonneg":       func(c *Config) { c.Algo, c.NonNegative = "mf", true },
		"mf batch":             func(c *Config) { c.Algo, c.Batch = "mf", 5 },
		"samples 0":            func(c *Config) { c.Algo = "rws" },
		"samples < 0":          func(c *Config) { c.Algo, c.Samples = "rws", -3 },
		"samples without rws":  func(c *Config) { c.Samples = 5 },
		"no sleep without rws": func(c *Config) { c.NoSleep = true },
		"components 0":         func(c *Config) { c.Algo = "mixture" },
		"components without":   func(c *Config) { c.Components = 2 },
		"too many components":  func(c *Config) { c.Algo, c.Components = "mixture", 1000 },
		"batch":                func(c *Config) { c.Algo, c.Batch = "exact", 4 },
		"exact too large":      func(c *Config) { c.Algo, c.Layers = "exact", []int{16, 12, 6} },
		"rbm of three layers":  func(c *Config) { c.Algo, c.CDK = "rbm", 1 },
		"rbm cd-k 0":           func(c *Config) { c.Algo, c.Layers = "rbm", []int{16, 8} },
		"rbm too many hidden":  func(c *Config) { c.Algo, c.CDK, c.Layers = "rbm", 1, []int{16, 21} },
		"rbm momentum 1":       func(c *Config) { c.Algo, c.CDK, c.Layers, c.Momentum = "rbm", 1, []int{16, 8}, 1 },
		"rbm momentum NaN":     func(c *Config) { c.Algo, c.CDK, c.Layers, c.Momentum = "rbm", 1, []int{16, 8}, math.NaN() },
		"rbm rec-lr":           func(c *Config) { c.Algo, c.CDK, c.Layers, c.RecLR = "rbm", 1, []int{16, 8}, 0.1 },
		"rbm estimate":         func(c *Config) { c.Algo, c.CDK, c.Layers, c.Estimate = "rbm", 1, []int{16, 8}, 10 },
		"rbm nonneg":           func(c *Config) { c.Algo, c.CDK, c.Layers, c.NonNegative = "rbm", 1, []int{16, 8}, true },
		"precision float16":    func(c *Config) { c.Algo, c.Samples, c.Precision = "rws", 3, "float16" },
		"float32 with ws":      func(c *Config) { c.Precision = "float32" },
		"float32 with decay":   func(c *Config) { c.Algo, c.Samples, c.Precision, c.Decay = "rws", 3, "float32", 1e-4 },
		"float32 restarts":     func(c *Config) { c.Algo, c.Samples, c.Precision, c.Restarts = "rws", 3, "float32", 3 },
		"rbm reinit":           func(c *Config) { c.Algo, c.CDK, c.Layers, c.Reinit = "rbm", 1, []int{16, 8}, 1000 },
		"cd-k without rbm":     func(c *Config) { c.CDK = 1 },
		"momentum without rbm": func(c *Config) { c.Momentum = 0.5 },
	} {
		c := Default()
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%s: invalid learner accepted", name)
		}
	}
}

// TestEstimatedRuns: a net too large to enumerate trains with the
// importance-sampling estimate, says so in its history and resumes bit
// for bit; on a net small enough for both, the estimate agrees with the
// exact evaluation within 3 standard errors.
func TestEstimatedRuns(t *testing.T) {
	cfg := small(6000)
	cfg.Layers = []int{16, 26, 1} // 2^26 states: beyond enumeration
	cfg.EvalEvery, cfg.SnapshotEvery = 2000, 2000
	if cfg.exactly() {
		t.Fatal("a 16-26-1 net counts as enumerable")
	}
	full := trained(t, cfg, t.TempDir())
	for _, p := range full.History {
		if p.K != EstimateK || !(p.SE > 0) {
			t.Fatalf("step %d: estimator %d samples, standard error %v", p.Step, p.K, p.SE)
		}
	}
	res := resumed(t, cfg, t.TempDir(), 2000)
	if !res.Machine.Equal(full.Machine) || len(res.History) != len(full.History) {
		t.Fatal("the resumed estimated run differs")
	}
	for i := range res.History {
		if !res.History[i].same(full.History[i]) {
			t.Fatalf("row %d: %+v, whole run %+v", i, res.History[i], full.History[i])
		}
	}
	// Both ways on 16-8-1.
	ex := trained(t, small(20000), "")
	es := small(20000)
	es.Estimate = 400
	got := trained(t, es, "")
	a, b := ex.History[len(ex.History)-1], got.History[len(got.History)-1]
	if math.Abs(a.KL-b.KL) > 3*b.SE || b.K != 400 {
		t.Errorf("estimated KL %.4f ± %.4f, exact %.4f", b.KL, b.SE, a.KL)
	}
}

// TestShifterHistory: a shifter run records the direction recovery at
// every evaluation, from a stream of its own (the same number as the
// diagnosis drawn from that stream, and the same trajectory whatever the
// evaluation interval), in history.csv, and resumes bit for bit.
func TestShifterHistory(t *testing.T) {
	cfg := small(6000)
	cfg.Data, cfg.Layers = "shifter", []int{32, 6, 2}
	cfg.EvalEvery, cfg.SnapshotEvery = 2000, 2000
	dir := t.TempDir()
	full := trained(t, cfg, dir)
	for _, p := range full.History {
		if !(p.Shift >= 0 && p.Shift <= 1) {
			t.Fatalf("step %d: shift recovery %v", p.Step, p.Shift)
		}
	}
	last := full.History[len(full.History)-1]
	rng := rand.New(rand.NewPCG(cfg.Seed, shiftStream^uint64(last.Step)))
	if want := units.DiagnoseShift(full.Machine, full.Data.(dataset.Shifter), ShiftSamples, rng).Telling; last.Shift != want {
		t.Errorf("recorded recovery %v, the diagnosis gives %v", last.Shift, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	read, err := ReadHistory(bytes.NewReader(b))
	if err != nil || !slices.EqualFunc(read, full.History, Point.Equal) {
		t.Fatalf("history.csv does not give the history back: %v", err)
	}
	res := resumed(t, cfg, t.TempDir(), 2000)
	if !res.Machine.Equal(full.Machine) || !slices.EqualFunc(res.History, full.History, Point.Equal) {
		t.Fatal("the resumed shifter run differs")
	}
	rare := cfg
	rare.EvalEvery = 3000
	if !trained(t, rare, "").Machine.Equal(full.Machine) {
		t.Fatal("evaluating less often changed the trajectory")
	}
	// Bars have no shift to recover.
	for _, p := range trained(t, small(2000), "").History {
		if !math.IsNaN(p.Shift) {
			t.Fatalf("a bars run records a shift recovery %v", p.Shift)
		}
	}
}

// TestRBMRun: an RBM run is CD-k on an RBM whose weights the run's
// stream drew, nothing more: the same parameters bit for bit as rbm.CD
// stepped by hand from the same start and stream; its machine mirrors
// the RBM; its history's KL is the RBM's exact KL; its fantasies come
// from a Gibbs chain.
func TestRBMRun(t *testing.T) {
	cfg := learnerConfigs(3000)["rbm"]
	run := trained(t, cfg, "")

	r0, err := New(cfg) // the start and the stream right after the initial draws
	if err != nil {
		t.Fatal(err)
	}
	m := r0.Machine.Clone()
	cd := rbm.NewCD(rbm.View(m), cfg.CDK, cfg.LR, cfg.Momentum, cfg.Decay)
	rng := rand.New(r0.src)
	for range cfg.Steps {
		cd.Step(r0.Data, rng)
	}
	got := rbm.View(run.Machine)
	if !got.Equal(cd.R) || !slices.Equal(run.learner.(*rbm.Learner).UW, cd.UW) {
		t.Fatal("the run's RBM differs from CD-k stepped by hand")
	}
	nv, nh := cfg.Layers[0], cfg.Layers[1]
	for i := range nv {
		for j := range nh {
			if run.Machine.W[0][j*nv+i] != run.Machine.R[0][i*nh+j] {
				t.Fatalf("W[0] is not R[0] transposed at (%d, %d)", i, j)
			}
		}
	}
	if !slices.Equal(run.Machine.B[1], run.Machine.C[1]) {
		t.Fatal("the generative hidden biases are not the RBM's")
	}
	pats, probs := run.Data.Support()
	kl, nll := got.KL(pats, probs)
	last := run.History[len(run.History)-1]
	if last.KL != kl || last.NLL != nll || !math.IsNaN(last.Gap) {
		t.Errorf("history's last point %+v; the RBM's KL %v, NLL %v", last, kl, nll)
	}
	if _, ok := run.State().Dreamer().(rbm.Gibbs); !ok {
		t.Error("an RBM's fantasies are not drawn by Gibbs sampling")
	}
	if _, err := run.State().Recognition(); err == nil {
		t.Error("an RBM has a recognition distribution to measure a gap of")
	}
}
