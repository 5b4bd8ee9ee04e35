package train

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz"
	"helmholtz/dataset"
)

// Restarts (Config.Restarts > 1) train that many candidates, the first
// being the plain run and candidate i drawing from its own stream, for
// RestartSteps steps each, and keep the one that gives the highest
// likelihood to SelectSamples patterns drawn from the data (with a
// stream of its own, so the choice never touches a training stream). The
// kept candidate goes on training; the steps of the discarded ones count
// towards Steps, so the total samples seen stay Steps·Batch. With
// Halving, the choice is made in rounds (successive halving): after each
// round the better half (rounded up) of the candidates trains on to
// twice the steps, until one is left, so promising candidates are judged
// later, on more training.
//
// Wake-sleep candidates are trained LaneWidth() at a time in lanes (the
// last group of a round in lanes too if it has three or more; other
// learners one at a time), each exactly as it would train alone, and only those still in
// the race are kept: the best so far without halving, the better half of
// the first round with it, and the few out of it that the next group
// reuses.

// offset is the number of steps spent on discarded restart candidates.
func (c Config) offset() int {
	if c.Restarts <= 1 {
		return 0
	}
	total, winner := c.restartPlan()
	return total - winner
}

// restartPlan returns the steps all restart candidates take together and
// the step the kept one is at, math.MaxInt where they overflow.
func (c Config) restartPlan() (total, winner int) {
	n, steps := c.Restarts, c.RestartSteps
	total = satMul(n, steps)
	for c.Halving && n > 1 {
		n = (n + 1) / 2
		if n == 1 {
			break
		}
		total = satAdd(total, satMul(n, steps))
		steps = satMul(steps, 2)
	}
	return total, steps
}

// firstStep is the step at which the kept chain starts its own training:
// 0, or the step of the kept restart candidate.
func (c Config) firstStep() int {
	if c.Restarts <= 1 {
		return 0
	}
	_, winner := c.restartPlan()
	return winner
}

// LastStep is the step at which the run (the kept chain, with restarts)
// stops: Steps less the steps of discarded restart candidates.
func (c Config) LastStep() int { return c.Steps - c.offset() }

// samples is the number of data patterns seen when the kept chain is at
// step: its own and those of the discarded candidates.
func (c Config) samples(step int) int { return (step + c.offset()) * c.Batch }

// candidate is one restart candidate: a machine, its learner and its
// stream.
type candidate struct {
	i    int // 0 is the plain run
	m    *helmholtz.Machine
	l    helmholtz.Learner
	src  rand.PCG
	step int
	nll  float64 // on the selection sample
}

// restart trains the candidates and leaves r as the best one. When ctx is
// cancelled it returns ErrInterrupted with r unchanged.
func (r *Run) restart(ctx context.Context) error {
	cfg := r.Config
	ev, err := selection(cfg, r.Data)
	if err != nil {
		return err
	}
	// trainTo trains candidates cs (in lanes if there are enough, else
	// one at a time) to step to and scores each on the selection sample.
	trainTo := func(cs []*candidate, to int) error {
		if c, err := r.advanceAll(ctx, cs, to); err != nil {
			return fmt.Errorf("restart candidate %d of %d: %w", c.i+1, cfg.Restarts, err)
		}
		for _, c := range cs {
			res, err := ev.nll(ctx, c.m, c.i<<40|c.step, -1)
			if err != nil {
				return fmt.Errorf("restart candidate %d of %d: %w", c.i+1, cfg.Restarts, err)
			}
			c.nll = res.NLL
			if math.IsNaN(c.nll) {
				c.nll = math.Inf(1)
			}
		}
		return nil
	}
	// Best first; ties go to the candidate that was ahead before.
	byNLL := func(a, b *candidate) int { return cmp.Compare(a.nll, b.nll) }

	keep := 1
	if cfg.Halving {
		keep = (cfg.Restarts + 1) / 2
	}
	// size returns how many of r candidates train together next.
	size := func(r int) int {
		if cfg.laneable() {
			return groupSize(r, cfg.LaneWidth())
		}
		return 1
	}
	var (
		race  []*candidate // sorted by NLL, at most keep
		spare []*candidate // out of the race, to be used again
	)
	for i0, n := 0, 0; i0 < cfg.Restarts; i0 += n {
		n = size(cfg.Restarts - i0)
		var group []*candidate
		for i := i0; i < i0+n; i++ {
			var c *candidate
			if n := len(spare); n > 0 {
				c, spare = spare[n-1], spare[:n-1]
			} else {
				c = &candidate{m: helmholtz.New(cfg.Layers)}
				c.l = cfg.newLearner(c.m)
			}
			c.i, c.step = i, 0
			c.src = *rand.NewPCG(cfg.Seed, stream+uint64(i))
			r.initChain(c.m, c.l, rand.New(&c.src))
			group = append(group, c)
		}
		if err := trainTo(group, cfg.RestartSteps); err != nil {
			return err
		}
		for _, c := range group { // in the order of their numbers, as if trained one by one
			at, _ := slices.BinarySearchFunc(race, c, func(a, b *candidate) int {
				if a.nll <= b.nll {
					return -1 // after every candidate as good: ties go to the lower number
				}
				return 1
			})
			race = slices.Insert(race, at, c)
			if len(race) > keep {
				spare, race = append(spare, race[keep]), race[:keep]
			}
		}
	}
	for steps := cfg.RestartSteps; len(race) > 1; {
		steps *= 2
		for i0, n := 0, 0; i0 < len(race); i0 += n {
			n = size(len(race) - i0)
			if err := trainTo(race[i0:i0+n], steps); err != nil {
				return err
			}
		}
		slices.SortStableFunc(race, byNLL)
		race = race[:(len(race)+1)/2]
	}
	best := race[0]
	r.Machine.CopyFrom(best.m)
	copyLearner(r.learner, best.l, cfg.Layers)
	*r.src = best.src
	r.Step = best.step
	return nil
}

// advanceAll trains candidates cs to step to as advance trains each in
// turn: in lanes when there are minLanes to LaneWidth of them at one
// step (a chunk in which one diverges is trained again one candidate at a
// time, so that the error is the one training them in turn would give). It returns the
// first candidate that fails, with its error.
func (r *Run) advanceAll(ctx context.Context, cs []*candidate, to int) (*candidate, error) {
	alone := func() (*candidate, error) {
		for _, c := range cs {
			if err := r.advance(ctx, c, to); err != nil {
				return c, err
			}
		}
		return nil, nil
	}
	if len(cs) < minLanes || len(cs) > r.Config.LaneWidth() || !r.Config.laneable() || slices.ContainsFunc(cs, func(c *candidate) bool { return c.step != cs[0].step }) {
		return alone()
	}
	if r.lanes == nil {
		r.lanes = newLaneStepper(r.Config, r.data)
		for range r.Config.LaneWidth() {
			r.laneSaved = append(r.laneSaved, helmholtz.New(r.Config.Layers))
		}
	}
	ms, ps, srcs := make([]*helmholtz.Machine, len(cs)), make([]*rand.PCG, len(cs)), make([]rand.PCG, len(cs))
	for i, c := range cs {
		ms[i], ps[i] = c.m, &c.src
	}
	for cs[0].step < to {
		from := cs[0].step
		next := min(to, from+r.chunk)
		for i, c := range cs {
			r.laneSaved[i].CopyFrom(c.m)
			srcs[i] = c.src
		}
		r.lanes.run(ms, ps, from, next-from, r.Config.Steps)
		for _, c := range cs {
			c.step = next
		}
		if slices.ContainsFunc(cs, func(c *candidate) bool { return !(c.m.MaxLogit() <= MaxLogit) }) {
			for i, c := range cs {
				c.m.CopyFrom(r.laneSaved[i])
				c.src, c.step = srcs[i], from
			}
			return alone()
		}
		if ctx.Err() != nil {
			return cs[0], ErrInterrupted
		}
	}
	return nil, nil
}

// advance trains candidate c to step to, with the rates a plain run of
// cfg.Steps has at each step, checking for an interrupt and for
// divergence every chunk.
func (r *Run) advance(ctx context.Context, c *candidate, to int) error {
	rng := rand.New(&c.src)
	step := func() int {
		if r.Config.scheduled() {
			r.Config.setRates(c.l, c.step, r.Config.Steps)
		}
		c.l.Step(r.data, rng)
		c.step++
		return c.step
	}
	diverged := func() bool {
		return !(c.m.MaxLogit() <= MaxLogit) || learnerDiverged(c.l, r.Config.Layers)
	}
	for c.step < to {
		r.saved.CopyFrom(c.m)
		copyLearner(r.savedL, c.l, r.Config.Layers)
		src, from := c.src, c.step
		for next := min(to, c.step+r.chunk); c.step < next; {
			step()
		}
		if diverged() {
			return errDiverged(firstDiverged(diverged, c.step, func() {
				c.m.CopyFrom(r.saved)
				copyLearner(c.l, r.savedL, r.Config.Layers)
				c.src, c.step = src, from
			}, step))
		}
		if ctx.Err() != nil {
			return ErrInterrupted
		}
	}
	return nil
}

// selection returns a scorer of the cross-entropy of a machine on
// SelectSamples patterns drawn from the data with the selection stream:
// the likelihood a user can compute from training data alone.
func selection(cfg Config, data dataset.Set) (*scorer, error) {
	pats, probs := drawPatterns(cfg, data, cfg.SelectSamples, selectStream)
	return cfg.chooser(len(pats)).newScorer(pats, probs, selectStream)
}

// drawPatterns draws n patterns from the data with the PCG stream
// (Seed, s) and returns the distinct ones, each with its share of the
// draws.
func drawPatterns(cfg Config, data dataset.Set, n int, s uint64) ([][]uint8, []float64) {
	rng := rand.New(rand.NewPCG(cfg.Seed, s))
	counts := map[string]int{}
	var pats [][]uint8
	v := make([]uint8, data.Dim())
	for range n {
		data.Sample(v, rng)
		if counts[string(v)] == 0 {
			pats = append(pats, append([]uint8(nil), v...))
		}
		counts[string(v)]++
	}
	probs := make([]float64, len(pats))
	for k, v := range pats {
		probs[k] = float64(counts[string(v)]) / float64(n)
	}
	return pats, probs
}
