package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"helmholtz"
)

func TestRateScale(t *testing.T) {
	for _, sched := range []string{"linear", "inverse"} {
		c := Default()
		c.Schedule, c.ScheduleEnd = sched, 0.1
		if s := c.rateScale(0, 1000); s != 1 {
			t.Errorf("%s: scale %v at step 0, want 1", sched, s)
		}
		if s := c.rateScale(1000, 1000); math.Abs(s-0.1) > 1e-12 {
			t.Errorf("%s: scale %v at the end, want 0.1", sched, s)
		}
		if a, b := c.rateScale(300, 1000), c.rateScale(600, 1000); !(a > b) {
			t.Errorf("%s: scale does not fall: %v then %v", sched, a, b)
		}
	}
	if s := Default().rateScale(500, 1000); s != 1 {
		t.Errorf("constant schedule: scale %v", s)
	}
}

// TestRecipeRunsResume: every option together still gives a
// deterministic run that resumes bit for bit from a snapshot.
func TestRecipeRunsResume(t *testing.T) {
	cfg := small(30000)
	cfg.Schedule, cfg.ScheduleEnd = "inverse", 0.2
	cap := -1.0
	cfg.Decay, cfg.NonNegative, cfg.HiddenBias, cfg.Reinit, cfg.HiddenCap = 1e-4, true, -2, 4000, &cap
	cfg.ReinitTop = true
	cfg.Restarts, cfg.RestartSteps, cfg.SelectSamples, cfg.Halving = 3, 2000, 500, true
	full := trained(t, cfg, t.TempDir())
	for _, w := range full.Machine.W[0] {
		if w < 0 {
			t.Fatal("--nonneg run has a negative generative weight into v")
		}
	}
	last := full.History[len(full.History)-1]
	// Halving 3 candidates of 2000 steps: all 3 to 2000, the better 2
	// to 4000, then one is kept at step 4000: 10000 steps, 6000 discarded.
	if last.Samples != cfg.Steps || full.Step != cfg.Steps-6000 {
		t.Errorf("run ended at step %d with %d samples; want step %d and %d samples",
			full.Step, last.Samples, cfg.Steps-6000, cfg.Steps)
	}
	res := resumed(t, cfg, t.TempDir(), 15000)
	if !res.Machine.Equal(full.Machine) || !slices.EqualFunc(res.History, full.History, Point.Equal) {
		t.Fatal("resumed recipe run differs from the uninterrupted run")
	}
}

// TestRestartsChooseByLikelihood: with one candidate the run is the plain
// run; with several, the kept candidate is the one whose machine the
// selection sample likes best, and the first candidate is the plain run.
func TestRestartsChooseByLikelihood(t *testing.T) {
	plain := small(8000)
	plain.EvalEvery = 2000
	one := plain
	one.Restarts = 1
	if !trained(t, plain, "").Machine.Equal(trained(t, one, "").Machine) {
		t.Fatal("--restarts 1 differs from the plain run")
	}
	for _, k := range []int{0, 50} {
		t.Run(fmt.Sprintf("select-estimate=%d", k), func(t *testing.T) {
			cfg := plain
			cfg.Restarts, cfg.RestartSteps, cfg.SelectSamples = 4, 2000, 2000
			cfg.SelectEstimate = k
			chooseByLikelihood(t, plain, cfg)
		})
	}
}

// chooseByLikelihood checks that cfg's restarts keep the candidate its
// selection likes best, each candidate a plain run on its own stream.
func chooseByLikelihood(t *testing.T, plain, cfg Config) {
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.Step != cfg.RestartSteps {
		t.Fatalf("after the restarts the run is at step %d, want %d", r.Step, cfg.RestartSteps)
	}
	ev, err := selection(cfg, r.Data)
	if err != nil {
		t.Fatal(err)
	}
	if (ev.sampler != nil) != (cfg.SelectEstimate > 0) || (ev.sampler != nil && ev.sampler.K != cfg.SelectEstimate) {
		t.Fatalf("--select-estimate %d selects with the sampler %v", cfg.SelectEstimate, ev.sampler)
	}
	nlls := map[float64]bool{}
	best := math.Inf(1)
	var bestM *helmholtz.Machine
	for i := range cfg.Restarts {
		// Candidate i: a plain run on stream i.
		c, err := New(plain)
		if err != nil {
			t.Fatal(err)
		}
		c.src = rand.NewPCG(cfg.Seed, stream+uint64(i))
		c.rng = rand.New(c.src)
		c.initMachine(c.Machine, c.rng)
		for c.Step < cfg.RestartSteps {
			c.step()
		}
		if i == 0 {
			p := plain
			p.Steps = cfg.RestartSteps
			if !trained(t, p, "").Machine.Equal(c.Machine) {
				t.Error("candidate 0 is not the plain run")
			}
		}
		sc, _ := ev.nll(context.Background(), c.Machine, i<<40|cfg.RestartSteps, -1)
		nll := sc.NLL
		nlls[nll] = true
		if nll < best {
			best, bestM = nll, c.Machine
		}
	}
	if len(nlls) != cfg.Restarts {
		t.Errorf("candidates are not distinct: %v", nlls)
	}
	if !r.Machine.Equal(bestM) {
		t.Errorf("kept a candidate other than the one with the best sample NLL, %v", best)
	}
	// The run's own evaluations stay exact.
	done := trained(t, cfg, "")
	for _, p := range done.History {
		if p.K != 0 || p.SE != 0 {
			t.Fatalf("step %d: evaluated with %d samples", p.Step, p.K)
		}
	}
}

func TestRestartPlan(t *testing.T) {
	for _, c := range []struct {
		n, steps      int
		halving       bool
		total, winner int
	}{
		{10, 50000, false, 500000, 50000},
		{16, 25000, true, 40 * 25000, 8 * 25000}, // 16·S + 8·S + 4·2S + 2·4S
		{3, 2000, true, 10000, 4000},
		{1, 100, true, 100, 100},
	} {
		cfg := Default()
		cfg.Restarts, cfg.RestartSteps, cfg.Halving = c.n, c.steps, c.halving
		if total, winner := cfg.restartPlan(); total != c.total || winner != c.winner {
			t.Errorf("%d candidates of %d steps, halving %v: plan %d steps, kept at %d; want %d, %d",
				c.n, c.steps, c.halving, total, winner, c.total, c.winner)
		}
	}
}

func TestValidateRecipe(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"schedule":     func(c *Config) { c.Schedule = "cosine" },
		"schedule-end": func(c *Config) { c.Schedule, c.ScheduleEnd = "linear", 0 },
		"decay":        func(c *Config) { c.Decay = -1 },
		"restarts":     func(c *Config) { c.Restarts, c.RestartSteps, c.SelectSamples = 30, 100000, 10 },
		"reinit deep":  func(c *Config) { c.Reinit, c.Layers = 100, []int{16, 8, 4, 1} },
		"reinit":       func(c *Config) { c.Reinit = -5 },
		"reinit-top":   func(c *Config) { c.ReinitTop = true },
		"cap 2 layers": func(c *Config) { x := 0.0; c.HiddenCap, c.Layers = &x, []int{16, 4} },
	} {
		c := Default()
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%s: invalid recipe accepted", name)
		}
	}
}

func TestRecipeFlags(t *testing.T) {
	c := Default()
	if f := c.RecipeFlags(); f != "" {
		t.Errorf("default recipe flags %q, want none", f)
	}
	c.Seed, c.Steps, c.EvalEvery = 9, 5, 7 // not part of a recipe
	cap := -1.0
	c.RecLR, c.Decay, c.NonNegative, c.Layers, c.HiddenCap = 0.2, 0.00001, true, []int{16, 12, 1}, &cap
	want := "--layers 16,12,1 --rec-lr 0.2 --decay 0.00001 --nonneg --hidden-cap -1"
	if f := c.RecipeFlags(); f != want {
		t.Errorf("recipe flags %q, want %q", f, want)
	}
}

// TestRestartsKeepFewCandidates: candidates are trained a group at a time
// through one trainer, keeping only those still in the race, so a run of
// many candidates allocates far less than a machine (2.4 KB for 16-8-1)
// per candidate. (Holding them all took 13 GB for a million.)
func TestRestartsKeepFewCandidates(t *testing.T) {
	for _, halving := range []bool{false, true} {
		cfg := small(40000)
		cfg.Restarts, cfg.RestartSteps, cfg.SelectSamples, cfg.Halving = 4000, 1, 100, halving
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := trained(t, cfg, "")
		runtime.ReadMemStats(&after)
		per := float64(after.TotalAlloc-before.TotalAlloc) / float64(cfg.Restarts)
		t.Logf("halving %v: %.0f bytes allocated per candidate", halving, per)
		limit := 1024.0
		if halving {
			limit = 1024 + 8*float64(Params(cfg.Layers))/2 // half the first round is kept
		}
		if per > limit {
			t.Errorf("halving %v: %.0f bytes allocated per candidate, want at most %.0f", halving, per, limit)
		}
		if r.Step != cfg.LastStep() {
			t.Errorf("run ended at step %d, want %d", r.Step, cfg.LastStep())
		}
	}
}

// TestReinitTop: with hidden units that detect the bars and an idle top
// unit, the top re-initialisation points the top unit at vertical
// against horizontal bars: one sign for the four vertical-bar units, the
// other for the four horizontal ones; a top unit in use is left alone.
func TestReinitTop(t *testing.T) {
	cfg := small(1000)
	cfg.Reinit, cfg.ReinitTop = 500, true
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Machine
	nv, n1 := 16, 8
	for j := range n1 { // units 0-3 the columns, 4-7 the rows
		for i := range nv {
			col, row := i%4, i/4
			on := j < 4 && col == j || j >= 4 && row == j-4
			m.R[0][i*n1+j] = 0
			if on {
				m.R[0][i*n1+j] = 3
			}
		}
		m.C[1][j] = 1.5 - 12
	}
	for j := range n1 {
		m.W[1][j], m.R[1][j] = 0, 0
	}
	m.B[2][0] = -10 // idle: almost never on
	if n := r.reinitTop(); n != 1 {
		t.Fatalf("re-initialised %d top units, want 1", n)
	}
	w := m.W[1][:n1]
	for j := range n1 {
		same := j < 4
		if w[j] == 0 || (w[j] > 0) != (w[0] > 0) != !same {
			t.Fatalf("top weights %v do not oppose the columns to the rows", w)
		}
	}
	before := slices.Clone(m.W[1])
	if n := r.reinitTop(); n != 0 || !slices.Equal(before, m.W[1]) {
		t.Errorf("a top unit in use was re-initialised (%d)", n)
	}
}
