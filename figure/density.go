package figure

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Relative draws, like Figure 1 of Frey, Hinton & Dayan (1995), each
// method's cost minus the Helmholtz machine's, bits, per task: one panel
// per set of numbers (ours, the paper's), one line of points per method.
// rel[p][m][t] is panel p's value for method m on task t (NaN: none).
func Relative(titles, tasks, methods []string, rel [][][]float64) Figure {
	var row []*plot.Plot
	lo, hi := 0.0, 0.0
	for _, panel := range rel {
		for _, m := range panel {
			for _, v := range m {
				if !math.IsNaN(v) {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
		}
	}
	palette := []color.Color{colorBlue, color.RGBA{200, 60, 40, 255}, color.RGBA{40, 150, 60, 255},
		color.RGBA{140, 80, 180, 255}, color.RGBA{200, 140, 0, 255}, color.Gray{Y: 60}, color.RGBA{0, 160, 170, 255}}
	for p, panel := range rel {
		pl := plot.New()
		pl.Title.Text = titles[p]
		pl.Y.Label.Text = "cost − HM's cost, bits"
		pl.X.Label.Text = "task"
		pl.Add(plotter.NewGrid())
		for m, values := range panel {
			var pts plotter.XYs
			for t, v := range values {
				if !math.IsNaN(v) {
					pts = append(pts, plotter.XY{X: float64(t), Y: v})
				}
			}
			if len(pts) == 0 {
				continue
			}
			line, points, _ := plotter.NewLinePoints(pts)
			c := palette[m%len(palette)]
			line.Color, points.Color = c, c
			points.Shape = draw.CircleGlyph{}
			pl.Add(line, points)
			pl.Legend.Add(methods[m], line, points)
		}
		pl.Legend.Top = true
		pl.Legend.Left = true
		var ticks []plot.Tick
		for t, name := range tasks {
			ticks = append(ticks, plot.Tick{Value: float64(t), Label: name})
		}
		pl.X.Tick.Marker = plot.ConstantTicks(ticks)
		pl.X.Min, pl.X.Max = -0.3, float64(len(tasks))-0.7
		// Room above the lines for the legend.
		pl.Y.Min, pl.Y.Max = math.Floor(lo)-1, math.Ceil(hi)+1+0.6*(hi-lo)
		row = append(row, pl)
	}
	w, h := vg.Length(340*len(row)), vg.Length(300)
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: 14, PadLeft: 4, PadRight: 8, PadTop: 4, PadBottom: 4}
		canvases := plot.Align([][]*plot.Plot{row}, tiles, c)
		for i, p := range row {
			p.Draw(canvases[0][i])
		}
	}}
}
