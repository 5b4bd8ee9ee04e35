package helmholtz

// Options that change the wake-sleep recipe without leaving it: each acts
// on one weight at a time, after the delta rules of a step, and needs
// nothing but the weight itself.
type Options struct {
	// Decay shrinks every weight (not bias) by the factor 1 − ε·Decay per
	// step, ε being the rate of the weight's own phase: L2 weight decay, a
	// Gaussian prior on the weights.
	Decay float64
	// NonNegative keeps the generative weights into the visible layer at
	// or above zero, so that a hidden unit can only switch pixels on: the
	// bars are an OR of bars, and a unit that erases pixels cannot be a bar.
	NonNegative bool
}

// constrain applies the options after a step's updates.
func (ws *WakeSleep) constrain() {
	m := ws.M
	if d := ws.Decay; d > 0 {
		scaleAll(m.W, 1-ws.GenRate*d)
		scaleAll(m.R, 1-ws.RecRate*d)
	}
	if ws.NonNegative {
		w := m.W[0]
		for i, v := range w {
			w[i] = max(v, 0)
		}
	}
}

func scaleAll(ws [][]float64, s float64) {
	for _, w := range ws {
		for i := range w {
			w[i] *= s
		}
	}
}
