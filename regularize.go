package helmholtz

// Options change the wake-sleep recipe without leaving it: each acts
// after the delta rules of a step, on one unit's own parameters at a time,
// and needs nothing but those parameters.
type Options struct {
	// Decay shrinks every weight (not bias) by the factor 1 − ε·Decay per
	// step, ε being the rate of the weight's own phase: L2 weight decay, a
	// Gaussian prior on the weights.
	Decay float64
	// NonNegative keeps the generative weights into the visible layer at
	// or above zero, so that a hidden unit can only switch pixels on: the
	// bars are an OR of bars, and a unit that erases pixels cannot be a bar.
	NonNegative bool
	// CapHidden keeps every unit of the first hidden layer from being more
	// likely on than σ(HiddenCap) under the generative net, whatever the
	// layer above: its bias and its bias plus each single top-down weight
	// stay at or below HiddenCap (exactly so when the layer above has one
	// unit). A bar is on with probability 0.2, and a unit that is on most
	// of the time only copies the layer above.
	CapHidden bool
	HiddenCap float64
}

// constrain applies the options after a step's updates.
func (ws *WakeSleep) constrain() { ws.Options.apply(ws.M, ws.GenRate, ws.RecRate) }

// apply applies the options to m after a step at rates gen and rec.
func (o Options) apply(m *Machine, gen, rec float64) {
	o.applyTo(m.B, m.W, m.R, m.Sizes, gen, rec, 1)
}

// applyTo applies the options to the biases b, generative weights w and
// recognition weights r of machines of layer sizes sizes, stored with
// each element repeated for stride machines side by side (1 for a
// Machine, its width for Lanes): every element's operations are those of
// one machine's, whatever the stride.
func (o Options) applyTo(b, w, r [][]float64, sizes []int, gen, rec float64, stride int) {
	if o == (Options{}) {
		return
	}
	if d := o.Decay; d > 0 {
		sg := 1 - float64(gen*d) // unfused, see sigmoid
		if o.NonNegative {
			scaleNonNegative(w[0], sg) // one pass for both
			scaleAll(w[1:], sg)
		} else {
			scaleAll(w, sg)
		}
		scaleAll(r, 1-float64(rec*d))
	} else if o.NonNegative {
		nonNegative(w[0])
	}
	if o.CapHidden && len(sizes) > 2 {
		// Unit j's bias in each machine is at b[j·stride + c], its weight
		// from unit k above at w[(k·n + j)·stride + c]: at k·n·stride + e
		// for the bias at e.
		b, w, n := b[1], w[1], sizes[1]*stride
		for e, bj := range b[:n] {
			bj = min(bj, o.HiddenCap)
			b[e] = bj
			for k := range sizes[2] {
				w[k*n+e] = min(w[k*n+e], o.HiddenCap-bj)
			}
		}
	}
}

func scaleAll(ws [][]float64, s float64) {
	for _, w := range ws {
		scale(w, s)
	}
}

// scaleGo multiplies w[from:] by s.
func scaleGo(w []float64, s float64, from int) {
	for i := from; i < len(w); i++ {
		w[i] *= s
	}
}

// nonNegativeGo sets w[i] = max(w[i], 0) for i ≥ from: +0 for −0 and for
// negative values, NaN left NaN.
func nonNegativeGo(w []float64, from int) {
	for i := from; i < len(w); i++ {
		w[i] = max(w[i], 0)
	}
}
