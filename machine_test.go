package helmholtz

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomState returns a random full binary state of a machine.
func randomState(sizes []int, rng *rand.Rand) [][]uint8 {
	x := make([][]uint8, len(sizes))
	for l, n := range sizes {
		x[l] = make([]uint8, n)
		for i := range x[l] {
			x[l][i] = uint8(rng.IntN(2))
		}
	}
	return x
}

// setState loads a full state into the trainer's workspace, as the
// sampling phases would.
func (ws *WakeSleep) setState(x [][]uint8) {
	for l := range x {
		ws.act[l] = ws.act[l][:0]
		for i, on := range x[l] {
			ws.x[l][i] = float64(on)
			if on != 0 {
				ws.act[l] = append(ws.act[l], int32(i))
			}
		}
	}
}

// netSlices lists every parameter slice of one net: generative or recognition.
func netSlices(m *Machine, gen bool) [][]float64 {
	if gen {
		return append(append([][]float64{}, m.B...), m.W...)
	}
	return append(append([][]float64{}, m.C...), m.R...)
}

// TestDeltaRulesAreGradients checks that the wake update with ε = 1 equals
// ∂ log p(x)/∂θ for every generative parameter θ, and the sleep update
// equals ∂ log q(x)/∂φ for every recognition parameter φ, by central finite
// differences of LogJoint and LogRecognition (exact math) at random states.
// Tolerance 1e-6: the step h = 1e-5 gives an O(h²) error near 1e-10, and
// the table sigmoid of the update differs from the exact one by < 1e-8.
func TestDeltaRulesAreGradients(t *testing.T) {
	for _, sizes := range [][]int{{16, 8, 1}, {6, 4, 3, 2}, {5, 2}} {
		rng := rand.New(rand.NewPCG(3, uint64(len(sizes))))
		m := New(sizes)
		m.Init(rng, 1)
		for _, g := range [][][]float64{m.B, m.C} {
			for _, b := range g {
				for i := range b {
					b[i] = rng.NormFloat64()
				}
			}
		}
		for trial := range 3 {
			x := randomState(sizes, rng)
			for _, gen := range []bool{true, false} {
				upd := m.Clone()
				ws := NewWakeSleep(upd, 1, 1, 1)
				ws.setState(x)
				if gen {
					ws.learnGen(1, upd.B, upd.W)
				} else {
					ws.learnRec(1, upd.C, upd.R)
				}
				logf := func() float64 {
					if gen {
						return m.LogJoint(x)
					}
					return m.LogRecognition(x)
				}
				after, before := netSlices(upd, gen), netSlices(m, gen)
				for l := range before {
					for i := range before[l] {
						const h = 1e-5
						old := before[l][i]
						before[l][i] = old + h
						fp := logf()
						before[l][i] = old - h
						fm := logf()
						before[l][i] = old
						fd := (fp - fm) / (2 * h)
						got := after[l][i] - old
						if math.Abs(got-fd) > 1e-6 {
							t.Fatalf("sizes %v trial %d gen=%v param group %d index %d: update %.9f, gradient %.9f", sizes, trial, gen, l, i, got, fd)
						}
					}
				}
			}
		}
	}
}

// constData always yields the same pattern.
type constData []uint8

func (c constData) Sample(dst []uint8, _ *rand.Rand) { copy(dst, c) }

// TestOnlineEqualsBatchOfOne pins the claim in Step: the in-place online
// path and the accumulate-then-apply batch path agree bit for bit.
func TestOnlineEqualsBatchOfOne(t *testing.T) {
	m := New([]int{16, 8, 1})
	m.Init(rand.New(rand.NewPCG(1, 1)), 0.1)
	a, b := m.Clone(), m.Clone()
	wa := NewWakeSleep(a, 0.1, 0.07, 1)
	wb := NewWakeSleep(b, 0.1, 0.07, 1)
	z := New(m.Sizes)
	wb.gB, wb.gW, wb.gC, wb.gR = z.B, z.W, z.C, z.R
	data := constData{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}
	ra, rb := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		wa.Step(data, ra)
		// The batch path, forced for a batch of one.
		zero(wb.gB, wb.gW)
		wb.wake(data, rb, 1, wb.gB, wb.gW)
		scaleAdd(b.B, b.W, wb.gB, wb.gW, wb.GenRate/1)
		zero(wb.gC, wb.gR)
		wb.sleep(rb, 1, wb.gC, wb.gR)
		scaleAdd(b.C, b.R, wb.gC, wb.gR, wb.RecRate/1)
	}
	if !a.Equal(b) {
		t.Fatal("online and batch-of-one updates differ")
	}
	if a.Equal(m) {
		t.Fatal("training did not change the machine")
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	for _, batch := range []int{1, 4} {
		m := New([]int{16, 8, 1})
		m.Init(rand.New(rand.NewPCG(1, 1)), 0.1)
		ws := NewWakeSleep(m, 0.1, 0.1, batch)
		rng := rand.New(rand.NewPCG(2, 2))
		var data Data = constData(make([]uint8, 16))
		if n := testing.AllocsPerRun(100, func() { ws.Step(data, rng) }); n != 0 {
			t.Errorf("batch %d: %v allocations per step", batch, n)
		}
	}
}

func TestDreamAndRecognitionMeans(t *testing.T) {
	// A machine whose top unit is almost surely on and whose hidden units
	// copy it: fantasies are then almost surely all-on.
	m := New([]int{3, 2, 1})
	m.B[2][0] = 30
	for i := range m.W[1] {
		m.W[1][i] = 60
	}
	m.B[1][0], m.B[1][1] = -30, -30
	for i := range m.W[0] {
		m.W[0][i] = 60
	}
	for i := range m.B[0] {
		m.B[0][i] = -30
	}
	x := [][]uint8{make([]uint8, 3), make([]uint8, 2), make([]uint8, 1)}
	m.Dream(rand.New(rand.NewPCG(1, 1)), x)
	for l := range x {
		for _, on := range x[l] {
			if on != 1 {
				t.Fatalf("fantasy %v, want all on", x)
			}
		}
	}
	means := [][]float64{make([]float64, 3), make([]float64, 2), make([]float64, 1)}
	m.R[0][0] = 2 // unit 0 of layer 1 listens to pixel 0
	m.RecognitionMeans([]uint8{1, 0, 1}, means)
	if got, want := means[1][0], Sigmoid(2); math.Abs(got-want) > 1e-15 {
		t.Errorf("q(h_0 | v) = %v, want %v", got, want)
	}
	if got, want := means[1][1], 0.5; got != want {
		t.Errorf("q(h_1 | v) = %v, want %v", got, want)
	}
}

// TestStepChecksShapes checks that every learner's Step refuses a machine
// whose parameter slices no longer match its sizes, before any kernel
// reads them.
func TestStepChecksShapes(t *testing.T) {
	for name, learner := range map[string]func(m *Machine) Learner{
		"ws":      func(m *Machine) Learner { return NewWakeSleep(m, 0.1, 0.1, 1) },
		"exact":   func(m *Machine) Learner { return NewExactWake(m, 0.1, 0.1) },
		"rws":     func(m *Machine) Learner { return NewReweighted(m, 0.1, 0.1, 3) },
		"mixture": func(m *Machine) Learner { return NewMixture(m, 0.1, 0.1, 2) },
	} {
		m := New([]int{16, 8, 1})
		l := learner(m)
		m.W[0] = m.W[0][:100]
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Step ran with a short W[0]", name)
				}
			}()
			l.Step(testData{n: 16}, rand.New(rand.NewPCG(1, 1)))
		}()
	}
}

func TestMaxLogit(t *testing.T) {
	m := New([]int{3, 2, 1})
	m.B[0] = []float64{1, -1, 0}
	m.W[0] = []float64{2, -3, 0.5, 4, 5, -0.5} // rows: hidden units 0 and 1
	m.B[1] = []float64{0.5, 0}
	m.W[1] = []float64{-7, 1}
	m.B[2][0] = 2
	m.C[1] = []float64{0, 1}
	m.R[0] = []float64{1, 1, 1, 1, 1, 1}
	m.C[2][0] = -1
	m.R[1] = []float64{-2, -3}
	// Pixel 0 can reach 1 + 2 + 4 = 7, pixel 1 −1 −3 = −4 or −1 + 5 = 4;
	// hidden unit 0 0.5 − 7 = −6.5; the top's recognition −1 −2 −3 = −6;
	// hidden unit 1's 1 + 3 = 4. So 7.
	if got := m.MaxLogit(); got != 7 {
		t.Errorf("MaxLogit = %v, want 7", got)
	}
	// A wide layer (row by row) against the unit-by-unit sums: 300 pixels
	// under 5 hidden units, one of them pushed to the largest logit.
	w := New([]int{300, 5})
	w.Init(rand.New(rand.NewPCG(2, 2)), 1)
	w.W[0][3*300+257] = 40
	want := 0.0
	for k := range 300 {
		hi, lo := w.B[0][k], w.B[0][k]
		for i := range 5 {
			if x := w.W[0][i*300+k]; x > 0 {
				hi += x
			} else {
				lo += x
			}
		}
		want = max(want, math.Abs(hi), math.Abs(lo))
	}
	if got := maxLogit(w.B[0], w.W[0], 5); got != want || want < 40 {
		t.Errorf("wide layer: maxLogit = %v, want %v", got, want)
	}
	w.W[0][2*300+299] = math.NaN()
	if got := maxLogit(w.B[0], w.W[0], 5); !math.IsNaN(got) {
		t.Errorf("wide layer with a NaN weight: maxLogit = %v", got)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		c := m.Clone()
		c.R[1][1] = bad
		if got := c.MaxLogit(); !math.IsNaN(got) && !math.IsInf(got, 1) {
			t.Errorf("with a parameter %v, MaxLogit = %v, want NaN or +Inf", bad, got)
		}
	}
}
