package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/units"
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
//   - Reinit > 0 checks the first hidden layer every Reinit steps and
//     re-initialises each unit that does nothing useful: one the
//     generative prior almost never (p < 0.01) or almost always
//     (p > 0.99) switches on, or one whose pixel effects duplicate a
//     lower unit's (all within 0.1).
//     Its weights are drawn afresh as at the start (from the training
//     stream) and its biases reset. The test reads the generative
//     weights only (three-layer nets).

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
	if c.Reinit < 0 {
		return fmt.Errorf("--reinit must be ≥ 0, got %d", c.Reinit)
	}
	if c.Reinit > 0 && len(c.Layers) != 3 {
		return fmt.Errorf("--reinit needs a net with one hidden layer and a top layer, got %v", c.Layers)
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
	ev, err := selection(cfg, r.Data)
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

// selection returns an evaluator of the cross-entropy of a machine on
// SelectSamples patterns drawn from the data with the selection stream:
// the likelihood a user can compute from training data alone.
func selection(cfg Config, data dataset.Set) (*exact.Evaluator, error) {
	sel := rand.New(rand.NewPCG(cfg.Seed, selectStream))
	counts := map[string]int{}
	var pats [][]uint8
	for range cfg.SelectSamples {
		v := make([]uint8, data.Dim())
		data.Sample(v, sel)
		if counts[string(v)] == 0 {
			pats = append(pats, v)
		}
		counts[string(v)]++
	}
	probs := make([]float64, len(pats))
	for k, v := range pats {
		probs[k] = float64(counts[string(v)]) / float64(cfg.SelectSamples)
	}
	return exact.NewEvaluator(cfg.Layers, pats, probs)
}

// candidate returns restart candidate i: a fresh run whose stream is
// the plain run's for i = 0.
func candidate(cfg Config, i int) (*Run, error) {
	c := cfg
	c.Restarts = 0
	return fresh(c, stream+uint64(i))
}

// RecipeFlags returns the command-line flags of the recipe options that
// differ from the defaults, or "".
func (c Config) RecipeFlags() string {
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
	if c.Reinit > 0 {
		add("reinit", c.Reinit)
	}
	if c.Restarts > 1 {
		add("restarts", c.Restarts)
		add("restart-steps", c.RestartSteps)
		add("select-samples", c.SelectSamples)
	}
	return strings.Join(f, " ")
}

// reinitIdle re-initialises the idle units of the first hidden layer
// (see Reinit) and returns how many it re-initialised.
func (r *Run) reinitIdle() int {
	m, cfg := r.Machine, r.Config
	nv, n1, nt := m.Sizes[0], m.Sizes[1], m.Sizes[2]
	priors := units.Priors(m)
	effects := make([][]float64, n1)
	n := 0
	for j := range n1 {
		effects[j] = make([]float64, nv)
		idle := priors[j] < 0.01 || priors[j] > 0.99
		for i := range nv {
			effects[j][i] = helmholtz.Sigmoid(m.B[0][i]+m.W[0][j*nv+i]) - helmholtz.Sigmoid(m.B[0][i])
		}
		for k := range j {
			if !idle && sameEffect(effects[j], effects[k]) {
				idle = true
			}
		}
		if !idle {
			continue
		}
		n++
		s := cfg.InitScale
		for i := range nv {
			m.W[0][j*nv+i] = s * r.rng.NormFloat64()
			m.R[0][i*n1+j] = s * r.rng.NormFloat64()
		}
		if cfg.NonNegative {
			for i := range nv {
				m.W[0][j*nv+i] = math.Abs(m.W[0][j*nv+i])
			}
		}
		for k := range nt {
			m.W[1][k*n1+j] = 0
			m.R[1][j*nt+k] = 0
		}
		m.B[1][j], m.C[1][j] = cfg.HiddenBias, cfg.HiddenBias
		effects[j] = nil // a fresh unit duplicates nothing
	}
	return n
}

// sameEffect reports whether two units change the same pixels the same
// way: every pixel effect within 0.1 of the other's.
func sameEffect(a, b []float64) bool {
	if a == nil || b == nil {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 0.1 {
			return false
		}
	}
	return true
}
