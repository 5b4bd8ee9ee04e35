package helmholtz

import "math/rand/v2"

// Learner is a training algorithm for a Machine: wake-sleep (WakeSleep),
// or another way to learn the same generative net from the same data
// stream (ExactWake, Reweighted, Mixture). Step performs one update,
// drawing every pattern from data and every random number from rng in a
// fixed order, so that a seed fixes a run whatever the learner; a step
// allocates nothing. Each learner keeps its own workspace and shares the
// machine's kernels.
type Learner interface {
	Step(data Data, rng *rand.Rand)
	// SetRates sets the generative (wake) and recognition (sleep)
	// learning rates of the steps that follow.
	SetRates(gen, rec float64)
}

// SetRates sets the rates of the steps that follow.
func (ws *WakeSleep) SetRates(gen, rec float64) { ws.GenRate, ws.RecRate = gen, rec }
