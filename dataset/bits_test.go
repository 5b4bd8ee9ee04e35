package dataset

import (
	"math/rand/v2"
	"testing"
)

// TestSampleBits: Bars.SampleBits draws, for one to eight sources, the
// images that Sample draws from each source alone, and leaves every
// source where Sample leaves it, on square and oblong grids of one word
// and of several.
func TestSampleBits(t *testing.T) {
	for _, b := range []Bars{NewBars(4, 4), NewBars(8, 8), NewBars(3, 5), NewBars(6, 2), NewBars(9, 12), NewBars(20, 20),
		{Height: 4, Width: 4, PVertical: 0.5, POn: 0.5}} {
		w := (b.Dim() + 63) / 64
		for n := 1; n <= 8; n++ {
			srcs, alone := make([]*rand.PCG, n), make([]*rand.PCG, n)
			for c := range n {
				srcs[c], alone[c] = rand.NewPCG(uint64(c), 9), rand.NewPCG(uint64(c), 9)
			}
			dst := make([]uint64, n*w)
			want := make([]uint8, b.Dim())
			for range 200 {
				for i := range dst {
					dst[i] = ^uint64(0) // SampleBits must write every bit
				}
				b.SampleBits(dst, srcs)
				for c := range n {
					b.Sample(want, rand.New(alone[c]))
					for i, v := range want {
						if got := uint8(dst[c*w+i/64] >> (i % 64) & 1); got != v {
							t.Fatalf("%v, %d sources: image %d pixel %d = %d, want %d", b, n, c, i, got, v)
						}
					}
					if extra := dst[c*w+w-1] >> (b.Dim() - 64*(w-1)); b.Dim()%64 != 0 && extra != 0 {
						t.Fatalf("%v: bits beyond the image set: %#x", b, extra)
					}
					if srcs[c].Uint64() != alone[c].Uint64() {
						t.Fatalf("%v, %d sources: source %d not where Sample leaves it", b, n, c)
					}
				}
			}
		}
	}
}
