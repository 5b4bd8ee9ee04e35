package dataset

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Set is a distribution over binary patterns of a fixed size.
type Set interface {
	// Dim is the number of binary units in a pattern.
	Dim() int
	// Shape is the height and width in which a pattern is drawn
	// (Height·Width = Dim).
	Shape() (height, width int)
	// Sample writes one pattern into dst, drawing only from rng.
	Sample(dst []uint8, rng *rand.Rand)
	// Support returns every pattern of nonzero probability, once each,
	// and its probability. The probabilities sum to 1.
	Support() (patterns [][]uint8, probs []float64)
	// SupportSize is len(patterns) of Support, known without building it,
	// so that a caller can check what Support will cost first.
	SupportSize() int
	// String names the set as Parse reads it.
	String() string
	// Layers is the net the project trains on the set by default,
	// visible layer first.
	Layers() []int
}

// Parse returns the data set named by spec: "bars" (4×4), "bars:HxW",
// "shifter" (width 8), "shifter:W[,p=P][,right=R]", "file:PATH.npz" (a
// Finite data set with splits, read by ReadFinite), or MNIST:
// "mnist[:DIR][,binarize=dynamic|fixed|threshold]", "mnist8[:DIR]",
// "mnist8-pairs[:DIR]" (see mnist.go).
func Parse(spec string) (Set, error) {
	name, arg, _ := strings.Cut(spec, ":")
	switch base, _, _ := strings.Cut(name, ","); base {
	case "mnist", "mnist8", "mnist8-pairs":
		return parseMNIST(spec)
	}
	switch name {
	case "shifter":
		return parseShifter(spec, arg)
	case "file":
		if arg == "" {
			return nil, fmt.Errorf("data set %.64q: want file:PATH.npz", spec)
		}
		return ReadFinite(arg)
	case "bars":
		h, w := 4, 4
		if arg != "" {
			hs, ws, ok := strings.Cut(arg, "x")
			var err1, err2 error
			h, err1 = strconv.Atoi(hs)
			w, err2 = strconv.Atoi(ws)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("data set %.64q: want bars:HEIGHTxWIDTH, e.g. bars:4x4", spec)
			}
		}
		if h < 1 || w < 1 || h > maxBars || w > maxBars {
			return nil, fmt.Errorf("data set %.64q: bars need 1 to %d rows and columns", spec, maxBars)
		}
		return NewBars(h, w), nil
	}
	return nil, fmt.Errorf("unknown data set %.64q (known: bars, bars:HxW, shifter, shifter:W, file:PATH.npz, mnist, mnist8, mnist8-pairs)", spec)
}

// Marginal returns the probability that each unit is on under the
// distribution given by patterns and probs.
func Marginal(patterns [][]uint8, probs []float64) []float64 {
	if len(patterns) == 0 {
		return nil
	}
	m := make([]float64, len(patterns[0]))
	for k, x := range patterns {
		for i, on := range x {
			if on != 0 {
				m[i] += probs[k]
			}
		}
	}
	return m
}
