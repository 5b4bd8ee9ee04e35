package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"helmholtz/exact"
)

// Recipe options. Each keeps the algorithm wake-sleep: local delta rules,
// a factorial recognition net, no backprop and no exact posterior in
// training.
//
//   - Schedule "linear" lowers both rates linearly from their start to
//     ScheduleEnd times it at the last step; "inverse" as 1/(1 + k·t),
//     reaching the same end.
//   - Decay and NonNegative are helmholtz.Options.
//   - HiddenBias starts the generative and recognition biases of the
//     hidden layers (not the top) there instead of at 0.
//   - Restarts > 1 trains that many candidates (the first is the plain
//     run; candidate i draws from its own stream) for RestartSteps steps
//     each, and keeps the one that gives the highest likelihood to
//     SelectSamples patterns drawn from the data (its own stream, so the
//     choice never touches a training stream). The kept candidate goes on
//     training; the steps of the discarded ones count towards Steps, so
//     the total samples seen stay Steps·Batch.

const selectStream = stream ^ 0x73656c656374 // "select"

func (c Config) validateRecipe() error {
	switch c.Schedule {
	case "", "constant":
	case "linear", "inverse":
		if !(c.ScheduleEnd > 0 && c.ScheduleEnd <= 1) {
			return fmt.Errorf("--schedule-end must be in (0, 1], got %v", c.ScheduleEnd)
		}
	default:
		return fmt.Errorf("--schedule must be constant, linear or inverse, got %q", c.Schedule)
	}
	if math.IsNaN(c.Decay) || math.IsInf(c.Decay, 0) || c.Decay < 0 {
		return fmt.Errorf("--decay must be a finite number ≥ 0, got %v", c.Decay)
	}
	if math.IsNaN(c.HiddenBias) || math.IsInf(c.HiddenBias, 0) {
		return fmt.Errorf("--init-hidden-bias must be finite, got %v", c.HiddenBias)
	}
	if c.Restarts > 1 {
		if c.RestartSteps <= 0 || c.SelectSamples <= 0 {
			return fmt.Errorf("--restarts needs positive --restart-steps and --select-samples")
		}
		if c.Steps <= (c.Restarts-1)*c.RestartSteps+c.RestartSteps-1 {
			return fmt.Errorf("--n-steps %d leaves nothing after %d restarts of %d steps", c.Steps, c.Restarts, c.RestartSteps)
		}
	} else if c.Restarts < 0 {
		return fmt.Errorf("--restarts must be ≥ 0, got %d", c.Restarts)
	}
	return nil
}

// offset is the number of steps spent on discarded restart candidates.
func (c Config) offset() int {
	if c.Restarts <= 1 {
		return 0
	}
	return (c.Restarts - 1) * c.RestartSteps
}

// LastStep is the step at which the run (the kept chain, with restarts)
// stops: Steps less the steps of discarded restart candidates.
func (c Config) LastStep() int { return c.Steps - c.offset() }

// samples is the number of data patterns seen when the kept chain is at
// step: its own and those of the discarded candidates.
func (c Config) samples(step int) int { return (step + c.offset()) * c.Batch }

// rateScale is the schedule's multiplier of the rates at step t of a
// chain that ends at step T.
func (c Config) rateScale(t, T int) float64 {
	x := float64(t) / float64(max(T, 1))
	switch c.Schedule {
	case "linear":
		return 1 - (1-c.ScheduleEnd)*x
	case "inverse":
		return 1 / (1 + (1/c.ScheduleEnd-1)*x)
	}
	return 1
}

// scheduled reports whether the rates change during the run.
func (c Config) scheduled() bool { return c.Schedule == "linear" || c.Schedule == "inverse" }

// setRates sets the trainer's rates for the next step.
func (r *Run) setRates() {
	gen, rec := r.Config.Rates()
	s := r.Config.rateScale(r.Step, r.Config.LastStep())
	r.ws.GenRate, r.ws.RecRate = gen*s, rec*s
}

// initHidden applies HiddenBias.
func (r *Run) initHidden() {
	m := r.Machine
	for l := 1; l < len(m.Sizes)-1; l++ {
		for i := range m.B[l] {
			m.B[l][i] = r.Config.HiddenBias
			m.C[l][i] = r.Config.HiddenBias
		}
	}
}

// restart trains the candidates and leaves r as the best one at step
// RestartSteps.
func (r *Run) restart() error {
	cfg := r.Config
	sel := rand.New(rand.NewPCG(cfg.Seed, selectStream))
	counts := map[string]int{}
	var pats [][]uint8
	for range cfg.SelectSamples {
		v := make([]uint8, r.Data.Dim())
		r.Data.Sample(v, sel)
		if counts[string(v)] == 0 {
			pats = append(pats, v)
		}
		counts[string(v)]++
	}
	probs := make([]float64, len(pats))
	for k, v := range pats {
		probs[k] = float64(counts[string(v)]) / float64(cfg.SelectSamples)
	}
	ev, err := exact.NewEvaluator(cfg.Layers, pats, probs)
	if err != nil {
		return err
	}
	best, bestNLL := (*Run)(nil), math.Inf(1)
	for i := range cfg.Restarts {
		c, err := candidate(cfg, i)
		if err != nil {
			return err
		}
		for c.Step < cfg.RestartSteps {
			c.step()
		}
		if nll := ev.Eval(c.Machine).NLL; nll < bestNLL {
			best, bestNLL = c, nll
		}
	}
	r.Machine.CopyFrom(best.Machine)
	*r.src = *best.src
	r.Step = best.Step
	return nil
}

// candidate returns restart candidate i: a fresh run whose stream is
// the plain run's for i = 0.
func candidate(cfg Config, i int) (*Run, error) {
	c := cfg
	c.Restarts = 0
	return fresh(c, stream+uint64(i))
}

// recipeFlags returns the command-line flags of the recipe options that
// differ from the defaults, or "".
func (c Config) recipeFlags() string {
	var f []string
	add := func(name string, v any) { f = append(f, fmt.Sprintf("--%s %v", name, v)) }
	if c.scheduled() {
		add("schedule", c.Schedule)
		add("schedule-end", c.ScheduleEnd)
	}
	if c.Decay != 0 {
		add("decay", c.Decay)
	}
	if c.NonNegative {
		f = append(f, "--nonneg")
	}
	if c.HiddenBias != 0 {
		add("init-hidden-bias", c.HiddenBias)
	}
	if c.Restarts > 1 {
		add("restarts", c.Restarts)
		add("restart-steps", c.RestartSteps)
		add("select-samples", c.SelectSamples)
	}
	return strings.Join(f, " ")
}
