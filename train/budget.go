package train

import (
	"fmt"
	"math"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/rbm"
)

// Limits on what one run may ask for. Validate checks a Config against
// them before anything is allocated, so that no flag can exhaust memory,
// overflow a counter, or keep Ctrl-C waiting. Work is counted in
// operations of about a nanosecond each on the README's 2.1 GHz machine
// (one weight read or added for one pattern; one pattern and latent
// configuration of an exact evaluation).
const (
	// MaxMemory bounds the memory a run needs (Estimate): the data's
	// support, the exact evaluator, the machine and its working copies,
	// the history and the restart candidates kept at once.
	MaxMemory = 4 << 30
	// MaxWork bounds the work of a run, training and evaluations: 2^50,
	// about two weeks on one core.
	MaxWork = 1 << 50
	// MaxStepWork bounds the work of one step, Batch patterns through
	// every weight twice: 2^28. The kernels take 0.2 ns an operation so
	// counted on a small net (a 100-50-20 net's online step: 24,000
	// operations in 5 µs) and far less on a large sparse one (a
	// 784-200-200-200 net's by RWS with K = 5 and batches of 25: 1.4e8 in
	// 2.5-4 ms), so a step takes at most about 50 ms, and since training
	// checks for an interrupt after every step, Ctrl-C acts within 100 ms
	// whatever the batch size.
	MaxStepWork = 1 << 28
	// MaxChunkWork bounds the work between two checks for divergence:
	// 2^35 operations, about half a second of MNIST training. A check
	// reads every weight and keeps a copy of the machine and the
	// learner's state to replay the chunk from, about an MNIST step's
	// work: checking every step cost a quarter of an MNIST run, and every
	// fifteen steps (2^31 operations) a tenth of a float32 one.
	MaxChunkWork = 1 << 35
	// MaxSnapshots bounds the snapshots a run writes.
	MaxSnapshots = 10000
	// MaxLogit bounds every logit a machine can produce in training (see
	// helmholtz.Machine.MaxLogit). The fast sigmoid is constant beyond
	// ±30, so a unit with a logit of a million is switched on or off for
	// good, beyond any learning signal; in the 1,300 runs of
	// docs/STUDY.md none could pass 134. A run whose weights pass it has
	// diverged.
	MaxLogit = 1 << 20
)

// Cost is what a run needs, by estimate.
type Cost struct {
	Bytes float64 // memory
	Work  float64 // operations of the whole run
	Step  float64 // operations of one step
}

// Cost returns the cost of the run c describes. c must have passed
// the range checks of Validate (data set, positive sizes and counts).
func (c Config) Cost(set dataset.Set) Cost {
	params := float64(Params(c.Layers))
	perPattern := 2 * params // wake and sleep each read or update every weight about once
	K := float64(set.SupportSize())
	nv := float64(set.Dim())
	evBytes, evOps := c.scoreCost(set, set.SupportSize())

	latent := 0.0
	for _, n := range c.Layers[1:] {
		latent += float64(n)
	}
	switch c.Algo { // the learner's work per pattern
	case "exact":
		perPattern += math.Exp2(latent) * (2*nv + 4)
	case "rws":
		perPattern *= float64(c.Samples) + 1
	case "mixture":
		perPattern *= float64(c.Components+1) / 2
	case "rbm": // CD-k: k+1 passes up, k down, and the update
		perPattern = float64(c.Layers[0]*c.Layers[1]) * float64(2*c.CDK+2)
	}
	var cost Cost
	cost.Step = float64(c.Batch) * perPattern
	evals := float64(c.Steps)/float64(c.EvalEvery) + 2
	if c.recordsGap() { // the gap goes with each evaluation
		gapBytes, gapOps := exact.GapCost(c.Layers, set.SupportSize(), max(c.Components, 1))
		evBytes, evOps = evBytes+gapBytes, evOps+gapOps
	}
	cost.Work = float64(c.Steps)*cost.Step + evals*evOps
	// the support (one allocation of pixels, a slice header and a
	// probability per pattern), the evaluators, the machine with the
	// copy a chunk is replayed from and the batch sums (and a mixture's
	// components), the history
	cost.Bytes = K*(nv+32) + evBytes + 4*8*params*float64(max(c.Components, 1)) + evals*40
	if c.Restarts > 1 {
		total, _ := c.restartPlan()
		kept := 1.0
		if c.Halving {
			kept = math.Ceil(float64(c.Restarts) / 2)
		}
		sel := min(float64(c.SelectSamples), K)
		selBytes, selOps := c.chooser(int(sel)).scoreCost(set, int(sel))
		rounds := math.Ceil(math.Log2(float64(c.Restarts))) + 1
		cost.Work += float64(total)*cost.Step + float64(c.Restarts)*rounds*selOps + float64(c.SelectSamples)*nv
		cost.Bytes += (kept+1)*8*params + selBytes + sel*(2*nv+48)
	}
	return cost
}

// scoreCost returns the bytes and operations of one likelihood of c's
// machines on n patterns (at most c.estimated when estimated).
func (c Config) scoreCost(set dataset.Set, n int) (bytes, ops float64) {
	if c.Algo == "rbm" {
		return float64(n) * 8, rbm.Cost(c.Layers[0], c.Layers[1], n)
	}
	if c.exactly() {
		return exact.Cost(c.Layers, n)
	}
	n = min(n, c.estimated(c.estimateK()))
	return float64(n) * float64(set.Dim()+48), float64(n) * float64(c.estimateK()) * 4 * float64(Params(c.Layers))
}

// Params returns the number of parameters of a machine with these layer
// sizes: biases, generative and recognition weights.
func Params(sizes []int) int {
	n := sizes[0]
	for l := 1; l < len(sizes); l++ {
		n += 2*sizes[l] + 2*sizes[l-1]*sizes[l]
	}
	return n
}

// CheckEvaluation reports whether a machine of these sizes, whose
// recognition has the given number of components, can be evaluated
// exactly on set's support within the limits: the enumeration itself
// (exact.Check), and the memory of the support and the evaluators.
func CheckEvaluation(sizes []int, components int, set dataset.Set) error {
	if err := exact.Check(sizes); err != nil {
		return err
	}
	bytes, _ := exact.Cost(sizes, set.SupportSize())
	if exact.CheckPosterior(sizes) == nil {
		gapBytes, _ := exact.GapCost(sizes, set.SupportSize(), components)
		bytes += gapBytes
	}
	if bytes += float64(set.SupportSize()) * float64(set.Dim()+32); bytes > MaxMemory {
		return fmt.Errorf("evaluating %s on %s would need about %s of memory, more than the limit of %s",
			archShort(sizes), set, byteSize(bytes), byteSize(MaxMemory))
	}
	return nil
}

// checkBudget reports the first limit c exceeds.
func (c Config) checkBudget(set dataset.Set) error {
	cost := c.Cost(set)
	switch {
	case cost.Step > MaxStepWork:
		return fmt.Errorf("--batch-size %d is too large for %s: one step would be %.3g operations, more than the %d that keep Ctrl-C within 100 ms (at most --batch-size %d)",
			c.Batch, archShort(c.Layers), cost.Step, MaxStepWork, int(MaxStepWork/(cost.Step/float64(c.Batch))))
	case cost.Bytes > MaxMemory:
		return fmt.Errorf("this run would need about %s of memory, more than the limit of %s (fewer --restarts, evaluations or a smaller data set or net)",
			byteSize(cost.Bytes), byteSize(MaxMemory))
	case cost.Work > MaxWork:
		return fmt.Errorf("this run would take about %.3g operations (%s on one core), more than the limit of %.3g (fewer --n-steps, a smaller --batch-size or fewer evaluations)",
			cost.Work, duration(cost.Work), float64(MaxWork))
	}
	if c.SnapshotEvery > 0 && c.Steps/c.SnapshotEvery >= MaxSnapshots {
		return fmt.Errorf("--snapshot-every %d would write %d snapshots, more than the limit of %d (use --snapshot-every ≥ %d)",
			c.SnapshotEvery, c.Steps/c.SnapshotEvery+1, MaxSnapshots, c.Steps/(MaxSnapshots-1)+1)
	}
	return nil
}

// chunk returns the number of steps between two checks for divergence:
// 4096 steps, or fewer when steps are costly, so that a chunk stays
// within about MaxChunkWork operations.
func (c Config) chunk(set dataset.Set) int {
	step := c.Cost(set).Step
	return int(max(1, min(4096, MaxChunkWork/step)))
}

func archShort(sizes []int) string {
	s := ""
	for i, n := range sizes {
		if i > 0 {
			s += "-"
		}
		s += fmt.Sprint(n)
	}
	return "a " + s + " net"
}

func byteSize(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", b/(1<<10))
}

// duration formats work at a nanosecond per operation.
func duration(work float64) string {
	s := work / 1e9
	switch {
	case s >= 86400*365:
		return fmt.Sprintf("%.3g years", s/(86400*365))
	case s >= 86400:
		return fmt.Sprintf("%.3g days", s/86400)
	case s >= 3600:
		return fmt.Sprintf("%.3g hours", s/3600)
	}
	return fmt.Sprintf("%.3g s", s)
}

// satMul returns a·b for a, b ≥ 0, or math.MaxInt if it overflows.
func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// satAdd returns a+b for a, b ≥ 0, or math.MaxInt if it overflows.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
