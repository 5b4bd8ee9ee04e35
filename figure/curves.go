package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"helmholtz/train"
)

// klFloor keeps KL values plottable on a log axis.
const klFloor = 1e-3

// Curves draws the exact KL[p_data || p_model] and NLL against samples
// seen, both axes logarithmic so that the fast early drop and the long
// plateau are both readable, with H(p_data), the lowest NLL any model can
// reach, drawn as the NLL's floor. The initial (step 0) values are given
// in the titles, since 0 samples has no place on a log axis. A data set
// with a validation split gets heldOutCurves instead.
func Curves(history []train.Point, entropy float64) Figure {
	if heldOut(history) {
		return heldOutCurves(history)
	}
	history = plottable(history)
	kl := klPlot(history, 0)
	nll := plot.New()
	nll.Title.Text = "NLL of p_data under the model"
	if len(history) > 0 {
		nll.Title.Text += fmt.Sprintf(" (initial %.2f bits)", history[0].NLL)
	}
	nll.X.Label.Text = "samples seen"
	nll.Y.Label.Text = "bits"
	logX(nll)
	var pts plotter.XYs
	for _, p := range history {
		if p.Samples > 0 {
			pts = append(pts, plotter.XY{X: float64(p.Samples), Y: p.NLL})
		}
	}
	nll.Add(plotter.NewGrid())
	if len(pts) > 0 {
		line, _ := plotter.NewLine(pts)
		line.Color = colorBlue
		floor, _ := plotter.NewLine(plotter.XYs{{X: pts[0].X, Y: entropy}, {X: pts[len(pts)-1].X, Y: entropy}})
		floor.Dashes = []vg.Length{4, 3}
		floor.Color = color.Gray{Y: 90}
		nll.Add(line, floor)
		nll.Legend.Add("NLL", line)
		var valid plotter.XYs
		for _, p := range history {
			if p.Samples > 0 && finite(p.Valid) {
				valid = append(valid, plotter.XY{X: float64(p.Samples), Y: p.Valid})
			}
		}
		if len(valid) > 0 { // a data set with a validation split
			v, _ := plotter.NewLine(valid)
			v.Color = colorRed
			nll.Add(v)
			nll.Legend.Add("NLL, validation split", v)
		}
		nll.Legend.Add(fmt.Sprintf("H(p_data) = %.3f", entropy), floor)
		nll.Legend.Top = true
	}
	nll.Y.Min = min(nll.Y.Min, math.Floor(entropy-0.5))
	if len(pts) == 0 {
		nll.Y.Min = math.Floor(entropy - 0.5)
	}
	spread(&nll.X, true)
	spread(&nll.Y, false)

	row := []*plot.Plot{kl, nll}
	if shift := shiftPlot(history); shift != nil {
		row = append(row, shift)
	}
	plots := [][]*plot.Plot{row}
	w, h := vg.Length(300*len(row)), vg.Length(230)
	return Figure{Width: w, Height: h, Draw: func(c draw.Canvas) {
		tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: 14, PadLeft: 4, PadRight: 8, PadTop: 4, PadBottom: 4}
		canvases := plot.Align(plots, tiles, c)
		for i, p := range row {
			p.Draw(canvases[0][i])
		}
	}}
}

// shiftPlot returns the shifter's direction recovery against samples seen,
// or nil if history records none.
func shiftPlot(history []train.Point) *plot.Plot {
	var pts plotter.XYs
	for _, p := range history {
		if p.Samples > 0 && finite(p.Shift) {
			pts = append(pts, plotter.XY{X: float64(p.Samples), Y: 100 * p.Shift})
		}
	}
	if len(pts) == 0 {
		return nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("shift recovery, best top unit (final %.1f %%)", pts[len(pts)-1].Y)
	p.X.Label.Text = "samples seen"
	p.Y.Label.Text = "% of images showing the shift"
	logX(p)
	p.Add(plotter.NewGrid())
	line, _ := plotter.NewLine(pts)
	line.Color = colorBlue
	goal, _ := plotter.NewLine(plotter.XYs{{X: pts[0].X, Y: 95}, {X: pts[len(pts)-1].X, Y: 95}})
	goal.Dashes = []vg.Length{4, 3}
	goal.Color = color.Gray{Y: 90}
	p.Add(line, goal)
	p.Legend.Add("recovery", line)
	p.Legend.Add("95 %", goal)
	p.Legend.Top = false
	p.Y.Min, p.Y.Max = 40, 100
	spread(&p.X, true)
	return p
}

// plottable returns the points of history with finite KL and NLL: a run
// train writes has no others, but a figure must draw whatever it is given
// (the rest are gaps).
func plottable(history []train.Point) []train.Point {
	var out []train.Point
	for _, p := range history {
		if finite(p.KL) && finite(p.NLL) {
			out = append(out, p)
		}
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// spread gives an axis a range to draw: gonum/plot cannot draw an empty
// or single-valued range, nor a log axis that does not lie above 0.
func spread(a *plot.Axis, log bool) {
	if log {
		if !(a.Min > 0) || !(a.Max > 0) {
			a.Min, a.Max = 1, 10
		}
		if !(a.Max > a.Min) {
			a.Min, a.Max = a.Min/2, a.Max*2
		}
		return
	}
	if !finite(a.Min) || !finite(a.Max) {
		a.Min, a.Max = 0, 1
	}
	if !(a.Max > a.Min) {
		a.Min, a.Max = a.Min-0.5, a.Max+0.5
	}
}

// klPlot returns the KL curve of history, log-log. With maxSamples > 0
// the axes are fixed, x running to maxSamples (for the frames of an
// animation, whose axes stay put while the curve grows).
func klPlot(history []train.Point, maxSamples int) *plot.Plot {
	history = plottable(history)
	p := plot.New()
	p.Title.Text = "exact KL[p_data ‖ p_model]"
	if len(history) > 0 {
		p.Title.Text += fmt.Sprintf(" (initial %.2f bits)", history[0].KL)
	}
	if n := len(history); n > 0 && history[n-1].K > 0 {
		p.Title.Text = fmt.Sprintf("KL, importance-sampled (K = %d)", history[n-1].K)
	}
	if maxSamples == 0 && len(gapPoints(history)) > 0 {
		p.Title.Text = "exact KL and variational gap"
		if len(history) > 0 {
			p.Title.Text += fmt.Sprintf(" (initial KL %.2f bits)", history[0].KL)
		}
	}
	p.X.Label.Text = "samples seen"
	p.Y.Label.Text = "bits"
	logX(p)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = orTicks{
		ticks{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20},
		ticks{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1, 1.2, 1.5, 2, 3, 4, 5},
	}
	var pts plotter.XYs
	for _, pt := range history {
		if pt.Samples > 0 {
			pts = append(pts, plotter.XY{X: float64(pt.Samples), Y: max(pt.KL, klFloor)})
		}
	}
	p.Add(plotter.NewGrid())
	if len(pts) > 0 {
		line, _ := plotter.NewLine(pts)
		line.Color = colorRed
		p.Add(line)
		if gaps := gapPoints(history); maxSamples == 0 && len(gaps) > 0 {
			gap, _ := plotter.NewLine(gaps)
			gap.Color = colorBlue
			gap.Dashes = []vg.Length{3, 2}
			p.Add(gap)
			p.Legend.Add("KL", line)
			p.Legend.Add("gap E[KL(q ‖ p(·|v))]", gap)
			p.Legend.Top = true
		}
	}
	if maxSamples > 0 {
		p.X.Min, p.X.Max = 1000, float64(max(maxSamples, 2000))
		p.Y.Min, p.Y.Max = 0.05, 20
	}
	spread(&p.X, true)
	spread(&p.Y, true)
	return p
}

// logX gives p a logarithmic x axis with ticks at powers of ten, or finer
// ones when the range spans less than a decade (as after restarts).
func logX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	var mid, fine ticks
	for e := 1e2; e <= 1e9; e *= 10 {
		for _, k := range []float64{1, 2, 5} {
			mid = append(mid, k*e)
		}
		for _, k := range []float64{1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 4, 5, 6, 7, 8, 9} {
			fine = append(fine, k*e)
		}
	}
	p.X.Tick.Marker = orTicks{ticks{1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}, mid, fine}
}

// ticks labels fixed values that fall in the axis range, compactly:
// 0.5, 1, 10k, 2M.
type ticks []float64

func (t ticks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, v := range t {
		if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
			out = append(out, plot.Tick{Value: v, Label: compact(v)})
		}
	}
	return out
}

// orTicks uses its first ticks if they put at least two labels on the
// axis, else its second (finer) ones.
type orTicks []ticks

// Ticks returns the first tick set that puts at least two ticks in range.
func (t orTicks) Ticks(lo, hi float64) []plot.Tick {
	for _, set := range t[:len(t)-1] {
		if ts := set.Ticks(lo, hi); len(ts) >= 2 {
			return ts
		}
	}
	return t[len(t)-1].Ticks(lo, hi)
}

func compact(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}

// gapPoints returns the variational gap of the points that have one, on
// the KL axis's floor like the KL.
func gapPoints(history []train.Point) plotter.XYs {
	var pts plotter.XYs
	for _, p := range history {
		if p.Samples > 0 && finite(p.Gap) {
			pts = append(pts, plotter.XY{X: float64(p.Samples), Y: max(p.Gap, klFloor)})
		}
	}
	return pts
}
