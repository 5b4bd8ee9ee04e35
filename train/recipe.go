package train

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Recipe options. Each keeps the algorithm wake-sleep: local delta rules,
// a factorial recognition net, no backprop and no exact posterior in
// training. Each has a file of its own: the rate schedule (schedule.go),
// restarts (restart.go), re-initialisation of idle units (reinit.go);
// Decay, NonNegative and HiddenCap (not nil) are helmholtz.Options, and
// HiddenBias starts the generative and recognition biases of the hidden
// layers (not the top) there instead of at 0 (Run.initMachine).

func (c Config) validateRecipe() error {
	switch c.Schedule {
	case "", "constant":
	case "linear", "inverse":
		if !(c.ScheduleEnd > 0 && c.ScheduleEnd <= 1) {
			return fmt.Errorf("--schedule-end must be in (0, 1], got %v", c.ScheduleEnd)
		}
	default:
		return fmt.Errorf("--schedule must be constant, linear or inverse, got %.64q", c.Schedule)
	}
	if math.IsNaN(c.Decay) || math.IsInf(c.Decay, 0) || c.Decay < 0 {
		return fmt.Errorf("--decay must be a finite number ≥ 0, got %v", c.Decay)
	}
	if gen, rec := c.Rates(); c.Decay*max(gen, rec) >= 1 {
		return fmt.Errorf("--decay %v times the rate %v is not below 1: every step would flip the weights' signs", c.Decay, max(gen, rec))
	}
	if c.HiddenCap != nil && (math.IsNaN(*c.HiddenCap) || math.IsInf(*c.HiddenCap, 0)) {
		return fmt.Errorf("--hidden-cap must be finite, got %v", *c.HiddenCap)
	}
	if c.HiddenCap != nil && len(c.Layers) < 3 {
		return fmt.Errorf("--hidden-cap needs a layer above the first hidden layer")
	}
	if math.IsNaN(c.HiddenBias) || math.IsInf(c.HiddenBias, 0) {
		return fmt.Errorf("--init-hidden-bias must be finite, got %v", c.HiddenBias)
	}
	if c.Restarts > 1 {
		if c.RestartSteps <= 0 || c.SelectSamples <= 0 {
			return fmt.Errorf("--restarts needs positive --restart-steps and --select-samples")
		}
		if total, _ := c.restartPlan(); c.Steps < total {
			return fmt.Errorf("--n-steps %d is less than the restarts take (%d steps)", c.Steps, total)
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
	if c.ReinitTop && c.Reinit == 0 {
		return fmt.Errorf("--reinit-top needs --reinit N")
	}
	return nil
}

// RecipeFlags returns the command-line flags that set how c trains where
// it differs from Default (not the seed, the step count or the
// evaluation and snapshot schedule), or "".
func (c Config) RecipeFlags() string {
	var f []string
	add := func(name string, v any) {
		if x, ok := v.(float64); ok {
			v = strconv.FormatFloat(x, 'f', -1, 64) // 0.00001, not 1e-05
		}
		f = append(f, fmt.Sprintf("--%s %v", name, v))
	}
	d := Default()
	if c.Data != d.Data {
		add("data", c.Data)
	}
	if !slices.Equal(c.Layers, d.Layers) {
		layers := make([]string, len(c.Layers))
		for i, n := range c.Layers {
			layers[i] = strconv.Itoa(n)
		}
		add("layers", strings.Join(layers, ","))
	}
	if c.LR != d.LR {
		add("lr", c.LR)
	}
	if c.GenLR != 0 {
		add("gen-lr", c.GenLR)
	}
	if c.RecLR != 0 {
		add("rec-lr", c.RecLR)
	}
	if c.Batch != d.Batch {
		add("batch-size", c.Batch)
	}
	if c.Optimizer != "" {
		add("optimizer", c.Optimizer)
	}
	if c.InitScale != d.InitScale {
		add("init-scale", c.InitScale)
	}
	if c.MarginalBias != d.MarginalBias {
		f = append(f, fmt.Sprintf("--marginal-bias=%v", c.MarginalBias))
	}
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
	if c.HiddenCap != nil {
		add("hidden-cap", *c.HiddenCap)
	}
	if c.HiddenBias != 0 {
		add("init-hidden-bias", c.HiddenBias)
	}
	if c.Reinit > 0 {
		add("reinit", c.Reinit)
		if c.ReinitTop {
			f = append(f, "--reinit-top")
		}
	}
	if c.Algo != "" {
		add("algo", c.Algo)
	}
	if c.Samples != 0 {
		add("samples", c.Samples)
	}
	if c.NoWakeQ {
		f = append(f, "--rws-wake-q=false")
	}
	if c.NoSleep {
		f = append(f, "--rws-sleep=false")
	}
	if c.Precision != "" {
		add("precision", c.Precision)
	}
	if c.Components != 0 {
		add("components", c.Components)
	}
	if c.CDK != 0 {
		add("cd-k", c.CDK)
	}
	if c.Momentum != 0 {
		add("momentum", c.Momentum)
	}
	if c.Estimate != 0 {
		add("estimate", c.Estimate)
	}
	if c.SelectEstimate != 0 {
		add("select-estimate", c.SelectEstimate)
	}
	if c.Restarts > 1 {
		add("restarts", c.Restarts)
		add("restart-steps", c.RestartSteps)
		add("select-samples", c.SelectSamples)
		if c.Halving {
			f = append(f, "--halving")
		}
	}
	return strings.Join(f, " ")
}
