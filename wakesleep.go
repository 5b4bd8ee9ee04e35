package helmholtz

import (
	"fmt"
	"math/rand/v2"
)

// Data is a distribution over binary patterns that wake-sleep can learn.
// Sample writes one pattern into dst (0 or 1 per unit) using only rng.
type Data interface {
	Sample(dst []uint8, rng *rand.Rand)
}

// WakeSleep trains a Machine by the wake-sleep algorithm. It holds the
// workspace of a step, so a step allocates nothing. The rates may be
// changed between steps (schedules do).
type WakeSleep struct {
	M       *Machine
	GenRate float64 // ε of the wake (generative) delta rule
	RecRate float64 // ε of the sleep (recognition) delta rule
	Batch   int     // patterns per update; updates are averaged over the batch
	// Opt, if not nil, applies a batch's averaged updates (Adam), in
	// place of plain ascent.
	Opt     Optimizer
	Options // recipe options, all off in the zero value

	sampler[float64] // the state of a step and what draws it

	// Sums of the deltas over a batch (Batch > 1 only), shaped like the
	// parameters they update.
	gB, gW, gC, gR [][]float64
}

// NewWakeSleep returns a trainer for m with generative rate genRate,
// recognition rate recRate and batch size batch ≥ 1.
func NewWakeSleep(m *Machine, genRate, recRate float64, batch int) *WakeSleep {
	if batch < 1 {
		panic(fmt.Sprintf("helmholtz: batch size %d < 1", batch))
	}
	ws := &WakeSleep{M: m, GenRate: genRate, RecRate: recRate, Batch: batch, sampler: newSampler[float64](m.Sizes)}
	if batch > 1 {
		z := New(m.Sizes)
		ws.gB, ws.gW, ws.gC, ws.gR = z.B, z.W, z.C, z.R
	}
	return ws
}

// Step performs one wake-sleep iteration: a wake update on Batch patterns
// drawn from data, then a sleep update on Batch fantasies. All randomness
// comes from rng, in a fixed order.
func (ws *WakeSleep) Step(data Data, rng *rand.Rand) {
	m := ws.M
	m.mustBeShaped(ws.x)
	if ws.Batch == 1 && ws.Opt == nil {
		// Online: deltas go straight into the parameters. This equals the
		// batch path with Batch = 1 bit for bit (0 + δ = δ and ε·δ/1 = ε·δ).
		ws.wake(data, rng, ws.GenRate, m.B, m.W)
		ws.sleep(rng, ws.RecRate, m.C, m.R)
	} else {
		ws.batch(data, rng)
	}
	if ws.Options != (Options{}) {
		ws.constrain()
	}
}

// batch is Step for Batch > 1: deltas are summed over the batch, then
// applied averaged.
func (ws *WakeSleep) batch(data Data, rng *rand.Rand) {
	m := ws.M
	zero(ws.gB, ws.gW)
	for range ws.Batch {
		ws.wake(data, rng, 1, ws.gB, ws.gW)
	}
	ws.apply(SlotGenBias, m.B, m.W, ws.gB, ws.gW, ws.GenRate)
	zero(ws.gC, ws.gR)
	for range ws.Batch {
		ws.sleep(rng, 1, ws.gC, ws.gR)
	}
	ws.apply(SlotRecBias, m.C, m.R, ws.gC, ws.gR, ws.RecRate)
}

// apply applies the sums gb, gw of a batch's updates to the biases b and
// weights w at rate: averaged, through Opt as slots slot and slot+1, or
// by plain ascent.
func (ws *WakeSleep) apply(slot int, b, w, gb, gw [][]float64, rate float64) {
	if ws.Opt == nil {
		scaleAdd(b, w, gb, gw, rate/float64(ws.Batch))
		return
	}
	scaleAll(gb, 1/float64(ws.Batch))
	scaleAll(gw, 1/float64(ws.Batch))
	ws.Opt.Update(slot, b, gb, rate)
	ws.Opt.Update(slot+1, w, gw, rate)
}

// wake draws a pattern, samples the hidden layers bottom-up through the
// recognition net and adds eps·(x_l − σ(generative logit of x_l)) to the
// generative biases b and weights w.
func (ws *WakeSleep) wake(data Data, rng *rand.Rand, eps float64, b, w [][]float64) {
	ws.observe(data, rng)
	ws.recognize(rng, ws.M.C, ws.M.R)
	ws.learnGen(eps, b, w)
}

// observe draws a pattern from data into layer 0.
func (ws *WakeSleep) observe(data Data, rng *rand.Rand) {
	data.Sample(ws.v, rng)
	x, act, n := ws.x[0][:len(ws.v)], ws.act[0][:len(ws.v)], 0
	for i, on := range ws.v {
		on &= 1
		x[i] = float64(on)
		act[n] = int32(i) // branch-free, as in sample
		n += int(on)
	}
	ws.act[0] = act[:n]
}

// recognize samples layers 1..top bottom-up from the recognition net with
// biases c and weights r, given layer 0.
func (ws *WakeSleep) recognize(rng *rand.Rand, c, r [][]float64) {
	for l := range len(ws.M.Sizes) - 1 {
		ws.sample(l+1, c[l+1], r[l], ws.act[l], rng)
	}
}

// learnGen adds eps·(x_l − σ(generative logit of x_l)) for the current
// state to the generative biases b and weights w.
func (ws *WakeSleep) learnGen(eps float64, b, w [][]float64) {
	m := ws.M
	top := len(m.Sizes) - 1
	// Layer l's logit depends only on B[l] and W[l],
	// which only layer l's update changes, so updating in place (b == M.B)
	// layer by layer is the same as computing every delta first.
	for j, bj := range m.B[top] {
		b[top][j] += float64(eps * (ws.x[top][j] - sigmoid(bj))) // unfused: the same bits everywhere
	}
	for l := top - 1; l >= 0; l-- {
		d := ws.deltas(m.B[l], m.W[l], ws.act[l+1], ws.x[l], eps)
		addRows(b[l], w[l], d, ws.act[l+1])
	}
}

// sleep draws a fantasy top-down from the generative net and adds
// eps·(x_{l+1} − σ(recognition logit of x_{l+1})) to the recognition biases
// c and weights r.
func (ws *WakeSleep) sleep(rng *rand.Rand, eps float64, c, r [][]float64) {
	ws.dream(rng)
	ws.learnRec(eps, c, r)
}

// dream samples every layer top-down from the generative net.
func (ws *WakeSleep) dream(rng *rand.Rand) {
	m := ws.M
	top := len(m.Sizes) - 1
	ws.sample(top, m.B[top], nil, nil, rng)
	for l := top - 1; l >= 0; l-- {
		ws.sample(l, m.B[l], m.W[l], ws.act[l+1], rng)
	}
}

// sample is sampler.sample with the float64 kernel called directly, not
// through the kernels' table: the indirect calls made the bars' step of
// 390 ns 1 % slower.
func (ws *WakeSleep) sample(l int, bias, rows []float64, active []int32, rng *rand.Rand) {
	n := len(bias)
	r := ws.rnd[:(n+1)/2]
	for i := range r {
		r[i] = rng.Uint64()
	}
	act := ws.act[l][:n]
	c := sampleLayer(ws.buf[:n], bias, rows, active, r, ws.x[l], act)
	ws.act[l] = act[:c]
}

// learnRec adds eps·(x_{l+1} − σ(recognition logit of x_{l+1})) for the
// current state to the recognition biases c and weights r, the logits
// being the machine's own.
func (ws *WakeSleep) learnRec(eps float64, c, r [][]float64) {
	ws.learnRecOf(ws.M.C, ws.M.R, eps, c, r)
}

// learnRecOf is learnRec for the recognition net with biases rc and
// weights rr (a mixture's component).
func (ws *WakeSleep) learnRecOf(rc, rr [][]float64, eps float64, c, r [][]float64) {
	for l := range len(ws.M.Sizes) - 1 {
		d := ws.deltas(rc[l+1], rr[l], ws.act[l], ws.x[l+1], eps)
		addRows(c[l+1], r[l], d, ws.act[l])
	}
}

// deltas returns, in ws.buf, the delta rule eps·(x − σ(logit)) of a layer
// in state x whose logits are bias + Σ_{i∈active} rows[i,:].
func (ws *WakeSleep) deltas(bias, rows []float64, active []int32, x []float64, eps float64) []float64 {
	d := ws.buf[:len(bias)]
	deltaLayer(d, bias, rows, active, x, eps)
	return d
}

func zero(groups ...[][]float64) {
	for _, g := range groups {
		for _, p := range g {
			clear(p)
		}
	}
}

// scaleAdd adds s·gb to b and s·gw to w, each product rounded on its
// own (see sigmoid).
func scaleAdd(b, w, gb, gw [][]float64, s float64) {
	for l := range b {
		axpy(b[l], gb[l], s)
	}
	for l := range w {
		axpy(w[l], gw[l], s)
	}
}

// axpyGo adds s·g[i] to p[i] for i ≥ from, each product rounded on its
// own.
func axpyGo(p, g []float64, s float64, from int) {
	p = p[:len(g)]
	for i := from; i < len(g); i++ {
		p[i] += float64(s * g[i])
	}
}
