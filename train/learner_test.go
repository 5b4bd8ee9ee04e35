package train

import (
	"math"
	"slices"
	"testing"

	"helmholtz"
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
	} {
		c := small(steps)
		set(&c)
		out[name] = c
	}
	return out
}

// sameRun reports whether two runs ended with the same weights (a
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
			if again := trained(t, cfg, ""); !sameTrained(full, again) {
				t.Fatal("two runs of one config differ")
			}
			other := cfg
			other.EvalEvery, other.SnapshotEvery = 777, 1300
			if !sameTrained(full, trained(t, other, t.TempDir())) {
				t.Fatal("evaluating and snapshotting at other steps changed the run")
			}
			for _, p := range full.History {
				if !(p.Gap >= 0) {
					t.Fatalf("step %d: gap %v", p.Step, p.Gap)
				}
			}
			res := resumed(t, cfg, t.TempDir(), 4000)
			if !sameTrained(res, full) || !slices.Equal(res.History, full.History) {
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
		"unknown":              func(c *Config) { c.Algo = "gibbs" },
		"samples 0":            func(c *Config) { c.Algo = "rws" },
		"samples < 0":          func(c *Config) { c.Algo, c.Samples = "rws", -3 },
		"samples without rws":  func(c *Config) { c.Samples = 5 },
		"no sleep without rws": func(c *Config) { c.NoSleep = true },
		"components 0":         func(c *Config) { c.Algo = "mixture" },
		"components without":   func(c *Config) { c.Components = 2 },
		"too many components":  func(c *Config) { c.Algo, c.Components = "mixture", 1000 },
		"batch":                func(c *Config) { c.Algo, c.Batch = "exact", 4 },
		"exact too large":      func(c *Config) { c.Algo, c.Layers = "exact", []int{16, 12, 6} },
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
