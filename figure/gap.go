package figure

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"helmholtz/exact"
)

// Gap draws the variational gap per pattern: for each pattern of the
// data (drawn below its column; the maxCodes most probable of more), a
// blue bar KL(q ‖ p(·|v)), what the recognition net costs on it, and a red
// bar its share of KL[p_data ‖ p_model], p_data(v)·log2(p_data(v)/p(v)),
// which is negative where the model gives the pattern more than its
// share. Patterns are in order of probability, most probable first.
func Gap(g exact.Gaps, patterns [][]uint8, probs []float64, height, width int) Figure {
	order := make([]int, len(patterns))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
	order = order[:min(len(order), maxCodes)]
	var top, bottom float64 // the bars' extent, bits
	for _, k := range order {
		p := g.Patterns[k]
		top = max(top, p.QP, p.Share)
		bottom = min(bottom, p.Share)
	}
	if !(top > 0) {
		top = 1
	}
	const cell, font, plotH = 16, 8, 150
	img := vg.Length(cell - 2)
	labelW := vg.Length(40)
	K := len(order)
	scale := plotH / vg.Length(top-bottom)
	w := labelW + vg.Length(max(K, 8))*cell + 2*margin
	h := 2*margin + 2*font*1.6 + plotH + 6 + img + font*1.6
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		x0 := c.Min.X + margin + labelW
		y := c.Max.Y - margin
		c.FillText(textStyle(font*1.15), vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y - font*1.3},
			fmt.Sprintf("variational gap E[KL(q ‖ p(·|v))] = %.3f bits; KL[p_data ‖ p_model] = %.3f bits", g.Gap, g.KL))
		y -= font * 1.6
		c.FillText(textStyle(font), vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y - font*1.3},
			"per pattern: blue KL(q ‖ p(·|v)), red its share of the KL, most probable first")
		y -= font * 1.6
		zero := y - vg.Length(top)*scale
		// Axis: 0 and the top value.
		lab := textStyle(font * 0.9)
		lab.XAlign = draw.XRight
		for _, v := range []float64{0, top} {
			yy := zero + vg.Length(v)*scale
			c.FillText(lab, vg.Point{X: x0 - 3, Y: yy - font*0.3}, trimFloat(v))
			c.StrokeLine2(draw.LineStyle{Color: colorBack, Width: 0.5}, x0, yy, x0+vg.Length(K)*cell, yy)
		}
		for i, k := range order {
			p := g.Patterns[k]
			x := x0 + vg.Length(i)*cell
			bar := func(dx vg.Length, v float64, col color.Color) {
				if v == 0 || math.IsNaN(v) {
					return
				}
				c.SetColor(col)
				y0, y1 := zero, zero+vg.Length(v)*scale
				c.Fill(rect(x+dx, min(y0, y1), cell/2-1, max(y1-y0, y0-y1)))
			}
			bar(1, p.QP, colorBlue)
			bar(cell/2, p.Share, colorRed)
		}
		c.StrokeLine2(draw.LineStyle{Color: colorBack, Width: 1}, x0, zero, x0+vg.Length(K)*cell, zero)
		y = zero + vg.Length(bottom)*scale - 6
		pixel := img / vg.Length(max(height, width))
		for i, k := range order {
			drawPattern(c, x0+vg.Length(i)*cell+(cell-pixel*vg.Length(width))/2, y, pixel,
				toFloats(patterns[k]), height, width, ink)
		}
	}}
}

// trimFloat formats an axis value compactly.
func trimFloat(v float64) string { return fmt.Sprintf("%.2g", v) }
