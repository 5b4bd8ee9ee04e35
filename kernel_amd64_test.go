//go:build !purego

package helmholtz

import (
	"math/rand/v2"
	"testing"
)

// withAVX2 runs f with the vector kernels on or off.
func withAVX2(on bool, f func()) {
	saved := useAVX2
	useAVX2 = on
	defer func() { useAVX2 = saved }()
	f()
}

// TestKernelsTraining checks that training with and without the AVX2
// kernels ends in the same machine, bit for bit, on a net whose layers
// exercise both the vector bodies and the portable tails.
func TestKernelsTraining(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	train := func() *Machine {
		rng := rand.New(rand.NewPCG(7, 0))
		m := New([]int{16, 10, 5, 1})
		m.Init(rng, 0.5)
		ws := NewWakeSleep(m, 0.1, 0.05, 1)
		data := testData{n: 16}
		for range 20000 {
			ws.Step(data, rng)
		}
		return m
	}
	var fast, slow *Machine
	withAVX2(true, func() { fast = train() })
	withAVX2(false, func() { slow = train() })
	for l := range fast.W {
		if !sameBits(fast.W[l], slow.W[l]) || !sameBits(fast.R[l], slow.R[l]) {
			t.Fatalf("layer %d weights differ with and without AVX2", l)
		}
	}
	for l := range fast.B {
		if !sameBits(fast.B[l], slow.B[l]) || !sameBits(fast.C[l], slow.C[l]) {
			t.Fatalf("layer %d biases differ with and without AVX2", l)
		}
	}
}

// BenchmarkWakeSleepStepPortable is BenchmarkWakeSleepStep with the
// portable kernels, as on a machine without AVX2 or in a purego build.
func BenchmarkWakeSleepStepPortable(b *testing.B) {
	withAVX2(false, func() { benchmarkStep(b) })
}
