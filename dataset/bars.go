package dataset

import (
	"fmt"
	"math/rand/v2"
)

// maxBars bounds the bars per orientation, so that the support (2^H + 2^W
// images) stays enumerable.
const maxBars = 20

// Bars is the bars distribution of Hinton et al. (1995): pick vertical
// with probability PVertical, else horizontal; switch each of the bars of
// that orientation on independently with probability POn; the image is
// the OR of the active bars. Pixels are row-major, Height rows of Width.
type Bars struct {
	Height, Width int
	PVertical     float64
	POn           float64
}

// NewBars returns the paper's bars distribution on a height×width grid:
// vertical with probability 2/3, each bar on with probability 0.2.
func NewBars(height, width int) Bars {
	return Bars{Height: height, Width: width, PVertical: 2.0 / 3, POn: 0.2}
}

// Dim returns Height·Width.
func (b Bars) Dim() int { return b.Height * b.Width }

// Shape returns Height, Width.
func (b Bars) Shape() (int, int) { return b.Height, b.Width }

func (b Bars) String() string { return fmt.Sprintf("bars:%dx%d", b.Height, b.Width) }

// Sample writes one image into dst. It draws one uniform for the
// orientation, then one per bar of that orientation.
func (b Bars) Sample(dst []uint8, rng *rand.Rand) {
	if len(dst) != b.Dim() {
		panic(fmt.Sprintf("dataset: Bars.Sample into %d pixels, want %d", len(dst), b.Dim()))
	}
	clear(dst)
	vertical := rng.Float64() < b.PVertical
	n := b.Height
	if vertical {
		n = b.Width
	}
	for k := range n {
		if rng.Float64() < b.POn {
			b.draw(dst, vertical, k)
		}
	}
}

// draw switches on bar k: column k if vertical, else row k.
func (b Bars) draw(dst []uint8, vertical bool, k int) {
	if vertical {
		for r := range b.Height {
			dst[r*b.Width+k] = 1
		}
		return
	}
	for c := range b.Width {
		dst[k*b.Width+c] = 1
	}
}

// Support enumerates the 2^Width vertical and 2^Height horizontal bar
// sets, merging the two images they share: the blank and the all-on
// image (every column is every row). The blank comes first; the order is
// fixed.
func (b Bars) Support() ([][]uint8, []float64) {
	nv, nh := 1<<b.Width, 1<<b.Height
	patterns := make([][]uint8, 0, b.SupportSize())
	probs := make([]float64, 0, b.SupportSize())
	pixels := make([]uint8, b.SupportSize()*b.Dim()) // one allocation for all
	add := func(vertical bool, n int, pOrient float64) {
		for set := 0; set < 1<<n; set++ {
			p := pOrient
			for k := range n {
				if set&(1<<k) != 0 {
					p *= b.POn
				} else {
					p *= 1 - b.POn
				}
			}
			switch {
			case !vertical && set == 0: // the blank
				probs[0] += p
				continue
			case !vertical && set == nh-1: // all on: the last vertical set
				probs[nv-1] += p
				continue
			}
			x := pixels[:b.Dim():b.Dim()]
			pixels = pixels[b.Dim():]
			for k := range n {
				if set&(1<<k) != 0 {
					b.draw(x, vertical, k)
				}
			}
			patterns = append(patterns, x)
			probs = append(probs, p)
		}
	}
	add(true, b.Width, b.PVertical)
	add(false, b.Height, 1-b.PVertical)
	return patterns, probs
}

// Layers returns the net the project trains on the bars by default: one
// hidden unit per bar and one top unit for the orientation (16-8-1 for
// the 4×4 bars).
func (b Bars) Layers() []int { return []int{b.Dim(), b.Height + b.Width, 1} }

// SupportSize returns the number of images Support returns,
// 2^Width + 2^Height − 2.
func (b Bars) SupportSize() int { return 1<<b.Width + 1<<b.Height - 2 }

// Bar is one bar of the distribution: a column (vertical) or a row.
type Bar struct {
	Vertical bool
	Index    int
	Pixels   []uint8 // the image of this bar alone
}

func (b Bar) String() string {
	if b.Vertical {
		return fmt.Sprintf("V%d", b.Index)
	}
	return fmt.Sprintf("H%d", b.Index)
}

// Bars returns the Width vertical bars, then the Height horizontal ones.
func (b Bars) Bars() []Bar {
	var out []Bar
	for _, vertical := range []bool{true, false} {
		n := b.Height
		if vertical {
			n = b.Width
		}
		for k := range n {
			x := make([]uint8, b.Dim())
			b.draw(x, vertical, k)
			out = append(out, Bar{Vertical: vertical, Index: k, Pixels: x})
		}
	}
	return out
}

// SampleBits draws len(srcs) images at once, image c from srcs[c] exactly
// as Sample draws one from rand.New(srcs[c]) (the same uniforms, leaving
// the source in the same state), and writes image c as a bitset: pixel i
// is bit i%64 of dst[c·w + i/64], w = ⌈Dim/64⌉ words per image. The
// uniforms are drawn bar by bar across the sources, so that their
// generators work side by side, and the bits are set without branches on
// them, which no predictor could learn. It is for trainers that step
// chains together (helmholtz.Lanes); at most 8 sources.
func (b Bars) SampleBits(dst []uint64, srcs []*rand.PCG) {
	w := (b.Dim() + 63) / 64
	if len(srcs) > 8 || len(dst) < len(srcs)*w {
		panic(fmt.Sprintf("dataset: Bars.SampleBits of %d images into %d words", len(srcs), len(dst)))
	}
	// The uniforms are rand.Rand.Float64's: a word's low 53 bits over 2^53.
	var vertical, on [8]uint64
	for c, src := range srcs {
		vertical[c] = bit(float64(src.Uint64()<<11>>11)/(1<<53) < b.PVertical)
	}
	for k := range max(b.Height, b.Width) {
		for c, src := range srcs {
			n := b.Height
			if vertical[c] != 0 {
				n = b.Width
			}
			if k < n {
				on[c] |= bit(float64(src.Uint64()<<11>>11)/(1<<53) < b.POn) << k
			}
		}
	}
	if w == 1 {
		// Row r of a horizontal image is all on or all off; column col
		// of a vertical one. row is one row's mask, column one column's.
		row, column := uint64(1)<<b.Width-1, uint64(0)
		for r := range b.Height {
			column |= 1 << (r * b.Width)
		}
		for c := range srcs {
			vmask := -vertical[c]
			img := uint64(0)
			for k := range b.Height {
				img |= -(on[c] >> k & 1) & row << (k * b.Width)
			}
			img &^= vmask
			for k := range b.Width {
				img |= -(on[c] >> k & 1) & vmask & column << k
			}
			dst[c] = img
		}
		return
	}
	for c := range srcs {
		img := dst[c*w : (c+1)*w]
		clear(img)
		v := vertical[c] != 0
		for r := range b.Height {
			for col := range b.Width {
				k := r
				if v {
					k = col
				}
				i := r*b.Width + col
				img[i/64] |= on[c] >> k & 1 << (i % 64)
			}
		}
	}
}

// bit is 1 for true, 0 for false.
func bit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
