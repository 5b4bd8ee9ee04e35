package dataset

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"slices"
)

// Finite is a data set of finitely many examples in three splits, the
// held-out density-estimation workload: training draws from Train, and
// evaluations report bits per example on any split. As a Set it is the
// training split's empirical distribution: Sample draws a training
// example uniformly (one draw of the stream, so a run is fixed by its
// seed), and Support lists the distinct training examples with their
// frequencies, so that an exact evaluation's NLL is the training set's
// cost in bits per example.
type Finite struct {
	Name               string // the spec that names it, e.g. file:data/bn20.npz
	Train, Valid, Test [][]uint8

	width    int
	patterns [][]uint8 // distinct training examples
	probs    []float64 // their frequencies

	// grey, if not nil, are the training examples' grey levels (0..255):
	// Sample then binarizes a drawn example afresh (MNIST's dynamic
	// binarization), and Train and the support are one such draw.
	grey         [][]uint8
	height, wide int    // the shape to draw examples in, where not square or a row
	layers       []int  // the default net, where not [width, 20]
	recipe       Recipe // how its nets train when the flags do not say; zero: the defaults
}

// A Recipe is how a data set's nets train well where the flags do not
// say: a minibatch, an optimizer, a rate and a length (0: the default
// length). The defaults (single patterns, plain ascent at 0.1) diverge on
// MNIST.
type Recipe struct {
	Batch     int
	Optimizer string
	LR        float64
	Steps     int
}

// Recipe returns the data set's own recipe, and false if it has none.
func (f *Finite) Recipe() (Recipe, bool) { return f.recipe, f.recipe.Batch > 0 }

// Splits names the splits of a Finite data set, in order.
var Splits = []string{"train", "valid", "test"}

// NewFinite returns the data set of three splits, named name. Every split
// must hold at least one example, all of one width, of values 0 or 1.
func NewFinite(name string, train, valid, test [][]uint8) (*Finite, error) {
	// One example at a time at 0.01, the 1995 density-estimation study's
	// rate: the bars' 0.1 ends 3 bits worse on BN 20-100 (GUIDE.md).
	f := &Finite{Name: name, Train: train, Valid: valid, Test: test, recipe: Recipe{Batch: 1, Optimizer: "sgd", LR: 0.01}}
	for i, split := range [][][]uint8{train, valid, test} {
		if len(split) == 0 {
			return nil, fmt.Errorf("data set %s: split %s is empty", name, Splits[i])
		}
		if i == 0 {
			f.width = len(split[0])
		}
		for k, x := range split {
			if len(x) != f.width || f.width == 0 {
				return nil, fmt.Errorf("data set %s: split %s, example %d has %d units, want %d", name, Splits[i], k, len(x), f.width)
			}
			for _, v := range x {
				if v > 1 {
					return nil, fmt.Errorf("data set %s: split %s, example %d holds %d: want values 0 or 1", name, Splits[i], k, v)
				}
			}
		}
	}
	f.patterns, f.probs = Distribution(train)
	return f, nil
}

// Distribution returns the distinct examples of a split and the fraction
// of the split each makes up, in the order of their first appearance.
// Examples are found again by a hash of their bytes (MNIST's 50,000 as
// strings took a fifth of a second), then compared.
func Distribution(examples [][]uint8) (patterns [][]uint8, probs []float64) {
	seed := maphash.MakeSeed()
	index := make(map[uint64][]int, len(examples)) // hash → patterns with it
	var counts []int
	for _, x := range examples {
		h := maphash.Bytes(seed, x)
		k := slices.IndexFunc(index[h], func(k int) bool { return bytes.Equal(patterns[k], x) })
		if k < 0 {
			index[h] = append(index[h], len(patterns))
			k = len(patterns)
			patterns = append(patterns, x)
			counts = append(counts, 0)
		} else {
			k = index[h][k]
		}
		counts[k]++
	}
	probs = make([]float64, len(counts))
	for k, c := range counts {
		probs[k] = float64(c) / float64(len(examples))
	}
	return patterns, probs
}

// Split returns the examples of split name (train, valid or test).
func (f *Finite) Split(name string) ([][]uint8, error) {
	switch name {
	case "train":
		return f.Train, nil
	case "valid":
		return f.Valid, nil
	case "test":
		return f.Test, nil
	}
	return nil, fmt.Errorf("split %.64q: want train, valid or test", name)
}

// Dim returns the units of an example.
func (f *Finite) Dim() int { return f.width }

// Shape draws an example as a square if its width is one (100 units: 10×10;
// 784: 28×28), else as one row.
func (f *Finite) Shape() (int, int) {
	if f.height > 0 {
		return f.height, f.wide
	}
	if r := int(math.Round(math.Sqrt(float64(f.width)))); r*r == f.width {
		return r, r
	}
	return 1, f.width
}

// Sample copies a training example drawn uniformly into dst; for a data
// set binarized dynamically, it binarizes the drawn example's grey levels
// afresh (one draw for the example, then one for every four pixels).
func (f *Finite) Sample(dst []uint8, rng *rand.Rand) {
	if len(dst) != f.width {
		panic(fmt.Sprintf("dataset: Finite.Sample into %d units, want %d", len(dst), f.width))
	}
	if f.grey != nil {
		binarizeInto(dst, f.grey[rng.IntN(len(f.grey))], rng)
		return
	}
	copy(dst, f.Train[rng.IntN(len(f.Train))])
}

// Support returns the distinct training examples and their frequencies.
func (f *Finite) Support() ([][]uint8, []float64) {
	return slices.Clone(f.patterns), slices.Clone(f.probs)
}

// SupportSize returns the number of distinct training examples.
func (f *Finite) SupportSize() int { return len(f.patterns) }

func (f *Finite) String() string { return f.Name }

// Layers is a net of 20 hidden units above the visible ones, the smallest
// of the 1995 density-estimation study's.
func (f *Finite) Layers() []int {
	if f.layers != nil {
		return slices.Clone(f.layers)
	}
	return []int{f.width, 20}
}
