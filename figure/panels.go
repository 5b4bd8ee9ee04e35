package figure

import (
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panel is one small image in a grid of images, with optional title lines
// above it.
type panel struct {
	vals  []float64
	cmap  colormap
	title []string
}

// grid lays out panels of h×w pixels in rows of cols.
type grid struct {
	h, w       int
	cols       int
	cell       vg.Length // side of one pixel
	gap        vg.Length // space between panels
	titleLines int       // lines of title above each panel
	fontSize   vg.Length
	heading    string // drawn above the whole grid, if not empty
}

const margin = 6 // points around a figure

func (g grid) panelW() vg.Length { return vg.Length(g.w) * g.cell }
func (g grid) panelH() vg.Length {
	return vg.Length(g.h)*g.cell + vg.Length(g.titleLines)*g.fontSize*1.25
}

func (g grid) headingH() vg.Length {
	if g.heading == "" {
		return 0
	}
	return g.fontSize * 1.8
}

// size returns the width and height that n panels need.
func (g grid) size(n int) (vg.Length, vg.Length) {
	cols := min(g.cols, n)
	rows := (n + g.cols - 1) / g.cols
	w := vg.Length(cols)*(g.panelW()+g.gap) - g.gap + 2*margin
	h := vg.Length(rows)*(g.panelH()+g.gap) - g.gap + 2*margin + g.headingH()
	return w, h
}

// draw draws the panels with the grid's top-left corner at (x, top).
func (g grid) draw(c draw.Canvas, x, top vg.Length, panels []panel) {
	sty := textStyle(g.fontSize)
	if g.heading != "" {
		w, _ := g.size(len(panels))
		hs := textStyle(g.fontSize * 1.15)
		c.FillText(hs, vg.Point{X: x + w/2, Y: top - margin - g.fontSize*1.3}, g.heading)
		top -= g.headingH()
	}
	for i, p := range panels {
		r, col := i/g.cols, i%g.cols
		px := x + margin + vg.Length(col)*(g.panelW()+g.gap)
		py := top - margin - vg.Length(r)*(g.panelH()+g.gap)
		for k, line := range p.title {
			ly := py - vg.Length(k+1)*g.fontSize*1.25 + g.fontSize*0.25
			c.FillText(sty, vg.Point{X: px + g.panelW()/2, Y: ly}, line)
		}
		py -= vg.Length(g.titleLines) * g.fontSize * 1.25
		drawPattern(c, px, py, g.cell, p.vals, g.h, g.w, p.cmap)
	}
}

// gridFigure returns a figure holding one grid of panels.
func gridFigure(g grid, panels []panel) Figure {
	w, h := g.size(len(panels))
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		g.draw(c, c.Min.X, c.Max.Y, panels)
	}}
}

// stack returns a figure of several figures, one above the other, left
// aligned.
func stack(figs ...Figure) Figure {
	var w, h vg.Length
	for _, f := range figs {
		w = max(w, f.Width)
		h += f.Height
	}
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		top := c.Max.Y
		for _, f := range figs {
			sub := c
			sub.Rectangle = vg.Rectangle{
				Min: vg.Point{X: c.Min.X, Y: top - f.Height},
				Max: vg.Point{X: c.Min.X + f.Width, Y: top},
			}
			f.Draw(sub)
			top -= f.Height
		}
	}}
}

// beside returns a figure of several figures side by side, top aligned.
func beside(figs ...Figure) Figure {
	var w, h vg.Length
	for _, f := range figs {
		w += f.Width
		h = max(h, f.Height)
	}
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		x := c.Min.X
		for _, f := range figs {
			sub := c
			sub.Rectangle = vg.Rectangle{
				Min: vg.Point{X: x, Y: c.Max.Y - f.Height},
				Max: vg.Point{X: x + f.Width, Y: c.Max.Y},
			}
			f.Draw(sub)
			x += f.Width
		}
	}}
}
