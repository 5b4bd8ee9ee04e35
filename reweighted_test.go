package helmholtz

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSharedRows: on a wide layer the logits and updates of an example's
// K samples, summed once over the rows they share and then over each
// sample's others, agree with the plain sums sample by sample to rounding;
// and the split into shared and other units is a partition of each
// sample's list, in order. The last example may have fewer samples, as
// Importance's last chunk does.
func TestSharedRows(t *testing.T) {
	const k, examples, units = 5, 3, 200
	m := randomMachine([]int{300, units, 10}, 0.5, 4)
	p := newRWPart[float64](m.Sizes, k, nil)
	p.grow(examples)
	ns := examples * k
	rng := rand.New(rand.NewPCG(5, 6))
	as := make([][]int32, ns)
	shared := 0
	for e := range examples {
		common := rng.Perm(units)[:40+10*e] // units on in all K samples
		for j := range k {
			on := make([]bool, units)
			for _, i := range common {
				on[i] = true
			}
			for i := range units {
				if rng.Float64() < 0.2 {
					on[i] = true
				}
			}
			s := e*k + j
			for i, b := range on {
				if b {
					as[s] = append(as[s], int32(i))
				}
			}
		}
		shared += len(common)
	}
	checkSharedRows(t, m, p, as, shared)
	checkSharedRows(t, m, p, as[:ns-2], shared)
}

func checkSharedRows(t *testing.T, m *Machine, p *rwPart[float64], as [][]int32, shared int) {
	const units = 200
	k, ns := p.k, len(as)
	n := m.Sizes[0]
	rng := rand.New(rand.NewPCG(7, 8))
	clear(p.sharedOK) // new samples, as genLogits says
	// The split.
	p.shared[0].split(as, k, units)
	got := 0
	for s, act := range as {
		both := append(slices.Clone(p.shared[0].common[s/k]), p.shared[0].rest[s]...)
		slices.Sort(both)
		if !slices.Equal(both, act) || !slices.IsSorted(p.shared[0].rest[s]) {
			t.Fatalf("sample %d: shared %v and rest %v do not make up %v", s, p.shared[0].common[s/k], p.shared[0].rest[s], act)
		}
		if s%k == 0 {
			got += len(p.shared[0].common[s/k])
		}
	}
	if got < shared {
		t.Fatalf("%d units shared, %d planted", got, shared)
	}

	// Logits.
	d := make([][]float64, ns)
	for s := range d {
		d[s] = p.gen[s][0]
	}
	p.logits(d, m.B[0], m.W[0], as, 1, units)
	want := make([]float64, n)
	for s := range d {
		sumRowsGo(want, m.B[0], m.W[0], as[s], 0)
		if e := maxDiff(d[s], want); e > 1e-12 {
			t.Fatalf("sample %d: logits differ by %g from the plain sums", s, e)
		}
	}

	// Updates: the deltas are the logits' rows of genM.
	for i := range p.genM[0][:ns*n] {
		p.genM[0][i] = rng.NormFloat64()
	}
	plain, g := New(m.Sizes), New(m.Sizes)
	addRowsEach(plain.B[0], plain.W[0], slices.Clone(p.genM[0][:ns*n]), as, ns)
	p.addShared(g.B[0], g.W[0], p.genM[0], as, 1, units)
	if !sameBits(g.B[0], plain.B[0]) {
		t.Error("bias updates differ from the plain sums' bits")
	}
	if e := maxDiff(g.W[0], plain.W[0]); e > 1e-12 {
		t.Errorf("weight updates differ by %g from the plain sums", e)
	}
}

func maxDiff(a, b []float64) float64 {
	var e float64
	for i := range a {
		e = max(e, math.Abs(a[i]-b[i]))
	}
	return e
}
