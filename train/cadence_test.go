package train

import (
	"testing"

	"helmholtz/dataset"
	"helmholtz/exact"
)

// TestAutoEvalEvery: the cadence chosen by cost evaluates 16-8-1 (an
// exact KL and gap: 294,000 operations against 612 a step) every 8,000
// steps, spaces the exact evaluations of 64-16-1 on 8×8 bars (2^16 states
// for 511 patterns) far apart, and is a power-of-two multiple of
// BaseEvalEvery at which one evaluation costs at most EvalShare of the
// training between two.
func TestAutoEvalEvery(t *testing.T) {
	recipe := Default()
	recipe.Restarts, recipe.RestartSteps, recipe.SelectSamples, recipe.Halving = 128, 3125, 10000, true
	bars8 := recipe
	bars8.Data, bars8.Layers = "bars:8x8", []int{64, 16, 1}
	shifter := Default()
	shifter.Data, shifter.Layers = "shifter", []int{32, 16, 4}
	for _, c := range []struct {
		name   string
		cfg    Config
		lo, hi int
	}{
		{"16-8-1", Default(), 8000, 8000},
		{"16-8-1 recipe", recipe, 8000, 8000},
		{"64-16-1 on bars:8x8", bars8, 128000, 128000},
		{"32-16-4 shifter", shifter, 2000, 1 << 30},
	} {
		got := c.cfg.AutoEvalEvery()
		if got < c.lo || got > c.hi || got%BaseEvalEvery != 0 || (got/BaseEvalEvery)&(got/BaseEvalEvery-1) != 0 {
			t.Errorf("%s: every %d steps, want a power-of-two multiple of %d in [%d, %d]", c.name, got, BaseEvalEvery, c.lo, c.hi)
		}
		set := c.cfg.mustSet(t)
		cc := c.cfg
		cc.EvalEvery = got
		_, ev := cc.scoreCost(set, set.SupportSize())
		if cc.recordsGap() {
			_, gap := exact.GapCost(cc.Layers, set.SupportSize(), 1)
			ev += gap
		}
		if got < cc.Steps && ev > EvalShare*float64(got)*cc.Cost(set).Step*1.0001 {
			t.Errorf("%s: an evaluation costs %.3g, more than %.0f %% of %d steps (%.3g)", c.name, ev, 100*EvalShare, got, float64(got)*cc.Cost(set).Step)
		}
		again := c.cfg
		again.ResolveEvalEvery()
		if again.EvalEvery != 2000 { // a given cadence is kept
			t.Errorf("%s: ResolveEvalEvery changed a given cadence", c.name)
		}
		again.EvalEvery = 0
		again.ResolveEvalEvery()
		if again.EvalEvery != got {
			t.Errorf("%s: resolved to %d, AutoEvalEvery says %d", c.name, again.EvalEvery, got)
		}
	}
}

func (c Config) mustSet(t *testing.T) dataset.Set {
	set, err := c.validate()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestChooserCheaper: without --select-estimate, choices are scored the
// cheaper way by the weighted cost model: exactly for 16-8-1, by
// importance sampling with SelectK samples for 64-16-1 and where
// enumerating 2^20 first-layer states for 8,191 patterns costs more;
// --select-estimate is
// obeyed.
func TestChooserCheaper(t *testing.T) {
	small := Default()
	bars8 := Default()
	bars8.Data, bars8.Layers = "bars:8x8", []int{64, 16, 1}
	wide := Default()
	wide.Data, wide.Layers = "bars:12x12", []int{144, 20, 1}
	given := wide
	given.SelectEstimate = 7
	for _, c := range []struct {
		name string
		cfg  Config
		n    int
		want string
	}{
		{"16-8-1", small, 30, "exact"},
		{"64-16-1", bars8, 381, "is-20"},
		{"144-20-1", wide, 8191, "is-20"},
		{"144-20-1 --select-estimate 7", given, 8191, "is-7"},
	} {
		if got := c.cfg.chooser(c.n).Estimator(); got != c.want {
			t.Errorf("%s: choices scored %s, want %s", c.name, got, c.want)
		}
	}
}
