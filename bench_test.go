package helmholtz

import (
	"fmt"
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

// randomBits draws patterns of independent bits, each on with
// probability 0.3.
type randomBits struct{}

func (randomBits) Sample(dst []uint8, rng *rand.Rand) {
	for i := range dst {
		dst[i] = bit(rng.Float64() < 0.3)
	}
}

// BenchmarkDensityLearners: one step of each learner of the 1995 density
// comparison on its largest net, 100-50-20.
func BenchmarkDensityLearners(b *testing.B) {
	for _, c := range []struct {
		name string
		make func(m *Machine) Learner
	}{
		{"wakesleep", func(m *Machine) Learner { return NewWakeSleep(m, 0.01, 0.01, 1) }},
		{"gibbs", func(m *Machine) Learner { return NewGibbs(m, 0.01) }},
		{"meanfield", func(m *Machine) Learner { return NewMeanField(m, 0.01) }},
	} {
		for _, sizes := range [][]int{{100, 20, 10}, {100, 50, 20}} {
			b.Run(fmt.Sprintf("%s/%v", c.name, sizes), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 1))
				m := New(sizes)
				m.Init(rng, 0.5)
				l := c.make(m)
				for b.Loop() {
					l.Step(randomBits{}, rng)
				}
			})
		}
	}
}

// sparseBits draws 784-pixel patterns with 13 % of the pixels on, as
// binarized MNIST has.
type sparseBits struct{}

func (sparseBits) Sample(dst []uint8, rng *rand.Rand) {
	for i := range dst {
		dst[i] = bit(rng.Uint32() < 558345748) // 0.13·2^32
	}
}

// BenchmarkMNISTStep: one minibatch of 25 with Adam on 784-200-200-200,
// the literature's SBN: reweighted wake-sleep with K = 5, and wake-sleep.
// An epoch of 50,000 images is 2,000 steps.
func BenchmarkMNISTStep(b *testing.B) {
	for _, name := range []string{"rws5", "rws5-float32", "ws"} {
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			m := New([]int{784, 200, 200, 200})
			m.Init(rng, 0.01)
			var l Learner
			if name == "ws" {
				ws := NewWakeSleep(m, 1e-3, 1e-3, 25)
				ws.Opt = NewAdam()
				l = ws
			} else {
				r := NewReweighted(m, 1e-3, 1e-3, 5)
				r.Batch, r.Opt, r.Float32 = 25, NewAdam(), name == "rws5-float32"
				l = r
			}
			for b.Loop() {
				l.Step(sparseBits{}, rng)
			}
		})
	}
}

// BenchmarkImportance: the importance weights of one sample from q on
// 784-200-200-200 (a test-set estimate with K = 5,000 is 5 × 10^7 of them).
func BenchmarkImportance(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := New([]int{784, 200, 200, 200})
	m.Init(rng, 0.01)
	v := make([]uint8, 784)
	sparseBits{}.Sample(v, rng)
	im := NewImportance(m)
	logw := make([]float64, 100)
	for b.Loop() {
		im.LogWeights(v, rng, logw)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(logw)), "ns/sample")
}
