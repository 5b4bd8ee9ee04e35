// Package units says what the hidden units of a machine trained on the
// bars encode: which bar each unit draws, which units are dead or
// duplicates, and whether the top unit separates the orientations. It
// reads the generative net only.
//
// Units that are on almost always under the generative prior
// (p(h_j = 1) > 0.99) act as biases: they are "always-on" and belong to
// the background, the pixel probabilities with them on and every other
// unit of the layer off. Every other unit j is judged by its field, the
// background with j switched on as well. It is
//
//   - "bar" if the pixels it makes likelier than not (p > 0.5) are
//     exactly one bar's, and in the background every pixel is off;
//   - "duplicate" if it is a bar that a lower-numbered unit already is;
//   - "dead" if it is almost never on (p(h_j = 1) < 0.01) or changes no
//     pixel by more than 0.1;
//   - "mixed" otherwise: several bars, part of a bar, or a unit that
//     erases pixels.
//
// The top unit separates the orientations when every vertical bar unit
// couples to it (W_th) with one sign and every horizontal one with the
// other.
package units

import (
	"fmt"
	"math"
	"strings"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/internal/libm"
)

// Unit is the diagnosis of one hidden unit.
type Unit struct {
	Index    int
	Kind     string  // bar, duplicate, dead, always-on or mixed
	Bar      string  // for bar and duplicate: V0, H2, ...
	Prior    float64 // p(h_j = 1) under the generative net (NaN past 2^20 top states)
	Coupling float64 // W_th to the first top unit (three-layer nets; else 0)
}

// Report is the diagnosis of a machine.
type Report struct {
	Units                    []Unit
	Bars, Duplicates         int
	Dead, Mixed, AlwaysOn    int
	Missing                  []string // bars that no unit draws
	TopSeparates             bool
	BaselineOff              bool // in the background every pixel is off
	VerticalSign, Horizontal int  // sign of the couplings when separated
}

// Diagnose judges the first hidden layer of m against the bars b.
func Diagnose(m *helmholtz.Machine, b dataset.Bars) Report {
	nv, n1 := m.Sizes[0], m.Sizes[1]
	if nv != b.Dim() {
		panic(fmt.Sprintf("units: machine has %d visible units, bars %d", nv, b.Dim()))
	}
	bars := b.Bars()
	priors := Priors(m)
	background := append([]float64(nil), m.B[0]...) // logits
	for j, p := range priors {
		if p > 0.99 {
			for i := range background {
				background[i] += m.W[0][j*nv+i]
			}
		}
	}
	base := make([]float64, nv)
	r := Report{BaselineOff: true}
	for i := range base {
		base[i] = helmholtz.Sigmoid(background[i])
		if base[i] >= 0.5 {
			r.BaselineOff = false
		}
	}
	seen := map[string]bool{}
	for j := range n1 {
		u := Unit{Index: j, Prior: priors[j]}
		if len(m.Sizes) == 3 {
			u.Coupling = m.W[1][j]
		}
		on := make([]uint8, nv)
		effect := 0.0
		for i := range nv {
			p := helmholtz.Sigmoid(background[i] + m.W[0][j*nv+i])
			if p > 0.5 {
				on[i] = 1
			}
			effect = max(effect, math.Abs(p-base[i]))
		}
		u.Kind = "mixed"
		switch {
		case priors[j] > 0.99:
			u.Kind = "always-on"
		case priors[j] < 0.01 || effect < 0.1:
			u.Kind = "dead"
		case r.BaselineOff:
			for _, bar := range bars {
				if string(bar.Pixels) == string(on) {
					u.Bar = bar.String()
					u.Kind = "bar"
					if seen[u.Bar] {
						u.Kind = "duplicate"
					}
					seen[u.Bar] = true
				}
			}
		}
		switch u.Kind {
		case "bar":
			r.Bars++
		case "duplicate":
			r.Duplicates++
		case "dead":
			r.Dead++
		case "always-on":
			r.AlwaysOn++
		default:
			r.Mixed++
		}
		r.Units = append(r.Units, u)
	}
	for _, bar := range bars {
		if !seen[bar.String()] {
			r.Missing = append(r.Missing, bar.String())
		}
	}
	r.TopSeparates, r.VerticalSign, r.Horizontal = separates(r.Units)
	return r
}

// separates reports whether the bar units' couplings have one sign for
// vertical bars and the other for horizontal ones.
func separates(us []Unit) (bool, int, int) {
	signs := map[byte]int{}
	for _, u := range us {
		if u.Kind != "bar" && u.Kind != "duplicate" {
			continue
		}
		s := 1
		if u.Coupling < 0 {
			s = -1
		} else if u.Coupling == 0 {
			return false, 0, 0
		}
		o := u.Bar[0]
		if signs[o] == 0 {
			signs[o] = s
		} else if signs[o] != s {
			return false, 0, 0
		}
	}
	v, h := signs['V'], signs['H']
	return v != 0 && h != 0 && v != h, v, h
}

// Priors returns p(h_j = 1) for the first hidden layer under the
// generative net, by enumerating the layer above when it is the top (of
// at most 20 units); otherwise NaN.
func Priors(m *helmholtz.Machine) []float64 {
	n1 := m.Sizes[1]
	p := make([]float64, n1)
	if len(m.Sizes) == 2 {
		for j := range p {
			p[j] = helmholtz.Sigmoid(m.B[1][j])
		}
		return p
	}
	if len(m.Sizes) > 3 || m.Sizes[2] > 20 {
		for j := range p {
			p[j] = math.NaN()
		}
		return p
	}
	nt := m.Sizes[2]
	for t := range 1 << nt {
		pt := 1.0
		for k := range nt {
			q := helmholtz.Sigmoid(m.B[2][k])
			if t&(1<<k) != 0 {
				pt *= q
			} else {
				pt *= 1 - q
			}
		}
		for j := range p {
			a := m.B[1][j]
			for k := range nt {
				if t&(1<<k) != 0 {
					a += m.W[1][k*n1+j]
				}
			}
			p[j] += float64(pt * helmholtz.Sigmoid(a)) // unfused: the same bits everywhere
		}
	}
	return p
}

// String prints the report as a few lines of text.
func (r Report) String() string {
	var b strings.Builder
	for _, u := range r.Units {
		fmt.Fprintf(&b, "  h%-2d %-9s %-3s p(on) %.3f  W_th %+.2f\n", u.Index+1, u.Kind, u.Bar, u.Prior, u.Coupling)
	}
	fmt.Fprintf(&b, "  %d bar units, %d duplicates, %d dead, %d always on, %d mixed; missing bars: %s; top unit separates orientations: %v\n",
		r.Bars, r.Duplicates, r.Dead, r.AlwaysOn, r.Mixed, orNone(r.Missing), r.TopSeparates)
	return b.String()
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}

// Ideal returns the hand-made solution of the bars b as a machine with
// one hidden unit per bar and one top unit for the orientation (on =
// vertical): the generative net the bars distribution is made by, with
// probabilities 0 and 1 replaced by logits of ±sharp. Recognition weights
// are zero.
func Ideal(b dataset.Bars, sharp float64) *helmholtz.Machine {
	bars := b.Bars()
	nv, n1 := b.Dim(), len(bars)
	m := helmholtz.New([]int{nv, n1, 1})
	logit := func(p float64) float64 { return libm.Log(p / (1 - p)) }
	m.B[2][0] = logit(b.PVertical)
	for i := range m.B[0] {
		m.B[0][i] = -sharp
	}
	for j, bar := range bars {
		for i, on := range bar.Pixels {
			if on != 0 {
				m.W[0][j*nv+i] = 2 * sharp
			}
		}
		// On with probability POn in its own orientation, else off.
		if bar.Vertical {
			m.B[1][j] = -sharp
			m.W[1][j] = sharp + logit(b.POn)
		} else {
			m.B[1][j] = logit(b.POn)
			m.W[1][j] = -sharp - logit(b.POn)
		}
	}
	return m
}
