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

// Words is the number of 64-bit words Sample draws from its source for
// every image, if that number is fixed, as it is on a square grid: one
// for the orientation and one per bar. On an oblong grid it depends on
// the orientation, and Words returns 0.
func (b Bars) Words() int {
	if b.Height != b.Width {
		return 0
	}
	return 1 + b.Height
}

// SampleWords writes into dst, as bitsets, the images that Sample draws
// from sources whose next Words() words are the successive runs of
// Words() words in ws: image k from ws[kn:(k+1)n], n = Words(), at
// dst[km:(k+1)m], m = ⌈Dim()/64⌉ (pixel i is bit i%64 of its word i/64).
// It is for trainers that draw the words of many chains at once
// (helmholtz.Lanes), and sets the bits without branches on the words,
// which no predictor could learn.
func (b Bars) SampleWords(dst []uint64, ws []uint64) {
	n, m := b.Words(), (b.Dim()+63)/64
	if n == 0 || len(ws)%n != 0 || len(dst) < len(ws)/n*m {
		panic(fmt.Sprintf("dataset: %v.SampleWords of %d words into %d", b, len(ws), len(dst)))
	}
	// rand.Rand.Float64 is a word's low 53 bits over 2^53.
	uniform := func(w uint64) float64 { return float64(w<<11>>11) / (1 << 53) }
	pv, po := b.PVertical, b.POn
	if m == 1 {
		// A vertical image is the bars' bits repeated in every row: on
		// times a bit at the start of each row. A horizontal one has the
		// bit of bar k at the start of row k, spread over the row: times
		// the row's bits. Neither product carries.
		row, column := uint64(1)<<b.Width-1, uint64(0)
		for r := range b.Height {
			column |= 1 << (r * b.Width)
		}
		for k := range len(ws) / n {
			w := ws[k*n : k*n+n]
			vertical := -bit(uniform(w[0]) < pv)
			on, starts := uint64(0), uint64(0)
			for j, x := range w[1:] {
				o := bit(uniform(x) < po)
				on |= o << j
				starts |= o << (j * b.Width)
			}
			dst[k] = on*column&vertical | starts*row&^vertical
		}
		return
	}
	for k := range len(ws) / n {
		w, img := ws[k*n:k*n+n], dst[k*m:k*m+m]
		vertical := uniform(w[0]) < pv
		on := uint64(0) // bit j: bar j is on
		for j, x := range w[1:] {
			on |= bit(uniform(x) < po) << j
		}
		clear(img)
		for r := range b.Height {
			for col := range b.Width {
				j := r
				if vertical {
					j = col
				}
				i := r*b.Width + col
				img[i/64] |= on >> j & 1 << (i % 64)
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
