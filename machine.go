package helmholtz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"helmholtz/internal/libm"
)

// Machine is a Helmholtz machine: a layered sigmoid belief net of binary
// units with generative (top-down) and factorial recognition (bottom-up)
// connections.
//
// Layer 0 is the visible layer and layer len(Sizes)-1 the top. Weight
// matrices are row-major with one row per unit of the source layer, so the
// input a layer receives from a binary source is the sum of the rows of the
// source's active units. For the paper's [16 8 1] net the fields are the
// seed's arrays:
//
//	B[0], B[1], B[2]  = b_v, b_h, b_top
//	W[0], W[1]        = W_hv (8×16), W_th (1×8)
//	C[1], C[2]        = c_h, c_top
//	R[0], R[1]        = R_vh (16×8), R_ht (8×1)
type Machine struct {
	Sizes []int

	// Generative net. B[l] is the bias of layer l. W[l] has
	// Sizes[l+1] rows and Sizes[l] columns: layer l+1 predicts layer l.
	B [][]float64
	W [][]float64

	// Recognition net. C[l] is the recognition bias of layer l ≥ 1 (C[0] is
	// empty). R[l] has Sizes[l] rows and Sizes[l+1] columns: layer l
	// predicts layer l+1.
	C [][]float64
	R [][]float64
}

// New returns a machine with the given layer sizes, bottom (visible) first,
// and all parameters zero. It panics unless there are at least two layers,
// all of positive size.
func New(sizes []int) *Machine {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("helmholtz: need at least 2 layers, got %v", sizes))
	}
	for _, n := range sizes {
		if n <= 0 {
			panic(fmt.Sprintf("helmholtz: layer sizes must be positive, got %v", sizes))
		}
	}
	L := len(sizes)
	m := &Machine{
		Sizes: append([]int(nil), sizes...),
		B:     make([][]float64, L),
		W:     make([][]float64, L-1),
		C:     make([][]float64, L),
		R:     make([][]float64, L-1),
	}
	for l, n := range sizes {
		m.B[l] = make([]float64, n)
		if l > 0 {
			m.C[l] = make([]float64, n)
		} else {
			m.C[l] = []float64{}
		}
		if l < L-1 {
			m.W[l] = make([]float64, sizes[l+1]*n)
			m.R[l] = make([]float64, n*sizes[l+1])
		}
	}
	return m
}

// Init draws every weight from N(0, scale²) and sets every bias to zero,
// reading the weights in a fixed order (W then R, bottom layer first).
func (m *Machine) Init(rng *rand.Rand, scale float64) {
	for _, w := range m.W {
		for i := range w {
			w[i] = scale * libm.NormFloat64(rng)
		}
	}
	for _, r := range m.R {
		for i := range r {
			r[i] = scale * libm.NormFloat64(rng)
		}
	}
	for l := range m.B {
		clear(m.B[l])
		clear(m.C[l])
	}
}

// SetVisibleBias sets the generative visible bias to the logit of the
// given pixel marginals, so that the machine with silent hidden units
// already has the data's pixel statistics. Marginals are clamped to
// [1e-6, 1-1e-6] to keep the logits finite.
func (m *Machine) SetVisibleBias(marginal []float64) {
	if len(marginal) != m.Sizes[0] {
		panic(fmt.Sprintf("helmholtz: %d marginals for %d visible units", len(marginal), m.Sizes[0]))
	}
	for i, p := range marginal {
		p = min(max(p, 1e-6), 1-1e-6)
		m.B[0][i] = libm.Log(p / (1 - p))
	}
}

// mustBeShaped panics unless every parameter has the length that m.Sizes
// and the layers x of a trainer give it. The assembly kernels index the
// parameters unchecked: a machine whose slices were replaced by ones of
// other lengths must stop before a step.
// weights returns the number of weights of each net (generative or
// recognition).
func (m *Machine) weights() int {
	n := 0
	for _, w := range m.W {
		n += len(w)
	}
	return n
}

func (m *Machine) mustBeShaped(x [][]float64) {
	if !m.shaped(x) {
		panic(fmt.Sprintf("helmholtz: parameters of machine %v do not have its layer sizes", m.Sizes))
	}
}

// shaped reports whether every parameter has the length that m.Sizes and
// the layers x of a trainer give it.
func (m *Machine) shaped(x [][]float64) bool {
	if len(m.B) != len(x) || len(m.C) != len(x) || len(m.W) != len(x)-1 || len(m.R) != len(x)-1 {
		return false
	}
	for l, xl := range x {
		n := len(xl)
		if len(m.B[l]) != n || (l > 0 && len(m.C[l]) != n) {
			return false
		}
		if l+1 < len(x) && (len(m.W[l]) != len(x[l+1])*n || len(m.R[l]) != n*len(x[l+1])) {
			return false
		}
	}
	return true
}

// Clone returns a deep copy of m.
func (m *Machine) Clone() *Machine {
	c := New(m.Sizes)
	c.CopyFrom(m)
	return c
}

// CopyFrom copies the parameters of src, which must have the same sizes.
func (m *Machine) CopyFrom(src *Machine) {
	if !slices.Equal(m.Sizes, src.Sizes) {
		panic("helmholtz: CopyFrom with different sizes")
	}
	for l := range m.B {
		copy(m.B[l], src.B[l])
		copy(m.C[l], src.C[l])
	}
	for l := range m.W {
		copy(m.W[l], src.W[l])
		copy(m.R[l], src.R[l])
	}
}

// Equal reports whether m and o have the same sizes and bit-identical
// parameters.
func (m *Machine) Equal(o *Machine) bool {
	if !slices.Equal(m.Sizes, o.Sizes) {
		return false
	}
	eq := func(a, b [][]float64) bool {
		for l := range a {
			for i := range a[l] {
				if math.Float64bits(a[l][i]) != math.Float64bits(b[l][i]) {
					return false
				}
			}
		}
		return true
	}
	return eq(m.B, o.B) && eq(m.W, o.W) && eq(m.C, o.C) && eq(m.R, o.R)
}

// Finite reports whether every parameter is finite.
func (m *Machine) Finite() bool {
	for _, group := range [][][]float64{m.B, m.W, m.C, m.R} {
		for _, p := range group {
			for _, x := range p {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return false
				}
			}
		}
	}
	return true
}

// MaxLogit returns the largest magnitude of a logit that any binary state
// can give any unit, generative or recognition: for each unit, its bias
// plus all its positive (or all its negative) incoming weights. It is NaN
// if a parameter is NaN and +Inf if one is infinite, so that
// !(m.MaxLogit() <= limit) tests finiteness and size at once.
func (m *Machine) MaxLogit() float64 {
	top := len(m.Sizes) - 1
	mx := 0.0
	for _, b := range m.B[top] {
		mx = maxAbs(mx, b)
	}
	for l := range top {
		mx = max(mx, maxLogit(m.B[l], m.W[l], m.Sizes[l+1]))
		mx = max(mx, maxLogit(m.C[l+1], m.R[l], m.Sizes[l]))
	}
	return mx
}

// maxLogit returns the largest |logit| of the units whose biases are b and
// whose incoming weights from src units are the rows of w. A narrow layer
// goes unit by unit; a wide one (MNIST's) row by row, keeping each unit's
// sums of positive and of negative weights, so that its weights stream
// through the cache once. Both add in the order of the rows.
func maxLogit(b, w []float64, src int) float64 {
	n := len(b)
	mx := 0.0
	if n < wideRows {
		for k, bk := range b {
			hi, lo := bk, bk
			for i := range src {
				x := w[i*n+k]
				if x > 0 {
					hi += x
				} else {
					lo += x // and NaN
				}
			}
			mx = maxAbs(maxAbs(mx, hi), lo)
		}
		return mx
	}
	hi, lo := slices.Clone(b), slices.Clone(b)
	for i := range src {
		for k, x := range w[i*n : (i+1)*n] {
			if x > 0 {
				hi[k] += x
			} else {
				lo[k] += x
			}
		}
	}
	for k := range hi {
		mx = maxAbs(maxAbs(mx, hi[k]), lo[k])
	}
	return mx
}

// maxAbs returns max(m, |x|), NaN if either is NaN.
func maxAbs(m, x float64) float64 { return max(m, math.Abs(x)) }

// GenInput writes into dst the generative input (logit) of layer l < top
// given the binary state of layer l+1: dst = B[l] + Σ_j above[j]·W[l][j,:].
func (m *Machine) GenInput(l int, above []uint8, dst []float64) {
	n := m.Sizes[l]
	copy(dst[:n], m.B[l])
	w := m.W[l]
	for j, on := range above {
		if on != 0 {
			addTo(dst[:n], w[j*n:(j+1)*n])
		}
	}
}

// RecInput writes into dst the recognition input (logit) of layer l+1
// given the binary state of layer l: dst = C[l+1] + Σ_i below[i]·R[l][i,:].
func (m *Machine) RecInput(l int, below []uint8, dst []float64) {
	n := m.Sizes[l+1]
	copy(dst[:n], m.C[l+1])
	r := m.R[l]
	for i, on := range below {
		if on != 0 {
			addTo(dst[:n], r[i*n:(i+1)*n])
		}
	}
}

// LogJoint returns the natural log of the generative probability
// p(x) = p(x_top) Π_l p(x_l | x_{l+1}) of a full binary state, x[l] being
// the state of layer l.
func (m *Machine) LogJoint(x [][]uint8) float64 {
	top := len(m.Sizes) - 1
	s := logBernoulli(x[top], m.B[top])
	a := make([]float64, maxSize(m.Sizes))
	for l := top - 1; l >= 0; l-- {
		m.GenInput(l, x[l+1], a)
		s += logBernoulli(x[l], a[:m.Sizes[l]])
	}
	return s
}

// LogRecognition returns the natural log of the recognition probability
// q(x_1..x_top | x_0) = Π_l q(x_{l+1} | x_l) of a full binary state.
func (m *Machine) LogRecognition(x [][]uint8) float64 {
	var s float64
	a := make([]float64, maxSize(m.Sizes))
	for l := 0; l < len(m.Sizes)-1; l++ {
		m.RecInput(l, x[l], a)
		s += logBernoulli(x[l+1], a[:m.Sizes[l+1]])
	}
	return s
}

// RecognitionMeans propagates probabilities up the recognition net:
// dst[1] = σ(C[1] + x·R[0]) for the visible pattern x, and each higher layer
// gets σ(C[l+1] + dst[l]·R[l]) from the means below it (a mean-field
// summary; for a net with one hidden layer dst[1] is exactly q(h_j=1 | v)).
// dst[0] receives x as 0/1 values. dst[l] must have length Sizes[l].
func (m *Machine) RecognitionMeans(x []uint8, dst [][]float64) {
	for i, v := range x {
		dst[0][i] = float64(v)
	}
	for l := 0; l < len(m.Sizes)-1; l++ {
		n := m.Sizes[l+1]
		copy(dst[l+1], m.C[l+1])
		for i, p := range dst[l] {
			r := m.R[l][i*n : (i+1)*n]
			for j := range n {
				dst[l+1][j] += float64(p * r[j]) // unfused, as in the step
			}
		}
		for j := range dst[l+1] {
			dst[l+1][j] = Sigmoid(dst[l+1][j])
		}
	}
}

// A Dreamer draws fantasies from a generative model: a Machine
// ancestrally, top-down; an RBM kept in a machine's arrays by Gibbs
// sampling (rbm.Gibbs).
type Dreamer interface {
	// Dream draws a state into x, one slice per layer, visible first.
	Dream(rng *rand.Rand, x [][]uint8)
}

// Dream draws a full state top-down from the generative net into x (x[l]
// of length Sizes[l]) by ancestral sampling. x[0] is the fantasy.
func (m *Machine) Dream(rng *rand.Rand, x [][]uint8) {
	top := len(m.Sizes) - 1
	for j, b := range m.B[top] {
		x[top][j] = bit(rng.Float64() < Sigmoid(b))
	}
	a := make([]float64, maxSize(m.Sizes))
	for l := top - 1; l >= 0; l-- {
		m.GenInput(l, x[l+1], a)
		for i := range m.Sizes[l] {
			x[l][i] = bit(rng.Float64() < Sigmoid(a[i]))
		}
	}
}

// logBernoulli returns Σ_i log p(x_i) for independent units with logits a.
func logBernoulli(x []uint8, a []float64) float64 {
	var s float64
	for i, ai := range a {
		if x[i] != 0 {
			s -= Softplus(-ai)
		} else {
			s -= Softplus(ai)
		}
	}
	return s
}

// Softplus returns log(1+exp(x)) without overflow.
func Softplus(x float64) float64 {
	return max(x, 0) + libm.Log1p(libm.Exp(-math.Abs(x)))
}

func addTo(dst, src []float64) {
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] += s
	}
}

func bit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func maxSize(sizes []int) int {
	n := 0
	for _, s := range sizes {
		n = max(n, s)
	}
	return n
}
