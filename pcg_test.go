package helmholtz

import (
	"math/rand/v2"
	"testing"
)

// TestLanePCG: each lane of a lanePCG draws the words of a rand.PCG in
// its state, in the kernels and in portable Go, for runs of 0 to 40 words,
// and stores back the state that rand.PCG reaches.
func TestLanePCG(t *testing.T) { testLanePCG(t) }

func testLanePCG(t *testing.T) {
	t.Helper()
	seeds := rand.New(rand.NewPCG(3, 3))
	for _, vector := range []bool{false, true} {
		for n := range 41 {
			var g lanePCG
			var srcs [LaneWidth]*rand.PCG
			for c := range srcs {
				srcs[c] = rand.NewPCG(seeds.Uint64(), seeds.Uint64())
				if c == 0 {
					srcs[c] = rand.NewPCG(^uint64(0), ^uint64(0)) // carries everywhere
				}
				g.load(c, srcs[c])
			}
			u := make([]uint32, 8*n+8)
			if vector {
				g.uniforms(u, n)
			} else {
				g.uniformsGo(u, n)
			}
			for w := range n {
				for c, src := range srcs {
					x := src.Uint64()
					if u[8*w+c] != uint32(x>>32) || u[8*w+4+c] != uint32(x) {
						t.Fatalf("vector %v, %d words: word %d of lane %d = %#x %#x, want %#x", vector, n, w, c, u[8*w+c], u[8*w+4+c], x)
					}
				}
			}
			for c, src := range srcs {
				var want rand.PCG
				g.store(c, &want)
				if src.Uint64() != want.Uint64() {
					t.Fatalf("vector %v, %d words: lane %d stored another state", vector, n, c)
				}
			}
		}
	}
}

func BenchmarkLanePCG(b *testing.B) {
	var g lanePCG
	for c := range LaneWidth {
		g.load(c, rand.NewPCG(uint64(c), 1))
	}
	u := make([]uint32, 8*24)
	for b.Loop() {
		g.uniforms(u, 24)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*24*LaneWidth), "ns/word")
}
