// Package dataset holds the distributions over binary patterns that a
// Helmholtz machine learns: the bars task of Hinton et al. (1995), and
// later others, each behind the same small interface, Set.
//
// A Set samples one pattern at a time from a caller-supplied *rand.Rand,
// and enumerates its exact support with probabilities, which exact
// evaluation needs:
//
//	b := dataset.NewBars(4, 4)
//	images, probs := b.Support() // 30 images; probs[0] is the blank, 0.4096
//	v := make([]uint8, b.Dim())
//	b.Sample(v, rng)
package dataset
