package study

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"helmholtz/dataset"
	"helmholtz/dmd"
	"helmholtz/rbm"
	"helmholtz/train"
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
// its positive phase and whole step.
type StepCosts struct {
	Reads       float64 // of a wake-sleep step
	WakeSleep   [][5]float64
	CDReads     float64
	CD          [][2]float64
	Layers      []int
	K, Steps    int
	Seed        uint64
	Data        string
	RBMSettings string
}

// CD settings of the RBM baseline.
const (
	cdRate, cdMomentum, cdDecay = 0.01, 0.9, 1e-4
	cdInitScale                 = 0.01
)

// MeasureSteps traces steps steps of wake-sleep on cfg's initial machine
// (train's initialisation of cfg) and of CD-k on an RBM with as many
// hidden units as cfg's first hidden layer, from a small random start,
// and returns their mean costs.
func MeasureSteps(ctx context.Context, cfg train.Config, k, steps int) (StepCosts, error) {
	set, err := dataset.Parse(cfg.Data)
	if err != nil {
		return StepCosts{}, err
	}
	r, err := train.New(cfg)
	if err != nil {
		return StepCosts{}, err
	}
	c := StepCosts{WakeSleep: make([][5]float64, len(CostSizes)), CD: make([][2]float64, len(CostSizes)),
		Layers: cfg.Layers, K: k, Steps: steps, Seed: cfg.Seed, Data: cfg.Data,
		RBMSettings: fmt.Sprintf("rate %g, momentum %g, decay %g", cdRate, cdMomentum, cdDecay)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x636f7374)) // "cost"
	n := float64(steps)
	for range steps {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		tr, ops := dmd.WakeSleepStep(r.Machine, set, cfg.LR, cfg.LR, rng)
		c.Reads += float64(tr.Reads()) / n
		for v, s := range CostSizes {
			parts := tr.Split(s.Num, s.Bits, ops[:3])
			for i, p := range parts {
				c.WakeSleep[v][i] += float64(p) / n
				c.WakeSleep[v][4] += float64(p) / n
			}
		}
	}
	m := rbm.New(cfg.Layers[0], cfg.Layers[1])
	m.Init(rand.New(rand.NewPCG(cfg.Seed, 0x72626d)), cdInitScale) // "rbm"
	cd := rbm.NewCD(m, k, cdRate, cdMomentum, cdDecay)
	for range steps {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		tr, pos := dmd.CDStep(cd, set, rng)
		c.CDReads += float64(tr.Reads()) / n
		for v, s := range CostSizes {
			parts := tr.Split(s.Num, s.Bits, []int{pos})
			c.CD[v][0] += float64(parts[0]) / n
			c.CD[v][1] += float64(parts[0]+parts[1]) / n
		}
	}
	return c, nil
}

// Cost is the data-movement study: the total cost of reaching a KL,
// (median updates to it over seeds) × (cost of one update), for
// wake-sleep with the stub's recipe and for an RBM trained by CD-1.
type Cost struct {
	Seeds      []uint64
	Steps      int       // of every run
	Every      int       // steps between the exact evaluations that find the first one at or below a threshold
	Thresholds []float64 // KL[p_data ‖ p_model] in bits
	Doc        string    // where COST.md goes
	Log        io.Writer
}

// learnerRuns are a learner's runs: per seed, the first evaluated step
// at or below each threshold (0 if never), and the final KL.
type learnerRuns struct {
	Name   string
	First  [][]int // [threshold][seed]
	Final  []float64
	Wander []float64 // per seed: max − min of the KL over the second half of the evaluations
}

// Run trains every run, measures the step costs and writes COST.md.
func (c Cost) Run(ctx context.Context) error {
	set := dataset.NewBars(4, 4)
	pats, probs := set.Support()
	ws := learnerRuns{Name: "wake-sleep (stub recipe)", First: make([][]int, len(c.Thresholds))}
	cdRuns := learnerRuns{Name: fmt.Sprintf("RBM, CD-1 (%s)", fmt.Sprintf("rate %g, momentum %g, decay %g", cdRate, cdMomentum, cdDecay)), First: make([][]int, len(c.Thresholds))}
	for _, seed := range c.Seeds {
		cfg := train.Default()
		cfg.Seed, cfg.Steps, cfg.EvalEvery, cfg.SnapshotEvery = seed, c.Steps, c.Every, 0
		r, err := train.New(cfg)
		if err != nil {
			return err
		}
		if err := r.Train(ctx, nil); err != nil {
			return err
		}
		kls := make([]float64, 0, len(r.History))
		steps := make([]int, 0, len(r.History))
		for _, p := range r.History {
			kls, steps = append(kls, p.KL), append(steps, p.Step)
		}
		ws.add(c.Thresholds, steps, kls)
		// The RBM, evaluated at the same steps.
		rng := rand.New(rand.NewPCG(seed, 0x72626d))
		m := rbm.New(16, 8)
		m.Init(rng, cdInitScale)
		cd := rbm.NewCD(m, 1, cdRate, cdMomentum, cdDecay)
		kls, steps = kls[:0], steps[:0]
		for s := 0; s <= c.Steps; s++ {
			if s > 0 {
				cd.Step(set, rng)
			}
			if s%c.Every == 0 || s == c.Steps {
				kl, _ := m.KL(pats, probs)
				kls, steps = append(kls, kl), append(steps, s)
			}
			if s%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		}
		cdRuns.add(c.Thresholds, steps, kls)
		fmt.Fprintf(c.Log, "seed %d: wake-sleep KL %.3f, RBM KL %.3f bits\n", seed, ws.Final[len(ws.Final)-1], cdRuns.Final[len(cdRuns.Final)-1])
	}
	costs, err := MeasureSteps(ctx, train.Default(), 1, 1000)
	if err != nil {
		return err
	}
	return c.write(ws, cdRuns, costs)
}

func (l *learnerRuns) add(thresholds []float64, steps []int, kls []float64) {
	for t, th := range thresholds {
		first := 0
		for i, kl := range kls {
			if kl <= th && steps[i] > 0 {
				first = steps[i]
				break
			}
		}
		l.First[t] = append(l.First[t], first)
	}
	l.Final = append(l.Final, kls[len(kls)-1])
	half := kls[len(kls)/2:]
	l.Wander = append(l.Wander, slices.Max(half)-slices.Min(half))
}

// costRow is one learner's line for one threshold.
type costRow struct {
	Name                   string
	Reached, N             int
	Q1, Median, Q3         float64 // steps, over the runs that reached it
	PerStep, Total, Total8 float64 // one element per value; Total8: float64
	PerStep8               float64
}

func (c Cost) write(ws, cd learnerRuns, costs StepCosts) error {
	type block struct {
		Threshold float64
		Rows      []costRow
	}
	var blocks []block
	for t, th := range c.Thresholds {
		b := block{Threshold: th}
		for _, l := range []struct {
			runs       learnerRuns
			one, byte8 float64
		}{{ws, costs.WakeSleep[0][4], costs.WakeSleep[2][4]}, {cd, costs.CD[0][1], costs.CD[2][1]}} {
			var reached []float64
			for _, s := range l.runs.First[t] {
				if s > 0 {
					reached = append(reached, float64(s))
				}
			}
			slices.Sort(reached)
			row := costRow{Name: l.runs.Name, Reached: len(reached), N: len(l.runs.First[t]), PerStep: l.one, PerStep8: l.byte8}
			if len(reached) > 0 {
				row.Q1, row.Median, row.Q3 = quantile(reached, 0.25), quantile(reached, 0.5), quantile(reached, 0.75)
				row.Total, row.Total8 = row.Median*l.one, row.Median*l.byte8
			}
			b.Rows = append(b.Rows, row)
		}
		blocks = append(blocks, b)
	}
	median := func(x []float64) float64 {
		s := slices.Clone(x)
		slices.Sort(s)
		return quantile(s, 0.5)
	}
	var b strings.Builder
	err := costTemplate.Execute(&b, map[string]any{
		"Seeds": seedRange(c.Seeds), "Steps": train.Commas(c.Steps), "Every": train.Commas(c.Every),
		"Blocks": blocks, "Costs": costs, "Sizes": CostSizes,
		"FinalWS": median(ws.Final), "FinalCD": median(cd.Final),
		"WanderWS": median(ws.Wander), "WanderCD": median(cd.Wander),
		"CDCostlier": costs.CD[0][1] > costs.WakeSleep[0][4],
	})
	if err != nil {
		return err
	}
	return train.WriteFile(filepath.Join(c.Doc, "COST.md"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

var costTemplate = template.Must(template.New("cost").Funcs(template.FuncMap{
	"n0":     func(x float64) string { return train.Commas(int(x + 0.5)) },
	"f3":     func(x float64) string { return fmt.Sprintf("%.3f", x) },
	"index5": func(a [5]float64, i int) float64 { return a[i] },
	"index2": func(a [2]float64, i int) float64 { return a[i] },
	"ratio":  func(a, b float64) string { return fmt.Sprintf("%.0f", a/b) },
	"commas": train.Commas,
}).Parse(`# What learning the bars costs in data movement

The seed's third question: price the wake-sleep updates by data movement (ByteDMD: memory is an
LRU stack of live values, reading one at depth d costs ⌈√d⌉, arithmetic is free) and compare
them, as the peer project cybertronai/hinton-problems asks, by the **total cost of reaching the
same result**, (median updates to it over seeds) × (cost of one update), against an RBM trained
by CD-1 on the same data. The result is a KL[p_data ‖ p_model], computed exactly for both.

This page is written by ` + "`go run ./cmd/helmholtz study cost`" + `: seeds {{.Seeds}}, {{.Steps}} online steps
per run, the exact KL every {{.Every}} steps; wake-sleep with the stub's recipe (16-8-1, rate
0.1), the RBM with 16 visible and 8 hidden units, CD-1, {{.Costs.RBMSettings}}, weights from
N(0, 0.01²). Final KL, median over seeds: wake-sleep {{f3 .FinalWS}} bits, RBM {{f3 .FinalCD}} bits.
The RBM's settings are one reasonable choice (constant rate, Hinton's practical defaults for
momentum and decay), not a tuned one: CD-k with larger k, persistent chains or a decaying rate
would reach lower KLs, at their own cost per step (` + "`helmholtz cost --k K`" + ` prices CD-k).

## One update

Each step is traced as the project runs it (package ` + "`dmd`" + `; the traced steps leave the real
steps' parameters bit for bit) and priced by the mean over {{commas .Costs.Steps}} steps from seed {{.Costs.Seed}}'s
initial machines ({{n0 .Costs.Reads}} reads per wake-sleep step, {{n0 .Costs.CDReads}} per CD-1 step):

| values | wake-sleep: recognition | generative update | fantasy | recognition update | whole step | CD-1: positive phase | whole step |
|---|---|---|---|---|---|---|---|
{{range $i, $s := .Sizes}}{{$w := index $.Costs.WakeSleep $i}}{{$c := index $.Costs.CD $i}}| {{$s.Name}} | {{n0 (index5 $w 0)}} | {{n0 (index5 $w 1)}} | {{n0 (index5 $w 2)}} | {{n0 (index5 $w 3)}} | {{n0 (index5 $w 4)}} | {{n0 (index2 $c 0)}} | {{n0 (index2 $c 1)}} |
{{end}}
## To the same result
{{range .Blocks}}
KL ≤ {{.Threshold}} bits (the first evaluated step at or below it):

| learner | runs reaching it | median steps (q1–q3) | cost per step | total, 1 element per value | total, float64 |
|---|---|---|---|---|---|
{{range .Rows}}| {{.Name}} | {{.Reached}} of {{.N}} | {{if .Reached}}{{n0 .Median}} ({{n0 .Q1}}–{{n0 .Q3}}){{else}}–{{end}} | {{n0 .PerStep}} | {{if .Reached}}{{n0 .Total}}{{else}}not reached{{end}} | {{if .Reached}}{{n0 .Total8}}{{else}}not reached{{end}} |
{{end}}{{$w := index .Rows 0}}{{$r := index .Rows 1}}
{{if and $w.Reached $r.Reached}}Wake-sleep gets there with {{ratio $r.Total $w.Total}} times less data movement than the RBM.{{else if $w.Reached}}The RBM does not get there within the runs' steps; wake-sleep does in {{$w.Reached}} of {{$w.N}} runs.{{else if $r.Reached}}Wake-sleep does not get there within the runs' steps; the RBM does in {{$r.Reached}} of {{$r.N}} runs.{{else}}Neither gets there within the runs' steps.{{end}}
{{end}}
{{if .CDCostlier}}A CD-1 step costs more than a wake-sleep step here: the pass over the reconstruction's
probabilities and the momentum updates touch every weight, where wake-sleep adds only the rows of
the units that are on.{{else}}A CD-1 step costs less than a wake-sleep step here.{{end}} Over the second half of each run the KL moves within a range of
{{f3 .WanderWS}} bits for wake-sleep and {{f3 .WanderCD}} bits for the RBM (medians over seeds): a
threshold a run crosses while its KL still wanders is crossed by luck as much as by learning.
`))
