package figure

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"helmholtz/train"
)

// heldOut reports whether history is of a data set with a validation
// split: some point scores it.
func heldOut(history []train.Point) bool {
	for _, p := range history {
		if finite(p.Valid) {
			return true
		}
	}
	return false
}

// heldOutCurves draws, for a data set with splits, the cost per example
// of the training and validation examples each evaluation scored, in
// bits, against samples seen (a log axis, the initial values in the
// title). Such a set's KL and entropy are those of its training
// examples' empirical distribution, no floor for held-out data, so the
// figure leaves them out and fits its y axis to the curves. The title
// gives the last values in nats too, the unit of the MNIST literature.
func heldOutCurves(history []train.Point) Figure {
	history = plottable(history)
	p := heldOutPlot(history, 0, 0, 0)
	how := "exact"
	if n := len(history); n > 0 && history[n-1].K > 0 {
		how = fmt.Sprintf("importance-sampled, K = %d", history[n-1].K)
	}
	p.Title.Text = fmt.Sprintf("−log p(v) per example (%s)", how)
	if n := len(history); n > 0 {
		last := history[n-1]
		p.Title.Text += fmt.Sprintf("\ninitial %.1f bits; last: training %.2f, validation %.2f bits (%.2f, %.2f nats)",
			history[0].NLL, last.NLL, last.Valid, last.NLL*math.Ln2, last.Valid*math.Ln2)
	}
	return Figure{Width: 460, Height: 280, Draw: func(c draw.Canvas) {
		p.Draw(draw.Crop(c, 4, -8, 4, -4))
	}}
}

// heldOutPlot returns the plot of heldOutCurves without its title. With
// maxSamples > 0 the axes are fixed, x running to maxSamples and y over
// [lo, hi] (for the frames of an animation, whose axes stay put while the
// curves grow); else they fit the curves, with room above for the legend.
func heldOutPlot(history []train.Point, maxSamples int, lo, hi float64) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = "samples seen"
	p.Y.Label.Text = "bits"
	logX(p)
	p.Add(plotter.NewGrid())
	var train, valid plotter.XYs
	for _, pt := range history {
		if pt.Samples == 0 {
			continue
		}
		train = append(train, plotter.XY{X: float64(pt.Samples), Y: pt.NLL})
		if finite(pt.Valid) {
			valid = append(valid, plotter.XY{X: float64(pt.Samples), Y: pt.Valid})
		}
	}
	if len(train) > 0 {
		line, _ := plotter.NewLine(train)
		line.Color = colorBlue
		p.Add(line)
		p.Legend.Add("training examples", line)
	}
	if len(valid) > 0 {
		line, _ := plotter.NewLine(valid)
		line.Color = colorRed
		p.Add(line)
		p.Legend.Add("validation examples", line)
	}
	p.Legend.Top = true
	if maxSamples > 0 {
		p.X.Min, p.X.Max = 1000, float64(max(maxSamples, 2000))
		p.Y.Min, p.Y.Max = lo, hi
	}
	// Room above the curves for the legend: a quarter of their range.
	if len(train) > 0 || maxSamples > 0 {
		p.Y.Max += (p.Y.Max - p.Y.Min) / 4
	}
	spread(&p.X, true)
	spread(&p.Y, false)
	return p
}

// costRange returns the least and greatest cost of the training and
// validation examples over history's points past step 0.
func costRange(history []train.Point) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range plottable(history) {
		if p.Samples == 0 {
			continue
		}
		for _, v := range []float64{p.NLL, p.Valid} {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return lo, hi
}
