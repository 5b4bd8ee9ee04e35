package helmholtz

import (
	"math/rand/v2"
	"testing"
)

// TestRows: SumRows and AddRows give the loops' sums in order, bit for
// bit, and panic on an index outside the rows or a
// short destination.
func TestRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{1, 3, 4, 7, 40, 130} {
		const rows = 9
		w := make([]float64, rows*n)
		for i := range w {
			w[i] = rng.NormFloat64()
		}
		bias, d := make([]float64, n), make([]float64, n)
		for i := range bias {
			bias[i], d[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		active := []int32{0, 3, 3, 8, 5}
		got, want := make([]float64, n), make([]float64, n)
		SumRows(got, bias, w, active)
		for k := range n {
			want[k] = bias[k]
			for _, i := range active {
				want[k] += w[int(i)*n+k]
			}
		}
		if !sameBits(got, want) {
			t.Fatalf("SumRows, n %d: %v, want %v", n, got, want)
		}
		b2, w2 := append([]float64(nil), bias...), append([]float64(nil), w...)
		AddRows(b2, w2, d, active)
		wantB, wantW := append([]float64(nil), bias...), append([]float64(nil), w...)
		for k := range n {
			wantB[k] += d[k]
			for _, i := range active {
				wantW[int(i)*n+k] += d[k]
			}
		}
		if !sameBits(b2, wantB) || !sameBits(w2, wantW) {
			t.Fatalf("AddRows, n %d: differs from the loop", n)
		}
		for _, bad := range []struct {
			name string
			f    func()
		}{
			{"SumRows row 9 of 9", func() { SumRows(got, bias, w, []int32{9}) }},
			{"SumRows row -1", func() { SumRows(got, bias, w, []int32{-1}) }},
			{"SumRows short d", func() { SumRows(got[:n-1], bias, w, active) }},
			{"AddRows row 9 of 9", func() { AddRows(b2, w2, d, []int32{9}) }},
			{"AddRows short bias", func() { AddRows(b2[:n-1], w2, d, active) }},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("n %d: %s did not panic", n, bad.name)
					}
				}()
				bad.f()
			}()
		}
	}
}
