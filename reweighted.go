package helmholtz

import (
	"fmt"
	"math/rand/v2"
	"sync"

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
	// A batch of a large net (at least partWeights weights) is split in
	// two parts that run on two cores where there are two: see batch.
	Batch int
	Opt   Optimizer
	// Float32 trains batches in float32, as the reference implementations
	// do, on a copy of the parameters (and of Adam's moments) that Sync
	// writes back to M (and Opt) and Load reads from them: see
	// reweighted32.go.
	Float32 bool
	Options

	ws               *WakeSleep         // the workspace of online steps
	*rwPart[float64]                    // theirs, and a batch's first part
	parts            []*rwPart[float64] // a batch's parts, the first being rwPart
	pats             [][]uint8          // a split batch's patterns
	f32              *mirror32          // the float32 copy
}

// rwPart is the workspace of a batch's part, or of the whole of it.
// It holds a chunk of examples (index i) and their K samples each (index
// s = i·K + k), so that each layer's logits and updates are summed for
// all the chunk's samples at once, a block of a wide layer's columns at a
// time (sumRowsMany, addRowsMany): the block stays in cache while every
// sample passes over it, where a sample at a time would bring every row
// from memory each time.
type rwPart[E float] struct {
	sm   *sampler[E] // workspace
	kn   *kernels[E]
	k    int // samples per example
	vx   [][]E
	vact [][]int32   // example i's visible layer and its active units
	rec1 [][]E       // its layer 1's recognition logits, shared by its K samples
	x    [][][]E     // x[s][l]: layer l of sample s (l ≥ 1)
	act  [][][]int32 // act[s][l]: its active units
	logw []float64   // log p(v, x_s) − log q(x_s | v), then the weights
	// gen[s][l] and rec[s][l]: sample s's generative logits of layer l
	// and recognition logits of layer l+1 (rec[s][0] holds its deltas
	// only), which learn turns into deltas.
	gen, rec   [][][]E
	genM, recM [][]E        // the same, a matrix per layer: row s is sample s's
	ds         [][]E        // views of the samples' rows for sumRowsMany
	as         [][]int32    // and their active units
	lists      rowLists     // addRowsMany's scratch
	shared     []sharedRows // per layer, the units an example's samples share
	sharedOK   []bool       // whether shared[l] is of the chunk's samples
	starts     [][]E        // sumRowsMany's starts
	bases      [][]E        // views of base: sums of the rows shared
	base       []E
	vas        [][]int32  // active units of samples and of examples
	sig        []E        // σ of the top layer's biases
	g          *params[E] // summed updates
	cleared    bool       // whether g is zero: a float32 update clears it
	rng        *rand.Rand // a split batch's part's own stream
	pcg        *rand.PCG
}

// chunkSamples bounds the samples a part holds at once (unless one
// example's K exceed it): enough that a block of columns serves many.
const chunkSamples = 256

// partWeights is the number of weights from which a batch is split in
// two parts: below it the parts would cost more to start than they save.
const partWeights = 1 << 16

// NewReweighted returns a reweighted wake-sleep trainer for m with k ≥ 1
// samples per pattern, the wake-phase q update and the sleep update on.
func NewReweighted(m *Machine, genRate, recRate float64, k int) *Reweighted {
	if k < 1 {
		panic(fmt.Sprintf("helmholtz: %d samples per pattern", k))
	}
	ws := NewWakeSleep(m, 0, 0, 1)
	r := &Reweighted{M: m, GenRate: genRate, RecRate: recRate, K: k, WakeQ: true, Sleep: true,
		ws: ws, rwPart: newRWPart(m.Sizes, k, &ws.sampler)}
	r.parts = []*rwPart[float64]{r.rwPart}
	return r
}

// newRWPart returns a part for a machine of these sizes, k samples to an
// example, with workspace sm (nil: its own).
func newRWPart[E float](sizes []int, k int, sm *sampler[E]) *rwPart[E] {
	if sm == nil {
		s := newSampler[E](sizes)
		sm = &s
	}
	p := &rwPart[E]{sm: sm, kn: kernelsOf[E](), k: k, g: newParams[E](sizes), sig: make([]E, sizes[len(sizes)-1])}
	p.grow(1)
	p.pcg = rand.NewPCG(0, 0)
	p.rng = rand.New(p.pcg)
	return p
}

// grow makes room for n examples and their samples. Each layer's logits
// of all the samples are one matrix, a sample's a row of it, for
// addRowsMany.
func (p *rwPart[E]) grow(n int) {
	sizes := p.g.Sizes
	L := len(sizes)
	for len(p.vx) < n {
		p.vx = append(p.vx, make([]E, sizes[0]))
		p.vact = append(p.vact, make([]int32, 0, sizes[0]))
		p.rec1 = append(p.rec1, make([]E, maxSize(sizes)))
	}
	ns := n * p.k
	if len(p.x) >= ns {
		return
	}
	p.x, p.act = make([][][]E, ns), make([][][]int32, ns)
	p.gen, p.rec = make([][][]E, ns), make([][][]E, ns)
	p.logw, p.ds, p.as = make([]float64, ns), make([][]E, ns), make([][]int32, ns)
	p.starts, p.vas = make([][]E, ns), make([][]int32, ns+n)
	p.shared, p.sharedOK = make([]sharedRows, L), make([]bool, L)
	mx := maxSize(sizes)
	p.base, p.bases = make([]E, n*mx), make([][]E, n)
	for i := range n {
		p.bases[i] = p.base[i*mx : (i+1)*mx]
	}
	// Each layer's matrix has a row for each sample, then one for each
	// example (see addShared).
	genM, recM := make([][]E, L-1), make([][]E, L-1)
	for l := range L - 1 {
		genM[l], recM[l] = make([]E, (ns+n)*sizes[l]), make([]E, (ns+n)*sizes[l+1])
	}
	p.genM, p.recM = genM, recM
	for s := range ns {
		x, act := make([][]E, L), make([][]int32, L)
		gen, rec := make([][]E, L-1), make([][]E, L-1)
		for l, n := range sizes {
			if l > 0 {
				x[l], act[l] = make([]E, n), make([]int32, 0, n)
			}
			if l < L-1 {
				gen[l] = genM[l][s*n : (s+1)*n : (s+1)*n]
				m := sizes[l+1]
				rec[l] = recM[l][s*m : (s+1)*m : (s+1)*m]
			}
		}
		p.x[s], p.act[s], p.gen[s], p.rec[s] = x, act, gen, rec
	}
}

// SetRates sets the rates of the steps that follow.
func (r *Reweighted) SetRates(gen, rec float64) { r.GenRate, r.RecRate = gen, rec }

// Step performs one reweighted wake-sleep update on a pattern drawn from
// data: the pattern, then the K samples bottom-up, then (with Sleep) the
// fantasy, all from rng. A net with a wide layer (K > 1) takes the batch
// path, a batch of one, whose sums of shared rows (see rwPart.logits) the
// online path does not make: a batch of one is the online step, bit for
// bit, on every net. Float32 steps are batches.
func (r *Reweighted) Step(data Data, rng *rand.Rand) {
	if r.Batch > 1 || r.Opt != nil || r.Float32 || (r.K > 1 && maxSize(r.M.Sizes) >= wideRows) {
		r.batch(data, rng)
		return
	}
	ws, m := r.ws, r.M
	m.mustBeShaped(ws.x)
	ws.observe(data, rng)
	logw := r.logw[:r.K]
	for k := range r.K {
		ws.recognize(rng, m.C, m.R)
		r.save(k)
		if r.K > 1 {
			logw[k] = r.logJoint() - r.logRecognition()
		}
	}
	normalise(logw)
	zero(r.g.B, r.g.W)
	for k, w := range logw {
		r.load(k)
		ws.learnGen(w, r.g.B, r.g.W)
	}
	scaleAdd(m.B, m.W, r.g.B, r.g.W, r.GenRate)
	if r.WakeQ {
		zero(r.g.C, r.g.R)
		for k, w := range logw {
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

// batch is Step on a batch. A batch of a small net, or of one pattern,
// draws the patterns and their K samples each, then the fantasies, all
// from rng in that order. A larger batch is split in two parts: the
// patterns are drawn from rng in order (a data set may keep its place in
// an epoch), then each part seeds a stream of its own from rng and
// samples its half of the patterns' latents and of the fantasies from
// it. The parts run on two cores where there are two, and their sums are
// added in order, so the bits do not depend on the cores.
func (r *Reweighted) batch(data Data, rng *rand.Rand) {
	m := r.M
	m.mustBeShaped(r.ws.x)
	if r.Float32 {
		r.batch32(data, rng)
		return
	}
	n := max(r.Batch, 1)
	inv := 1 / float64(n)
	if n < 2 || m.weights() < partWeights {
		runPart(r, r.rwPart, paramsOf(m), n, func(sm *sampler[float64], _ int) { sm.observe(data, rng) }, rng)
		for _, g := range [][][]float64{r.g.B, r.g.W, r.g.C, r.g.R} {
			scaleAll(g, inv)
		}
		update(r.Opt, SlotGenBias, m.B, r.g.B, r.GenRate)
		update(r.Opt, SlotGenWeights, m.W, r.g.W, r.GenRate)
		if r.WakeQ || r.Sleep {
			update(r.Opt, SlotRecBias, m.C, r.g.C, r.RecRate)
			update(r.Opt, SlotRecWeights, m.R, r.g.R, r.RecRate)
		}
	} else {
		r.split(data, rng, n, inv)
	}
	r.Options.apply(m, r.GenRate, r.RecRate)
}

// split runs a batch of n patterns in two parts and applies the sum of
// their updates times inv, left in r.g, with r.Opt.
func (r *Reweighted) split(data Data, rng *rand.Rand, n int, inv float64) {
	for len(r.parts) < splitParts {
		r.parts = append(r.parts, newRWPart[float64](r.M.Sizes, r.K, nil))
	}
	runParts(r, r.parts, paramsOf(r.M), data, rng, n)
	r.sumUpdate(inv)
}

// splitParts is the number of parts a large batch is split in.
const splitParts = 2

// runParts runs a batch of n patterns in parts, each part summing into its
// own p.g: the patterns are drawn from rng in order, then each part seeds
// a stream of its own from rng, and runs on a core of its own where there
// are enough.
func runParts[E float](r *Reweighted, parts []*rwPart[E], m *params[E], data Data, rng *rand.Rand, n int) {
	for len(r.pats) < n {
		r.pats = append(r.pats, make([]uint8, m.Sizes[0]))
	}
	for _, v := range r.pats[:n] {
		data.Sample(v, rng)
	}
	for _, p := range parts {
		p.pcg.Seed(rng.Uint64(), rng.Uint64())
	}
	var wg sync.WaitGroup
	for i, p := range parts {
		lo, hi := n*i/len(parts), n*(i+1)/len(parts)
		work := func() {
			runPart(r, p, m, hi-lo, func(sm *sampler[E], j int) { sm.observe(pattern(r.pats[lo+j]), nil) }, p.rng)
		}
		if i == len(parts)-1 {
			work()
		} else {
			wg.Go(work)
		}
	}
	wg.Wait()
}

// A group is a slot's parameters, with the gradients of a batch's two
// parts, which sumUpdate adds, and its rate.
type group struct {
	slot    int
	p, g, h [][]float64
	rate    float64
	c       adamConsts
}

// sumUpdate sets r.g to the sum of the parts' updates times inv and
// applies it with r.Opt. With Adam or plain ascent, whose updates go
// element by element, each element is summed and updated in one pass,
// and the parameters are shared among the cores in one piece: on a
// virtual machine each hand-over between cores costs tens of
// microseconds, and an array at a time made a dozen a step. The same bits
// as the sum followed by Opt's Update.
func (r *Reweighted) sumUpdate(inv float64) {
	m, one, two := r.M, r.g, r.parts[1].g
	groups := []group{
		{slot: SlotGenBias, p: m.B, g: one.B, h: two.B, rate: r.GenRate},
		{slot: SlotGenWeights, p: m.W, g: one.W, h: two.W, rate: r.GenRate},
		{slot: SlotRecBias, p: m.C, g: one.C, h: two.C, rate: r.RecRate},
		{slot: SlotRecWeights, p: m.R, g: one.R, h: two.R, rate: r.RecRate},
	}
	if !r.WakeQ && !r.Sleep {
		groups = groups[:2]
	}
	adam, isAdam := r.Opt.(*Adam)
	if r.Opt != nil && !isAdam {
		for _, gr := range groups {
			for l, d := range gr.g {
				s := gr.h[l]
				parallel(len(d), func(lo, hi int) { addScale(d[lo:hi], s[lo:hi], inv) })
			}
			r.Opt.Update(gr.slot, gr.p, gr.g, gr.rate)
		}
		return
	}
	total := 0
	for i := range groups {
		gr := &groups[i]
		if isAdam {
			gr.c = adam.begin(gr.slot, gr.p, gr.g, gr.rate)
		}
		for _, p := range gr.p {
			total += len(p)
		}
	}
	parallel(total, func(lo, hi int) {
		off := 0 // of the layer's first element in the whole
		for i := range groups {
			gr := &groups[i]
			for l, p := range gr.p {
				a, b := max(lo-off, 0), min(hi-off, len(p))
				off += len(p)
				if a >= b {
					continue
				}
				g := gr.g[l]
				addScale(g[a:b], gr.h[l][a:b], inv)
				if isAdam {
					adam.apply(&gr.c, gr.slot, l, p, g, a, b)
				} else {
					for j, x := range g[a:b] {
						p[a+j] += float64(gr.rate * x)
					}
				}
			}
		}
	})
}

// addScale sets dst to (dst + src)·inv, element by element.
func addScale(dst, src []float64, inv float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = float64(dst[i]+x) * inv
	}
}

// runPart sums into p.g the updates of n patterns, each put in the visible
// layer by next (given its index), and, with Sleep, of n fantasies, all
// drawn from rng. The patterns go in chunks of at most chunkSamples
// samples (see rwPart); every sum is in the order of the patterns and
// their samples, as one pattern at a time would make it.
func runPart[E float](r *Reweighted, p *rwPart[E], m *params[E], n int, next func(sm *sampler[E], i int), rng *rand.Rand) {
	sm := p.sm
	if !p.cleared {
		for _, g := range p.g.groups() {
			for _, a := range g {
				clear(a)
			}
		}
	}
	p.cleared = false
	chunk := max(1, chunkSamples/r.K)
	p.grow(min(n, chunk))
	for lo := 0; lo < n; lo += chunk {
		c := min(chunk, n-lo)
		for i := range c {
			next(sm, lo+i)
			p.observe(m, i)
			for k := range r.K {
				p.draw(m, i, k, rng)
			}
		}
		p.genLogits(m, c*r.K)
		if r.K > 1 {
			for s := range c * r.K {
				p.logw[s] = p.logWeight(m, s)
			}
		}
		for i := range c {
			normalise(p.logw[i*r.K : (i+1)*r.K])
		}
		p.learn(m, c*r.K, r.WakeQ)
	}
	if r.Sleep {
		p.sleep(m, n, rng)
	}
}

// sleep adds to p.g the recognition updates of n fantasies drawn from
// rng, one after another as wake-sleep draws them, a chunk of them at a
// time held as examples are (each fantasy's visible layer an example's,
// its latent layers the sample slot of its index), so that their logits
// and updates are summed layer by layer for the chunk at once; each sum
// in the order of the fantasies.
func (p *rwPart[E]) sleep(m *params[E], n int, rng *rand.Rand) {
	sm := p.sm
	top := len(m.Sizes) - 1
	chunk := min(len(p.vx), len(p.x))
	for lo := 0; lo < n; lo += chunk {
		c := min(chunk, n-lo)
		for j := range c {
			sm.dream(m.B, m.W, rng)
			copy(p.vx[j], sm.x[0])
			p.vact[j] = append(p.vact[j][:0], sm.act[0]...)
			p.save(j)
		}
		for l := range top {
			for j := range c {
				p.ds[j] = p.rec[j][l]
				if l == 0 {
					p.as[j] = p.vact[j]
				} else {
					p.as[j] = p.act[j][l]
				}
			}
			p.kn.sumRowsMany(p.ds[:c], p.same(m.C[l+1], c), m.R[l], p.as[:c])
			for j := range c {
				d := p.rec[j][l]
				p.kn.deltas(d, d, p.x[j][l+1], 1)
			}
			p.kn.addRowsMany(p.g.C[l+1], p.g.R[l], p.recM[l][:c*m.Sizes[l+1]], p.as[:c], c, &p.lists)
		}
	}
}

// observe keeps the visible layer in the workspace as example i's, with
// its layer 1's recognition logits.
func (p *rwPart[E]) observe(m *params[E], i int) {
	sm := p.sm
	copy(p.vx[i], sm.x[0])
	p.vact[i] = append(p.vact[i][:0], sm.act[0]...)
	p.kn.sumRows(p.rec1[i][:m.Sizes[1]], m.C[1], m.R[0], sm.act[0])
}

// draw samples example i's sample k, s = i·K + k, from q bottom-up,
// keeping it and its recognition logits (those of layer 1 are the
// example's).
func (p *rwPart[E]) draw(m *params[E], i, k int, rng *rand.Rand) {
	sm, s := p.sm, i*p.k+k
	top := len(m.Sizes) - 1
	sm.sample(1, p.rec1[i][:m.Sizes[1]], nil, nil, rng)
	for l := 1; l < top; l++ {
		a := p.rec[s][l]
		p.kn.sumRows(a, m.C[l+1], m.R[l], sm.act[l])
		sm.sample(l+1, a, nil, nil, rng)
	}
	p.save(s)
}

// genLogits sums the generative logits of every layer below the top for
// samples [0, ns), layer by layer for all of them at once.
func (p *rwPart[E]) genLogits(m *params[E], ns int) {
	clear(p.sharedOK) // new samples
	for l := range len(m.Sizes) - 1 {
		for s := range ns {
			p.ds[s], p.as[s] = p.gen[s][l], p.act[s][l+1]
		}
		p.logits(p.ds[:ns], m.B[l], m.W[l], p.as[:ns], l+1, m.Sizes[l+1])
	}
}

// same returns n starts for sumRowsMany, each bias.
func (p *rwPart[E]) same(bias []E, n int) [][]E {
	st := p.starts[:n]
	for i := range st {
		st[i] = bias
	}
	return st
}

// logits sets each d[s] to bias + Σ_{i∈active[s]} rows[i·n : (i+1)·n],
// n = len(bias), for samples s, K to an example; active[s] lists the
// sample's units of layer l, which has units units (rows has as many
// rows). On a wide layer (n ≥ wideRows) the rows that an example's
// samples share (see sharedRows) are summed once, into the example's
// base, from which each sample's logits go on with its other rows: bias +
// the shared rows in order, then the rest in order. Where the recognition
// net is sure of a unit, as it soon is of most on MNIST, its row serves K
// samples for the cost of one.
func (p *rwPart[E]) logits(d [][]E, bias, rows []E, active [][]int32, l, units int) {
	n, ns := len(bias), len(d)
	if p.k < 2 || n < wideRows {
		p.kn.sumRowsMany(d, p.same(bias, ns), rows, active)
		return
	}
	ne := (ns + p.k - 1) / p.k
	sh := p.sharedOf(l, active, units)
	bases := p.bases[:ne]
	for i := range bases {
		bases[i] = bases[i][:n]
	}
	p.kn.sumRowsMany(bases, p.same(bias, ne), rows, sh.common[:ne])
	for s := range d {
		p.starts[s] = bases[s/p.k]
	}
	p.kn.sumRowsMany(d, p.starts[:ns], rows, sh.rest[:ns])
}

// addShared adds the samples' rows of dm (one of genM, recM: row s, of
// width n = len(bias), is sample s's delta) to bias and to the rows of w
// of their active units (their layer l, of units units), K samples to an
// example, as addRowsMany does. On a wide layer each example's deltas are
// first summed, in order, into its row after the samples' (ns + i), which
// is added once to the rows its samples share (see sharedRows); each
// sample's delta goes to its other rows. A row of w receives the samples'
// deltas in order, then the examples' sums in order; bias the samples'
// deltas in order.
func (p *rwPart[E]) addShared(bias, w, dm []E, active [][]int32, l, units int) {
	n, ns := len(bias), len(active)
	if p.k < 2 || n < wideRows {
		p.kn.addRowsMany(bias, w, dm[:ns*n], active, ns, &p.lists)
		return
	}
	ne := (ns + p.k - 1) / p.k
	sh := p.sharedOf(l, active, units)
	for i := range ne {
		sum := dm[(ns+i)*n : (ns+i+1)*n]
		copy(sum, dm[i*p.k*n:])
		for s := i*p.k + 1; s < min((i+1)*p.k, ns); s++ {
			for c, x := range dm[s*n : (s+1)*n] {
				sum[c] += x
			}
		}
	}
	vas := p.vas[:ns+ne]
	copy(vas, sh.rest[:ns])
	copy(vas[ns:], sh.common[:ne])
	p.kn.addRowsMany(bias, w, dm[:(ns+ne)*n], vas, ns, &p.lists)
}

// sharedOf returns the split of the samples' layer l, whose lists are
// active, made once for the chunk's samples.
func (p *rwPart[E]) sharedOf(l int, active [][]int32, units int) *sharedRows {
	sh := &p.shared[l]
	if !p.sharedOK[l] {
		sh.split(active, p.k, units)
		p.sharedOK[l] = true
	}
	return sh
}

// sharedRows splits the lists of active units of samples, K to an
// example (the last example may have fewer), into the units active in all
// the samples of an example (common, one list per example) and each
// sample's others (rest), in the order of its list.
type sharedRows struct {
	count        []int32 // samples of the example in which each unit is active
	common, rest [][]int32
}

func (sh *sharedRows) split(active [][]int32, k, units int) {
	if len(sh.count) < units {
		sh.count = make([]int32, units)
	}
	ne := (len(active) + k - 1) / k
	for len(sh.common) < ne {
		sh.common = append(sh.common, nil)
	}
	for len(sh.rest) < len(active) {
		sh.rest = append(sh.rest, nil)
	}
	for e := range ne {
		ex := active[e*k : min((e+1)*k, len(active))]
		for _, act := range ex {
			for _, i := range act {
				sh.count[i]++
			}
		}
		// Without branches: whether a unit is shared is a coin flip to a
		// branch predictor.
		all := int32(len(ex))
		c := grow32(sh.common[e], len(ex[0]))
		nc := 0
		for _, i := range ex[0] {
			c[nc] = i
			nc += 1 - int(uint32(sh.count[i]-all)>>31)
		}
		sh.common[e] = c[:nc]
		for j, act := range ex {
			r := grow32(sh.rest[e*k+j], len(act))
			nr := 0
			for _, i := range act {
				r[nr] = i
				nr += int(uint32(sh.count[i]-all) >> 31)
			}
			sh.rest[e*k+j] = r[:nr]
		}
		for _, act := range ex {
			for _, i := range act {
				sh.count[i] = 0
			}
		}
	}
}

// logWeight returns log p(v, x) − log q(x | v) of sample s from the
// logits kept, in the order of logJoint and logRecognition (the same
// bits).
func (p *rwPart[E]) logWeight(m *params[E], s int) float64 {
	x, v := p.x[s], p.vx[s/p.k]
	top := len(m.Sizes) - 1
	lp := p.kn.stateLogProb(m.B[top], x[top]) // layerLogProb with no rows
	for l := top - 1; l >= 0; l-- {
		xl := x[l]
		if l == 0 {
			xl = v
		}
		lp += p.kn.stateLogProb(p.gen[s][l], xl)
	}
	lq := p.kn.stateLogProb(p.rec1[s/p.k][:m.Sizes[1]], x[1])
	for l := 1; l < top; l++ {
		lq += p.kn.stateLogProb(p.rec[s][l], x[l+1])
	}
	return lp - lq
}

// learn adds to p.g the updates of samples [0, ns) weighted by logw: the
// generative net's and, with wakeQ, the recognition net's, from the
// logits kept (which become deltas), layer by layer for all of them at
// once; each sum in the order of the samples.
func (p *rwPart[E]) learn(m *params[E], ns int, wakeQ bool) {
	top := len(m.Sizes) - 1
	sig := p.sig[:len(m.B[top])] // the top layer's probabilities, the same for every sample
	for j, bj := range m.B[top] {
		sig[j] = p.kn.sigmoid(bj)
	}
	for s, w := range p.logw[:ns] {
		for j, x := range p.x[s][top][:len(sig)] {
			p.g.B[top][j] += E(E(w) * (x - sig[j]))
		}
	}
	for l := top - 1; l >= 0; l-- {
		for s, w := range p.logw[:ns] {
			x := p.x[s][l]
			if l == 0 {
				x = p.vx[s/p.k]
			}
			d := p.gen[s][l]
			p.kn.deltas(d, d, x, E(w))
			p.as[s] = p.act[s][l+1]
		}
		p.addShared(p.g.B[l], p.g.W[l], p.genM[l], p.as[:ns], l+1, m.Sizes[l+1])
	}
	if !wakeQ {
		return
	}
	for l := range top {
		for s, w := range p.logw[:ns] {
			d, a, act := p.rec[s][l], p.rec[s][l], p.act[s][l]
			if l == 0 {
				a, act = p.rec1[s/p.k][:m.Sizes[1]], p.vact[s/p.k]
			}
			p.kn.deltas(d, a, p.x[s][l+1], E(w))
			p.as[s] = act
		}
		p.addShared(p.g.C[l+1], p.g.R[l], p.recM[l], p.as[:ns], l, m.Sizes[l])
	}
}

// grow32 returns s resliced to length n, reallocated if its capacity is
// less.
func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// normalise turns log weights into weights that sum to 1 (exactly 1 for
// one sample).
func normalise(w []float64) {
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
func (p *rwPart[E]) save(k int) {
	for l := 1; l < len(p.x[k]); l++ {
		copy(p.x[k][l], p.sm.x[l])
		p.act[k][l] = append(p.act[k][l][:0], p.sm.act[l]...)
	}
}

// load copies sample k back into the workspace.
func (p *rwPart[E]) load(k int) {
	for l := 1; l < len(p.x[k]); l++ {
		copy(p.sm.x[l], p.x[k][l])
		p.sm.act[l] = append(p.sm.act[l][:0], p.act[k][l]...)
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
	return stateLogProb(d, x)
}

// stateLogProbGo adds to s, in order, log p(x_i) for i ≥ from of a
// layer in state x (0/1 values) whose logits are a, and returns it.
func stateLogProbGo(a, x []float64, s float64, from int) float64 {
	x = x[:len(a)]
	for i := from; i < len(a); i++ {
		if x[i] != 0 {
			s += logSigmoid(a[i])
		} else {
			s += logSigmoid(-a[i])
		}
	}
	return s
}
