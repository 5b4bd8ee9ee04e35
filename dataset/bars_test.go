package dataset

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBarsSupport(t *testing.T) {
	// Closed form for the 4×4 bars: 16 vertical + 16 horizontal bar sets,
	// the blank and the all-on image shared: 30 images.
	// p(blank) = 0.8^4 = 0.4096 in either orientation.
	// H(p_data) = 3.428405 bits (computed independently, see DEVELOPERS.md).
	images, probs := NewBars(4, 4).Support()
	if len(images) != 30 {
		t.Fatalf("support size %d, want 30", len(images))
	}
	var sum, h float64
	for _, p := range probs {
		sum += p
		h -= p * math.Log2(p)
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("probabilities sum to %v", sum)
	}
	for _, px := range images[0] {
		if px != 0 {
			t.Fatalf("first image is not blank: %v", images[0])
		}
	}
	if math.Abs(probs[0]-0.4096) > 1e-12 {
		t.Errorf("p(blank) = %v, want 0.4096", probs[0])
	}
	if math.Abs(h-3.428405) > 5e-7 {
		t.Errorf("H = %.7f bits, want 3.428405", h)
	}
	// All-on: vertical 2/3·0.2^4 + horizontal 1/3·0.2^4 = 0.0016.
	for k, x := range images {
		on := 0
		for _, px := range x {
			on += int(px)
		}
		if on == 16 && math.Abs(probs[k]-0.0016) > 1e-12 {
			t.Errorf("p(all on) = %v, want 0.0016", probs[k])
		}
	}
}

func TestBarsSupportShapes(t *testing.T) {
	for _, c := range []struct{ h, w, n int }{
		{4, 4, 30}, {5, 5, 62}, {3, 5, 8 + 32 - 2}, {1, 1, 2}, {8, 8, 510},
	} {
		images, probs := NewBars(c.h, c.w).Support()
		var sum float64
		for _, p := range probs {
			sum += p
		}
		if len(images) != c.n || math.Abs(sum-1) > 1e-12 {
			t.Errorf("bars %dx%d: %d images summing to %v, want %d summing to 1", c.h, c.w, len(images), sum, c.n)
		}
	}
}

// TestBarsSampler checks sampled frequencies against the exact support
// with Pearson's chi-square over 10^6 draws. With 29 degrees of freedom
// the 0.999 quantile is 58.3; a fixed seed makes the test deterministic.
func TestBarsSampler(t *testing.T) {
	b := NewBars(4, 4)
	images, probs := b.Support()
	index := map[string]int{}
	for k, x := range images {
		index[string(x)] = k
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 1000000
	counts := make([]int, len(images))
	x := make([]uint8, b.Dim())
	for range n {
		b.Sample(x, rng)
		k, ok := index[string(x)]
		if !ok {
			t.Fatalf("sample %v is not in the support", x)
		}
		counts[k]++
	}
	var chi2 float64
	for k, p := range probs {
		e := p * n
		chi2 += (float64(counts[k]) - e) * (float64(counts[k]) - e) / e
	}
	if chi2 > 58.3 {
		t.Errorf("chi-square %.1f with 29 degrees of freedom exceeds 58.3", chi2)
	}
}

func TestMarginal(t *testing.T) {
	// Each pixel lies on one vertical and one horizontal bar:
	// p(on) = 1 − 0.8 = 0.2 whichever orientation is drawn.
	for _, p := range Marginal(NewBars(4, 4).Support()) {
		if math.Abs(p-0.2) > 1e-12 {
			t.Fatalf("pixel marginal %v, want 0.2", p)
		}
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		spec string
		ok   bool
		dim  int
	}{
		{"bars", true, 16}, {"bars:5x5", true, 25}, {"bars:3x8", true, 24},
		{"bars:0x4", false, 0}, {"bars:4", false, 0}, {"bars:axb", false, 0},
		{"shifter", true, 32}, {"shifter:5", true, 20}, {"nope", false, 0}, {"", false, 0}, {"bars:21x2", false, 0},
	} {
		s, err := Parse(c.spec)
		if (err == nil) != c.ok {
			t.Errorf("Parse(%q) error %v, want ok=%v", c.spec, err, c.ok)
			continue
		}
		if c.ok && (s.Dim() != c.dim || s.String() != c.spec && c.spec != "bars" && c.spec != "shifter") {
			t.Errorf("Parse(%q) = %v with dim %d", c.spec, s, s.Dim())
		}
	}
}

// TestBarsEntropy: support size and entropy against the closed form. An
// image with k of the W vertical bars (0 < k < W) has probability
// (2/3)·q^k·(1−q)^(W−k), likewise horizontal with 1/3 and H; the blank
// and the all-on image are made by both orientations.
func TestBarsEntropy(t *testing.T) {
	const q = 0.2
	binom := func(n, k int) float64 {
		c := 1.0
		for i := range k {
			c = c * float64(n-i) / float64(i+1)
		}
		return c
	}
	for _, c := range []struct{ h, w int }{{3, 3}, {4, 4}, {5, 5}, {8, 8}, {3, 5}} {
		var want float64
		side := func(n int, prior float64) {
			for k := 1; k < n; k++ {
				p := prior * math.Pow(q, float64(k)) * math.Pow(1-q, float64(n-k))
				want -= binom(n, k) * p * math.Log2(p)
			}
		}
		side(c.w, 2.0/3)
		side(c.h, 1.0/3)
		blank := 2.0/3*math.Pow(1-q, float64(c.w)) + 1.0/3*math.Pow(1-q, float64(c.h))
		full := 2.0/3*math.Pow(q, float64(c.w)) + 1.0/3*math.Pow(q, float64(c.h))
		want -= blank*math.Log2(blank) + full*math.Log2(full)
		images, probs := NewBars(c.h, c.w).Support()
		var h, sum float64
		for _, p := range probs {
			h -= p * math.Log2(p)
			sum += p
		}
		if n := 1<<c.w + 1<<c.h - 2; len(images) != n || math.Abs(sum-1) > 1e-12 || math.Abs(h-want) > 1e-9 {
			t.Errorf("bars %dx%d: %d images, sum %v, H %.12f; want %d, 1, %.12f", c.h, c.w, len(images), sum, h, n, want)
		}
	}
}
