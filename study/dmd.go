package study

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/template"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/dmd"
	"helmholtz/internal/libm"
	"helmholtz/rbm"
	"helmholtz/train"
	"helmholtz/units"
)

// Sizes are the byte sizes a cost is priced with: Num bytes per number,
// Bits per binary state.
type Sizes struct {
	Name      string
	Num, Bits int
}

// CostSizes are the sizes every cost is reported in.
var CostSizes = []Sizes{
	{"1 element per value", 1, 1},
	{"float32: 4 bytes per value", 4, 4},
	{"float64: 8 bytes per value", 8, 8},
	{"float32, binary states in 1 byte", 4, 1},
	{"float64, binary states in 1 byte", 8, 1},
}

// StepCosts are the mean ByteDMD costs of the steps of wake-sleep and of
// an RBM's CD-k, per size of CostSizes: wake-sleep by phase (recognition
// pass, generative update, fantasy, recognition update, whole step), CD
// its positive phase and whole step, for each k.
type StepCosts struct {
	Reads       float64 // of a wake-sleep step
	WakeSleep   [][5]float64
	RWSK        int          // samples of the reweighted step priced, 0 if none
	RWS         [][5]float64 // its K recognition passes, generative update, q update, sleep, whole step
	MixC        int          // components of the mixture step priced, 0 if none
	Mix         [][5]float64 // its gate and recognition pass, generative update, fantasy, recognition and gate updates, whole step
	ExactSteps  int          // steps of the exact-posterior learner priced (a tenth of Steps), 0 if none
	Exact       [][5]float64 // its posterior and draw, generative update, fantasy, recognition update, whole step
	K           []int
	CDReads     []float64
	CDs         [][][2]float64 // [k][size]
	Layers      []int
	Steps       int
	Seed        uint64
	Data        string
	RBMSettings string
}

// RBMConfig returns the study's RBM baseline as a run of train: CD-k
// (--algo rbm) on an RBM of cfg's visible units and first hidden layer,
// on cfg's data with cfg's seed, at the settings that did best of those
// tried on the 4×4 bars (rate 0.001, momentum 0.5, decay 0.001, initial
// weights N(0, 0.01²); without decay CD-1 ends above 3 bits).
func RBMConfig(cfg train.Config, k int) train.Config {
	c := train.Default()
	c.Data, c.Seed, c.Layers = cfg.Data, cfg.Seed, []int{cfg.Layers[0], cfg.Layers[1]}
	c.Algo, c.CDK, c.LR, c.Momentum, c.Decay, c.InitScale = "rbm", k, 0.001, 0.5, 0.001, 0.01
	return c
}

// MeasureSteps traces steps steps of wake-sleep on cfg's initial machine
// (train's initialisation of cfg), of reweighted wake-sleep with rwsK
// samples (if rwsK > 0) from the same start, and, for each k, of CD-k on
// the RBM of RBMConfig(cfg, k) from its initial weights, and returns
// their mean costs.
func MeasureSteps(ctx context.Context, cfg train.Config, ks []int, rwsK, mixC int, exact bool, steps int) (StepCosts, error) {
	set, err := dataset.Parse(cfg.Data)
	if err != nil {
		return StepCosts{}, err
	}
	r, err := train.New(cfg)
	if err != nil {
		return StepCosts{}, err
	}
	c := StepCosts{K: ks, Layers: cfg.Layers, Steps: steps,
		Seed: cfg.Seed, Data: cfg.Data,
		RBMSettings: RBMConfig(cfg, 1).RecipeFlags()}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x636f7374)) // "cost"
	// phases prices n traced steps, each split at its first three marks
	// into four phases and the whole, and returns their means and the
	// mean reads per step.
	phases := func(n int, step func() (*dmd.Trace, [4]int)) ([][5]float64, float64, error) {
		out, reads := make([][5]float64, len(CostSizes)), 0.0
		for range n {
			if err := ctx.Err(); err != nil {
				return out, reads, err
			}
			tr, ops := step()
			reads += float64(tr.Reads()) / float64(n)
			for v, s := range CostSizes {
				for i, p := range tr.Split(s.Num, s.Bits, ops[:3]) {
					out[v][i] += float64(p) / float64(n)
					out[v][4] += float64(p) / float64(n)
				}
			}
		}
		return out, reads, nil
	}
	if c.WakeSleep, c.Reads, err = phases(steps, func() (*dmd.Trace, [4]int) {
		return dmd.WakeSleepStep(r.Machine, set, cfg.LR, cfg.LR, rng)
	}); err != nil {
		return c, err
	}
	// Each other learner from the same initial machine.
	fresh := func() (*helmholtz.Machine, error) {
		r, err := train.New(cfg)
		if err != nil {
			return nil, err
		}
		return r.Machine, nil
	}
	if c.RWSK = rwsK; rwsK > 0 {
		m, err := fresh()
		if err != nil {
			return c, err
		}
		if c.RWS, _, err = phases(steps, func() (*dmd.Trace, [4]int) {
			return dmd.RWSStep(m, set, cfg.LR, cfg.LR, rwsK, true, true, rng)
		}); err != nil {
			return c, err
		}
	}
	if c.MixC = mixC; mixC > 0 {
		m, err := fresh()
		if err != nil {
			return c, err
		}
		mx := helmholtz.NewMixture(m, cfg.LR, cfg.LR, mixC)
		mx.Init(rand.New(rand.NewPCG(cfg.Seed, 0x6d6978)), cfg.InitScale, cfg.HiddenBias) // "mix"
		if c.Mix, _, err = phases(steps, func() (*dmd.Trace, [4]int) { return dmd.MixtureStep(mx, set, rng) }); err != nil {
			return c, err
		}
	}
	if exact {
		m, err := fresh()
		if err != nil {
			return c, err
		}
		e := dmd.NewExact(m, cfg.LR, cfg.LR)
		c.ExactSteps = max(steps/10, 1)
		if c.Exact, _, err = phases(c.ExactSteps, func() (*dmd.Trace, [4]int) { return e.Step(set, rng) }); err != nil {
			return c, err
		}
	}
	n := float64(steps)
	for _, k := range ks {
		rc := RBMConfig(cfg, k)
		start, err := train.New(rc)
		if err != nil {
			return c, err
		}
		cd := rbm.NewCD(rbm.View(start.Machine), k, rc.LR, rc.Momentum, rc.Decay)
		sums, reads := make([][2]float64, len(CostSizes)), 0.0
		for range steps {
			if err := ctx.Err(); err != nil {
				return c, err
			}
			tr, pos := dmd.CDStep(cd, set, rng)
			reads += float64(tr.Reads()) / n
			for v, s := range CostSizes {
				parts := tr.Split(s.Num, s.Bits, []int{pos})
				sums[v][0] += float64(parts[0]) / n
				sums[v][1] += float64(parts[0]+parts[1]) / n
			}
		}
		c.CDs, c.CDReads = append(c.CDs, sums), append(c.CDReads, reads)
	}
	return c, nil
}

// DMD is the data-movement study: the total cost of reaching a result,
// (median updates to it over seeds) × (cost of one update), for
// wake-sleep (the stub's recipe and the recommended one) and for an RBM
// trained by CD-k, with two kinds of result: an exact KL at or below a
// threshold, and the peer's criterion of 7 of the 8 bars covered
// (units.Covered on the generative weights).
type DMD struct {
	Seeds      []uint64
	Steps      int          // of every run
	Every      int          // steps between the evaluations that find the first one meeting a criterion
	Thresholds []float64    // KL[p_data ‖ p_model] in bits
	Recipe     train.Config // the recommended recipe, for 16-8-1 bars
	RecipeName string       // its flags, for the page
	CDK        []int        // the k of each RBM learner
	Workers    int
	Doc        string // where DMD.md goes
	Log        io.Writer
}

// coveredNeeded is the peer's criterion: bars covered of 8.
const coveredNeeded = 7

// trajectory is one run's evaluations: updates so far, KL, bars covered.
type trajectory struct {
	updates []int
	kl      []float64
	covered []int
}

// learner is one learner of the study.
type learner struct {
	Name string
	run  func(ctx context.Context, seed uint64) (trajectory, error)
	cost func(c StepCosts) (one, eight float64) // per update
	Traj []trajectory
}

// Run trains every run (on Workers goroutines), measures the step costs
// and writes DMD.md.
func (c DMD) Run(ctx context.Context) error {
	set := dataset.NewBars(4, 4)
	run := func(cfg train.Config) func(context.Context, uint64) (trajectory, error) {
		return func(ctx context.Context, seed uint64) (trajectory, error) {
			cfg := cfg
			cfg.Seed, cfg.Steps, cfg.EvalEvery, cfg.SnapshotEvery = seed, c.Steps, c.Every, 0
			r, err := train.New(cfg)
			if err != nil {
				return trajectory{}, err
			}
			var tr trajectory
			err = r.Train(ctx, func(p train.Point) {
				rows := make([][]float64, r.Machine.Sizes[1])
				for j := range rows {
					rows[j] = r.Machine.W[0][j*16 : (j+1)*16]
				}
				tr.updates = append(tr.updates, p.Samples)
				tr.kl = append(tr.kl, p.KL)
				tr.covered = append(tr.covered, units.Covered(rows, set))
			})
			return tr, err
		}
	}
	learners := []*learner{
		{Name: "wake-sleep, stub recipe", run: run(train.Default()),
			cost: func(s StepCosts) (float64, float64) { return s.WakeSleep[0][4], s.WakeSleep[2][4] }},
		{Name: "wake-sleep, recommended recipe", run: run(c.Recipe),
			cost: func(s StepCosts) (float64, float64) { return s.WakeSleep[0][4], s.WakeSleep[2][4] }}, // priced as the stub's step: a lower bound (see the page)
	}
	rws := train.Default()
	rws.Algo, rws.Samples = "rws", 5
	learners = append(learners, &learner{Name: "reweighted wake-sleep, K = 5, stub recipe", run: run(rws),
		cost: func(s StepCosts) (float64, float64) { return s.RWS[0][4], s.RWS[2][4] }})
	ex := train.Default()
	ex.Algo = "exact"
	learners = append(learners, &learner{Name: "exact-posterior wake phase, stub recipe", run: run(ex),
		cost: func(s StepCosts) (float64, float64) { return s.Exact[0][4], s.Exact[2][4] }})
	mix := train.Default()
	mix.Algo, mix.Components = "mixture", 2
	learners = append(learners, &learner{Name: "wake-sleep with 2 recognition nets, stub recipe", run: run(mix),
		cost: func(s StepCosts) (float64, float64) { return s.Mix[0][4], s.Mix[2][4] }})
	for _, k := range c.CDK {
		learners = append(learners, &learner{Name: fmt.Sprintf("RBM, CD-%d", k), run: run(RBMConfig(train.Default(), k)),
			cost: func(s StepCosts) (float64, float64) {
				i := slices.Index(c.CDK, k)
				return s.CDs[i][0][1], s.CDs[i][2][1]
			}})
	}
	type job struct{ l, s int }
	jobs := make(chan job)
	errs := make(chan error, max(c.Workers, 1))
	for _, l := range learners {
		l.Traj = make([]trajectory, len(c.Seeds))
	}
	var wg sync.WaitGroup
	for range max(c.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				tr, err := learners[j.l].run(ctx, c.Seeds[j.s])
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				learners[j.l].Traj[j.s] = tr
				fmt.Fprintf(c.Log, "%s seed %d: final KL %.3f bits\n", learners[j.l].Name, c.Seeds[j.s], tr.kl[len(tr.kl)-1])
			}
		}()
	}
	for l := range learners {
		for s := range c.Seeds {
			jobs <- job{l, s}
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	costs, err := MeasureSteps(ctx, train.Default(), c.CDK, 5, 2, true, 1000)
	if err != nil {
		return err
	}
	var scale []scalePoint
	for _, n := range []struct{ data string }{{"bars:4x4"}, {"bars:5x5"}, {"bars:8x8"}} {
		cfg := train.Default()
		set, _ := dataset.Parse(n.data)
		cfg.Data, cfg.Layers = n.data, set.Layers()
		sc, err := MeasureSteps(ctx, cfg, nil, 0, 0, false, 200)
		if err != nil {
			return err
		}
		scale = append(scale, scalePoint{Layers: layers(cfg.Layers), Params: train.Params(cfg.Layers), Reads: sc.Reads, Cost: sc.WakeSleep[0][4], Phases: sc.WakeSleep[0]})
	}
	return c.write(learners, costs, scale)
}

// scalePoint is the per-update cost of wake-sleep on one net.
type scalePoint struct {
	Layers      string
	Params      int
	Reads, Cost float64
	Phases      [5]float64
}

// costRow is one learner's line for one criterion.
type costRow struct {
	Name              string
	Reached, N        int
	Q1, Median, Q3    float64 // updates, over the runs that reached it
	PerStep, PerStep8 float64
	Total, Total8     float64
}

// first returns the updates at the first evaluation (after the start) of
// each run meeting ok, the runs reaching it, and how many.
func first(trajs []trajectory, ok func(tr trajectory, i int) bool) []float64 {
	var out []float64
	for _, tr := range trajs {
		for i := range tr.updates {
			if tr.updates[i] > 0 && ok(tr, i) {
				out = append(out, float64(tr.updates[i]))
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

func (c DMD) write(learners []*learner, costs StepCosts, scale []scalePoint) error {
	type block struct {
		Criterion string
		Rows      []costRow
	}
	var criteria []struct {
		name string
		ok   func(tr trajectory, i int) bool
	}
	for _, th := range c.Thresholds {
		criteria = append(criteria, struct {
			name string
			ok   func(tr trajectory, i int) bool
		}{fmt.Sprintf("exact KL ≤ %g bits", th), func(tr trajectory, i int) bool { return tr.kl[i] <= th }})
	}
	criteria = append(criteria, struct {
		name string
		ok   func(tr trajectory, i int) bool
	}{fmt.Sprintf("%d of 8 bars covered (the peer's criterion)", coveredNeeded), func(tr trajectory, i int) bool { return tr.covered[i] >= coveredNeeded }})
	var blocks []block
	for _, cr := range criteria {
		b := block{Criterion: cr.name}
		for _, l := range learners {
			reached := first(l.Traj, cr.ok)
			one, eight := l.cost(costs)
			row := costRow{Name: l.Name, Reached: len(reached), N: len(l.Traj), PerStep: one, PerStep8: eight}
			if len(reached) > 0 {
				row.Q1, row.Median, row.Q3 = quantile(reached, 0.25), quantile(reached, 0.5), quantile(reached, 0.75)
				row.Total, row.Total8 = row.Median*one, row.Median*eight
			}
			b.Rows = append(b.Rows, row)
		}
		blocks = append(blocks, b)
	}
	finals := map[string]float64{}
	var names []string
	for _, l := range learners {
		var f []float64
		for _, tr := range l.Traj {
			f = append(f, tr.kl[len(tr.kl)-1])
		}
		slices.Sort(f)
		finals[l.Name] = quantile(f, 0.5)
		names = append(names, l.Name)
	}
	// The exponent of cost ∝ parameters^b, by least squares on the logs.
	var sx, sy, sxx, sxy float64
	for _, p := range scale {
		x, y := libm.Log(float64(p.Params)), libm.Log(p.Cost)
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+float64(x*x), sxy+float64(x*y) // unfused: the same page on every build
	}
	n := float64(len(scale))
	exponent := (float64(n*sxy) - float64(sx*sy)) / (float64(n*sxx) - float64(sx*sx))
	// Which phase of the canonical step moves the most.
	phases := []string{"the recognition pass", "the generative update", "the fantasy", "the recognition update"}
	big := 0
	for i := range 4 {
		if costs.WakeSleep[0][i] > costs.WakeSleep[0][big] {
			big = i
		}
	}
	var b strings.Builder
	err := costTemplate.Execute(&b, map[string]any{
		"Seeds": seedRange(c.Seeds), "Steps": train.Commas(c.Steps), "Every": train.Commas(c.Every),
		"Blocks": blocks, "Costs": costs, "Sizes": CostSizes, "Finals": finals, "Names": names,
		"Recipe": c.RecipeName, "Scale": scale, "Exponent": exponent,
		"BigPhase": phases[big], "BigShare": costs.WakeSleep[0][big] / costs.WakeSleep[0][4],
		"BitSaving": 1 - costs.WakeSleep[4][4]/costs.WakeSleep[2][4], "CDCostlier": cdCostlier(costs),
	})
	if err != nil {
		return err
	}
	return train.WriteFile(filepath.Join(c.Doc, "DMD.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := float64(q * float64(len(sorted)-1))
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return float64(sorted[i]*(1-f)) + float64(sorted[i+1]*f)
}

var costTemplate = template.Must(template.New("dmd").Funcs(template.FuncMap{
	"n0":     func(x float64) string { return train.Commas(int(x + 0.5)) },
	"f3":     func(x float64) string { return fmt.Sprintf("%.3f", x) },
	"f2":     func(x float64) string { return fmt.Sprintf("%.2f", x) },
	"pct":    func(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) },
	"index5": func(a [5]float64, i int) float64 { return a[i] },
	"index2": func(a [2]float64, i int) float64 { return a[i] },
	"commas": train.Commas,
}).Parse(`# What learning the bars costs in data movement

The seed's third question: price the wake-sleep updates by data movement (ByteDMD: memory is an
LRU stack of live values, reading one at depth d costs ⌈√d⌉, arithmetic is free) and compare
learners, as the peer project cybertronai/hinton-problems asks, by the **total cost of reaching
the same result**: (median updates to it over seeds) × (cost of one update).

This page is written by ` + "`go run ./cmd/helmholtz study dmd`" + `: seeds {{.Seeds}}, {{.Steps}} online updates
per run, every criterion checked every {{.Every}} updates. The learners: wake-sleep on 16-8-1 with the
stub's recipe and with the recommended one (` + "`{{.Recipe}}`" + `, whose updates include its restart
candidates'), and an RBM with 16 visible and 8 hidden units trained by CD-k through ` + "`train`" + `
(` + "`{{.Costs.RBMSettings}}`" + ` and ` + "`--cd-k 5`" + `: the best of a dozen settings tried on seed 2 and then over seeds
1-20 with ` + "`sweep`" + `; without weight decay CD-1 ends above 3 bits), and reweighted wake-sleep with 5
samples, with a mixture of 2 recognition nets and with the wake phase drawn from the exact
posterior ([GAP.md](GAP.md)). Final KL, median over seeds:
{{range .Names}}{{.}} {{f3 (index $.Finals .)}} bits; {{end}}

## One update

Each step is traced as the project runs it (package ` + "`dmd`" + `; every traced step leaves the real
step's parameters bit for bit) and priced by the mean over {{commas .Costs.Steps}} steps from seed
{{.Costs.Seed}}'s initial machines ({{n0 .Costs.Reads}} reads per wake-sleep step). ` + "`helmholtz dmd`" + ` prints
this table.

| values | wake-sleep: recognition | generative update | fantasy | recognition update | whole step |{{range .Costs.K}} CD-{{.}}: positive phase | whole step |{{end}}
|---|---|---|---|---|---|{{range .Costs.K}}---|---|{{end}}
{{range $i, $s := .Sizes}}{{$w := index $.Costs.WakeSleep $i}}| {{$s.Name}} | {{n0 (index5 $w 0)}} | {{n0 (index5 $w 1)}} | {{n0 (index5 $w 2)}} | {{n0 (index5 $w 3)}} | {{n0 (index5 $w 4)}} |{{range $k, $c := $.Costs.CDs}} {{n0 (index2 (index $c $i) 0)}} | {{n0 (index2 (index $c $i) 1)}} |{{end}}
{{end}}
Reweighted wake-sleep with {{.Costs.RWSK}} samples, one element per value: its {{.Costs.RWSK}} recognition passes and weights
{{n0 (index5 (index .Costs.RWS 0) 0)}}, generative update {{n0 (index5 (index .Costs.RWS 0) 1)}}, wake-phase q update
{{n0 (index5 (index .Costs.RWS 0) 2)}}, sleep {{n0 (index5 (index .Costs.RWS 0) 3)}}: {{n0 (index5 (index .Costs.RWS 0) 4)}} per update ({{n0 (index5 (index .Costs.RWS 2) 4)}} in float64).
Wake-sleep with {{.Costs.MixC}} recognition nets, one element per value: the gate, the draw of a component and
its recognition pass {{n0 (index5 (index .Costs.Mix 0) 0)}}, generative update {{n0 (index5 (index .Costs.Mix 0) 1)}}, fantasy
{{n0 (index5 (index .Costs.Mix 0) 2)}}, the responsibilities and the components' and gate's updates
{{n0 (index5 (index .Costs.Mix 0) 3)}}: {{n0 (index5 (index .Costs.Mix 0) 4)}} per update ({{n0 (index5 (index .Costs.Mix 2) 4)}} in float64).
The exact-posterior wake phase (the mean over {{.Costs.ExactSteps}} steps), one element per value: the posterior over all
512 latent states by the exponential walk and the draw {{n0 (index5 (index .Costs.Exact 0) 0)}}, generative update
{{n0 (index5 (index .Costs.Exact 0) 1)}}, fantasy {{n0 (index5 (index .Costs.Exact 0) 2)}}, recognition update {{n0 (index5 (index .Costs.Exact 0) 3)}}: {{n0 (index5 (index .Costs.Exact 0) 4)}} per update
({{n0 (index5 (index .Costs.Exact 2) 4)}} in float64).

## To the same result
{{range .Blocks}}
**{{.Criterion}}** (the first evaluation meeting it):

| learner | runs reaching it | median updates (q1–q3) | cost per update | total, 1 element per value | total, float64 |
|---|---|---|---|---|---|
{{range .Rows}}| {{.Name}} | {{.Reached}} of {{.N}} | {{if .Reached}}{{n0 .Median}} ({{n0 .Q1}}–{{n0 .Q3}}){{else}}–{{end}} | {{n0 .PerStep}} | {{if .Reached}}{{n0 .Total}}{{else}}not reached{{end}} | {{if .Reached}}{{n0 .Total8}}{{else}}not reached{{end}} |
{{end}}{{end}}
The recommended recipe's first evaluation comes only after its restart candidates have trained
(their updates count), which is why its quartiles sit on that step. Its cost per update is priced
as the stub's step: its options (weight decay and the non-negative clamp pass over every weight
each step, the restarts' choice evaluates likelihoods) are not traced, so its totals are lower
bounds.

## How the cost of an update grows with the net

Wake-sleep with the stub's recipe, one element per value, the mean over 200 steps from each
net's initial machine:

| net | parameters | reads per update | cost per update | recognition | generative update | fantasy | recognition update |
|---|---|---|---|---|---|---|---|
{{range .Scale}}| {{.Layers}} | {{.Params}} | {{n0 .Reads}} | {{n0 .Cost}} | {{n0 (index5 .Phases 0)}} | {{n0 (index5 .Phases 1)}} | {{n0 (index5 .Phases 2)}} | {{n0 (index5 .Phases 3)}} |
{{end}}
A least-squares fit of log cost on log parameters gives cost ∝ parameters^{{f2 .Exponent}}.

## Where the bytes move

In the canonical step {{.BigPhase}} moves the most ({{pct .BigShare}} of the step with one element
per value). Its updates are sparse, as the project's step is: only the rows of the units that are
on are read and written. Storing the binary states in one byte instead of eight saves
{{pct .BitSaving}} of the float64 step, little, since the states are read a few times each and the
weights many times. {{if .CDCostlier}}Wake-sleep's update is the cheaper one here because the RBM's, as
` + "`rbm`" + ` computes it, multiplies every weight by a probability in the reconstruction pass and
moves every weight's velocity under momentum.{{else}}Not every CD-k update here costs more than a wake-sleep update.{{end}}
`))

// cdCostlier reports whether every CD-k update costs more than a
// wake-sleep update (one element per value).
func cdCostlier(c StepCosts) bool {
	for _, cd := range c.CDs {
		if cd[0][1] <= c.WakeSleep[0][4] {
			return false
		}
	}
	return len(c.CDs) > 0
}
