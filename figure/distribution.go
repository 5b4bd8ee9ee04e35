package figure

import (
	"image/color"
	"math"
	"math/rand/v2"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Distribution draws, for each named group (a recipe), its values (final
// KLs over seeds) as a box plot with every value as a dot beside it, on a
// log axis, and a dashed line at target.
func Distribution(names []string, values [][]float64, target float64) Figure {
	return DistributionOf("final KL[p_data ‖ p_model] over seeds, per recipe", names, values, target)
}

// DistributionOf is Distribution with another title, and no target line
// for target ≤ 0. Values that are not finite are left out.
func DistributionOf(title string, names []string, values [][]float64, target float64) Figure {
	return distribution(title, names, values, target, true)
}

// CostDistribution is DistributionOf on a linear axis fitted to the
// values, without a target: for costs per example of held-out data, tens
// or hundreds of bits that differ by little.
func CostDistribution(title string, names []string, values [][]float64) Figure {
	return distribution(title, names, values, 0, false)
}

func distribution(title string, names []string, values [][]float64, target float64, log bool) Figure {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "bits"
	if log {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = orTicks{
			ticks{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10},
			ticks{0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3},
		}
	}
	floor := klFloor
	if !log {
		floor = math.Inf(-1)
	}
	p.Add(plotter.NewGrid())
	jitter := rand.New(rand.NewPCG(1, 1)) // fixed: the figure is reproducible
	for i, vs := range values {
		var clamped plotter.Values
		var pts plotter.XYs
		for _, v := range vs {
			if !finite(v) {
				continue
			}
			clamped = append(clamped, max(v, floor))
			pts = append(pts, plotter.XY{X: float64(i) + 0.3 + 0.12*jitter.Float64(), Y: clamped[len(clamped)-1]})
		}
		box, err := plotter.NewBoxPlot(vg.Points(18), float64(i), clamped)
		if err == nil {
			p.Add(box)
		}
		dots, err := plotter.NewScatter(pts)
		if err == nil {
			dots.GlyphStyle.Shape = draw.CircleGlyph{}
			dots.GlyphStyle.Radius = vg.Points(1.4)
			dots.GlyphStyle.Color = color.NRGBA{R: 30, G: 60, B: 200, A: 140}
			p.Add(dots)
		}
	}
	if target > 0 {
		line, _ := plotter.NewLine(plotter.XYs{{X: -0.5, Y: target}, {X: float64(len(values)) - 0.3, Y: target}})
		line.Dashes = []vg.Length{4, 3}
		line.Color = colorRed
		p.Add(line)
		p.Legend.Add("target", line)
		p.Legend.Top = true
		p.Y.Min = min(p.Y.Min, target/2)
	}
	p.NominalX(names...)
	if !log && p.Y.Max > p.Y.Min {
		pad := (p.Y.Max - p.Y.Min) / 20
		p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
	}
	spread(&p.Y, log)
	w := vg.Length(120 + 70*len(names))
	if !log {
		w = max(w, 280) // room for the title
		p.X.Min, p.X.Max = -0.6, float64(len(names))-0.3
	}
	return Figure{Width: w, Height: 300, Draw: func(c draw.Canvas) { p.Draw(c) }}
}
