package figure

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"io"

	vgdraw "gonum.org/v1/plot/vg/draw"

	"helmholtz"
	"helmholtz/train"
)

// gifDPI is the resolution of animation frames.
const gifDPI = 100

// Animation writes an animated GIF of training, one frame per snapshot:
// the hidden-unit fields, a row of fantasies (the same fantasy seed in
// every frame) and the KL curve up to the snapshot's step, at fps frames
// per second. history is the run's evaluation history. It stops between
// frames when ctx is cancelled.
func Animation(ctx context.Context, w io.Writer, snaps []train.State, history []train.Point, height, width, fps int, seed uint64) error {
	if len(snaps) == 0 {
		return fmt.Errorf("figure: no snapshots to animate")
	}
	if fps <= 0 || fps > 100 {
		return fmt.Errorf("figure: fps must be in 1..100, got %d", fps)
	}
	maxSamples := 1
	for _, p := range history {
		maxSamples = max(maxSamples, p.Samples)
	}
	// A data set with splits: the costs of its training and validation
	// examples, on axes fitted to the whole run.
	var costs *[2]float64
	if heldOut(history) {
		lo, hi := costRange(history)
		costs = &[2]float64{lo, hi}
	}
	anim := &gif.GIF{}
	cache := map[color.Color]uint8{}
	delay := (100 + fps/2) / fps // in hundredths of a second
	for _, s := range snaps {
		if err := ctx.Err(); err != nil {
			return err
		}
		var upto []train.Point
		for _, p := range history {
			if p.Step <= s.Step {
				upto = append(upto, p)
			}
		}
		img, err := frame(s.Machine, s.Dreamer(), s.Step, upto, height, width, maxSamples, costs, seed).Image(gifDPI)
		if err != nil {
			return err
		}
		anim.Image = append(anim.Image, paletted(img, cache))
		anim.Delay = append(anim.Delay, delay)
	}
	anim.Delay[len(anim.Delay)-1] = 3 * delay // linger on the result
	return gif.EncodeAll(w, anim)
}

// frame is one animation frame; costs, if not nil, is the range of the
// run's costs of training and validation examples, drawn instead of the
// KL.
func frame(m *helmholtz.Machine, d helmholtz.Dreamer, step int, history []train.Point, height, width, maxSamples int, costs *[2]float64, seed uint64) Figure {
	f, _ := fields(m)
	fieldPanels := make([]panel, len(f))
	for j := range f {
		fieldPanels[j] = panel{vals: f[j], cmap: ink}
	}
	cols := min(len(f), 12)
	heading := "step " + train.Commas(step)
	switch n := len(history); {
	case costs != nil && n > 0:
		heading += fmt.Sprintf("   validation examples %.2f bits", history[n-1].Valid)
	case costs == nil && n > 0:
		heading += fmt.Sprintf("   KL %.3f bits", history[n-1].KL)
	case costs == nil:
		heading += "   KL –"
	}
	g := grid{h: height, w: width, cols: cols, cell: 6, gap: 5, fontSize: 8, heading: heading}
	var fant []panel
	for _, v := range dream(d, m.Sizes, cols, seed) {
		fant = append(fant, panel{vals: toFloats(v), cmap: ink})
	}
	gf := grid{h: height, w: width, cols: cols, cell: 6, gap: 5, fontSize: 8, heading: "fantasies"}
	left := stack(gridFigure(g, fieldPanels), gridFigure(gf, fant))
	curve := klPlot(history, maxSamples)
	curve.Title.Text = "exact KL (bits)"
	if costs != nil {
		curve = heldOutPlot(plottable(history), maxSamples, costs[0], costs[1])
		curve.Title.Text = "−log p(v) per example (bits)"
	}
	curve.Y.Label.Text = ""
	right := Figure{Width: 230, Height: max(left.Height, 150), Draw: func(c vgdraw.Canvas) {
		c.SetColor(color.White)
		curve.Draw(vgdraw.Crop(c, 4, -4, 4, -4))
	}}
	return beside(left, right)
}

// paletted converts img to the Plan 9 palette, nearest colour per pixel.
// A frame has few distinct colours, so the nearest-colour search, slow
// over 256 entries, is cached across frames.
func paletted(img image.Image, cache map[color.Color]uint8) *image.Paletted {
	b := img.Bounds()
	p := image.NewPaletted(b, palette.Plan9)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.At(x, y)
			i, ok := cache[c]
			if !ok {
				i = uint8(p.Palette.Index(c))
				cache[c] = i
			}
			p.SetColorIndex(x, y, i)
		}
	}
	return p
}
