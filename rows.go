package helmholtz

import "fmt"

// SumRows sets d[k] = bias[k] + Σ rows[i·n + k] over the indices i of
// active in order, for k < n = len(bias): the logits of a layer whose
// parents active are on, rows being the weights from each parent to it.
// It computes them as the training step does (on amd64 with AVX2 several
// at a time, the same bits as the loop). It panics if d is shorter than
// bias or an index is outside rows.
func SumRows(d, bias, rows []float64, active []int32) {
	checkRows("SumRows", len(d), len(bias), len(rows), active)
	sumRows(d, bias, rows, active)
}

// AddRows adds d[k] to bias[k] and to rows[i·n + k] for each index i of
// active, for k < n = len(d): the delta rule's move of a layer's biases
// and of the weights from its active parents, as the training step
// makes it. It panics if bias is shorter than d or an index is outside
// rows.
func AddRows(bias, rows, d []float64, active []int32) {
	checkRows("AddRows", len(bias), len(d), len(rows), active)
	addRows(bias, rows, d, active)
}

// checkRows panics unless a slice of length m holds the n values of a row
// and each index of active names a whole row of the rows' nr values.
func checkRows(name string, m, n, nr int, active []int32) {
	if m < n {
		panic(fmt.Sprintf("helmholtz.%s: %d values for rows of %d", name, m, n))
	}
	for _, i := range active {
		if i < 0 || (int(i)+1)*n > nr {
			panic(fmt.Sprintf("helmholtz.%s: row %d of %d values is outside %d", name, i, n, nr))
		}
	}
}
