package helmholtz

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSigmoid32: the float32 σ and log σ are within 1.5e-7 of σ and
// within 2e-7·max(1, |log σ|) of log σ from −100 to 100 (1e-7 seen), where
// the float64 ones are within 1e-8; and exp32 within 1.5e-7 of e^t
// relatively where it does not clamp.
func TestSigmoid32(t *testing.T) {
	for x := -100.0; x <= 100; x += 0.000917 {
		f := float32(x)
		xd := float64(f)
		if e := math.Abs(float64(sigmoid32(f)) - Sigmoid(xd)); !(e <= 1.5e-7) {
			t.Fatalf("sigmoid32(%v) = %v, σ = %v", f, sigmoid32(f), Sigmoid(xd))
		}
		l := LogSigmoid(xd)
		if e := math.Abs(float64(logSigmoid32(f)) - l); !(e <= 2e-7*max(1, math.Abs(l))) {
			t.Fatalf("logSigmoid32(%v) = %v, log σ = %v", f, logSigmoid32(f), l)
		}
		if xd > -87 && xd < 88 {
			if e := math.Abs(float64(exp32(f))/math.Exp(xd) - 1); !(e <= 1.5e-7) {
				t.Fatalf("exp32(%v) = %v, e^x = %v", f, exp32(f), math.Exp(xd))
			}
		}
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	if s := sigmoid32(-inf); !(s >= 0 && s < 1e-38) {
		t.Errorf("sigmoid32(−Inf) = %v", s)
	}
	if s, n := sigmoid32(inf), sigmoid32(nan); s != 1 || n != 1 {
		t.Errorf("sigmoid32(+Inf) = %v, sigmoid32(NaN) = %v, want 1", s, n)
	}
	if l := logSigmoid32(nan); l == l {
		t.Errorf("logSigmoid32(NaN) = %v", l)
	}
	if l, m := logSigmoid32(-inf), logSigmoid32(inf); !math.IsInf(float64(l), -1) || !(m <= 0 && m > -1e-37) {
		t.Errorf("logSigmoid32(∓Inf) = %v, %v", l, m)
	}
}

// float32Pair returns a float64 reweighted learner and a float32 one, each
// on its own copy of one machine, with the same settings.
func float32Pair(sizes []int, k, batch int, adam bool) (l64, l32 *Reweighted) {
	m := New(sizes)
	m.Init(rand.New(rand.NewPCG(1, 2)), 1)
	make := func(m *Machine) *Reweighted {
		l := NewReweighted(m, 0.05, 0.03, k)
		l.Batch = batch
		if adam {
			a := NewAdam()
			a.Init(m)
			l.Opt = a
		}
		return l
	}
	m32 := New(sizes)
	m32.CopyFrom(m)
	l64, l32 = make(m), make(m32)
	l32.Float32 = true
	// Both start from float32 values, so that only the arithmetic differs.
	l32.Load()
	l32.Sync()
	m.CopyFrom(m32)
	return l64, l32
}

// TestFloat32Step: a float32 batch makes the float64 batch's update to
// float32's precision. Both draw the same states from the same stream:
// their uniforms differ only where one lies within about 2^-24 of its
// unit's probability, as none does in these few steps, so that their
// parameters after a step differ by the rounding of its sums. (Adam
// divides a gradient by its size: one that cancels to nothing in float64
// and to rounding noise in float32 moves by the full rate in float32, so
// Adam is compared here on a net whose gradients do not cancel.)
func TestFloat32Step(t *testing.T) {
	for _, c := range []struct {
		name  string
		sizes []int
		k     int
		batch int
		adam  bool
	}{
		{"k1 batch", []int{16, 8, 1}, 1, 2, false},
		{"k5 batch", []int{30, 12, 6}, 5, 10, false},
		{"k5 adam", []int{30, 12, 6}, 5, 10, true},
		{"wide, split", []int{300, 220, 20}, 3, 8, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			l64, l32 := float32Pair(c.sizes, c.k, c.batch, c.adam)
			before := New(c.sizes)
			before.CopyFrom(l64.M)
			data := skewedBits{}
			r64, r32 := rand.New(rand.NewPCG(7, 8)), rand.New(rand.NewPCG(7, 8))
			for range 3 {
				l64.Step(data, r64)
				l32.Step(data, r32)
			}
			l32.Sync()
			if r64.Uint64() != r32.Uint64() {
				t.Fatal("the float32 steps drew another count of random numbers")
			}
			// Each parameter's move, in float32 against float64.
			worst := 0.0
			for slot, g64 := range paramsOf(l64.M).groups() {
				g32, g0 := paramsOf(l32.M).groups()[slot], paramsOf(before).groups()[slot]
				for l := range g64 {
					for i := range g64[l] {
						d64, d32 := g64[l][i]-g0[l][i], g32[l][i]-g0[l][i]
						scale := max(math.Abs(d64), 1e-3*max(1, math.Abs(g0[l][i])))
						worst = max(worst, math.Abs(d32-d64)/scale)
					}
				}
			}
			if !(worst < 2e-3) {
				t.Errorf("a parameter's move in float32 differs from float64's by %.3g of it", worst)
			}
		})
	}
}

// TestFloat32SyncLoad: writing the float32 copy into the machine (Sync),
// as every evaluation and snapshot does, does not change the steps that
// follow; and a learner made anew on the machine so written (Load, as a
// resumed run's) continues bit for bit.
func TestFloat32SyncLoad(t *testing.T) {
	sizes := []int{300, 220, 20}
	_, a := float32Pair(sizes, 3, 8, true)
	_, b := float32Pair(sizes, 3, 8, true)
	data := skewedBits{}
	pb := rand.NewPCG(9, 9)
	ra, rb := rand.New(rand.NewPCG(9, 9)), rand.New(pb)
	for i := range 6 {
		a.Step(data, ra)
		b.Step(data, rb)
		a.Sync() // every step
		if i == 2 {
			b.Sync()
		}
	}
	b.Sync()
	if weightsHash(a.M) != weightsHash(b.M) {
		t.Fatal("syncing every step changed the trajectory")
	}
	// Resume b from its machine and Adam's state, as a snapshot holds them.
	m := New(sizes)
	m.CopyFrom(b.M)
	c := NewReweighted(m, b.GenRate, b.RecRate, b.K)
	c.Batch, c.Float32 = b.Batch, true
	adam := *b.Opt.(*Adam)
	for slot := range NumSlots {
		adam.M[slot], adam.V[slot] = clone2(adam.M[slot]), clone2(adam.V[slot])
	}
	c.Opt = &adam
	pc := *pb
	rc := rand.New(&pc)
	for range 4 {
		b.Step(data, rb)
		c.Step(data, rc)
	}
	b.Sync()
	c.Sync()
	if weightsHash(b.M) != weightsHash(c.M) {
		t.Fatal("a learner loaded from the synced machine and Adam's state did not continue bit for bit")
	}
}

func clone2(a [][]float64) [][]float64 {
	c := make([][]float64, len(a))
	for i := range a {
		c[i] = append([]float64(nil), a[i]...)
	}
	return c
}
