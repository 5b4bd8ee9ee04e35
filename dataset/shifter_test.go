package dataset

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestShifterSupport: support sizes, probabilities summing to 1, and the
// entropy against its closed form: H = W·h(p) + h(right), less h(right)
// for each row of period 2 (whose two shifts give one image), weighted
// by its probability.
func TestShifterSupport(t *testing.T) {
	h2 := func(p float64) float64 { return -p*math.Log2(p) - (1-p)*math.Log2(1-p) }
	for _, s := range []Shifter{NewShifter(8), NewShifter(5), NewShifter(2), {Width: 6, POn: 0.3, PRight: 0.7}} {
		images, probs := s.Support()
		if len(images) != s.SupportSize() {
			t.Errorf("%v: %d images, SupportSize says %d", s, len(images), s.SupportSize())
		}
		var sum, h float64
		seen := map[string]bool{}
		for k, p := range probs {
			sum += p
			h -= p * math.Log2(p)
			if seen[string(images[k])] {
				t.Errorf("%v: image %v twice", s, images[k])
			}
			seen[string(images[k])] = true
		}
		var periodic float64 // probability of a row of period 2
		for row := range 1 << s.Width {
			if periodTwo(row, s.Width) {
				p := 1.0
				for i := range s.Width {
					if row>>i&1 != 0 {
						p *= s.POn
					} else {
						p *= 1 - s.POn
					}
				}
				periodic += p
			}
		}
		want := float64(s.Width)*h2(s.POn) + h2(s.PRight)*(1-periodic)
		if math.Abs(sum-1) > 1e-12 || math.Abs(h-want) > 1e-9 {
			t.Errorf("%v: probabilities sum to %v, entropy %.12f, want 1 and %.12f", s, sum, h, want)
		}
	}
	if n := NewShifter(8).SupportSize(); n != 508 {
		t.Errorf("shifter:8 has %d images, want 2·256 − 4 = 508", n)
	}
}

// TestShifterSampler: rows 1 copies row 0 and rows 2, 3 are its shift in
// every sample, the shift returned is the one drawn; pixels are on with
// probability 0.2 and the shift right with 1/2 (chi-square, 200,000
// samples).
func TestShifterSampler(t *testing.T) {
	s := NewShifter(8)
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]uint8, s.Dim())
	const n = 200000
	var on [8]float64
	rights := 0.0
	for range n {
		right := s.SampleShift(x, rng)
		w := s.Width
		for i := range w {
			j := (i + w - 1) % w
			if !right {
				j = (i + 1) % w
			}
			if x[w+i] != x[i] || x[2*w+i] != x[j] || x[3*w+i] != x[j] {
				t.Fatalf("sample %v with shift right=%v breaks the rows' rule", x, right)
			}
			on[i] += float64(x[i])
		}
		if right {
			rights++
		}
	}
	var chi2 float64
	for _, c := range on {
		want := 0.2 * n
		chi2 += (c-want)*(c-want)/want + (c-want)*(c-want)/(n-want)
	}
	chi2 += (rights - n/2) * (rights - n/2) / (n / 4) // both cells of the shift
	// 9 degrees of freedom: P(χ² > 27.9) = 0.001.
	if chi2 > 27.9 {
		t.Errorf("χ² = %.1f over 9 degrees of freedom", chi2)
	}
}

func TestParseShifter(t *testing.T) {
	for spec, want := range map[string]Shifter{
		"shifter":                    NewShifter(8),
		"shifter:5":                  NewShifter(5),
		"shifter:6,p=0.3,right=0.25": {Width: 6, POn: 0.3, PRight: 0.25},
	} {
		got, err := Parse(spec)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", spec, got, err, want)
		}
		if got != nil {
			if again, err := Parse(got.String()); err != nil || again != got {
				t.Errorf("%q does not read back: %v %v", got.String(), again, err)
			}
		}
	}
	for _, spec := range []string{"shifter:1", "shifter:0", "shifter:17", "shifter:x", "shifter:8,p=0", "shifter:8,p=1",
		"shifter:8,right=1.5", "shifter:8,q=0.2", "shifter:8,p=", "shifter:8,p=NaN"} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("Parse(%q) accepted", spec)
		}
	}
}
