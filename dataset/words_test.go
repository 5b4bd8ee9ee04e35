package dataset

import (
	"math/rand/v2"
	"testing"
)

// TestSampleWords: Bars.SampleWords makes, from the words that Sample
// draws, the image that Sample draws, on grids of one word and of
// several; oblong grids have no fixed number of words.
func TestSampleWords(t *testing.T) {
	for _, b := range []Bars{NewBars(4, 4), NewBars(8, 8), NewBars(1, 1), NewBars(9, 9), NewBars(20, 20),
		{Height: 4, Width: 4, PVertical: 0.5, POn: 0.5}} {
		w := (b.Dim() + 63) / 64
		src, words := rand.NewPCG(1, 2), rand.NewPCG(1, 2)
		dst := make([]uint64, w)
		ws := make([]uint64, b.Words())
		want := make([]uint8, b.Dim())
		for range 500 {
			b.Sample(want, rand.New(src))
			for k := range ws {
				ws[k] = words.Uint64()
			}
			for i := range dst {
				dst[i] = ^uint64(0) // SampleWords must write every bit
			}
			b.SampleWords(dst, ws)
			for i, v := range want {
				if got := uint8(dst[i/64] >> (i % 64) & 1); got != v {
					t.Fatalf("%v: pixel %d = %d, want %d", b, i, got, v)
				}
			}
			if b.Dim()%64 != 0 && dst[w-1]>>(b.Dim()%64) != 0 {
				t.Fatalf("%v: bits beyond the image set: %#x", b, dst[w-1])
			}
			if src.Uint64() != words.Uint64() {
				t.Fatalf("%v: Sample drew another number of words than Words() = %d", b, len(ws))
			}
		}
	}
	if n := NewBars(3, 5).Words(); n != 0 {
		t.Errorf("bars:3x5 Words() = %d, want 0 (not fixed)", n)
	}
}
