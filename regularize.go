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
	if o == (Options{}) {
		return
	}
	if d := o.Decay; d > 0 {
		scaleAll(m.W, 1-float64(gen*d)) // unfused, see sigmoid
		scaleAll(m.R, 1-float64(rec*d))
	}
	if o.NonNegative {
		nonNegative(m.W[0])
	}
	if o.CapHidden && len(m.Sizes) > 2 {
		b, w, n := m.B[1], m.W[1], m.Sizes[1]
		for j := range b {
			b[j] = min(b[j], o.HiddenCap)
			for k := range m.Sizes[2] {
				w[k*n+j] = min(w[k*n+j], o.HiddenCap-b[j])
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
