package units

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"helmholtz"
	"helmholtz/dataset"
)

// ShiftReport is the diagnosis of a machine trained on the shifter: how
// well its top units tell the shift, and what its hidden units draw.
type ShiftReport struct {
	// Per top unit, the fraction of held-out samples whose shift its
	// recognition probability q(t_k = 1 | v) (mean field, as
	// Machine.RecognitionMeans) tells, with the better of the two signs
	// (Sign +1: on means right).
	Top []TopShift
	// Recovery is the best top unit's fraction over all samples, Telling
	// over the samples whose image shows the shift (a row 0 of period 2,
	// such as the blank, shows neither), and Bayes the best any model can
	// do over all samples: every telling image right, the others by the
	// prior.
	Recovery, Telling, Bayes float64
	Samples                  int
	Hidden                   []string // per hidden unit: the pixel pairs it draws
}

// TopShift is one top unit's shift prediction.
type TopShift struct {
	Accuracy float64
	Sign     int
}

// DiagnoseShift judges m on n samples of the shifter s drawn with rng.
func DiagnoseShift(m *helmholtz.Machine, s dataset.Shifter, n int, rng *rand.Rand) ShiftReport {
	if m.Sizes[0] != s.Dim() {
		panic(fmt.Sprintf("units: machine has %d visible units, the shifter %d", m.Sizes[0], s.Dim()))
	}
	L := len(m.Sizes)
	top := m.Sizes[L-1]
	means := make([][]float64, L)
	for l, size := range m.Sizes {
		means[l] = make([]float64, size)
	}
	v := make([]uint8, s.Dim())
	agree := make([]int, top) // samples where "on" agrees with "right"
	agreeTelling := make([]int, top)
	telling := 0
	for range n {
		right := s.SampleShift(v, rng)
		m.RecognitionMeans(v, means)
		tells := !periodic(v[:s.Width])
		if tells {
			telling++
		}
		for k, q := range means[L-1] {
			if (q > 0.5) == right {
				agree[k]++
				if tells {
					agreeTelling[k]++
				}
			}
		}
	}
	r := ShiftReport{Samples: n}
	best := -1
	for k := range top {
		acc, sign := float64(agree[k])/float64(n), 1
		if acc < 0.5 {
			acc, sign = 1-acc, -1
		}
		r.Top = append(r.Top, TopShift{Accuracy: acc, Sign: sign})
		if best < 0 || acc > r.Top[best].Accuracy {
			best = k
		}
	}
	r.Recovery = r.Top[best].Accuracy
	if telling > 0 {
		a := float64(agreeTelling[best]) / float64(telling)
		if r.Top[best].Sign < 0 {
			a = 1 - a
		}
		r.Telling = a
	}
	r.Bayes = bayesShift(s)
	r.Hidden = shiftFields(m, s)
	return r
}

// periodic reports whether a row equals itself rotated by two places:
// then both shifts give the same image.
func periodic(row []uint8) bool {
	w := len(row)
	for i := range row {
		if row[i] != row[(i+2)%w] {
			return false
		}
	}
	return true
}

// bayesShift returns the best accuracy any model can have in telling the
// shift: 1 on images that show it, max(PRight, 1 − PRight) on the others.
func bayesShift(s dataset.Shifter) float64 {
	w := s.Width
	var hidden float64 // probability of a row of period 2
	row := make([]uint8, w)
	for x := range 1 << w {
		p := 1.0
		for i := range w {
			row[i] = uint8(x >> i & 1)
			if row[i] != 0 {
				p *= s.POn
			} else {
				p *= 1 - s.POn
			}
		}
		if periodic(row) {
			hidden += p
		}
	}
	return 1 - hidden + float64(hidden*max(s.PRight, 1-s.PRight)) // unfused: the same bits on every build
}

// shiftFields describes what each unit of the first hidden layer draws:
// the pixels its field p(v | h_j = 1, others off) turns on (p > 0.5, and
// off without it), as pairs "i→i+1" (a row-0 pixel and the shifted copy
// to its right in rows 2-3) or "i→i−1", and lone pixels "i" (rows 0-1)
// or "·i" (rows 2-3). A unit that turns nothing on is "-".
func shiftFields(m *helmholtz.Machine, s dataset.Shifter) []string {
	w, nv := s.Width, m.Sizes[0]
	var out []string
	for j := range m.Sizes[1] {
		on := make([]bool, nv)
		for i := range nv {
			on[i] = helmholtz.Sigmoid(m.B[0][i]+m.W[0][j*nv+i]) > 0.5 && helmholtz.Sigmoid(m.B[0][i]) <= 0.5
		}
		var parts []string
		used := make([]bool, w) // shifted pixels already paired
		for i := range w {
			if !on[i] && !on[w+i] {
				continue
			}
			switch r, l := (i+1)%w, (i+w-1)%w; {
			case on[2*w+r] || on[3*w+r]:
				parts, used[r] = append(parts, fmt.Sprintf("%d→%d", i, r)), true
			case on[2*w+l] || on[3*w+l]:
				parts, used[l] = append(parts, fmt.Sprintf("%d→%d", i, l)), true
			default:
				parts = append(parts, fmt.Sprint(i))
			}
		}
		for i := range w {
			if (on[2*w+i] || on[3*w+i]) && !used[i] {
				parts = append(parts, fmt.Sprintf("·%d", i))
			}
		}
		if len(parts) == 0 {
			parts = []string{"-"}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// String prints the report as a few lines of text.
func (r ShiftReport) String() string {
	var b strings.Builder
	for k, t := range r.Top {
		dir := "on = right"
		if t.Sign < 0 {
			dir = "on = left"
		}
		fmt.Fprintf(&b, "  top %d tells the shift in %.1f %% of %d samples (%s)\n", k+1, 100*t.Accuracy, r.Samples, dir)
	}
	fmt.Fprintf(&b, "  direction recovery %.1f %% (%.1f %% where the image shows the shift; Bayes-optimal %.1f %%)\n",
		100*r.Recovery, 100*r.Telling, 100*r.Bayes)
	for j, h := range r.Hidden {
		fmt.Fprintf(&b, "  h%-2d draws %s\n", j+1, h)
	}
	return b.String()
}
