package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"helmholtz"
)

var (
	colorWhite = color.White
	colorRed   = color.RGBA{R: 200, G: 30, B: 30, A: 255}
	colorBlue  = color.RGBA{R: 30, G: 60, B: 200, A: 255}
	colorBack  = color.Gray{Y: 225}
)

// Hinton draws Hinton diagrams of the generative weights W_hv (one row
// per hidden unit, one column per pixel) and of the recognition weights
// R_vh transposed to the same layout. A square's area is proportional to
// |w| relative to the largest weight of its matrix (side ∝ √|w|); red is
// positive, blue negative.
func Hinton(m *helmholtz.Machine) Figure {
	nv, n1 := m.Sizes[0], min(m.Sizes[1], maxPanels)
	gen := m.W[0][:n1*nv] // n1 × nv already
	rec := make([]float64, n1*nv)
	for i := range nv {
		for j := range n1 {
			rec[j*nv+i] = m.R[0][i*m.Sizes[1]+j]
		}
	}
	left := hinton(gen, n1, nv, "generative W_hv")
	right := hinton(rec, n1, nv, "recognition R_vhᵀ")
	return beside(left, right)
}

// hinton draws one rows×cols matrix.
func hinton(w []float64, rows, cols int, name string) Figure {
	const cell, font = 12, 8
	var mx float64
	for _, x := range w {
		mx = max(mx, math.Abs(x))
	}
	width := vg.Length(cols)*cell + 2*margin + 20
	height := vg.Length(rows)*cell + 2*margin + font*2.6
	return Figure{Width: width, Height: height, Draw: func(c draw.Canvas) {
		x0 := c.Min.X + margin + 20
		top := c.Max.Y - margin - font*2.6
		c.FillText(textStyle(font*1.1), vg.Point{X: x0 + vg.Length(cols)*cell/2, Y: top + font*1.1},
			fmt.Sprintf("%s (max |w| = %.2f)", name, mx))
		c.SetColor(colorBack)
		c.Fill(rect(x0, top-vg.Length(rows)*cell, vg.Length(cols)*cell, vg.Length(rows)*cell))
		lab := textStyle(font * 0.9)
		lab.XAlign = draw.XRight
		for r := range rows {
			c.FillText(lab, vg.Point{X: x0 - 3, Y: top - vg.Length(r+1)*cell + 3}, fmt.Sprintf("h%d", r+1))
			for col := range cols {
				v := w[r*cols+col]
				if mx == 0 || v == 0 {
					continue
				}
				side := vg.Length(math.Sqrt(math.Abs(v)/mx)) * cell * 0.92
				cx := x0 + (vg.Length(col)+0.5)*cell
				cy := top - (vg.Length(r)+0.5)*cell
				c.SetColor(colorRed)
				if v < 0 {
					c.SetColor(colorBlue)
				}
				c.Fill(rect(cx-side/2, cy-side/2, side, side))
			}
		}
	}}
}
