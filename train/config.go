package train

import (
	"errors"
	"fmt"
	"math"

	"helmholtz/dataset"
)

// Config fixes a training run. The zero values of GenLR and RecLR mean
// "use LR".
type Config struct {
	Data          string  `json:"data"`                // data set, as dataset.Parse reads it
	Layers        []int   `json:"layers"`              // layer sizes, visible first
	Seed          uint64  `json:"seed"`                // seeds the one random stream
	Steps         int     `json:"n_steps"`             // wake-sleep iterations
	LR            float64 `json:"lr"`                  // learning rate of both phases
	GenLR         float64 `json:"gen_lr"`              // wake (generative) rate, if not 0
	RecLR         float64 `json:"rec_lr"`              // sleep (recognition) rate, if not 0
	Batch         int     `json:"batch_size"`          // patterns per update
	Optimizer     string  `json:"optimizer,omitempty"` // "" (plain gradient ascent) or "adam"
	InitScale     float64 `json:"init_scale"`          // weights start N(0, InitScale²)
	MarginalBias  bool    `json:"marginal_bias"`       // b_v starts at the logit of the pixel marginal
	EvalEvery     int     `json:"eval_every"`          // steps between exact evaluations
	SnapshotEvery int     `json:"snapshot_every"`      // steps between snapshots; 0: none

	// Recipe options, all off by default (the seed's recipe). See recipe.go.
	Schedule      string   `json:"schedule,omitempty"`         // "", "constant", "linear" or "inverse"
	ScheduleEnd   float64  `json:"schedule_end,omitempty"`     // final rate as a fraction of the first
	Decay         float64  `json:"decay,omitempty"`            // L2 weight decay per unit rate
	NonNegative   bool     `json:"nonneg,omitempty"`           // generative weights into v stay ≥ 0
	HiddenCap     *float64 `json:"hidden_cap,omitempty"`       // cap on hidden units' prior logits
	HiddenBias    float64  `json:"init_hidden_bias,omitempty"` // initial biases of the hidden layers
	Restarts      int      `json:"restarts,omitempty"`         // candidates trained before choosing one
	RestartSteps  int      `json:"restart_steps,omitempty"`    // steps each candidate trains
	SelectSamples int      `json:"select_samples,omitempty"`   // data patterns that choose the best
	Halving       bool     `json:"halving,omitempty"`          // choose in rounds of successive halving
	Reinit        int      `json:"reinit,omitempty"`           // steps between re-initialising idle units
	ReinitTop     bool     `json:"reinit_top,omitempty"`       // also idle top units (reinit.go)

	// The learner, all off for wake-sleep. See learner.go.
	Algo       string  `json:"algo,omitempty"`          // "" (wake-sleep), "exact", "rws", "mixture" or "rbm"
	Samples    int     `json:"samples,omitempty"`       // rws: samples per pattern
	NoWakeQ    bool    `json:"rws_no_wake_q,omitempty"` // rws: no wake-phase recognition update
	NoSleep    bool    `json:"rws_no_sleep,omitempty"`  // rws: no sleep update
	Components int     `json:"components,omitempty"`    // mixture: recognition nets
	CDK        int     `json:"cd_k,omitempty"`          // rbm: Gibbs steps of CD-k
	Momentum   float64 `json:"momentum,omitempty"`      // rbm: momentum of CD's updates
	Precision  string  `json:"precision,omitempty"`     // rws: "" (float64) or "float32"

	// Estimate > 0 estimates every likelihood of the run by importance
	// sampling with that many samples per pattern, even where the net
	// could be enumerated. See score.go.
	Estimate int `json:"estimate,omitempty"`
	// SelectEstimate > 0 makes the run's choices (among restart
	// candidates, and whether it diverged) by importance sampling with
	// that many samples per pattern, even where the net could be
	// enumerated; its evaluations stay as Estimate says. See score.go.
	SelectEstimate int `json:"select_estimate,omitempty"`
}

// Default returns the seed's canonical recipe: the 16-8-1 net on 4×4 bars,
// seed 2, 2,000,000 online steps at rate 0.1.
func Default() Config {
	return Config{
		Data:          "bars:4x4",
		Layers:        []int{16, 8, 1},
		Seed:          2,
		Steps:         2000000,
		LR:            0.1,
		Batch:         1,
		InitScale:     0.1,
		MarginalBias:  true,
		EvalEvery:     2000,
		SnapshotEvery: 50000,
	}
}

// Rates returns the generative and recognition learning rates.
func (c Config) Rates() (gen, rec float64) {
	gen, rec = c.LR, c.LR
	if c.GenLR != 0 {
		gen = c.GenLR
	}
	if c.RecLR != 0 {
		rec = c.RecLR
	}
	return gen, rec
}

// Validate reports the first problem with c, naming the flag that sets it.
// Beyond the range of each setting it checks the run against the limits
// of budget.go, so a valid Config can be run without exhausting memory
// or overflowing a counter.
func (c Config) Validate() error {
	_, err := c.validate()
	return err
}

// validate is Validate, returning the parsed data set.
func (c Config) validate() (dataset.Set, error) {
	set, err := dataset.Parse(c.Data)
	if err != nil {
		return nil, err
	}
	positive := func(name string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("--%s must be a positive finite number, got %v", name, v)
		}
		return nil
	}
	switch {
	case c.Steps <= 0:
		return nil, fmt.Errorf("--n-steps must be positive, got %d", c.Steps)
	case c.Batch <= 0:
		return nil, fmt.Errorf("--batch-size must be positive, got %d", c.Batch)
	case c.EvalEvery <= 0:
		return nil, fmt.Errorf("--eval-every must be positive, got %d", c.EvalEvery)
	case c.SnapshotEvery < 0:
		return nil, fmt.Errorf("--snapshot-every must be 0 (none) or positive, got %d", c.SnapshotEvery)
	}
	if err := positive("lr", c.LR); err != nil {
		return nil, err
	}
	if c.GenLR != 0 {
		if err := positive("gen-lr", c.GenLR); err != nil {
			return nil, err
		}
	}
	if c.RecLR != 0 {
		if err := positive("rec-lr", c.RecLR); err != nil {
			return nil, err
		}
	}
	if math.IsNaN(c.InitScale) || math.IsInf(c.InitScale, 0) || c.InitScale < 0 {
		return nil, fmt.Errorf("--init-scale must be a finite number ≥ 0, got %v", c.InitScale)
	}
	if len(c.Layers) < 2 {
		return nil, errors.New("--layers needs at least two sizes, e.g. 16,8,1")
	}
	if len(c.Layers) > maxLayers {
		return nil, fmt.Errorf("--layers has %d layers; the limit is %d", len(c.Layers), maxLayers)
	}
	for _, n := range c.Layers {
		if n <= 0 {
			return nil, fmt.Errorf("--layers sizes must be positive, got %v", c.Layers)
		}
	}
	if c.Layers[0] != set.Dim() {
		return nil, fmt.Errorf("--layers starts with %d visible units, but %s has %d pixels", c.Layers[0], set, set.Dim())
	}
	if c.Estimate < 0 || c.Estimate > maxSamples {
		return nil, fmt.Errorf("--estimate must be in 0..%d, got %d", maxSamples, c.Estimate)
	}
	if c.SelectEstimate < 0 || c.SelectEstimate > maxSamples {
		return nil, fmt.Errorf("--select-estimate must be in 0..%d, got %d", maxSamples, c.SelectEstimate)
	}
	if err := c.validateRecipe(); err != nil {
		return nil, err
	}
	if err := c.validateAlgo(); err != nil {
		return nil, err
	}
	return set, c.checkBudget(set)
}

// maxLayers bounds the depth of a net.
const maxLayers = 16
