package helmholtz

import (
	"fmt"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// Reweighted is reweighted wake-sleep (Bornschein & Bengio, "Reweighted
// wake-sleep", ICLR 2015). For each pattern v it draws K samples x_k of
// the latent layers from the recognition net q, weighs them by
// w_k ∝ p(v, x_k)/q(x_k | v), normalised over the K, and
//
//   - moves the generative net by ε Σ_k w_k ∇ log p(v, x_k), the
//     importance-sampled gradient of log p(v) (the wake update, weighted);
//   - with WakeQ, moves the recognition net by ε Σ_k w_k ∇ log q(x_k | v),
//     which fits q to the posterior on real data (the "wake-phase q
//     update");
//   - with Sleep, then makes the sleep update of wake-sleep on a fantasy.
//
// All gradients of a step are taken at the parameters the step started
// from. With K = 1, WakeQ off and Sleep on it is wake-sleep, bit for bit.
type Reweighted struct {
	M                *Machine
	GenRate, RecRate float64
	K                int  // samples per pattern
	WakeQ            bool // the wake-phase recognition update
	Sleep            bool // the sleep update
	// Batch > 1, or an Opt, trains on batches: the gradients of Batch
	// patterns (and, with Sleep, of Batch fantasies) are averaged, all
	// taken at the parameters the step started from, and Opt (nil: plain
	// ascent) applies them, generative and recognition at their rates.
	Batch int
	Opt   Optimizer
	Options

	ws   *WakeSleep    // workspace and kernels
	x    [][][]float64 // x[k][l]: layer l of sample k
	act  [][][]int32   // act[k][l]: its active units
	logw []float64     // log p(v, x_k) − log q(x_k | v), then the weights
	g    *Machine      // summed updates
	// gen[k][l] and rec[k][l]: sample k's generative logits of layer l
	// and recognition logits of layer l+1 (batches, K > 1: see logits).
	gen, rec [][][]float64
}

// NewReweighted returns a reweighted wake-sleep trainer for m with k ≥ 1
// samples per pattern, the wake-phase q update and the sleep update on.
func NewReweighted(m *Machine, genRate, recRate float64, k int) *Reweighted {
	if k < 1 {
		panic(fmt.Sprintf("helmholtz: %d samples per pattern", k))
	}
	r := &Reweighted{M: m, GenRate: genRate, RecRate: recRate, K: k, WakeQ: true, Sleep: true,
		ws: NewWakeSleep(m, genRate, recRate, 1), logw: make([]float64, k), g: New(m.Sizes)}
	r.x, r.act = make([][][]float64, k), make([][][]int32, k)
	r.gen, r.rec = make([][][]float64, k), make([][][]float64, k)
	for s := range k {
		r.gen[s], r.rec[s] = make([][]float64, len(m.Sizes)-1), make([][]float64, len(m.Sizes)-1)
		for l := range len(m.Sizes) - 1 {
			r.gen[s][l], r.rec[s][l] = make([]float64, m.Sizes[l]), make([]float64, m.Sizes[l+1])
		}
		r.x[s], r.act[s] = make([][]float64, len(m.Sizes)), make([][]int32, len(m.Sizes))
		for l, n := range m.Sizes {
			r.x[s][l], r.act[s][l] = make([]float64, n), make([]int32, 0, n)
		}
	}
	return r
}

// SetRates sets the rates of the steps that follow.
func (r *Reweighted) SetRates(gen, rec float64) { r.GenRate, r.RecRate = gen, rec }

// Step performs one reweighted wake-sleep update on a pattern drawn from
// data: the pattern, then the K samples bottom-up, then (with Sleep) the
// fantasy, all from rng.
func (r *Reweighted) Step(data Data, rng *rand.Rand) {
	if r.Batch > 1 || r.Opt != nil {
		r.batch(data, rng)
		return
	}
	ws, m := r.ws, r.M
	m.mustBeShaped(ws.x)
	ws.observe(data, rng)
	for k := range r.K {
		ws.recognize(rng, m.C, m.R)
		r.save(k)
		if r.K > 1 {
			r.logw[k] = r.logJoint() - r.logRecognition()
		}
	}
	r.normalise()
	zero(r.g.B, r.g.W)
	for k, w := range r.logw {
		r.load(k)
		ws.learnGen(w, r.g.B, r.g.W)
	}
	scaleAdd(m.B, m.W, r.g.B, r.g.W, r.GenRate)
	if r.WakeQ {
		zero(r.g.C, r.g.R)
		for k, w := range r.logw {
			r.load(k)
			ws.learnRec(w, r.g.C, r.g.R)
		}
		scaleAdd(m.C, m.R, r.g.C, r.g.R, r.RecRate)
	}
	if r.Sleep {
		ws.sleep(rng, r.RecRate, m.C, m.R)
	}
	r.Options.apply(m, r.GenRate, r.RecRate)
}

// batch is Step on a batch: the patterns and their K samples each, then
// the fantasies, all from rng in that order.
func (r *Reweighted) batch(data Data, rng *rand.Rand) {
	ws, m := r.ws, r.M
	m.mustBeShaped(ws.x)
	zero(r.g.B, r.g.W, r.g.C, r.g.R)
	n := max(r.Batch, 1)
	for range n {
		ws.observe(data, rng)
		for k := range r.K {
			ws.recognize(rng, m.C, m.R)
			r.save(k)
			if r.K > 1 {
				r.logw[k] = r.logits(k)
			}
		}
		r.normalise()
		for k, w := range r.logw {
			r.load(k)
			if r.K == 1 { // no weights were computed, nor logits kept
				ws.learnGen(w, r.g.B, r.g.W)
				if r.WakeQ {
					ws.learnRec(w, r.g.C, r.g.R)
				}
				continue
			}
			r.learnGenFrom(k, w)
			if r.WakeQ {
				r.learnRecFrom(k, w)
			}
		}
	}
	if r.Sleep {
		for range n {
			ws.dream(rng)
			ws.learnRec(1, r.g.C, r.g.R)
		}
	}
	inv := 1 / float64(n)
	for _, g := range [][][]float64{r.g.B, r.g.W, r.g.C, r.g.R} {
		scaleAll(g, inv)
	}
	update(r.Opt, SlotGenBias, m.B, r.g.B, r.GenRate)
	update(r.Opt, SlotGenWeights, m.W, r.g.W, r.GenRate)
	if r.WakeQ || r.Sleep {
		update(r.Opt, SlotRecBias, m.C, r.g.C, r.RecRate)
		update(r.Opt, SlotRecWeights, m.R, r.g.R, r.RecRate)
	}
	r.Options.apply(m, r.GenRate, r.RecRate)
}

// normalise turns the log weights into weights that sum to 1 (exactly 1
// for one sample).
func (r *Reweighted) normalise() {
	w := r.logw
	if len(w) == 1 {
		w[0] = 1
		return
	}
	mx := w[0]
	for _, x := range w {
		mx = max(mx, x)
	}
	var s float64
	for i, x := range w {
		w[i] = libm.Exp(x - mx)
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
}

// save copies the latent layers of the workspace into sample k.
func (r *Reweighted) save(k int) {
	for l := 1; l < len(r.M.Sizes); l++ {
		copy(r.x[k][l], r.ws.x[l])
		r.act[k][l] = append(r.act[k][l][:0], r.ws.act[l]...)
	}
}

// load copies sample k back into the workspace.
func (r *Reweighted) load(k int) {
	for l := 1; l < len(r.M.Sizes); l++ {
		copy(r.ws.x[l], r.x[k][l])
		r.ws.act[l] = append(r.ws.act[l][:0], r.act[k][l]...)
	}
}

// logits returns log p(v, x) − log q(x | v) of the workspace's state,
// the log weight of sample k, keeping the logits of every layer under
// both nets for the updates (learnGenFrom, learnRecFrom), which then need
// not sum them again.
func (r *Reweighted) logits(k int) float64 {
	ws, m := r.ws, r.M
	top := len(m.Sizes) - 1
	// In the order of logJoint and logRecognition, so the same bits.
	lp := layerLogProb(ws.buf, m.B[top], nil, nil, ws.x[top])
	for l := top - 1; l >= 0; l-- {
		lp += layerLogProb(r.gen[k][l], m.B[l], m.W[l], ws.act[l+1], ws.x[l])
	}
	var lq float64
	for l := range top {
		lq += layerLogProb(r.rec[k][l], m.C[l+1], m.R[l], ws.act[l], ws.x[l+1])
	}
	return lp - lq
}

// learnGenFrom is learnGen for sample k (loaded in the workspace), from
// the generative logits logits kept.
func (r *Reweighted) learnGenFrom(k int, eps float64) {
	ws, m := r.ws, r.M
	top := len(m.Sizes) - 1
	for j, bj := range m.B[top] {
		r.g.B[top][j] += float64(eps * (ws.x[top][j] - sigmoid(bj)))
	}
	for l := top - 1; l >= 0; l-- {
		d := ws.buf[:m.Sizes[l]]
		deltaLayer(d, r.gen[k][l], nil, nil, ws.x[l], eps)
		addRows(r.g.B[l], r.g.W[l], d, ws.act[l+1])
	}
}

// learnRecFrom is learnRec for sample k, from the recognition logits
// logits kept.
func (r *Reweighted) learnRecFrom(k int, eps float64) {
	ws, m := r.ws, r.M
	for l := range len(m.Sizes) - 1 {
		d := ws.buf[:m.Sizes[l+1]]
		deltaLayer(d, r.rec[k][l], nil, nil, ws.x[l+1], eps)
		addRows(r.g.C[l+1], r.g.R[l], d, ws.act[l])
	}
}

// logJoint returns log p(v, x) of the workspace's state, with the fast
// log σ.
func (r *Reweighted) logJoint() float64 {
	ws, m := r.ws, r.M
	top := len(m.Sizes) - 1
	s := layerLogProb(ws.buf, m.B[top], nil, nil, ws.x[top])
	for l := top - 1; l >= 0; l-- {
		s += layerLogProb(ws.buf, m.B[l], m.W[l], ws.act[l+1], ws.x[l])
	}
	return s
}

// logRecognition returns log q(x | v) of the workspace's state.
func (r *Reweighted) logRecognition() float64 {
	return logRecognitionOf(r.ws, r.M.C, r.M.R)
}

// logRecognitionOf returns log q(x | v) of the workspace's state under the
// recognition net with biases c and weights rr.
func logRecognitionOf(ws *WakeSleep, c, rr [][]float64) float64 {
	var s float64
	for l := range len(ws.M.Sizes) - 1 {
		s += layerLogProb(ws.buf, c[l+1], rr[l], ws.act[l], ws.x[l+1])
	}
	return s
}

// layerLogProb returns log p(x) for a layer in state x (0/1 values) whose
// logits are bias + Σ_{i∈active} rows[i,:]; d is scratch.
func layerLogProb(d, bias, rows []float64, active []int32, x []float64) float64 {
	d = d[:len(bias)]
	sumRows(d, bias, rows, active)
	var s float64
	for i, a := range d {
		if x[i] != 0 {
			s += logSigmoid(a)
		} else {
			s += logSigmoid(-a)
		}
	}
	return s
}
