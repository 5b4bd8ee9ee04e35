package units

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
)

// shiftDetector returns a 32-16-1 machine that tells the shift by hand:
// hidden unit i (i < 8) detects row-0 pixel i with its right-shifted copy,
// unit 8+i with its left-shifted copy; the top unit counts right
// detectors minus left ones. Its generative net draws each unit's pair.
func shiftDetector(s dataset.Shifter) *helmholtz.Machine {
	w := s.Width
	m := helmholtz.New([]int{4 * w, 2 * w, 1})
	nh := 2 * w
	for i := range m.B[0] {
		m.B[0][i] = -5
	}
	for j := range nh {
		i, d := j%w, 1
		if j >= w {
			d = w - 1 // left
		}
		k := (i + d) % w
		for _, px := range []int{i, w + i} { // rows 0 and 1
			m.R[0][px*nh+j] = 5
			m.W[0][j*4*w+px] = 10
		}
		for _, px := range []int{2*w + k, 3*w + k} { // rows 2 and 3
			m.R[0][px*nh+j] = 5
			m.W[0][j*4*w+px] = 10
		}
		m.C[1][j] = -15 // on when all four pixels are
		m.R[1][j] = 4
		if j >= w {
			m.R[1][j] = -4
		}
	}
	return m
}

func TestDiagnoseShift(t *testing.T) {
	s := dataset.NewShifter(8)
	r := DiagnoseShift(shiftDetector(s), s, 20000, rand.New(rand.NewPCG(1, 1)))
	// Bayes: rows of period 2 (probability 0.8^8 + 0.2^8 + 2·0.2^4·0.8^4)
	// show neither shift.
	hidden := math.Pow(0.8, 8) + math.Pow(0.2, 8) + 2*math.Pow(0.2, 4)*math.Pow(0.8, 4)
	if want := 1 - hidden/2; math.Abs(r.Bayes-want) > 1e-12 {
		t.Errorf("Bayes-optimal accuracy %v, want %v", r.Bayes, want)
	}
	if r.Telling < 0.99 || r.Top[0].Sign != 1 {
		t.Errorf("the hand-made detector tells %.3f of the telling samples (sign %d), want ≥ 0.99", r.Telling, r.Top[0].Sign)
	}
	if math.Abs(r.Recovery-r.Bayes) > 0.01 {
		t.Errorf("recovery %.3f, Bayes %.3f", r.Recovery, r.Bayes)
	}
	if r.Hidden[0] != "0→1" || r.Hidden[8] != "0→7" || r.Hidden[3] != "3→4" {
		t.Errorf("fields %v, want unit 1 drawing 0→1, unit 9 0→7", r.Hidden)
	}
	if !strings.Contains(r.String(), "direction recovery") {
		t.Error("the report does not print the recovery")
	}
	// A machine that knows nothing tells the shift at chance.
	blank := DiagnoseShift(helmholtz.New([]int{32, 16, 4}), s, 20000, rand.New(rand.NewPCG(2, 2)))
	if blank.Recovery > 0.52 {
		t.Errorf("an untrained machine recovers %.3f of the shifts", blank.Recovery)
	}
}
