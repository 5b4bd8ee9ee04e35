package figure

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"helmholtz/train"
)

// DPI is the resolution of PNG output.
const DPI = 110

// Figure is a drawing of a fixed size.
type Figure struct {
	Width, Height vg.Length
	Draw          func(c draw.Canvas)
}

// maxPixels bounds the PNG or GIF frame a figure renders to (at DPI). The
// figures of any run train can write stay well below it: their panels
// are capped (maxPanels, maxCodes); a figure above it is refused rather
// than drawn.
const maxPixels = 40 << 20

// check refuses a figure too large to render at dpi, or of no size.
func (f Figure) check(dpi int) error {
	px := float64(f.Width/vg.Inch*vg.Length(dpi)) * float64(f.Height/vg.Inch*vg.Length(dpi))
	if !(f.Width > 0 && f.Height > 0) || !(px <= maxPixels) {
		return fmt.Errorf("figure: %.0f×%.0f points is not a size to draw", float64(f.Width), float64(f.Height))
	}
	return nil
}

// WriteTo renders f to w in the given format, "png" or "svg".
func (f Figure) WriteTo(w io.Writer, format string) error {
	if err := f.check(DPI); err != nil {
		return err
	}
	var c interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case "png":
		img := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DPI),
			vgimg.UseBackgroundColor(color.White))
		c = vgimg.PngCanvas{Canvas: img}
	case "svg":
		c = vgsvg.New(f.Width, f.Height)
		dc := draw.New(c)
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
	default:
		return fmt.Errorf("figure: unknown format %.64q (want png or svg)", format)
	}
	f.Draw(draw.New(c))
	_, err := c.WriteTo(w)
	return err
}

// Image renders f to an RGBA image at dpi dots per inch.
func (f Figure) Image(dpi int) (image.Image, error) {
	if err := f.check(dpi); err != nil {
		return nil, err
	}
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(dpi),
		vgimg.UseBackgroundColor(color.White))
	f.Draw(draw.New(c))
	return c.Image(), nil
}

// Save writes f to path, as PNG or SVG by the path's extension,
// atomically.
func Save(path string, f Figure) error {
	ext := filepath.Ext(path)
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("figure %q: want a .png or .svg file", path)
	}
	return train.WriteFile(path, func(w io.Writer) error { return f.WriteTo(w, ext[1:]) })
}

// textStyle returns a text style of the given size, centred horizontally.
func textStyle(size vg.Length) draw.TextStyle {
	return draw.TextStyle{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
		XAlign:  draw.XCenter,
		YAlign:  draw.YBottom,
	}
}

// colormap maps a value to a colour.
type colormap func(float64) color.Color

// ink maps a probability to grey: 0 is white paper, 1 black ink.
func ink(p float64) color.Color {
	return color.Gray{Y: uint8(255*(1-clamp01(p)) + 0.5)}
}

// diverging maps d/scale in [-1, 1] to blue (negative), white (0) and red
// (positive).
func diverging(scale float64) colormap {
	return func(d float64) color.Color {
		t := 0.0
		if scale > 0 {
			t = clamp01(abs(d) / scale)
		}
		lo := uint8(255*(1-0.85*t) + 0.5)
		if d >= 0 {
			return color.RGBA{R: 255 - uint8(40*t), G: lo, B: lo, A: 255}
		}
		return color.RGBA{R: lo, G: lo, B: 255 - uint8(40*t), A: 255}
	}
}

// heat maps a probability to a white-to-dark-blue scale.
func heat(q float64) color.Color {
	q = clamp01(q)
	lerp := func(a, b float64) uint8 { return uint8(a + (b-a)*q + 0.5) }
	return color.RGBA{R: lerp(255, 8), G: lerp(255, 48), B: lerp(255, 107), A: 255}
}

// drawPattern draws an h×w grid of values with its top-left corner at
// (x, y), each pixel a cell×cell square, framed in grey.
func drawPattern(c draw.Canvas, x, y, cell vg.Length, vals []float64, h, w int, cmap colormap) {
	for r := range h {
		for col := range w {
			c.SetColor(cmap(vals[r*w+col]))
			c.Fill(rect(x+vg.Length(col)*cell, y-vg.Length(r+1)*cell, cell, cell))
		}
	}
	frame := draw.LineStyle{Color: color.Gray{Y: 150}, Width: 0.5}
	c.StrokeLines(frame, []vg.Point{
		{X: x, Y: y}, {X: x + vg.Length(w)*cell, Y: y},
		{X: x + vg.Length(w)*cell, Y: y - vg.Length(h)*cell},
		{X: x, Y: y - vg.Length(h)*cell}, {X: x, Y: y},
	})
}

// rect returns the path of a rectangle with lower-left corner (x, y).
func rect(x, y, w, h vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x, Y: y})
	p.Line(vg.Point{X: x + w, Y: y})
	p.Line(vg.Point{X: x + w, Y: y + h})
	p.Line(vg.Point{X: x, Y: y + h})
	p.Close()
	return p
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func toFloats(x []uint8) []float64 {
	f := make([]float64, len(x))
	for i, v := range x {
		f[i] = float64(v)
	}
	return f
}
