package train

import (
	"context"
	"math/rand/v2"
	"reflect"
	"time"

	"helmholtz"
)

// Chains in lanes. Wake-sleep runs that differ only in their seed step
// up to Config.LaneWidth at a time (at least minLanes) in one
// helmholtz.Lanes, one chain per vector lane, each bit for bit as it
// steps alone: TrainGroup trains such runs (a sweep's seeds) together,
// and a run's restart candidates train together in its restart phase.
// The other learners, and batches of more than one pattern, step one
// chain at a time.

// LaneWidth returns the most runs of c that TrainGroup steps together:
// helmholtz.LaneWidth (sixteen on processors with AVX-512, else four), but
// at most eight for nets of more than 16 visible units, whose patterns
// leave few units off in every one of sixteen lanes (64-16-1 on the 8×8
// bars: about 1.15 µs a chain-step in sixteen lanes, 1.0 in eight).
func (c Config) LaneWidth() int {
	w := helmholtz.LaneWidth()
	if len(c.Layers) > 0 && c.Layers[0] > 16 {
		w = min(w, 8)
	}
	return w
}

// minLanes is the fewest chains worth stepping in lanes: three chains in
// four lanes take about 370 ns a chain-step, two about 525, one alone
// about 455 (BenchmarkLanesStep3, BenchmarkLanesStep2,
// BenchmarkWakeSleepStep). Five to eight chains step in eight lanes,
// nine to sixteen in sixteen, where there are (helmholtz.LaneWidthFor;
// groupSize splits the groups that would cost more).
const minLanes = 3

// groupSize returns how many of r chains to step together next in lanes
// at most w wide: all of them (up to w) in the narrowest lanes that take
// them, unless a full group of narrower lanes and the rest cost less. With one step of
// four, eight and sixteen lanes costing about 1.1, 1.8 and 3.3 µs
// whatever their chains (BenchmarkLanesStep4, …8, …16, …12 on 16-8-1) and
// a chain alone about 0.47 µs, 12 chains go 8 + 4 and 5 go 4 + 1, but 6
// go in eight lanes and 13 in sixteen.
func groupSize(r, w int) int {
	switch {
	case r >= 13 && w >= 16:
		return min(r, 16)
	case r >= 6 && w >= 8:
		return min(r, 8)
	case r >= minLanes:
		return min(r, 4)
	}
	return r
}

// laneable reports whether runs of c can step in lanes.
func (c Config) laneable() bool { return useLanes && c.Algo == "" && c.Batch == 1 }

// useLanes is false in tests that compare lanes with chains stepped one
// at a time.
var useLanes = true

// laneStepper steps machines of one config together in lanes.
type laneStepper struct {
	cfg   Config
	data  helmholtz.Data
	lanes map[int]*helmholtz.Lanes // by their width, made when first needed
}

func newLaneStepper(cfg Config, data helmholtz.Data) *laneStepper {
	return &laneStepper{cfg: cfg, data: data, lanes: make(map[int]*helmholtz.Lanes)}
}

// run advances machines ms, all at step from, by n steps, each drawing
// from its stream in srcs, with the rates a chain that ends at step last
// has at each step.
func (s *laneStepper) run(ms []*helmholtz.Machine, srcs []*rand.PCG, from, n, last int) {
	w := helmholtz.LaneWidthFor(len(ms))
	l := s.lanes[w]
	if l == nil {
		gen, rec := s.cfg.Rates()
		l = helmholtz.NewLanes(s.cfg.Layers, len(ms), gen, rec)
		l.Options = s.cfg.options()
		s.lanes[w] = l
	}
	for c, m := range ms {
		l.Load(c, m)
	}
	for t := from; t < from+n; t++ {
		if s.cfg.scheduled() {
			s.cfg.setRates(l, t, last)
		}
		l.Step(s.data, srcs)
	}
	for c, m := range ms {
		l.Store(c, m)
	}
}

// TrainGroup trains runs as Train trains each, and returns each one's
// error. Runs of one wake-sleep config that differ only in their seed,
// new or at one step, train together in lanes, up to LaneWidth and at
// least minLanes of them (a group that loses runs to divergence below
// minLanes goes on one chain at a time); any others one after another.
// Each run ends exactly as Train would leave it; its Elapsed gets an
// equal share of the group's wall time.
func TrainGroup(ctx context.Context, runs []*Run, progress []func(Point)) []error {
	errs := make([]error, len(runs))
	if progress == nil {
		progress = make([]func(Point), len(runs))
	}
	if !groupable(runs) {
		for i, r := range runs {
			errs[i] = r.Train(ctx, progress[i])
		}
		return errs
	}
	start := time.Now()
	defer func() {
		share := time.Since(start) / time.Duration(len(runs))
		for _, r := range runs {
			r.Elapsed += share
		}
	}()
	var live []int
	for i, r := range runs {
		if errs[i] = r.begin(ctx, progress[i]); errs[i] == nil {
			live = append(live, i)
		}
	}
	stepper := newLaneStepper(runs[0].Config, runs[0].data)
	for len(live) >= minLanes && runs[live[0]].Step < runs[live[0]].Config.LastStep() {
		var ms []*helmholtz.Machine
		var srcs []*rand.PCG
		from, next := runs[live[0]].Step, 0
		for _, i := range live {
			next = runs[i].chunkStart() // the same for every run: one config, one step
			ms, srcs = append(ms, runs[i].Machine), append(srcs, runs[i].src)
		}
		stepper.run(ms, srcs, from, next-from, runs[live[0]].Config.LastStep())
		kept := live[:0]
		for _, i := range live {
			runs[i].Step = next
			if errs[i] = runs[i].chunkEnd(ctx, progress[i]); errs[i] == nil {
				kept = append(kept, i)
			}
		}
		live = kept
	}
	for _, i := range live { // finished, or fewer than minLanes left
		errs[i] = runs[i].rest(ctx, progress[i])
	}
	return errs
}

// groupable reports whether runs can train together in lanes: minLanes
// to LaneWidth wake-sleep runs of one config but the seed, at one step.
func groupable(runs []*Run) bool {
	if len(runs) < minLanes || len(runs) > runs[0].Config.LaneWidth() || !runs[0].Config.laneable() {
		return false
	}
	base := runs[0].Config
	base.Seed = 0
	for _, r := range runs {
		c := r.Config
		c.Seed = 0
		if r.Step != runs[0].Step || len(r.History) != len(runs[0].History) || !reflect.DeepEqual(c, base) {
			return false
		}
	}
	return true
}
