package dmd

import (
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/rbm"
)

// TestWakeSleepStepIsTheStep: the traced step leaves the parameters
// WakeSleep.Step leaves, bit for bit, over many steps of nets with layers
// of one unit, of four and of other sizes, from the same random stream.
func TestWakeSleepStepIsTheStep(t *testing.T) {
	for _, c := range []struct {
		data  string
		sizes []int
	}{{"bars:4x4", []int{16, 8, 1}}, {"bars:3x3", []int{9, 5, 3}}, {"bars:4x4", []int{16, 6, 4, 2}}} {
		set, err := dataset.Parse(c.data)
		if err != nil {
			t.Fatal(err)
		}
		init := rand.New(rand.NewPCG(1, 2))
		m := helmholtz.New(c.sizes)
		m.Init(init, 0.5)
		ref := m.Clone()
		ws := helmholtz.NewWakeSleep(ref, 0.1, 0.07, 1)
		a, b := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
		for step := range 300 {
			ws.Step(set, a)
			WakeSleepStep(m, set, 0.1, 0.07, b)
			if !m.Equal(ref) {
				t.Fatalf("%v %v: step %d: the traced step's parameters differ from WakeSleep.Step's", c.data, c.sizes, step)
			}
		}
	}
}

// TestCostSized: equal sizes price as Cost does; a binary state of one
// byte below a number of four costs the slot after those four.
func TestCostSized(t *testing.T) {
	tr := matmul(4)
	for b := 1; b <= 8; b++ {
		if tr.CostSized(b, b) != tr.Cost(b) {
			t.Fatalf("CostSized(%d, %d) ≠ Cost(%d)", b, b, b)
		}
	}
	var s Trace
	a, bit := s.Arg(1)[0], s.Arg(1)[0]
	s.Bits(bit)
	s.Return(a, s.Op(bit))
	if got := s.CostSized(4, 1); got != 3 { // slot 5: ⌈√5⌉
		t.Errorf("a 1-byte bit under a 4-byte number costs %d, want 3", got)
	}
}

// TestSplit: the parts of a split add up to the whole, and splitting at
// no operation gives the whole.
func TestSplit(t *testing.T) {
	set, _ := dataset.Parse("bars:4x4")
	m := helmholtz.New([]int{16, 8, 1})
	m.Init(rand.New(rand.NewPCG(1, 1)), 0.5)
	tr, ops := WakeSleepStep(m, set, 0.1, 0.1, rand.New(rand.NewPCG(2, 2)))
	for _, b := range []int{1, 4, 8} {
		parts, sum := tr.Split(b, 1, ops[:3]), 0
		for _, p := range parts {
			sum += p
		}
		if whole := tr.CostSized(b, 1); sum != whole || parts[0] == 0 || parts[3] == 0 {
			t.Errorf("%d bytes: parts %v add to %d, the whole is %d", b, parts, sum, whole)
		}
	}
}

// TestCDStepIsTheStep: the traced CD-k step leaves the parameters and
// velocities rbm.CD.Step leaves, bit for bit, for k = 1 and 3.
func TestCDStepIsTheStep(t *testing.T) {
	set := dataset.NewBars(4, 4)
	for _, k := range []int{1, 3} {
		init := rand.New(rand.NewPCG(5, 5))
		a := rbm.New(16, 8)
		a.Init(init, 0.1)
		b := a.Clone()
		ca, cb := rbm.NewCD(a, k, 0.05, 0.5, 1e-4), rbm.NewCD(b, k, 0.05, 0.5, 1e-4)
		ra, rb := rand.New(rand.NewPCG(6, 6)), rand.New(rand.NewPCG(6, 6))
		for step := range 200 {
			ca.Step(set, ra)
			tr, _ := CDStep(cb, set, rb)
			if !a.Equal(b) || !slices.Equal(ca.UW, cb.UW) || !slices.Equal(ca.UBV, cb.UBV) || !slices.Equal(ca.UBH, cb.UBH) {
				t.Fatalf("CD-%d step %d: the traced step differs from rbm.CD.Step", k, step)
			}
			if step == 0 && tr.Cost(1) <= 0 {
				t.Fatal("a CD step costs nothing")
			}
		}
	}
}

// TestRWSStepIsTheStep: the traced reweighted step leaves the parameters
// Reweighted.Step leaves, bit for bit, for K = 1, 3 and 5, with and
// without the wake-phase q update and the sleep update.
func TestRWSStepIsTheStep(t *testing.T) {
	set := dataset.NewBars(4, 4)
	for _, c := range []struct {
		k            int
		wakeQ, sleep bool
	}{{1, false, true}, {3, true, true}, {5, true, false}, {2, false, true}} {
		init := rand.New(rand.NewPCG(1, 2))
		m := helmholtz.New([]int{16, 8, 1})
		m.Init(init, 0.5)
		ref := m.Clone()
		rw := helmholtz.NewReweighted(ref, 0.1, 0.07, c.k)
		rw.WakeQ, rw.Sleep = c.wakeQ, c.sleep
		a, b := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
		for step := range 200 {
			rw.Step(set, a)
			tr, ops := RWSStep(m, set, 0.1, 0.07, c.k, c.wakeQ, c.sleep, b)
			if step == 0 {
				if parts := tr.Split(1, 1, ops[:3]); parts[0] == 0 || parts[1] == 0 {
					t.Fatalf("%+v: phase costs %v", c, parts)
				}
			}
			if !m.Equal(ref) {
				t.Fatalf("%+v: step %d: the traced step's parameters differ from Reweighted.Step's", c, step)
			}
		}
	}
}

// TestMixtureStepIsTheStep: the traced mixture step leaves the machine,
// the extra components and the gate as Mixture.Step leaves them, bit for
// bit, for 1, 2 and 4 components.
func TestMixtureStepIsTheStep(t *testing.T) {
	set := dataset.NewBars(4, 4)
	for _, n := range []int{1, 2, 4} {
		init := rand.New(rand.NewPCG(3, 4))
		m := helmholtz.New([]int{16, 8, 1})
		m.Init(init, 0.5)
		ref := m.Clone()
		a, b := helmholtz.NewMixture(ref, 0.1, 0.07, n), helmholtz.NewMixture(m, 0.1, 0.07, n)
		a.Init(rand.New(rand.NewPCG(5, 5)), 0.5, 0)
		b.Init(rand.New(rand.NewPCG(5, 5)), 0.5, 0)
		ra, rb := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
		for step := range 200 {
			a.Step(set, ra)
			tr, _ := MixtureStep(b, set, rb)
			if step == 0 && tr.Cost(1) <= 0 {
				t.Fatal("a mixture step costs nothing")
			}
			same := m.Equal(ref) && slices.Equal(a.G, b.G) && slices.Equal(a.Gb, b.Gb)
			for c := range a.C {
				for l := range a.C[c] {
					same = same && slices.Equal(a.C[c][l], b.C[c][l])
				}
				for l := range a.R[c] {
					same = same && slices.Equal(a.R[c][l], b.R[c][l])
				}
			}
			if !same {
				t.Fatalf("%d components: step %d: the traced step differs from Mixture.Step", n, step)
			}
		}
	}
}

// TestExactStepIsTheStep: the traced exact-posterior step leaves the
// parameters ExactWake.Step leaves, bit for bit.
func TestExactStepIsTheStep(t *testing.T) {
	set := dataset.NewBars(4, 4)
	init := rand.New(rand.NewPCG(1, 2))
	m := helmholtz.New([]int{16, 8, 1})
	m.Init(init, 0.5)
	ref := m.Clone()
	ew := helmholtz.NewExactWake(ref, 0.1, 0.07)
	tr := NewExact(m, 0.1, 0.07)
	a, b := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	for step := range 300 {
		ew.Step(set, a)
		trace, _ := tr.Step(set, b)
		if step < 2 && trace.Cost(1) <= 0 {
			t.Fatal("an exact step costs nothing")
		}
		if !m.Equal(ref) {
			t.Fatalf("step %d: the traced exact step differs from ExactWake.Step", step)
		}
	}
}
