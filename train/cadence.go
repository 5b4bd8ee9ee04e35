package train

import (
	"math"

	"helmholtz/dataset"
	"helmholtz/exact"
)

// The cadence of a run's evaluations, when the caller leaves it to the
// run (EvalEvery 0, the CLI's default): the smallest of BaseEvalEvery,
// twice it, four times it … at which one evaluation's work is at most
// EvalShare of the training between two evaluations. The work is the
// cost model's (Config.Cost: about a nanosecond an operation on the
// README's machine), not a measurement, so the cadence, and with it the
// history, is the same on every machine: a seed still fixes everything.
// (The model matches the machine: 16-8-1's exact KL and gap, 294,000
// operations, take 215 µs; 2,000 of its steps, 612 operations each,
// 900 µs.) For 16-8-1 on the 4×4 bars it is 8,000; for 64-16-1 on the
// 8×8 bars, whose exact evaluation walks 2^16 states for 511 patterns,
// 128,000. Runs whose config names a cadence (reproduce's canonical run,
// the studies, sweeps) keep it.
const (
	BaseEvalEvery = 2000
	EvalShare     = 0.1
)

// AutoEvalEvery returns the cadence of evaluations EvalEvery 0 stands for.
func (c Config) AutoEvalEvery() int {
	set, err := dataset.Parse(c.Data)
	if err != nil || len(c.Layers) < 2 || c.Batch < 1 {
		return BaseEvalEvery // Validate says what is wrong
	}
	c.EvalEvery = BaseEvalEvery
	step := c.Cost(set).Step
	_, ev := c.scoreCost(set, set.SupportSize())
	if valid := validSplit(set, c); len(valid) > 0 {
		_, v := c.scoreCost(set, len(valid))
		ev += v
	}
	if c.recordsGap() {
		_, gap := exact.GapCost(c.Layers, set.SupportSize(), max(c.Components, 1))
		ev += gap
	}
	every := BaseEvalEvery
	for float64(every)*step*EvalShare < ev && every < c.Steps && every < math.MaxInt32/2 {
		every *= 2
	}
	return every
}

// ResolveEvalEvery sets an EvalEvery of 0 to AutoEvalEvery.
func (c *Config) ResolveEvalEvery() {
	if c.EvalEvery == 0 {
		c.EvalEvery = c.AutoEvalEvery()
	}
}
