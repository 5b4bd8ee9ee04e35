package helmholtz

import (
	"math/rand/v2"
	"testing"

	"helmholtz/dataset"
)

// BenchmarkWakeSleepStep times one online wake-sleep step (B = 1) of the
// paper's 16-8-1 net on the 4×4 bars, including drawing the data pattern.
func BenchmarkWakeSleepStep(b *testing.B) { benchmarkStep(b) }

func benchmarkStep(b *testing.B) {
	bars := dataset.NewBars(4, 4)
	rng := rand.New(rand.NewPCG(2, 0))
	m := New([]int{16, 8, 1})
	m.Init(rng, 0.1)
	m.SetVisibleBias(dataset.Marginal(bars.Support()))
	ws := NewWakeSleep(m, 0.1, 0.1, 1)
	var data Data = bars // convert once: a struct in an interface allocates
	// Train a little first so the benchmark sees a learned net's sparsity.
	for range 100000 {
		ws.Step(data, rng)
	}
	b.ReportAllocs()
	for b.Loop() {
		ws.Step(data, rng)
	}
}
