package helmholtz

import (
	"math/rand/v2"
	"testing"
)

// TestLanePCG: each lane of a lanePCG draws the words of a rand.PCG in
// its state, in the kernels and in portable Go, 4, 8 and 16 lanes, for
// runs of 0 to 40 words, and stores back the state that rand.PCG
// reaches.
func TestLanePCG(t *testing.T) { testLanePCG(t) }

func testLanePCG(t *testing.T) {
	t.Helper()
	seeds := rand.New(rand.NewPCG(3, 3))
	for _, vw := range []struct {
		vector bool
		w      int
	}{{false, 4}, {true, 4}, {false, 8}, {true, 8}, {false, 16}, {true, 16}} {
		vector, lw := vw.vector, vw.w
		for n := range 41 {
			var g lanePCG
			srcs := make([]*rand.PCG, lw)
			for c := range srcs {
				srcs[c] = rand.NewPCG(seeds.Uint64(), seeds.Uint64())
				if c == 0 {
					srcs[c] = rand.NewPCG(^uint64(0), ^uint64(0)) // carries everywhere
				}
				g.load(c, srcs[c])
			}
			u := make([]uint32, 2*lw*n+8)
			if vector {
				g.uniforms(u, n, lw)
			} else {
				g.uniformsGo(u, n, lw)
			}
			for k := range n {
				for c, src := range srcs {
					x := src.Uint64()
					if hi, lo := u[2*lw*k+c], u[2*lw*k+lw+c]; hi != uint32(x>>32) || lo != uint32(x) {
						t.Fatalf("vector %v, %d lanes, %d words: word %d of lane %d = %#x %#x, want %#x", vector, lw, n, k, c, hi, lo, x)
					}
				}
			}
			for c, src := range srcs {
				var want rand.PCG
				g.store(c, &want)
				if src.Uint64() != want.Uint64() {
					t.Fatalf("vector %v, %d lanes, %d words: lane %d stored another state", vector, lw, n, c)
				}
			}
		}
	}
}

// BenchmarkLanePCG times LaneWidth lanes drawing 24 words each.
func BenchmarkLanePCG(b *testing.B) {
	var g lanePCG
	w := LaneWidth()
	for c := range w {
		g.load(c, rand.NewPCG(uint64(c), 1))
	}
	u := make([]uint32, 2*w*24)
	for b.Loop() {
		g.uniforms(u, 24, w)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*24*w), "ns/word")
}
