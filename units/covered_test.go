package units

import (
	"testing"

	"helmholtz/dataset"
)

// TestCovered: the ideal net's rows cover every bar; a row drawing two
// bars, or one bar faintly among noise, covers as the criterion says.
func TestCovered(t *testing.T) {
	b := dataset.NewBars(4, 4)
	m := Ideal(b, 4)
	var rows [][]float64
	for j := range m.Sizes[1] {
		rows = append(rows, m.W[0][j*16:(j+1)*16])
	}
	if n := Covered(rows, b); n != 8 {
		t.Errorf("the ideal net covers %d bars, want 8", n)
	}
	bars := b.Bars()
	two := make([]float64, 16)
	for i := range two {
		two[i] = float64(bars[0].Pixels[i] + bars[1].Pixels[i]) // two bars: at most one covered
	}
	if n := Covered([][]float64{two}, b); n > 1 {
		t.Errorf("one row covers %d bars", n)
	}
	if n := Covered([][]float64{make([]float64, 16)}, b); n != 0 {
		t.Errorf("a zero row covers %d bars", n)
	}
}
