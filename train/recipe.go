package train

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
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
//   - Decay, NonNegative and HiddenCap (not nil) are helmholtz.Options.
//   - HiddenBias starts the generative and recognition biases of the
//     hidden layers (not the top) there instead of at 0.
//   - Restarts > 1 trains that many candidates (the first is the plain
//     run; candidate i draws from its own stream) for RestartSteps steps
//     each, and keeps the one that gives the highest likelihood to
//     SelectSamples patterns drawn from the data (its own stream, so the
//     choice never touches a training stream). The kept candidate goes on
//     training; the steps of the discarded ones count towards Steps, so
//     the total samples seen stay Steps·Batch. With Halving, the choice
//     is made in rounds (successive halving): after each round the better
//     half of the candidates trains on to twice the steps, until one is
//     left, so promising candidates are judged later, on more training.
//   - Reinit > 0 checks the first hidden layer every Reinit steps and
//     re-initialises each unit that does nothing useful: one the
//     generative prior almost never (p < 0.01) or almost always
//     (p > 0.99) switches on, one that changes no pixel's probability by
//     more than 0.1, or one whose pixel effects duplicate a lower unit's
//     (all within 0.1). The test reads the generative weights only. The
//     unit is pointed at the smallest pattern, among some drawn from the
//     data, that the others fail to explain (see reinitUnit). Three-layer
//     nets only.

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
	return nil
}

// offset is the number of steps spent on discarded restart candidates.
func (c Config) offset() int {
	if c.Restarts <= 1 {
		return 0
	}
	total, winner := c.restartPlan()
	return total - winner
}

// restartPlan returns the steps all restart candidates take together and
// the step the kept one is at. Without halving, every candidate trains
// RestartSteps. With halving, the better half (rounded up) of the
// candidates goes on, to twice the steps, until one is left.
func (c Config) restartPlan() (total, winner int) {
	n, steps := c.Restarts, c.RestartSteps
	total = n * steps
	for c.Halving && n > 1 {
		n = (n + 1) / 2
		if n == 1 {
			break
		}
		total += n * steps
		steps *= 2
	}
	return total, steps
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
		return 1 - float64((1-c.ScheduleEnd)*x) // unfused, as in helmholtz
	case "inverse":
		return 1 / (1 + float64((1/c.ScheduleEnd-1)*x))
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

// restart trains the candidates and leaves r as the best one.
func (r *Run) restart() error {
	cfg := r.Config
	ev, err := selection(cfg, r.Data)
	if err != nil {
		return err
	}
	type scored struct {
		run *Run
		nll float64
		i   int
	}
	var cands []scored
	for i := range cfg.Restarts {
		c, err := candidate(cfg, i)
		if err != nil {
			return err
		}
		cands = append(cands, scored{run: c, i: i})
	}
	steps := cfg.RestartSteps
	for {
		for k := range cands {
			c := cands[k].run
			for c.Step < steps {
				c.step()
			}
			cands[k].nll = ev.Eval(c.Machine).NLL
		}
		// Best first; ties go to the lower candidate number.
		slices.SortStableFunc(cands, func(a, b scored) int { return cmp.Compare(a.nll, b.nll) })
		if !cfg.Halving || len(cands) == 1 {
			break
		}
		cands = cands[:(len(cands)+1)/2]
		if len(cands) == 1 {
			break
		}
		steps *= 2
	}
	best := cands[0].run
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

// reinitIdle re-initialises the idle units of the first hidden layer
// (see Reinit) and returns how many it re-initialised.
func (r *Run) reinitIdle() int {
	m := r.Machine
	nv, n1 := m.Sizes[0], m.Sizes[1]
	priors := units.Priors(m)
	effects := make([][]float64, n1)
	idle := make([]bool, n1)
	n := 0
	for j := range n1 {
		effects[j] = make([]float64, nv)
		big := 0.0
		for i := range nv {
			e := helmholtz.Sigmoid(m.B[0][i]+m.W[0][j*nv+i]) - helmholtz.Sigmoid(m.B[0][i])
			effects[j][i] = e
			big = max(big, math.Abs(e))
		}
		idle[j] = priors[j] < 0.01 || priors[j] > 0.99 || big < 0.1
		for k := range j {
			if !idle[j] && !idle[k] && sameEffect(effects[j], effects[k]) {
				idle[j] = true
			}
		}
	}
	for j := range n1 {
		if idle[j] {
			r.reinitUnit(j, idle)
			idle[j] = false // now it explains something
			n++
		}
	}
	return n
}

// reinitUnit points idle unit j at a pattern the other units fail to
// explain. Of reinitDraws patterns drawn from the data (with the training
// stream), it takes, among those with an unexplained pixel — on although
// the generative net, given the recognition net's code for the pattern
// (q > 0.5, idle units off), predicts it off — the one with the fewest
// pixels on (ties: the first). The smallest pattern that the net misses is
// most likely one missing part alone, such as a single bar. Unit j then
// draws exactly that pattern's pixels, and the recognition net switches it
// on when they are all on. With nothing unexplained it starts afresh as at
// initialisation.
func (r *Run) reinitUnit(j int, idle []bool) {
	m, cfg := r.Machine, r.Config
	nv, n1, nt := m.Sizes[0], m.Sizes[1], m.Sizes[2]
	means := [][]float64{make([]float64, nv), make([]float64, n1), make([]float64, nt)}
	v := make([]uint8, nv)
	var best []int
	for range reinitDraws {
		r.Data.Sample(v, r.rng)
		m.RecognitionMeans(v, means)
		var on []int
		missed := false
		for i := range nv {
			if v[i] == 0 {
				continue
			}
			on = append(on, i)
			a := m.B[0][i]
			for k, q := range means[1] {
				if q > 0.5 && !idle[k] {
					a += m.W[0][k*nv+i]
				}
			}
			missed = missed || a < 0
		}
		if missed && (best == nil || len(on) < len(best)) {
			best = on
		}
	}
	for i := range nv {
		m.W[0][j*nv+i] = 0
		m.R[0][i*n1+j] = 0
	}
	if len(best) == 0 {
		s := cfg.InitScale
		for i := range nv {
			m.W[0][j*nv+i] = s * r.rng.NormFloat64()
			m.R[0][i*n1+j] = s * r.rng.NormFloat64()
			if cfg.NonNegative {
				m.W[0][j*nv+i] = math.Abs(m.W[0][j*nv+i])
			}
		}
		m.C[1][j] = cfg.HiddenBias
	} else {
		for _, i := range best {
			// With the unit on, the pixel is on with probability σ(2).
			m.W[0][j*nv+i] = 2 - m.B[0][i]
			m.R[0][i*n1+j] = 3
		}
		// On (σ(1.5)) when all the pixels are on, off (σ(−1.5)) with one missing.
		m.C[1][j] = 1.5 - float64(3*len(best))
	}
	for k := range nt {
		m.W[1][k*n1+j] = 0
		m.R[1][j*nt+k] = 0
	}
	m.B[1][j] = cfg.HiddenBias
}

// reinitDraws is the number of data patterns reinitUnit looks at.
const reinitDraws = 64

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
