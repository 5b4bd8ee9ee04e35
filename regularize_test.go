package helmholtz

import (
	"math"
	"math/rand/v2"
	"testing"
)

// stepped returns a copy of m after n steps with the given options, all
// runs drawing the same random stream.
func stepped(m *Machine, opts Options, n int) *Machine {
	c := m.Clone()
	ws := NewWakeSleep(c, 0.1, 0.1, 1)
	ws.Options = opts
	rng := rand.New(rand.NewPCG(4, 4))
	var data Data = constData{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for range n {
		ws.Step(data, rng)
	}
	return c
}

func testMachine() *Machine {
	m := New([]int{16, 8, 1})
	m.Init(rand.New(rand.NewPCG(1, 1)), 2)
	return m
}

func TestDecay(t *testing.T) {
	m := testMachine()
	plain := stepped(m, Options{}, 1)
	decayed := stepped(m, Options{Decay: 5}, 1) // factor 1 − 0.1·5 = 0.5
	for l := range plain.W {
		for i := range plain.W[l] {
			if decayed.W[l][i] != plain.W[l][i]*0.5 || decayed.R[l][i] != plain.R[l][i]*0.5 {
				t.Fatalf("layer %d weight %d: decayed %v, plain %v; want half", l, i, decayed.W[l][i], plain.W[l][i])
			}
		}
	}
	for l := range plain.B {
		for i := range plain.B[l] {
			if decayed.B[l][i] != plain.B[l][i] {
				t.Fatal("decay changed a bias")
			}
		}
	}
}

// TestDecayNonNegative: with both options, the weights into the visible
// layer are halved, then clamped at +0 (in one pass, scaleNonNegative);
// the others are only halved.
func TestDecayNonNegative(t *testing.T) {
	m := testMachine()
	plain := stepped(m, Options{}, 1)
	both := stepped(m, Options{Decay: 5, NonNegative: true}, 1)
	negative := 0
	for l := range plain.W {
		for i, w := range plain.W[l] {
			want := w * 0.5
			if l == 0 {
				want = max(want, 0)
				if w < 0 {
					negative++
				}
			}
			if got := both.W[l][i]; got != want || math.Signbit(got) != math.Signbit(want) {
				t.Fatalf("layer %d weight %d: %v, want %v", l, i, got, want)
			}
			if both.R[l][i] != plain.R[l][i]*0.5 {
				t.Fatalf("recognition layer %d weight %d: %v, want %v", l, i, both.R[l][i], plain.R[l][i]*0.5)
			}
		}
	}
	if negative == 0 {
		t.Fatal("no negative weight to clamp: the test tests nothing")
	}
}

func TestNonNegative(t *testing.T) {
	m := stepped(testMachine(), Options{NonNegative: true}, 1000)
	for _, w := range m.W[0] {
		if w < 0 {
			t.Fatalf("generative weight %v < 0 with NonNegative", w)
		}
	}
	neg := false
	for _, w := range m.R[0] {
		neg = neg || w < 0
	}
	if !neg {
		t.Error("NonNegative should leave the recognition weights alone")
	}
}

func TestCapHidden(t *testing.T) {
	const cap = -1.0
	m := testMachine()
	for j := range m.B[1] {
		m.B[1][j] = 3 // far above the cap at the start
	}
	m = stepped(m, Options{CapHidden: true, HiddenCap: cap}, 1000)
	for j, b := range m.B[1] {
		if b > cap || b+m.W[1][j] > cap {
			t.Fatalf("unit %d: b_h %v, b_h + W_th %v; want both ≤ %v", j, b, b+m.W[1][j], cap)
		}
	}
}
