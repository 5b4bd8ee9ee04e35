// Package synth makes the five synthetic density-estimation tasks of Frey,
// Hinton & Dayan, "Does the wake-sleep algorithm produce good density
// estimators?" (NIPS 8, 1995): data sets of 100 binary units, each drawn
// exactly from a generating model of 1,000 to 2,500 parameters, split into
// training, validation and test examples, with the entropy of the
// training split under its generating model (the mean −log2 p(v) of the
// training examples, the paper's "entropy"), computed exactly.
//
//	mix20         a mixture of 20 product-of-Bernoulli components
//	bn20          a sigmoid belief net 20 → 100
//	bn5-10-15-20  a sigmoid belief net 5 → 10 → 15 → 20 → 100
//	mrf10-20      a layered Boltzmann machine 10 ⇔ 20 ⇔ 100
//	mrf10x10      ten independent Boltzmann machines 10 ⇔ 10 side by side
//
// Every draw comes from the caller's seed; the same seed gives the same
// model, data and entropy.
package synth

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"

	"helmholtz/internal/arrays"
	"helmholtz/internal/libm"
)

// Names are the tasks, in the paper's order.
var Names = []string{"mix20", "bn20", "bn5-10-15-20", "mrf10-20", "mrf10x10"}

// Sizes are the numbers of examples in each split: the paper's 10,000
// training, 10,000 validation and 80,000 test examples by default.
type Sizes struct{ Train, Valid, Test int }

// PaperSizes are the paper's splits.
var PaperSizes = Sizes{10000, 10000, 80000}

// Param is a named parameter array of a generating model, row-major.
type Param struct {
	Name   string
	Shape  []int
	Values []float64
}

// Data is a task's data set and generating model.
type Data struct {
	Task               string
	Seed               uint64
	Train, Valid, Test [][]uint8
	Params             []Param
	// Entropy is the mean −log2 p(v) of the training examples under the
	// generating model, bits per example, computed exactly.
	Entropy float64
	// Draws is how many models were drawn before one was kept (the MRFs
	// are redrawn until base rates do badly on their data).
	Draws int
}

// model is a generating model: it samples examples and scores them.
type model interface {
	sample(dst []uint8, rng *rand.Rand)
	// logProbs returns log p(v), natural log, of every example.
	logProbs(examples [][]uint8) ([]float64, error)
	params() []Param
}

// Make draws task's generating model and data from seed.
func Make(task string, seed uint64, n Sizes) (*Data, error) {
	if n.Train < 1 || n.Valid < 1 || n.Test < 1 {
		return nil, fmt.Errorf("synth: splits of %d, %d and %d examples: want at least one each", n.Train, n.Valid, n.Test)
	}
	rng := rand.New(rand.NewPCG(seed, 0x73796e7468)) // "synth"
	d := &Data{Task: task, Seed: seed}
	var m model
	switch task {
	case "mix20":
		m = newMixture(rng, 20, 100)
	case "bn20":
		m = newBeliefNet(rng, []int{100, 20})
	case "bn5-10-15-20":
		m = newBeliefNet(rng, []int{100, 20, 15, 10, 5})
	case "mrf10-20", "mrf10x10":
		// Redrawn until base rates do badly: their cost on 2,000 examples
		// exceeds the model's by at least MRFGap bits (the paper redrew
		// without saying how badly; this is our threshold).
		for d.Draws < maxDraws {
			d.Draws++
			m = newMRF(task, rng)
			gap, err := baseRateGap(m, rng)
			if err != nil {
				return nil, err
			}
			if gap >= MRFGap {
				break
			}
		}
	default:
		return nil, fmt.Errorf("unknown task %.64q (known: %v)", task, Names)
	}
	if d.Draws == 0 {
		d.Draws = 1
	}
	draw := func(k int) [][]uint8 {
		out := make([][]uint8, k)
		for i := range out {
			out[i] = make([]uint8, 100)
			m.sample(out[i], rng)
		}
		return out
	}
	d.Train, d.Valid, d.Test = draw(n.Train), draw(n.Valid), draw(n.Test)
	lp, err := m.logProbs(d.Train)
	if err != nil {
		return nil, err
	}
	d.Entropy = meanBits(lp)
	d.Params = m.params()
	return d, nil
}

// MRFGap is the least number of bits per example by which base rates
// must do worse than the generating model for an MRF task to be kept.
const MRFGap = 10

// maxDraws bounds the redraws of an MRF task.
const maxDraws = 100

// newMRF draws the model of an MRF task.
func newMRF(task string, rng *rand.Rand) model {
	if task == "mrf10-20" {
		return newLayeredBM(rng, 10, 20, 100)
	}
	return newBlocks(rng, 10, 10, 10)
}

// BaseRateGaps draws n models of an MRF task from seed as Make does, but
// keeps none, and returns for each how many bits per example base rates
// fitted to 2,000 of its examples cost more than the model on them: the
// number Make's redraws hold to MRFGap.
func BaseRateGaps(task string, seed uint64, n int) ([]float64, error) {
	if task != "mrf10-20" && task != "mrf10x10" {
		return nil, fmt.Errorf("synth: %.64q is not an MRF task", task)
	}
	rng := rand.New(rand.NewPCG(seed, 0x67617073)) // "gaps"
	gaps := make([]float64, n)
	for i := range gaps {
		g, err := baseRateGap(newMRF(task, rng), rng)
		if err != nil {
			return nil, err
		}
		gaps[i] = g
	}
	return gaps, nil
}

// baseRateGap returns how many bits per example base rates fitted to
// 2,000 examples of m cost more than m on them.
func baseRateGap(m model, rng *rand.Rand) (float64, error) {
	const n = 2000
	xs := make([][]uint8, n)
	on := make([]float64, 100)
	for i := range xs {
		xs[i] = make([]uint8, 100)
		m.sample(xs[i], rng)
		for k, v := range xs[i] {
			on[k] += float64(v)
		}
	}
	var base float64
	for _, x := range xs {
		for k, v := range x {
			p := (on[k] + 1) / (n + 2)
			if v == 0 {
				p = 1 - p
			}
			base -= libm.Log2(p)
		}
	}
	lp, err := m.logProbs(xs)
	if err != nil {
		return 0, err
	}
	return base/n - meanBits(lp), nil
}

// meanBits returns the mean of −lp/ln 2.
func meanBits(lp []float64) float64 {
	var s float64
	for _, x := range lp {
		s -= x
	}
	return s / float64(len(lp)) / math.Ln2
}

// parallel returns f's log probabilities of xs, computed by
// runtime.GOMAXPROCS goroutines on parts of xs: an exact evaluation's cost
// is proportional to the patterns it scores.
func parallel(xs [][]uint8, f func([][]uint8) ([]float64, error)) ([]float64, error) {
	n := min(runtime.GOMAXPROCS(0), len(xs))
	out := make([]float64, len(xs))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		lo, hi := w*len(xs)/n, (w+1)*len(xs)/n
		wg.Go(func() {
			lp, err := f(xs[lo:hi])
			errs[w] = err
			copy(out[lo:hi], lp)
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// distinct returns the distinct examples, the index of each example's
// among them, and equal weights, as the exact evaluator takes them.
func distinct(examples [][]uint8) ([][]uint8, []int, []float64) {
	index := map[string]int{}
	var pats [][]uint8
	of := make([]int, len(examples))
	for i, x := range examples {
		k, ok := index[string(x)]
		if !ok {
			k = len(pats)
			index[string(x)] = k
			pats = append(pats, x)
		}
		of[i] = k
	}
	return pats, of, slices.Repeat([]float64{1 / float64(len(pats))}, len(pats))
}

func sigmoid(x float64) float64 { return 1 / (1 + libm.Exp(-x)) }

// softplus returns log(1 + e^x).
func softplus(x float64) float64 { return max(x, 0) + libm.Log1p(libm.Exp(-math.Abs(x))) }

// WriteNpz writes the data set as an .npz file that dataset.ReadFinite
// reads (uint8 matrices train, valid and test), with the entropy
// (entropy_bits), the seed and the generating model's parameters beside
// them.
func (d *Data) WriteNpz(w io.Writer) error {
	named := []arrays.Named{
		{Name: "train", Array: arrays.Uint8s(d.Train)},
		{Name: "valid", Array: arrays.Uint8s(d.Valid)},
		{Name: "test", Array: arrays.Uint8s(d.Test)},
		{Name: "entropy_bits", Array: arrays.Float64s(nil, d.Entropy)},
		{Name: "seed", Array: arrays.Float64s(nil, float64(d.Seed))},
	}
	for _, p := range d.Params {
		named = append(named, arrays.Named{Name: p.Name, Array: arrays.Float64s(p.Shape, p.Values...)})
	}
	return arrays.Write(w, named)
}

// ReadEntropy reads the entropy that WriteNpz wrote into a data file.
func ReadEntropy(path string) (float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	arrs, err := arrays.Read(data)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	a, ok := arrs["entropy_bits"]
	if !ok {
		return 0, fmt.Errorf("%s holds no entropy_bits", path)
	}
	v, err := a.Floats()
	if err != nil || len(v) != 1 {
		return 0, fmt.Errorf("%s: entropy_bits is not one number", path)
	}
	return v[0], nil
}
