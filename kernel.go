package helmholtz

// The kernels below are the inner loops of a wake-sleep step. They work on
// four columns at a time, keeping the four sums in registers while the
// rows of the active units stream past, instead of loading and storing
// every element once per row. Each element still receives its additions in
// the same order as a plain loop, so the results are bit-identical to it.

// sumRows sets d[k] = bias[k] + Σ_{i∈active} rows[i·n+k] for k < n = len(bias).
func sumRows(d, bias, rows []float64, active []int32) {
	n := len(bias)
	d = d[:n]
	k := 0
	for ; k+4 <= n; k += 4 {
		b := bias[k : k+4 : k+4]
		s0, s1, s2, s3 := b[0], b[1], b[2], b[3]
		for _, i := range active {
			r := rows[int(i)*n+k:][:4:4]
			s0 += r[0]
			s1 += r[1]
			s2 += r[2]
			s3 += r[3]
		}
		o := d[k : k+4 : k+4]
		o[0], o[1], o[2], o[3] = s0, s1, s2, s3
	}
	for ; k < n; k++ {
		s := bias[k]
		for _, i := range active {
			s += rows[int(i)*n+k]
		}
		d[k] = s
	}
}

// addRows adds d to bias and to the rows of w that belong to active units.
func addRows(bias, w, d []float64, active []int32) {
	n := len(d)
	bias = bias[:n]
	for k, v := range d {
		bias[k] += v
	}
	k := 0
	for ; k+4 <= n; k += 4 {
		e := d[k : k+4 : k+4]
		d0, d1, d2, d3 := e[0], e[1], e[2], e[3]
		for _, i := range active {
			r := w[int(i)*n+k:][:4:4]
			r[0] += d0
			r[1] += d1
			r[2] += d2
			r[3] += d3
		}
	}
	for ; k < n; k++ {
		v := d[k]
		for _, i := range active {
			w[int(i)*n+k] += v
		}
	}
}
