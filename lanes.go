package helmholtz

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// Lanes is wake-sleep on up to LaneWidth machines of one shape at once,
// each machine in one lane of the vector registers: for independent
// chains (different seeds, or a run's restart candidates) that train by
// the same rule. Every parameter is stored lane-interleaved, element e of
// lane c at [e·LaneWidth + c], and every layer is computed for all lanes
// alike: each unit's logit sums x_i·w_i, in index order, over the inputs i
// that are on in some lane, and the delta rule updates those inputs'
// weights by d·x_i. A product with x_i = 0 adds nothing and one with
// x_i = 1 adds w_i exactly, so each lane does the same floating-point
// operations, in the same order, as WakeSleep.Step on its machine alone
// (which adds the rows of its own active units) and ends with the same
// bits (TestLanesAreChainsAlone), while the kernels step four chains per
// instruction.
//
// The step is online (batch size 1) and applies Options after each step,
// as WakeSleep does.
type Lanes struct {
	Sizes            []int
	GenRate, RecRate float64
	Options

	// The lanes' parameters, shaped as a Machine's times LaneWidth.
	B, W, C, R [][]float64

	x     [][]float64          // the layers' states, interleaved
	act   [][]int32            // the units of each layer on in some lane, ascending
	d     []float64            // one layer's probabilities or deltas, interleaved
	srcs  [LaneWidth]*rand.PCG // the chains' sources, and Rands drawing from them
	rngs  [LaneWidth]*rand.Rand
	gen   lanePCG  // the sources' generators side by side, for a step
	u     []uint32 // the uniforms of a step's layers (uniforms)
	v     []uint8
	bits  []uint64 // the lanes' patterns as bitsets (WordData)
	ws    []uint64 // one pattern's words (WordData)
	words int      // a step's words per lane for the layers
}

// LaneWidth is the number of chains a Lanes steps together.
const LaneWidth = 4

// WordData is a Data that makes a pattern from a fixed number of words
// of its source (dataset.Bars on a square grid does), so that Lanes can
// draw those words for all lanes at once with the rest of a step's.
// Words returns that number, or 0 if it is not fixed (Lanes then calls
// Sample for each chain); SampleWords writes the pattern that Sample
// draws from a source whose next Words() words are ws, as a bitset: unit
// i is bit i%64 of dst[i/64]. Dim is the number of units of a pattern,
// which Lanes checks against its visible layer (as Sample does).
type WordData interface {
	Data
	Dim() int
	Words() int
	SampleWords(dst []uint64, ws []uint64)
}

// laneBitsGo sets x[j·LaneWidth + c], for j < n ≤ 64, to bit j of
// lanes[c]: 0 or 1.
func laneBitsGo(x []float64, lanes *[LaneWidth]uint64, n int) {
	x = x[:n*LaneWidth]
	for j := range n {
		for c, b := range lanes {
			x[j*LaneWidth+c] = float64(b >> j & 1)
		}
	}
}

// NewLanes returns lanes for machines of the given layer sizes, with all
// parameters zero.
func NewLanes(sizes []int, genRate, recRate float64) *Lanes {
	z := New(sizes) // checks the sizes
	l := &Lanes{Sizes: slices.Clone(sizes), GenRate: genRate, RecRate: recRate,
		x: make([][]float64, len(sizes)), d: make([]float64, maxSize(sizes)*LaneWidth),
		act: make([][]int32, len(sizes)),
		v:   make([]uint8, sizes[0])}
	for t, n := range sizes { // layers 1 to top awake, top to 0 asleep
		l.words += (n + 1) / 2
		if t > 0 {
			l.words += (n + 1) / 2
		}
	}
	widen := func(ps [][]float64) [][]float64 {
		out := make([][]float64, len(ps))
		for i, p := range ps {
			out[i] = make([]float64, len(p)*LaneWidth)
		}
		return out
	}
	l.B, l.W, l.C, l.R = widen(z.B), widen(z.W), widen(z.C), widen(z.R)
	l.bits = make([]uint64, LaneWidth*((sizes[0]+63)/64))
	for i, n := range sizes {
		l.x[i] = make([]float64, n*LaneWidth)
		l.act[i] = make([]int32, 0, n)
	}
	return l
}

// groups returns the parameter groups of l and m in one order.
func (l *Lanes) groups(m *Machine) (lanes, machine [4][][]float64) {
	if !slices.Equal(m.Sizes, l.Sizes) {
		panic(fmt.Sprintf("helmholtz: a machine of layers %v in lanes of %v", m.Sizes, l.Sizes))
	}
	return [4][][]float64{l.B, l.W, l.C, l.R}, [4][][]float64{m.B, m.W, m.C, m.R}
}

// Load copies machine m into lane c.
func (l *Lanes) Load(c int, m *Machine) {
	lg, mg := l.groups(m)
	for g := range lg {
		for i, p := range mg[g] {
			for e, v := range p {
				lg[g][i][e*LaneWidth+c] = v
			}
		}
	}
}

// Store copies lane c into machine m.
func (l *Lanes) Store(c int, m *Machine) {
	lg, mg := l.groups(m)
	for g := range lg {
		for i, p := range mg[g] {
			for e := range p {
				p[e] = lg[g][i][e*LaneWidth+c]
			}
		}
	}
}

// Step makes one wake-sleep step of each lane c < len(srcs), drawing its
// pattern and its random numbers from srcs[c] exactly as WakeSleep.Step
// does from rand.New(srcs[c]); lanes beyond are stepped too, with a
// blank pattern and every uniform 2^32 − 1 (their units stay off), and
// their contents mean nothing. (The sources, not Rands: a step loads
// their states, draws the words of all lanes at once and stores the
// states back; see uniforms.)
func (l *Lanes) Step(data Data, srcs []*rand.PCG) {
	if len(srcs) > LaneWidth {
		panic(fmt.Sprintf("helmholtz: %d chains in %d lanes", len(srcs), LaneWidth))
	}
	rngs := l.rngs[:len(srcs)]
	for c, src := range srcs {
		if l.srcs[c] != src {
			l.srcs[c], l.rngs[c] = src, rand.New(src)
		}
	}
	top := len(l.Sizes) - 1
	// Wake: a pattern per lane, the recognition net bottom-up, the
	// generative delta rule top-down.
	var u []uint32
	if wd, ok := data.(WordData); ok && wd.Words() > 0 {
		u = l.uniforms(srcs, wd.Words())
		u = l.patternWords(wd, u, len(srcs))
	} else {
		l.patterns(data, rngs)
		u = l.uniforms(srcs, 0)
	}
	for k := range top {
		u = l.sample(k+1, l.C[k+1], l.R[k], k, u)
	}
	l.learn(l.B[top], nil, top, -1, l.GenRate)
	for k := top - 1; k >= 0; k-- {
		l.learn(l.B[k], l.W[k], k, k+1, l.GenRate)
	}
	// Sleep: a fantasy per lane top-down, the recognition delta rule.
	u = l.sample(top, l.B[top], nil, -1, u)
	for k := top - 1; k >= 0; k-- {
		u = l.sample(k, l.B[k], l.W[k], k+1, u)
	}
	for k := range top {
		l.learn(l.C[k+1], l.R[k], k+1, k, l.RecRate)
	}
	if l.Options != (Options{}) {
		l.constrain()
	}
}

// patterns draws a pattern per lane by data.Sample into the visible
// layer and lists the units on in some lane.
func (l *Lanes) patterns(data Data, rngs []*rand.Rand) {
	x := l.x[0]
	clear(x)
	for c, rng := range rngs {
		data.Sample(l.v, rng)
		for i, on := range l.v {
			x[i*LaneWidth+c] = float64(on & 1)
		}
	}
	act, n := l.act[0][:l.Sizes[0]], 0
	for i := range act {
		w := x[i*LaneWidth : i*LaneWidth+LaneWidth : i*LaneWidth+LaneWidth]
		act[n] = int32(i)
		if w[0]+w[1]+w[2]+w[3] != 0 {
			n++
		}
	}
	l.act[0] = act[:n]
}

// patternWords is patterns by data.SampleWords, from the first words of u
// (see uniforms), and returns the uniforms after them. Lane c of unit i
// is bit i of pattern c, and the units on in some lane are the bits of
// the patterns' union. Unused lanes stay blank.
func (l *Lanes) patternWords(data WordData, u []uint32, chains int) []uint32 {
	nv, n := l.Sizes[0], data.Words()
	if d := data.Dim(); d != nv {
		panic(fmt.Sprintf("helmholtz: patterns of %d units for lanes of %d visible units", d, nv))
	}
	words := (nv + 63) / 64
	if cap(l.ws) < n {
		l.ws = make([]uint64, n)
	}
	ws, pat := l.ws[:n], l.bits[:LaneWidth*words]
	clear(pat[chains*words:])
	for c := range chains {
		for k := range ws {
			ws[k] = uint64(u[8*k+c])<<32 | uint64(u[8*k+4+c])
		}
		data.SampleWords(pat[c*words:(c+1)*words], ws)
	}
	x, act := l.x[0][:nv*LaneWidth], l.act[0][:0]
	for w := range words {
		lanes := [LaneWidth]uint64{pat[w], pat[words+w], pat[2*words+w], pat[3*words+w]}
		laneBits(x[64*w*LaneWidth:], &lanes, min(64, nv-64*w))
		for b := lanes[0] | lanes[1] | lanes[2] | lanes[3]; b != 0; b &= b - 1 {
			act = append(act, int32(64*w+bits.TrailingZeros64(b)))
		}
	}
	l.act[0] = act
	return u[8*n:]
}

// uniforms draws, from each lane's source, dataWords words for the
// pattern and then the uniforms of every layer that the step samples, in
// the order it samples them, and returns them: the words that Step alone
// draws one at a time, drawn here all at once, four lanes side by side
// (lanePCG). Word w of lane c is at u[8w + c] (high half) and
// u[8w + 4 + c] (low half). Each layer starts at a word: unit k's uniform
// is the high half of the layer's word k/2 for even k, the low half for
// odd k, as in WakeSleep.sample. Lanes beyond len(srcs) get every
// uniform 2^32 − 1.
func (l *Lanes) uniforms(srcs []*rand.PCG, dataWords int) []uint32 {
	n := l.words + dataWords
	if len(l.u) < 8*n {
		l.u = make([]uint32, 8*n)
	}
	u := l.u[:8*n]
	for c, src := range srcs {
		l.gen.load(c, src)
	}
	l.gen.uniforms(u, n)
	for c, src := range srcs {
		l.gen.store(c, src)
	}
	for i := 0; i < len(u) && len(srcs) < LaneWidth; i += LaneWidth {
		for c := i + len(srcs); c < i+LaneWidth; c++ {
			u[c] = 1<<32 - 1
		}
	}
	return u
}

// sample draws layer t of every lane: unit k on with probability
// σ(bias_k + Σ_i x_i·rows_ik), x being layer in's states (none if in < 0),
// against its uniform in u (see uniforms), and returns the uniforms of
// the layers after it.
func (l *Lanes) sample(t int, bias, rows []float64, in int, u []uint32) []uint32 {
	n := l.Sizes[t]
	x, act := l.input(in)
	next := l.act[t][:n]
	l.act[t] = next[:laneSample(l.x[t][:n*LaneWidth], bias, rows, x, act, u[:n*LaneWidth], n, next)]
	return u[8*((n+1)/2):]
}

// input returns layer in's states and the units on in some lane, or
// nothing if in < 0.
func (l *Lanes) input(in int) ([]float64, []int32) {
	if in < 0 {
		return nil, nil
	}
	return l.x[in], l.act[in]
}

// learn applies the delta rule eps·(x_t − σ(bias + Σ_i x_i·rows_i)) to
// the biases and weights of layer t with inputs x from layer in (none if
// in < 0).
func (l *Lanes) learn(bias, rows []float64, t, in int, eps float64) {
	n := len(bias) / LaneWidth
	x, act := l.input(in)
	d := l.d[:n*LaneWidth]
	laneDeltas(d, bias, rows, x, act, l.x[t], n, eps)
	laneAdd(bias, rows, d, x, act, n)
}

// constrain applies the options to every lane, element by element as
// Options.apply does to one machine.
func (l *Lanes) constrain() {
	l.Options.applyTo(l.B, l.W, l.R, l.Sizes, l.GenRate, l.RecRate, LaneWidth)
}

// The lane kernels in portable Go; kernel_amd64.s has AVX2 versions of
// the same operations. Each works on all LaneWidth lanes of n units whose
// inputs are the units listed in act (ascending), out of m: unit k's bias
// at [k·4, k·4+4), input i's state at [i·4, i·4+4) and the weight from
// input i to unit k at [(i·n+k)·4, (i·n+k)·4+4). rows and x may be nil
// when act is empty.

// laneLogitsGo sets a to the logits bias + Σ_{i∈act} x_i·rows_i, summed
// in the order of act, each product rounded on its own (it is exact).
func laneLogitsGo(a, bias, rows, x []float64, act []int32, n int) {
	for k := range n {
		b := bias[k*4 : k*4+4 : k*4+4]
		s0, s1, s2, s3 := b[0], b[1], b[2], b[3]
		for _, i := range act {
			xi := x[i*4 : i*4+4 : i*4+4]
			r := rows[(int(i)*n+k)*4:][:4:4]
			s0 += float64(xi[0] * r[0])
			s1 += float64(xi[1] * r[1])
			s2 += float64(xi[2] * r[2])
			s3 += float64(xi[3] * r[3])
		}
		o := a[k*4 : k*4+4 : k*4+4]
		o[0], o[1], o[2], o[3] = s0, s1, s2, s3
	}
}

// laneSampleGo sets xt to the states drawn with the uniforms u:
// xt = 1 where u < ⌊σ(logit)·2^32⌋, as WakeSleep.sample tests it. It lists
// in next the units on in some lane and returns how many.
func laneSampleGo(xt, bias, rows, x []float64, act []int32, u []uint32, n int, next []int32) int {
	laneLogitsGo(xt, bias, rows, x, act, n)
	u = u[:len(xt)]
	c := 0
	for k := range n {
		on := uint64(0)
		for i := k * 4; i < k*4+4; i++ {
			b := (uint64(u[i]) - uint64(int64(sigmoid(xt[i])*0x1p32))) >> 63
			xt[i] = float64(b)
			on |= b
		}
		next[c] = int32(k)
		c += int(on)
	}
	return c
}

// laneDeltasGo sets d to eps·(xt − σ(logits)).
func laneDeltasGo(d, bias, rows, x []float64, act []int32, xt []float64, n int, eps float64) {
	laneLogitsGo(d, bias, rows, x, act, n)
	for i, a := range d[:n*4] {
		d[i] = eps * (xt[i] - sigmoid(a))
	}
}

// laneAddGo adds d to the biases and d·x_i to the weights from each input
// i in act.
func laneAddGo(bias, rows, d, x []float64, act []int32, n int) {
	for i, v := range d[:n*4] {
		bias[i] += v
	}
	for _, i := range act {
		xi := x[i*4 : i*4+4 : i*4+4]
		for k := range n {
			e := d[k*4 : k*4+4 : k*4+4]
			r := rows[(int(i)*n+k)*4:][:4:4]
			r[0] += float64(e[0] * xi[0])
			r[1] += float64(e[1] * xi[1])
			r[2] += float64(e[2] * xi[2])
			r[3] += float64(e[3] * xi[3])
		}
	}
}

// SetRates sets the rates of the steps that follow, for every lane.
func (l *Lanes) SetRates(gen, rec float64) { l.GenRate, l.RecRate = gen, rec }
