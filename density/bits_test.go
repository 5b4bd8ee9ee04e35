package density

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"

	"helmholtz/synth"
)

// TestEstimatorBits: on a small draw of Mixture 20-100, every estimator
// but the slow learners' full protocol fits and costs to the bits it gave
// on the machine the density study was run on, on every build (AVX2,
// purego, GOAMD64=v3); so do the mean-field learner on a small net, its
// bound, and the importance-sampled −log2 p(v) from it. The hash covers
// every number; a change that moves it changes the study's records.
func TestEstimatorBits(t *testing.T) {
	d, err := synth.Make("mix20", 1, synth.Sizes{Train: 400, Valid: 100, Test: 100})
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	put := func(name string, x float64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write([]byte(name))
		h.Write(b[:])
	}
	for i, name := range []string{"gzip", "base", "mixture", "fvbn", "hm"} {
		e, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		switch e := e.(type) {
		case *Mixture:
			e.Components = []int{3, 5}
		case *HM:
			e.Archs = [][]int{{6}}
		}
		if err := e.Fit(d.Train, d.Valid, rand.New(rand.NewPCG(1, uint64(i)))); err != nil {
			t.Fatal(err)
		}
		put(name, e.Cost(d.Test))
	}
	mf := NewMeanField()
	mf.Archs = [][]int{{5, 3}}
	if err := mf.Fit(d.Train, d.Valid, rand.New(rand.NewPCG(1, 9))); err != nil {
		t.Fatal(err)
	}
	put("mf", mf.Cost(d.Test))
	nll, se := mf.NLL(d.Test, 50, rand.New(rand.NewPCG(1, 10)))
	put("mf nll", nll)
	put("mf se", se)
	if got, want := h.Sum64(), uint64(0x513e3527429ce9db); got != want {
		t.Errorf("hash of the costs %#x, want %#x", got, want)
	}
}
