package figure

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"helmholtz"
)

// fantasyStream is the second PCG seed word of the fantasies' generator,
// which is separate from any training stream.
const fantasyStream = 0x66616e7461737921 // "fantasy!"

// Fantasies draws n patterns from d, a model of layers sizes (a
// Machine's are drawn top-down by ancestral sampling), seeded by seed, as
// a grid of height×width images, cols to a row.
func Fantasies(d helmholtz.Dreamer, sizes []int, height, width, n, cols int, seed uint64) Figure {
	panels := make([]panel, n)
	for i, v := range dream(d, sizes, n, seed) {
		panels[i] = panel{vals: toFloats(v), cmap: ink}
	}
	heading := fmt.Sprintf("%d fantasies: top → hidden → visible", n)
	if _, ok := d.(*helmholtz.Machine); !ok {
		heading = fmt.Sprintf("%d fantasies (Gibbs sampling)", n)
	}
	g := grid{h: height, w: width, cols: cols, cell: 6, gap: 5, fontSize: 9, heading: heading}
	return gridFigure(g, panels)
}

// dream returns n fantasies of d drawn with the seeded fantasy generator.
func dream(d helmholtz.Dreamer, sizes []int, n int, seed uint64) [][]uint8 {
	rng := rand.New(rand.NewPCG(seed, fantasyStream))
	x := make([][]uint8, len(sizes))
	for l, s := range sizes {
		x[l] = make([]uint8, s)
	}
	out := make([][]uint8, n)
	for i := range out {
		d.Dream(rng, x)
		out[i] = append([]uint8(nil), x[0]...)
	}
	return out
}

// Caps on what one figure draws, so that any net's figures stay of a
// size to look at (and to render).
const (
	maxPanels = 64 // hidden units in fields, codes and Hinton diagrams
	maxCodes  = 64 // patterns in the codes figure
)

// mostProbable returns the n most probable patterns, ties in their order.
func mostProbable(patterns [][]uint8, probs []float64, n int) [][]uint8 {
	order := make([]int, len(patterns))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	out := make([][]uint8, n)
	for i := range out {
		out[i] = patterns[order[i]]
	}
	return out
}

// fields returns, for each unit j of the first hidden layer,
// p(v | h_j = 1, other units of the layer off) and the baseline p(v | h = 0).
func fields(m *helmholtz.Machine) (f [][]float64, base []float64) {
	nv, n1 := m.Sizes[0], m.Sizes[1]
	base = make([]float64, nv)
	for i := range base {
		base[i] = helmholtz.Sigmoid(m.B[0][i])
	}
	f = make([][]float64, min(n1, maxPanels))
	for j := range f {
		f[j] = make([]float64, nv)
		for i := range f[j] {
			f[j][i] = helmholtz.Sigmoid(m.B[0][i] + m.W[0][j*nv+i])
		}
	}
	return f, base
}

// Fields draws the hidden-unit fields: top row p(v | h_j = 1, other h off)
// for each unit j of the first hidden layer; bottom row the same minus the
// all-off baseline (red adds pixels, blue removes them). When the layer
// above has one unit, each panel is titled with the unit's coupling to it.
func Fields(m *helmholtz.Machine, height, width int) Figure {
	f, base := fields(m)
	n1 := len(f)
	var scale float64
	diffs := make([][]float64, n1)
	for j := range f {
		diffs[j] = make([]float64, len(base))
		for i := range base {
			diffs[j][i] = f[j][i] - base[i]
			scale = max(scale, math.Abs(diffs[j][i]))
		}
	}
	top := make([]panel, n1)
	bottom := make([]panel, n1)
	for j := range f {
		title := []string{fmt.Sprintf("h%d", j+1)}
		if len(m.Sizes) > 2 && m.Sizes[2] == 1 {
			title = append(title, fmt.Sprintf("%+.2f", m.W[1][j]))
		}
		top[j] = panel{vals: f[j], cmap: ink, title: title}
		bottom[j] = panel{vals: diffs[j], cmap: diverging(scale)}
	}
	cols := min(n1, 12)
	g := grid{h: height, w: width, cols: cols, cell: 7, gap: 6, fontSize: 8, titleLines: len(top[0].title),
		heading: "p(v | h_j = 1, other h off)" + map[bool]string{true: "; titles: W_th coupling to the top unit", false: ""}[len(top[0].title) > 1]}
	gb := grid{h: height, w: width, cols: cols, cell: 7, gap: 6, fontSize: 8,
		heading: fmt.Sprintf("minus the all-off baseline (red adds, blue removes; full colour = ±%.2f)", scale)}
	return stack(gridFigure(g, top), gridFigure(gb, bottom))
}

// Codes draws the recognition codes: for each pattern (drawn on top) the
// recognition net's q(h_j = 1 | v) for every unit of the first hidden
// layer as a heat map, and q(top = 1 | v) below it, the patterns sorted
// by q(top = 1 | v). For nets with more than one hidden layer the higher
// layers' values are mean-field summaries (see Machine.RecognitionMeans).
// Of more than maxCodes patterns it draws the maxCodes most probable
// (probs), of more than maxPanels units the first maxPanels.
func Codes(m *helmholtz.Machine, patterns [][]uint8, probs []float64, height, width int) Figure {
	return codes(m, patterns, probs, height, width, "on the data support")
}

// codes is Codes with the patterns described by which (as "on the data
// support").
func codes(m *helmholtz.Machine, patterns [][]uint8, probs []float64, height, width int, which string) Figure {
	L := len(m.Sizes)
	if len(patterns) > maxCodes {
		which = fmt.Sprintf("on the %d most probable patterns", maxCodes)
		if slices.Min(probs) == slices.Max(probs) { // a data set's distinct examples, say
			which = fmt.Sprintf("on the first %d of %d equally probable patterns", maxCodes, len(patterns))
		}
		patterns = mostProbable(patterns, probs, maxCodes)
	}
	// The top layer's first unit sorts them: the orientation of the bars,
	// where the top layer is one unit.
	top := "top"
	if m.Sizes[L-1] > 1 {
		top = "top1"
	}
	heading := fmt.Sprintf("recognition q(h_j = 1 | v) %s, sorted by q(%s = 1 | v)", which, top)
	K := len(patterns)
	means := make([][][]float64, K)
	for k, v := range patterns {
		means[k] = make([][]float64, L)
		for l, n := range m.Sizes {
			means[k][l] = make([]float64, n)
		}
		m.RecognitionMeans(v, means[k])
	}
	order := make([]int, K)
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return means[order[a]][L-1][0] < means[order[b]][L-1][0] })

	const cell, font = 16, 8
	n1 := min(m.Sizes[1], maxPanels)
	img := vg.Length(cell - 2) // pattern thumbnails
	labelW := vg.Length(34)
	rows := n1 + 1 // hidden units, then the top unit
	w := labelW + vg.Length(K)*cell + 2*margin
	h := 2*margin + font*2 + img + 4 + vg.Length(rows)*cell + 6 + font*1.5
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		x0 := c.Min.X + margin + labelW
		y := c.Max.Y - margin
		title := textStyle(font * 1.15)
		c.FillText(title, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y - font*1.4}, heading)
		y -= font * 2
		pixel := img / vg.Length(max(height, width))
		for i, k := range order {
			drawPattern(c, x0+vg.Length(i)*cell+(cell-pixel*vg.Length(width))/2, y, pixel,
				toFloats(patterns[k]), height, width, ink)
		}
		y -= img + 4
		lab := textStyle(font)
		lab.XAlign = draw.XRight
		for r := range rows {
			name, l, j := fmt.Sprintf("h%d", r+1), 1, r
			if r == n1 {
				name, l, j = top, L-1, 0
			}
			c.FillText(lab, vg.Point{X: x0 - 3, Y: y - vg.Length(r+1)*cell + 2}, name)
			for i, k := range order {
				c.SetColor(heat(means[k][l][j]))
				c.Fill(rect(x0+vg.Length(i)*cell, y-vg.Length(r+1)*cell, cell, cell))
			}
		}
		// A line between the hidden units and the top unit.
		c.StrokeLine2(draw.LineStyle{Color: colorWhite, Width: 1.5},
			x0, y-vg.Length(n1)*cell, x0+vg.Length(K)*cell, y-vg.Length(n1)*cell)
		y -= vg.Length(rows)*cell + 6
		c.FillText(textStyle(font), vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y - font*1.2},
			"white = 0, dark blue = 1")
	}}
}
