package helmholtz

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// Lanes is wake-sleep on up to Width() machines of one shape at once (4,
// or 8 or 16 on processors with AVX-512: see NewLanes), each machine in one
// lane of the vector registers: for independent chains (different seeds,
// or a run's restart candidates) that train by the same rule. Every
// parameter is stored lane-interleaved, element e of lane c at
// [e·Width() + c], and every layer is computed for all lanes
// alike: each unit's logit sums x_i·w_i, in index order, over the inputs i
// that are on in some lane, and the delta rule updates those inputs'
// weights by d·x_i. A product with x_i = 0 adds nothing and one with
// x_i = 1 adds w_i exactly (the AVX-512 kernels add w_i under a mask
// where x_i is 1), so each lane does the same floating-point operations,
// in the same order, as WakeSleep.Step on its machine alone (which adds
// the rows of its own active units) and ends with the same bits
// (TestLanesAreChainsAlone), while the kernels step four or eight chains
// per instruction.
//
// The step is online (batch size 1) and applies Options after each step,
// as WakeSleep does.
type Lanes struct {
	Sizes            []int
	GenRate, RecRate float64
	Options

	// The lanes' parameters, shaped as a Machine's times Width().
	B, W, C, R [][]float64

	w     int                 // the number of lanes: 4, or 8 or 16 with AVX-512
	x     [][]float64         // the layers' states, interleaved
	act   [][]int32           // the units of each layer on in some lane, ascending
	d     []float64           // one layer's probabilities or deltas, interleaved
	srcs  [maxLanes]*rand.PCG // the chains' sources, and Rands drawing from them
	rngs  [maxLanes]*rand.Rand
	gen   lanePCG  // the sources' generators side by side, for a step
	u     []uint32 // the uniforms of a step's layers (uniforms)
	v     []uint8
	bits  []uint64 // the lanes' patterns as bitsets (WordData)
	ws    []uint64 // one pattern's words (WordData)
	words int      // a step's words per lane for the layers
}

// maxLanes is the widest Lanes: two AVX-512 registers of eight float64
// lanes each.
const maxLanes = 16

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

// laneBitsGo sets x[j·w + c], for j < n ≤ 64 and w = len(lanes), to bit
// j of lanes[c]: 0 or 1.
func laneBitsGo(x []float64, lanes []uint64, n int) {
	w := len(lanes)
	x = x[:n*w]
	for j := range n {
		for c, b := range lanes {
			x[j*w+c] = float64(b >> j & 1)
		}
	}
}

// NewLanes returns lanes for up to chains machines of the given layer
// sizes, with all parameters zero: four lanes (an AVX2 register) for up
// to four chains, eight (an AVX-512 register) for up to eight, sixteen
// (two) for more, where LaneWidth allows. It panics unless
// 1 ≤ chains ≤ LaneWidth().
func NewLanes(sizes []int, chains int, genRate, recRate float64) *Lanes {
	return newLanes(sizes, genRate, recRate, LaneWidthFor(chains))
}

// LaneWidthFor returns the width of the lanes that NewLanes makes for
// chains chains: the narrowest of 4, 8 and 16 that takes them. It panics
// unless 1 ≤ chains ≤ LaneWidth().
func LaneWidthFor(chains int) int {
	if chains < 1 || chains > LaneWidth() {
		panic(fmt.Sprintf("helmholtz: lanes for %d chains (1 to %d)", chains, LaneWidth()))
	}
	w := 4
	for w < chains {
		w *= 2
	}
	return w
}

// newLanes is NewLanes of width w, 4, 8 or 16: in tests, of a width that
// the processor's kernels do not serve, with the portable ones.
func newLanes(sizes []int, genRate, recRate float64, w int) *Lanes {
	if w != 4 && w != 8 && w != 16 {
		panic(fmt.Sprintf("helmholtz: lanes of width %d", w))
	}
	z := New(sizes) // checks the sizes
	l := &Lanes{Sizes: slices.Clone(sizes), GenRate: genRate, RecRate: recRate, w: w,
		x: make([][]float64, len(sizes)), d: make([]float64, maxSize(sizes)*w),
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
			out[i] = make([]float64, len(p)*w)
		}
		return out
	}
	l.B, l.W, l.C, l.R = widen(z.B), widen(z.W), widen(z.C), widen(z.R)
	l.bits = make([]uint64, w*((sizes[0]+63)/64))
	for i, n := range sizes {
		l.x[i] = make([]float64, n*w)
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
				lg[g][i][e*l.w+c] = v
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
				p[e] = lg[g][i][e*l.w+c]
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
	if len(srcs) > l.w {
		panic(fmt.Sprintf("helmholtz: %d chains in %d lanes", len(srcs), l.w))
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
	x, w := l.x[0], l.w
	clear(x)
	for c, rng := range rngs {
		data.Sample(l.v, rng)
		for i, on := range l.v {
			x[i*w+c] = float64(on & 1)
		}
	}
	act, n := l.act[0][:l.Sizes[0]], 0
	for i := range act {
		act[n] = int32(i)
		for _, v := range x[i*w : i*w+w] {
			if v != 0 {
				n++
				break
			}
		}
	}
	l.act[0] = act[:n]
}

// patternWords is patterns by data.SampleWords, from the first words of u
// (see uniforms), and returns the uniforms after them. Lane c of unit i
// is bit i of pattern c, and the units on in some lane are the bits of
// the patterns' union. Unused lanes stay blank.
func (l *Lanes) patternWords(data WordData, u []uint32, chains int) []uint32 {
	nv, n, lw := l.Sizes[0], data.Words(), l.w
	if d := data.Dim(); d != nv {
		panic(fmt.Sprintf("helmholtz: patterns of %d units for lanes of %d visible units", d, nv))
	}
	words := (nv + 63) / 64
	if cap(l.ws) < chains*n {
		l.ws = make([]uint64, lw*n)
	}
	ws, pat := l.ws[:chains*n], l.bits[:lw*words]
	for k := range n {
		hi, lo := u[2*lw*k:][:chains], u[2*lw*k+lw:][:chains]
		for c, h := range hi {
			ws[c*n+k] = uint64(h)<<32 | uint64(lo[c])
		}
	}
	data.SampleWords(pat, ws)
	clear(pat[chains*words:])
	x, act := l.x[0][:nv*lw], l.act[0][:0]
	for w := range words {
		var lanes [maxLanes]uint64
		union := uint64(0)
		for c := range lw {
			lanes[c] = pat[c*words+w]
			union |= lanes[c]
		}
		laneBits(x[64*w*lw:], lanes[:lw], min(64, nv-64*w))
		for b := union; b != 0; b &= b - 1 {
			act = append(act, int32(64*w+bits.TrailingZeros64(b)))
		}
	}
	l.act[0] = act
	return u[2*lw*n:]
}

// uniforms draws, from each lane's source, dataWords words for the
// pattern and then the uniforms of every layer that the step samples, in
// the order it samples them, and returns them: the words that Step alone
// draws one at a time, drawn here all at once, the lanes side by side
// (lanePCG). With w lanes, word k of lane c is at u[2wk + c] (high half)
// and u[2wk + w + c] (low half). Each layer starts at a word: unit j's
// uniform is the high half of the layer's word j/2 for even j, the low
// half for odd j, as in WakeSleep.sample, so that lane c of unit j is at
// [jw + c] from the layer's start. Lanes beyond len(srcs) get every
// uniform 2^32 − 1.
func (l *Lanes) uniforms(srcs []*rand.PCG, dataWords int) []uint32 {
	n, w := l.words+dataWords, l.w
	if len(l.u) < 2*w*n {
		l.u = make([]uint32, 2*w*n)
	}
	u := l.u[:2*w*n]
	for c, src := range srcs {
		l.gen.load(c, src)
	}
	l.gen.uniforms(u, n, w)
	for c, src := range srcs {
		l.gen.store(c, src)
	}
	for i := 0; i < len(u) && len(srcs) < w; i += w {
		for c := i + len(srcs); c < i+w; c++ {
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
	n, w := l.Sizes[t], l.w
	x, act := l.input(in)
	next := l.act[t][:n]
	l.act[t] = next[:laneSample(w, l.x[t][:n*w], bias, rows, x, act, u[:n*w], n, next)]
	return u[2*w*((n+1)/2):]
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
	w := l.w
	n := len(bias) / w
	x, act := l.input(in)
	d := l.d[:n*w]
	laneDeltas(w, d, bias, rows, x, act, l.x[t], n, eps)
	laneAdd(w, bias, rows, d, x, act, n)
}

// constrain applies the options to every lane, element by element as
// Options.apply does to one machine.
func (l *Lanes) constrain() {
	l.Options.applyTo(l.B, l.W, l.R, l.Sizes, l.GenRate, l.RecRate, l.w)
}

// Width returns the number of lanes: the most chains a Step takes.
func (l *Lanes) Width() int { return l.w }

// The lane kernels in portable Go; kernel_amd64.s has vector versions of
// the same operations (AVX2 for four lanes, AVX-512 for eight). Each
// works on all w lanes of n units whose inputs are the units listed in
// act (ascending), out of m: unit k's bias at [k·w, k·w+w), input i's
// state at [i·w, i·w+w) and the weight from input i to unit k at
// [(i·n+k)·w, (i·n+k)·w+w). rows and x may be nil when act is empty.

// laneLogitsGo sets a to the logits bias + Σ_{i∈act} x_i·rows_i, summed
// in the order of act, each product rounded on its own (it is exact).
func laneLogitsGo(w int, a, bias, rows, x []float64, act []int32, n int) {
	var s [maxLanes]float64
	for k := range n {
		copy(s[:w], bias[k*w:k*w+w])
		for _, i := range act {
			xi := x[int(i)*w : int(i)*w+w]
			r := rows[(int(i)*n+k)*w:][:w]
			for c := range xi {
				s[c] += float64(xi[c] * r[c])
			}
		}
		copy(a[k*w:k*w+w], s[:w])
	}
}

// laneSampleGo sets xt to the states drawn with the uniforms u:
// xt = 1 where u < ⌊σ(logit)·2^32⌋, as WakeSleep.sample tests it. It lists
// in next the units on in some lane and returns how many.
func laneSampleGo(w int, xt, bias, rows, x []float64, act []int32, u []uint32, n int, next []int32) int {
	laneLogitsGo(w, xt, bias, rows, x, act, n)
	u = u[:len(xt)]
	c := 0
	for k := range n {
		on := uint64(0)
		for i := k * w; i < k*w+w; i++ {
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
func laneDeltasGo(w int, d, bias, rows, x []float64, act []int32, xt []float64, n int, eps float64) {
	laneLogitsGo(w, d, bias, rows, x, act, n)
	for i, a := range d[:n*w] {
		d[i] = eps * (xt[i] - sigmoid(a))
	}
}

// laneAddGo adds d to the biases and d·x_i to the weights from each input
// i in act.
func laneAddGo(w int, bias, rows, d, x []float64, act []int32, n int) {
	for i, v := range d[:n*w] {
		bias[i] += v
	}
	for _, i := range act {
		xi := x[int(i)*w : int(i)*w+w]
		for k := range n {
			e := d[k*w : k*w+w]
			r := rows[(int(i)*n+k)*w:][:w]
			for c := range xi {
				r[c] += float64(e[c] * xi[c])
			}
		}
	}
}

// SetRates sets the rates of the steps that follow, for every lane.
func (l *Lanes) SetRates(gen, rec float64) { l.GenRate, l.RecRate = gen, rec }
