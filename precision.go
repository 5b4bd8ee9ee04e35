package helmholtz

import "math/rand/v2"

// float is the precision a reweighted wake-sleep batch computes in:
// float64, as every learner does, or float32 (Reweighted's Float32).
type float interface{ ~float32 | ~float64 }

// params are a machine's parameters in precision E, named as Machine's:
// in float64 the machine's own arrays, in float32 a copy.
type params[E float] struct {
	Sizes      []int
	B, W, C, R [][]E
}

// paramsOf returns m's parameters, its own arrays.
func paramsOf(m *Machine) *params[float64] {
	return &params[float64]{Sizes: m.Sizes, B: m.B, W: m.W, C: m.C, R: m.R}
}

// newParams returns zero parameters of a machine of these sizes.
func newParams[E float](sizes []int) *params[E] {
	p := &params[E]{Sizes: sizes}
	z := New(sizes)
	p.B, p.W, p.C, p.R = like[E](z.B), like[E](z.W), like[E](z.C), like[E](z.R)
	return p
}

// groups returns the parameters' arrays by slot (see the Slot constants).
func (p *params[E]) groups() [NumSlots][][]E { return [NumSlots][][]E{p.B, p.W, p.C, p.R} }

// like returns zero arrays of E shaped as a.
func like[E, F float](a [][]F) [][]E {
	z := make([][]E, len(a))
	for l := range a {
		z[l] = make([]E, len(a[l]))
	}
	return z
}

// convert copies src into dst element by element, rounding to E.
func convert[E, F float](dst [][]E, src [][]F) {
	for l := range dst {
		d, s := dst[l], src[l][:len(dst[l])]
		for i, x := range s {
			d[i] = E(x)
		}
	}
}

// kernels are the kernels of a batch in precision E: those of a
// wake-sleep step for float64, those of kernel32.go for float32.
type kernels[E float] struct {
	sumRows      func(d, bias, rows []E, active []int32)
	sumRowsMany  func(d, start [][]E, rows []E, active [][]int32)
	addRowsMany  func(bias, w, d []E, active [][]int32, nb int, t *rowLists)
	deltas       func(d, a, x []E, eps E) // d = eps·(x − σ(a)); a may be d
	sampleLayer  func(d, bias, rows []E, active []int32, r []uint64, x []E, act []int32) int
	stateLogProb func(a, x []E) float64
	sigmoid      func(x E) E
}

var kernels64 = kernels[float64]{
	sumRows:     sumRows,
	sumRowsMany: sumRowsMany,
	addRowsMany: addRowsMany,
	deltas: func(d, a, x []float64, eps float64) {
		deltaLayer(d, a, nil, nil, x, eps)
	},
	sampleLayer:  sampleLayer,
	stateLogProb: stateLogProb,
	sigmoid:      sigmoid,
}

var kernels32 = kernels[float32]{
	sumRows:      sumRows32,
	sumRowsMany:  sumRowsMany32,
	addRowsMany:  addRowsMany32,
	deltas:       deltas32,
	sampleLayer:  sampleLayer32,
	stateLogProb: stateLogProb32,
	sigmoid:      sigmoid32,
}

// kernelsOf returns the kernels of precision E.
func kernelsOf[E float]() *kernels[E] {
	var k any
	switch any(E(0)).(type) {
	case float64:
		k = &kernels64
	case float32:
		k = &kernels32
	}
	return k.(*kernels[E])
}

// sampler is the state of one sample of a machine's layers in precision E,
// with what it takes to draw it: a wake phase's pattern and the layers it
// draws bottom-up, or a fantasy drawn top-down.
type sampler[E float] struct {
	v   []uint8   // the data pattern of the wake phase
	x   [][]E     // state of each layer, 0 or 1
	act [][]int32 // indices of the active units of each layer
	buf []E       // logits and deltas of one layer
	rnd []uint64  // random words for one layer
}

func newSampler[E float](sizes []int) sampler[E] {
	L := len(sizes)
	s := sampler[E]{
		v:   make([]uint8, sizes[0]),
		x:   make([][]E, L),
		act: make([][]int32, L),
		buf: make([]E, maxSize(sizes)),
		rnd: make([]uint64, (maxSize(sizes)+1)/2),
	}
	for l, n := range sizes {
		s.x[l] = make([]E, n)
		s.act[l] = make([]int32, 0, n)
	}
	return s
}

// observe draws a pattern from data into layer 0.
func (sm *sampler[E]) observe(data Data, rng *rand.Rand) {
	data.Sample(sm.v, rng)
	x, act, n := sm.x[0][:len(sm.v)], sm.act[0][:len(sm.v)], 0
	for i, on := range sm.v {
		on &= 1
		x[i] = E(on)
		act[n] = int32(i) // branch-free, as in sample
		n += int(on)
	}
	sm.act[0] = act[:n]
}

// sample sets layer l to independent Bernoulli draws with logits
// bias + Σ_{i∈active} rows[i,:]. Each uint64 from rng gives two 32-bit
// uniforms, so a layer of n units costs ⌈n/2⌉ draws.
func (sm *sampler[E]) sample(l int, bias, rows []E, active []int32, rng *rand.Rand) {
	// Draw first, then compute: a call inside the loop of sampleLayer
	// would force its registers to be saved and reloaded around every draw.
	n := len(bias)
	r := sm.rnd[:(n+1)/2]
	for i := range r {
		r[i] = rng.Uint64()
	}
	act := sm.act[l][:n]
	c := kernelsOf[E]().sampleLayer(sm.buf[:n], bias, rows, active, r, sm.x[l], act)
	sm.act[l] = act[:c]
}

// dream samples every layer top-down from the generative net of biases B
// and weights W.
func (sm *sampler[E]) dream(B, W [][]E, rng *rand.Rand) {
	top := len(B) - 1
	sm.sample(top, B[top], nil, nil, rng)
	for l := top - 1; l >= 0; l-- {
		sm.sample(l, B[l], W[l], sm.act[l+1], rng)
	}
}
