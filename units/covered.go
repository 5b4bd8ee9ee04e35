package units

import (
	"math"

	"helmholtz/dataset"
)

// Covered counts the bars that some unit's weights (one row per unit, a
// weight per pixel) resemble: the criterion of the peer project
// cybertronai/hinton-problems, under which a unit covers the bar whose
// template (1 on the bar's pixels, 0 elsewhere) has the largest centred
// cosine similarity with its row, if that similarity is at least 0.5.
func Covered(rows [][]float64, b dataset.Bars) int {
	bars := b.Bars()
	templates := make([][]float64, len(bars))
	for k, bar := range bars {
		t := make([]float64, b.Dim())
		for i, x := range bar.Pixels {
			t[i] = float64(x)
		}
		templates[k] = t
	}
	covered := map[int]bool{}
	for _, row := range rows {
		best, sim := -1, math.Inf(-1)
		for k, t := range templates {
			if s := centredCosine(row, t); s > sim {
				best, sim = k, s
			}
		}
		if sim >= 0.5 {
			covered[best] = true
		}
	}
	return len(covered)
}

func centredCosine(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var dot, na, nb float64
	for i := range a {
		x, y := a[i]-ma, b[i]-mb
		dot += float64(x * y) // unfused: the same bits everywhere
		na += float64(x * x)
		nb += float64(y * y)
	}
	return dot / ((math.Sqrt(na) + 1e-12) * (math.Sqrt(nb) + 1e-12))
}
