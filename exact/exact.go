package exact

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"helmholtz"
	"helmholtz/internal/libm"
)

// MaxBits bounds the enumeration: no step may visit more than 2^MaxBits
// configurations.
const MaxBits = 24

// Result is an exact evaluation of a model against a data distribution.
type Result struct {
	KL      float64 // KL[p_data || p_model], bits
	NLL     float64 // −E_data log2 p_model(v), bits
	Entropy float64 // H(p_data), bits
}

// Evaluator computes exact log-probabilities of a fixed set of patterns
// under machines of fixed sizes. It reuses its buffers, so it is not safe
// for concurrent use; make one per goroutine.
type Evaluator struct {
	sizes    []int
	patterns [][]uint8
	probs    []float64
	entropy  float64

	prior [][]float64 // prior[l][x] = log p(x_l = x), l ≥ 1
	logp  []float64   // log p(v) per pattern
	a     []float64   // logits of a layer
	dot   []float64   // per pattern: v_k · (logit of v)
	proj  []float64   // proj[j*K+k] = v_k · W[0][j,:]
	sums  sums        // per pattern, or per configuration of a latent layer
	on    []int32     // the units on in each pattern, pattern k's at on[onAt[k]:onAt[k+1]]
	onAt  []int       // len(patterns)+1 offsets into on
	d     []float64   // per pattern: the current term, relative to mx
	ea    []float64   // exp of the visible logits (fast case)
	expW  []float64   // e^W and e^−W of W[0], row by row (fast case)
	slow  bool        // never take the fast case (tests compare the two)
	tmp   []float64   // scratch of the largest layer's size
	ones  []float64   // scratch of the largest layer's size
	lpOn  []float64   // log σ(a) of a layer (careful path)
	lpOff []float64   // log σ(−a) of a layer (careful path)
}

// Check reports whether a machine with these layer sizes can be evaluated
// exactly, and if not, why.
func Check(sizes []int) error { return checkBits(sizes, MaxBits) }

// checkBits is Check with a limit of 2^bits configurations a step.
func checkBits(sizes []int, MaxBits int) error {
	if len(sizes) < 2 {
		return fmt.Errorf("exact: need at least 2 layers, got %v", sizes)
	}
	if sizes[1] > MaxBits {
		return fmt.Errorf("exact: layer sizes %v need 2^%d configurations of the first hidden layer; the limit is 2^%d", sizes, sizes[1], MaxBits)
	}
	top := len(sizes) - 1
	if sizes[top] > MaxBits {
		return fmt.Errorf("exact: layer sizes %v need 2^%d configurations of the top layer; the limit is 2^%d", sizes, sizes[top], MaxBits)
	}
	for l := 1; l < top; l++ {
		if n := sizes[l] + sizes[l+1]; n > MaxBits {
			return fmt.Errorf("exact: layer sizes %v need 2^%d configurations of layers %d and %d; the limit is 2^%d", sizes, n, l, l+1, MaxBits)
		}
	}
	return nil
}

// Cost returns what an evaluator of the given number of patterns for a
// machine with these sizes needs: the bytes of its buffers (the patterns
// themselves not included) and the operations of one evaluation, each
// about a nanosecond (an add or multiply per pattern and configuration).
// Both are float64 so that no size overflows.
func Cost(sizes []int, patterns int) (bytes, ops float64) {
	K, nv, n1 := float64(patterns), float64(sizes[0]), float64(sizes[1])
	latent := 0
	for _, n := range sizes[1:] {
		latent = max(latent, n)
	}
	// prior tables, running sums, per-pattern buffers, e^W, scratch
	bytes = 8 * (2*max(K, math.Exp2(float64(latent))) + K*(n1+3) + 2*nv*n1 + 6*float64(maxOf(sizes)))
	for l := 1; l < len(sizes); l++ {
		bytes += 8 * math.Exp2(float64(sizes[l]))
	}
	// the walk over the first hidden layer, the projections of the
	// patterns on W and their dot products at each resync
	ops = math.Exp2(n1)*(K+2*nv) + K*n1*nv + K*nv*math.Ceil(math.Exp2(n1)/resync)
	for l := 1; l+1 < len(sizes); l++ {
		ops += math.Exp2(float64(sizes[l]+sizes[l+1])) * 2
	}
	return bytes, ops
}

// NewEvaluator returns an evaluator of the given patterns, with
// probabilities probs (they are only used by Eval), for machines with the
// given layer sizes.
func NewEvaluator(sizes []int, patterns [][]uint8, probs []float64) (*Evaluator, error) {
	return newEvaluator(sizes, patterns, probs, MaxBits)
}

// MaxLargeBits bounds the enumeration of NewLargeEvaluator.
const MaxLargeBits = 36

// NewLargeEvaluator is NewEvaluator for a one-off computation, such as the
// entropy of a data set under the net that generated it, that may visit
// up to 2^MaxLargeBits configurations a step: seconds to minutes, where
// NewEvaluator's limit keeps an evaluation during training to
// milliseconds.
func NewLargeEvaluator(sizes []int, patterns [][]uint8, probs []float64) (*Evaluator, error) {
	return newEvaluator(sizes, patterns, probs, MaxLargeBits)
}

func newEvaluator(sizes []int, patterns [][]uint8, probs []float64, bits int) (*Evaluator, error) {
	if err := checkBits(sizes, bits); err != nil {
		return nil, err
	}
	if err := checkPatterns(sizes, patterns, probs); err != nil {
		return nil, err
	}
	e := &Evaluator{
		sizes:    append([]int(nil), sizes...),
		patterns: patterns,
		probs:    probs,
		entropy:  Entropy(probs),
		prior:    make([][]float64, len(sizes)),
		logp:     make([]float64, len(patterns)),
		a:        make([]float64, maxOf(sizes)),
		tmp:      make([]float64, maxOf(sizes)),
		ones:     make([]float64, maxOf(sizes)),
		lpOn:     make([]float64, maxOf(sizes)),
		lpOff:    make([]float64, maxOf(sizes)),
		d:        make([]float64, len(patterns)),
		ea:       make([]float64, sizes[0]),
		expW:     make([]float64, 2*sizes[0]*sizes[1]),
		dot:      make([]float64, len(patterns)),
		proj:     make([]float64, len(patterns)*sizes[1]),
		sums:     newSums(max(len(patterns), 1<<maxOf(sizes[1:])), len(patterns) >= sparseFrom),
	}
	for l := 1; l < len(sizes); l++ {
		e.prior[l] = make([]float64, 1<<sizes[l])
	}
	e.onAt = make([]int, 1, len(patterns)+1)
	for _, v := range patterns {
		for i, x := range v {
			if x != 0 {
				e.on = append(e.on, int32(i))
			}
		}
		e.onAt = append(e.onAt, len(e.on))
	}
	return e, nil
}

// Cost returns Cost of the evaluator's sizes and patterns.
func (e *Evaluator) Cost() (bytes, ops float64) { return Cost(e.sizes, len(e.patterns)) }

// checkPatterns reports patterns that do not fit a machine of these sizes,
// or probabilities that are not one per pattern.
func checkPatterns(sizes []int, patterns [][]uint8, probs []float64) error {
	for k, x := range patterns {
		if len(x) != sizes[0] {
			return fmt.Errorf("exact: pattern %d has %d units, the machine has %d visible units", k, len(x), sizes[0])
		}
	}
	if probs != nil && len(probs) != len(patterns) {
		return fmt.Errorf("exact: %d probabilities for %d patterns", len(probs), len(patterns))
	}
	return nil
}

// Eval returns the exact KL, NLL and data entropy of m.
func (e *Evaluator) Eval(m *helmholtz.Machine) Result {
	lp := e.LogProbs(m)
	var nll float64
	for k, p := range e.probs {
		if p > 0 {
			nll -= float64(p * lp[k]) // products unfused: the same bits on every machine
		}
	}
	nll /= math.Ln2
	return Result{KL: nll - e.entropy, NLL: nll, Entropy: e.entropy}
}

// LogProbs returns log p_model(v), natural log, for each pattern. The
// returned slice is reused by the next call.
func (e *Evaluator) LogProbs(m *helmholtz.Machine) []float64 {
	if !slices.Equal(m.Sizes, e.sizes) {
		panic(fmt.Sprintf("exact: machine sizes %v, evaluator sizes %v", m.Sizes, e.sizes))
	}
	if needsCare(m) {
		e.carefulPriors(m)
		e.carefulVisible(m)
	} else {
		e.priors(m)
		e.visible(m)
	}
	return e.logp
}

// priors fills e.prior[l] with log p(x_l) for every latent layer.
func (e *Evaluator) priors(m *helmholtz.Machine) {
	top := len(e.sizes) - 1
	// Top layer: independent units with logits B[top].
	layerGiven(e.prior[top], m.B[top], 0, 0, len(e.prior[top]), e.tmp, e.ones, sums{})
	for l := top - 1; l >= 1; l-- {
		n, nu := e.sizes[l], e.sizes[l+1]
		dst := e.prior[l]
		sums := e.sums.part(0, len(dst))
		sums.start()
		// Each part takes a block of the layer's configurations through
		// every u: a configuration's sum over u goes in the same order
		// whatever the parts, so the bits do not depend on them.
		if parts := priorParts(n, nu); parts == 1 {
			// No goroutine: an evaluation during training allocates nothing.
			e.priorBlock(m, l, 0, len(dst), e.a[:n], e.tmp, e.ones)
		} else {
			var wg sync.WaitGroup
			layer := l // not l itself: captured, it would move to the heap on every call
			for p := range parts {
				wg.Go(func() {
					e.priorBlock(m, layer, p*len(dst)/parts, (p+1)*len(dst)/parts, make([]float64, n), make([]float64, n), make([]float64, n))
				})
			}
			wg.Wait()
		}
		for x := range dst {
			dst[x] = sums.log(x)
		}
	}
}

// priorBlock accumulates into e.sums the configurations [lo, hi) of
// layer l under every configuration of the layer above, with a, tmp and
// ones (len ≥ the layer's units) as scratch.
func (e *Evaluator) priorBlock(m *helmholtz.Machine, l, lo, hi int, a, tmp, ones []float64) {
	n, nu := e.sizes[l], e.sizes[l+1]
	dst := e.prior[l]
	for u := range 1 << nu {
		copy(a, m.B[l])
		for j := range nu {
			if u&(1<<j) != 0 {
				addTo(a, m.W[l][j*n:(j+1)*n])
			}
		}
		// dst[x] = log p(x | u); then accumulate log p(u) + dst[x].
		layerGiven(dst, a, e.prior[l+1][u], lo, hi, tmp, ones, e.sums.part(lo, hi))
	}
}

// givenBlock is how many configurations layerGiven adds to its sums at a
// time: with their references and sums, 24 KB, within the L1 cache.
const givenBlock = 1024

// parallelWork is the enumeration from which an evaluation shares the
// cores: configurations of a layer times those of the layer above
// (priors), or patterns times configurations of the first hidden layer
// (visible). 2^26 is about a tenth of a second.
var parallelWork = 1 << 26

// priorParts returns the number of blocks, a power of two, into which
// priors splits a layer of n units below one of nu.
func priorParts(n, nu int) int {
	parts := 1
	if 1<<(n+nu) >= parallelWork {
		for parts*2 <= min(runtime.GOMAXPROCS(0), 8, 1<<max(n-4, 0)) {
			parts *= 2
		}
	}
	return parts
}

// layerGiven computes, for the configurations x in [lo, hi) of a layer of
// independent units with logits a, the value c + log p(x) = c + x·a − Σ
// softplus(a), into dst, each from x without its lowest set bit by one
// add (dst[lo] from c − Σ softplus(a) adding the logits of lo's bits,
// highest first, as that recursion does from 0; lo a multiple of hi − lo,
// a power of two). With s not empty it then adds their exponentials into
// the running log-sum-exps s of [lo, hi). tmp and ones are scratch of
// len(a).
func layerGiven(dst, a []float64, c float64, lo, hi int, tmp, ones []float64, s sums) {
	v := c - softplusSum(a, tmp, ones)
	for b := bits.Len(uint(lo)) - 1; b >= 0; b-- {
		if lo&(1<<b) != 0 {
			v += a[b]
		}
	}
	dst[lo] = v
	if (hi-lo)%8 != 0 || len(a) < 3 {
		for x := lo + 1; x < hi; x++ {
			dst[x] = dst[x&(x-1)] + a[bits.TrailingZeros(uint(x))]
		}
		if s.mx != nil {
			s.add(dst[lo:hi], 1)
		}
		return
	}
	// The same recursion, eight at a time with the low three bits' logits
	// at hand, and the terms added a block at a time while the block is in
	// the cache (add leaves dst as it is, for the blocks after).
	a0, a1, a2 := a[0], a[1], a[2]
	for blk := lo; blk < hi; blk += givenBlock {
		end := min(blk+givenBlock, hi)
		for b := blk; b < end; b += 8 {
			if b > lo {
				dst[b] = dst[b&(b-1)] + a[bits.TrailingZeros(uint(b))]
			}
			d0 := dst[b]
			d2, d4 := d0+a1, d0+a2
			d6 := d4 + a1
			dst[b+1], dst[b+2], dst[b+3] = d0+a0, d2, d2+a0
			dst[b+4], dst[b+5], dst[b+6], dst[b+7] = d4, d4+a0, d6, d6+a0
		}
		if s.mx != nil {
			s.part(blk-lo, end-lo).add(dst[blk:end], 1)
		}
	}
}

// visibleLogits sets a to the visible logits b_v + Σ_j h_j·W[0]_j of the
// first-layer state h (bit j: unit j), adding the rows in index order.
func visibleLogits(a []float64, m *helmholtz.Machine, h int) {
	nv := len(a)
	copy(a, m.B[0])
	for j := range m.Sizes[1] {
		if h&(1<<j) != 0 {
			addTo(a, m.W[0][j*nv:(j+1)*nv])
		}
	}
}

// visible fills e.logp with log p(v) = logsumexp over x_1 of
// log p(x_1) + log p(v | x_1), walking x_1 in Gray-code order so that each
// step changes the visible logits by one row of W[0].
func (e *Evaluator) visible(m *helmholtz.Machine) {
	nv, n1 := e.sizes[0], e.sizes[1]
	w := m.W[0]
	K := len(e.patterns)
	for k, v := range e.patterns {
		for j := range n1 {
			e.proj[j*K+k] = dotOn(v, w[j*nv:(j+1)*nv])
		}
	}
	e.sums.part(0, K).start()
	fast := e.expFactors(m)
	// Each part walks every x_1 for a block of the patterns, each
	// pattern's sums in the same order whatever the parts.
	parts := 1
	if K<<n1 >= parallelWork {
		for parts*2 <= min(runtime.GOMAXPROCS(0), 8, K) {
			parts *= 2
		}
	}
	if parts == 1 {
		e.visibleWalk(m, fast, 0, K, e.a[:nv], e.ea[:nv], e.tmp, e.ones) // no goroutine, as in priors
	} else {
		var wg sync.WaitGroup
		np := parts // not parts itself: captured, it would move to the heap on every call
		for p := range np {
			wg.Go(func() {
				e.visibleWalk(m, fast, p*K/np, (p+1)*K/np,
					make([]float64, nv), make([]float64, nv), make([]float64, len(e.tmp)), make([]float64, len(e.ones)))
			})
		}
		wg.Wait()
	}
	for k := range K {
		e.logp[k] = e.sums.log(k)
	}
}

// visibleWalk is visible's walk over x_1 for the patterns [k0, k1), with
// a and ea (e^a in the fast case) of len nv, and tmp and ones, as scratch.
func (e *Evaluator) visibleWalk(m *helmholtz.Machine, fast bool, k0, k1 int, a, ea, tmp, ones []float64) {
	nv, n1 := e.sizes[0], e.sizes[1]
	w := m.W[0]
	K := len(e.patterns)
	sums := e.sums.part(k0, k1)
	dot, d := e.dot[k0:k1], e.d[k0:k1]
	prior := e.prior[1]
	var row []float64 // the projections this step adds to dot, times rowSign
	sparse := k1-k0 >= sparseFrom
	var rowSign float64
	for i := range 1 << n1 {
		h := i ^ (i >> 1)
		if i%resync == 0 {
			// Recompute from scratch now and then so that rounding
			// errors of the incremental updates cannot build up.
			visibleLogits(a, m, h)
			for k := range dot {
				dot[k] = e.dotOnList(k0+k, a)
			}
			row = nil
			if fast {
				clear(ea)
				expAdd(ea, a, 1)
			}
		} else {
			j := bits.TrailingZeros(uint(i))
			sign, f := -1.0, e.expW[(2*j+1)*nv:(2*j+2)*nv]
			if h&(1<<j) != 0 {
				sign, f = 1, e.expW[2*j*nv:(2*j+1)*nv]
			}
			addScaled(a, w[j*nv:(j+1)*nv], sign)
			row, rowSign = e.proj[j*K+k0:j*K+k1], sign // moves dot below
			if fast {
				for i, fi := range f {
					ea[i] *= fi
				}
			}
		}
		// log p(h) + log p(v_k | h) = c + dot_k − log P, and the sums are
		// kept of exp(c + dot_k)/P: one division instead of a logarithm
		// per h. In the fast case c = log p(h) and P = Π(1 + e^a_i), with
		// e^a_i updated by one multiplication per step (relative error
		// below resync·2^-52); otherwise, or if P would overflow,
		// c = log p(h) − Σ max(a_i, 0) and P = Π(1 + e^−|a_i|) ∈ [1, 2^nv].
		c, p := prior[h], 1.0
		if fast {
			for _, x := range ea {
				p *= 1 + x
			}
		}
		if !fast || !(p < 1e300) {
			var pos float64
			pos, p = softplusParts(a, tmp, ones)
			c = prior[h] - pos
		}
		if sparse {
			sums.addSparse(c, dot, row, rowSign, 1/p)
			continue
		}
		if row != nil {
			for k, pk := range row[:len(dot)] {
				dk := dot[k] + float64(rowSign*pk)
				dot[k], d[k] = dk, c+dk
			}
		} else {
			for k, dk := range dot {
				d[k] = c + dk
			}
		}
		sums.add(d, 1/p)
	}
}

// expFactors fills e.expW with e^W and e^−W for the rows of W[0] (row j:
// e^W at 2j, e^−W at 2j+1) and reports whether the visible logits are
// small enough for the fast case: |a_i| ≤ |b_i| + Σ_j |W_ji| < fastLimit
// for every pixel, so that e^a_i and its updates stay far from overflow
// and underflow.
func (e *Evaluator) expFactors(m *helmholtz.Machine) bool {
	if e.slow {
		return false
	}
	nv, n1 := e.sizes[0], e.sizes[1]
	for i := range nv {
		bound := math.Abs(m.B[0][i])
		for j := range n1 {
			bound += math.Abs(m.W[0][j*nv+i])
		}
		if !(bound < fastLimit) {
			return false
		}
	}
	clear(e.expW)
	neg := e.tmp[:nv]
	for j := range n1 {
		row := m.W[0][j*nv : (j+1)*nv]
		expAdd(e.expW[2*j*nv:(2*j+1)*nv], row, 1)
		for i, x := range row {
			neg[i] = -x
		}
		expAdd(e.expW[(2*j+1)*nv:(2*j+2)*nv], neg, 1)
	}
	return true
}

// fastLimit bounds |a_i| in the fast case.
const fastLimit = 600

// dotOnList returns dotOn(e.patterns[k], a) from the pattern's list of
// units on, without a branch per unit (the same additions in the same
// order).
func (e *Evaluator) dotOnList(k int, a []float64) float64 {
	var s float64
	for _, i := range e.on[e.onAt[k]:e.onAt[k+1]] {
		s += a[i]
	}
	return s
}

// dotOn returns Σ_{i: v_i = 1} a_i.
func dotOn(v []uint8, a []float64) float64 {
	var s float64
	for i, on := range v {
		if on != 0 {
			s += a[i]
		}
	}
	return s
}

// slack bounds how far a term may exceed the running reference of its sum
// before the reference moves: e^40 · 2^24 terms stays far from overflow.
const slack = 40

// resync is how often (in configurations) the Gray-code walk recomputes
// its running sums exactly.
const resync = 256

// softplusSum returns Σ_i log(1+exp(a_i)) with a single logarithm.
// neg and ones are scratch of length ≥ len(a).
func softplusSum(a, neg, ones []float64) float64 {
	pos, p := softplusParts(a, neg, ones)
	return pos + libm.Log(p)
}

// softplusParts splits Σ_i log(1+exp(a_i)) into pos + log p with
// pos = Σ max(a_i, 0) and p = Π (1 + exp(−|a_i|)) ∈ [1, 2^n].
func softplusParts(a, neg, ones []float64) (pos, p float64) {
	neg, ones = neg[:len(a)], ones[:len(a)]
	for i, x := range a {
		if x > 0 { // not max(x, 0): the builtin must order NaNs, which costs
			pos += x
		}
		neg[i], ones[i] = -math.Abs(x), 1
	}
	expAdd(ones, neg, 1)
	p = 1
	for _, t := range ones {
		p *= t
	}
	return pos, p
}

// Entropy returns the entropy in bits of a distribution given by its
// probabilities.
func Entropy(probs []float64) float64 {
	var h float64
	for _, p := range probs {
		if p > 0 {
			h -= float64(p * libm.Log2(p))
		}
	}
	return h
}

func addTo(dst, src []float64) {
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] += s
	}
}

// addScaled adds sign·src to dst (sign is ±1, so the result is exact as
// an add or a subtract).
func addScaled(dst, src []float64, sign float64) {
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] += float64(sign * s)
	}
}

func maxOf(s []int) int {
	m := 0
	for _, v := range s {
		m = max(m, v)
	}
	return m
}
