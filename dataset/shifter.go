package dataset

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// maxShifter bounds the shifter's width, so that its support (2·2^Width
// images) stays enumerable.
const maxShifter = 16

// Shifter is the shifter task of Dayan, Hinton, Neal & Zemel, "The
// Helmholtz machine", Neural Computation 7 (1995), as the sibling
// helmholtz-shifter stub defines it: a 4×Width image whose row 0 holds
// Width independent pixels, each on with probability POn; row 1 copies
// row 0; rows 2 and 3 are row 0 shifted cyclically by one place, to the
// right with probability PRight, else to the left. Learning the task
// means telling the shift from the image, which no single pixel shows.
type Shifter struct {
	Width  int
	POn    float64
	PRight float64
}

// NewShifter returns the shifter of the given width with the stub's
// probabilities: pixels on with probability 0.2, either shift with 1/2.
func NewShifter(width int) Shifter { return Shifter{Width: width, POn: 0.2, PRight: 0.5} }

// Dim returns 4·Width.
func (s Shifter) Dim() int { return 4 * s.Width }

// Shape returns 4, Width.
func (s Shifter) Shape() (int, int) { return 4, s.Width }

func (s Shifter) String() string {
	out := fmt.Sprintf("shifter:%d", s.Width)
	if s.POn != 0.2 {
		out += ",p=" + strconv.FormatFloat(s.POn, 'g', -1, 64)
	}
	if s.PRight != 0.5 {
		out += ",right=" + strconv.FormatFloat(s.PRight, 'g', -1, 64)
	}
	return out
}

// Sample writes one image into dst.
func (s Shifter) Sample(dst []uint8, rng *rand.Rand) { s.SampleShift(dst, rng) }

// SampleShift writes one image into dst and returns its shift (true:
// right), which the image does not always show and learning never sees:
// it is for diagnosis. It draws one uniform per pixel of row 0, then one
// for the shift.
func (s Shifter) SampleShift(dst []uint8, rng *rand.Rand) (right bool) {
	if len(dst) != s.Dim() {
		panic(fmt.Sprintf("dataset: Shifter.Sample into %d pixels, want %d", len(dst), s.Dim()))
	}
	for i := range s.Width {
		dst[i] = 0
		if rng.Float64() < s.POn {
			dst[i] = 1
		}
	}
	right = rng.Float64() < s.PRight
	s.fill(dst, right)
	return right
}

// fill writes rows 1-3 from row 0 with the given shift.
func (s Shifter) fill(dst []uint8, right bool) {
	w := s.Width
	copy(dst[w:2*w], dst[:w])
	for i := range w {
		j := (i + w - 1) % w // shifted right: pixel i shows pixel i−1
		if !right {
			j = (i + 1) % w
		}
		dst[2*w+i] = dst[j]
		dst[3*w+i] = dst[j]
	}
}

// Support enumerates every row 0 with either shift, in the order of the
// row's bits (pixel i is bit i) and right before left. A row whose two
// shifts give the same image (one of period 2, such as the blank) is
// listed once, with both shifts' probability.
func (s Shifter) Support() ([][]uint8, []float64) {
	w := s.Width
	n := s.SupportSize()
	patterns, probs := make([][]uint8, 0, n), make([]float64, 0, n)
	pixels := make([]uint8, n*s.Dim())
	for row := range 1 << w {
		p := 1.0
		for i := range w {
			if row>>i&1 != 0 {
				p *= s.POn
			} else {
				p *= 1 - s.POn
			}
		}
		for _, right := range []bool{true, false} {
			q := float64(p * s.PRight) // unfused: added below
			if !right {
				q = float64(p * (1 - s.PRight))
				if periodTwo(row, w) { // the same image as the right shift
					probs[len(probs)-1] += q
					continue
				}
			}
			x := pixels[:s.Dim():s.Dim()]
			for i := range w {
				x[i] = uint8(row >> i & 1)
			}
			s.fill(x, right)
			pixels = pixels[s.Dim():]
			patterns = append(patterns, x)
			probs = append(probs, q)
		}
	}
	return patterns, probs
}

// SupportSize returns the number of images Support returns: two per row
// 0, less one per row of period 2 (2 rows for odd widths, 4 for even).
func (s Shifter) SupportSize() int {
	if s.Width%2 == 0 {
		return 2<<s.Width - 4
	}
	return 2<<s.Width - 2
}

// periodTwo reports whether a row of w bits equals itself rotated by two
// places, so that shifting it right or left gives the same row.
func periodTwo(row, w int) bool {
	mask := 1<<w - 1
	rot := (row<<2 | row>>(w-2)) & mask
	return rot == row
}

// Layers returns the net the project trains on the shifter by default:
// 4·Width visible, 2·Width hidden, 4 top units (the sibling stub found
// one top unit cannot break the symmetry between the shifts; four can).
func (s Shifter) Layers() []int { return []int{s.Dim(), 2 * s.Width, 4} }

// parseShifter reads "shifter", "shifter:W" and options ",p=X,right=Y".
func parseShifter(spec, arg string) (Set, error) {
	s := NewShifter(8)
	bad := fmt.Errorf("data set %.64q: want shifter:WIDTH[,p=P][,right=R], e.g. shifter:8", spec)
	if arg != "" {
		fields := strings.Split(arg, ",")
		w, err := strconv.Atoi(fields[0])
		if err != nil {
			return nil, bad
		}
		s.Width = w
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(f, "=")
			x, err := strconv.ParseFloat(v, 64)
			if !ok || err != nil {
				return nil, bad
			}
			switch k {
			case "p":
				s.POn = x
			case "right":
				s.PRight = x
			default:
				return nil, bad
			}
		}
	}
	switch {
	case s.Width < 2 || s.Width > maxShifter:
		return nil, fmt.Errorf("data set %.64q: the shifter needs 2 to %d pixels per row", spec, maxShifter)
	case !(s.POn > 0 && s.POn < 1):
		return nil, fmt.Errorf("data set %.64q: p must be in (0, 1), got %v", spec, s.POn)
	case !(s.PRight > 0 && s.PRight < 1):
		return nil, fmt.Errorf("data set %.64q: right must be in (0, 1), got %v", spec, s.PRight)
	}
	return s, nil
}
