package exact

import (
	"fmt"
	"math"

	"helmholtz"
	"helmholtz/internal/libm"
)

// The variational gap. For each pattern v the recognition net proposes a
// distribution q(x | v) over the latent layers x = (x_1, ..., x_top) and
// the generative net has an exact posterior p(x | v) = p(v, x) / p(v).
// Their KL divergence KL(q ‖ p(·|v)) is log p(v) minus the evidence lower
// bound E_q[log p(v, x) − log q(x | v)] that wake-sleep's wake phase
// climbs: what the recognition net costs. Both are computed here by
// enumerating every latent state, so the machine's latent layers together
// may hold at most PosteriorBits units.

// PosteriorBits bounds the latent units of a machine whose posterior is
// enumerated: 2^20 latent states per pattern.
const PosteriorBits = 20

// CheckPosterior reports whether the posterior of a machine with these
// sizes can be enumerated, and if not, why.
func CheckPosterior(sizes []int) error {
	if err := Check(sizes); err != nil {
		return err
	}
	n := 0
	for _, s := range sizes[1:] {
		n += s
	}
	if n > PosteriorBits {
		return fmt.Errorf("exact: layer sizes %v have %d latent units; the posterior can be enumerated up to %d", sizes, n, PosteriorBits)
	}
	return nil
}

// GapCost returns what a gap evaluator of the given number of patterns
// needs for machines of these sizes and a recognition of the given number
// of components: bytes of buffers and operations of one evaluation (the
// general path, which a mixture takes; one component walks, faster).
func GapCost(sizes []int, patterns, components int) (bytes, ops float64) {
	K, nv, n1, nC := float64(patterns), float64(sizes[0]), float64(sizes[1]), float64(components)
	upper := 0
	for _, n := range sizes[2:] {
		upper += n
	}
	H, U := math.Exp2(n1), math.Exp2(float64(upper))
	bytes = 8 * (K*(nC*(2*n1+1)+4*n1+12) + H*U*(1+nC) + 4*H + 4*nv + U*(1+nC))
	ops = H * (3*nv + K*(nv+nC*n1+U*(nC+4)))
	return bytes, ops
}

// Recognition is a recognition distribution over the latent layers of a
// machine: a mixture of bottom-up factorial nets,
//
//	q(x | v) = Σ_c π_c(v) Π_l q_c(x_{l+1} | x_l),  x_0 = v,
//
// q_c(x_{l+1} | x_l) having the logits C[c][l+1] + x_l·R[c][l], laid out as
// Machine.C and Machine.R. With one component (LogPi nil) it is a
// machine's own recognition net, exactly as the wake phase samples it.
type Recognition struct {
	C, R  [][][]float64
	LogPi func(v []uint8, dst []float64) // writes log π_c(v); nil for one component
}

// Factorial returns m's own recognition net.
func Factorial(m *helmholtz.Machine) Recognition {
	return Recognition{C: [][][]float64{m.C}, R: [][][]float64{m.R}}
}

// PatternGap is what the recognition net costs on one pattern, in bits.
type PatternGap struct {
	LogP  float64 // log2 p(v)
	QP    float64 // KL(q ‖ p(·|v)) = log2 p(v) − ELBO: the variational gap
	PQ    float64 // KL(p(·|v) ‖ q)
	Share float64 // p_data(v)·log2(p_data(v)/p(v)): the pattern's part of KL[p_data ‖ p]
}

// Gaps is the gap of a machine on every pattern, and its averages over
// the data.
type Gaps struct {
	Patterns []PatternGap
	Gap      float64 // E_data KL(q ‖ p(·|v)), bits: the model's variational gap
	GapPQ    float64 // E_data KL(p(·|v) ‖ q), bits
	Result           // KL, NLL and entropy, as Evaluator.Eval gives them
}

// GapEvaluator computes the variational gap of machines of fixed sizes on
// a fixed set of patterns. It reuses its buffers, so it is not safe for
// concurrent use.
type GapEvaluator struct {
	sizes    []int
	patterns [][]uint8
	probs    []float64
	entropy  float64
	upper    int // latent states above the first hidden layer: 2^(n_2 + ... + n_top)

	lp   []float64   // lp[h·upper+u] = log p(x_1 = h, x_2.. = u)
	lq   [][]float64 // lq[c][h·upper+u] = log q_c(x_2.. = u | x_1 = h)
	x    [][]uint8   // a full latent state
	a    []float64   // logits of a layer
	errs []float64   // scratch of accurateLogits
	on   []float64   // log σ(a)
	off  []float64   // log σ(−a)
	t    []float64   // per component: terms of a log-sum-exp

	genOn  [][]float64   // per state of x_2: log σ(±a), a the generative logits of x_1
	recOn  []float64     // log σ(±a), a the recognition logits of x_2
	lpUp   []float64     // per u: log p(u)
	lqUp   [][]float64   // per component and u: log q_c(x_3.. | x_2)
	w      *walkState    // buffers of the walk (gapwalk.go)
	gs     *generalState // buffers of the general path
	noWalk bool          // never walk (tests compare the two)
}

// NewGapEvaluator returns a gap evaluator of the given patterns, with
// probabilities probs (nil: shares and averages are 0), for machines of
// the given sizes.
func NewGapEvaluator(sizes []int, patterns [][]uint8, probs []float64) (*GapEvaluator, error) {
	if err := CheckPosterior(sizes); err != nil {
		return nil, err
	}
	if err := checkPatterns(sizes, patterns, probs); err != nil {
		return nil, err
	}
	upper := 0
	for _, n := range sizes[2:] {
		upper += n
	}
	n1 := sizes[1]
	g := &GapEvaluator{
		sizes: append([]int(nil), sizes...), patterns: patterns, probs: probs, entropy: Entropy(probs),
		upper: 1 << upper,
		lp:    make([]float64, 1<<(n1+upper)),
		x:     make([][]uint8, len(sizes)),
		a:     make([]float64, maxOf(sizes)),
		errs:  make([]float64, maxOf(sizes)),
		on:    make([]float64, maxOf(sizes)),
		off:   make([]float64, maxOf(sizes)),
	}
	for l, n := range sizes {
		g.x[l] = make([]uint8, n)
	}
	return g, nil
}

// Eval returns the gaps of recognition q for machine m (whose generative
// net defines the posterior; q may be m's own recognition net,
// Factorial(m), or another).
func (g *GapEvaluator) Eval(m *helmholtz.Machine, q Recognition) Gaps {
	sizes := g.sizes
	if len(m.Sizes) != len(sizes) {
		panic(fmt.Sprintf("exact: machine sizes %v, gap evaluator sizes %v", m.Sizes, sizes))
	}
	g.upperTables(m, q)
	if !g.noWalk && walkable(m, q) {
		return g.walk(m, q)
	}
	return g.general(m, q)
}

// general is Eval for any machine and recognition: h outer, patterns
// inner, every logit summed from scratch with its rounding error carried,
// every log probability a sum of log σ terms. Each pattern keeps running
// sums: log p(v) as a log-sum-exp, Σ q (log q − log p(v, x)) and
// Σ p(v, x) (log p(v, x) − log q) relative to the log-sum-exp's reference.
func (g *GapEvaluator) general(m *helmholtz.Machine, q Recognition) Gaps {
	sizes := g.sizes
	nv, n1, nC := sizes[0], sizes[1], len(q.C)
	K := len(g.patterns)
	gs := g.generalBuffers(nC)
	// Per pattern and component: log π_c(v) and log σ(±r) of the first
	// hidden layer's recognition logits r.
	for k, v := range g.patterns {
		pi := gs.pi[k*nC : (k+1)*nC]
		if q.LogPi != nil {
			q.LogPi(v, pi)
		}
		for c := range nC {
			accurateLogitsOf(g.a[:n1], q.C[c][1], q.R[c][0], v, g.errs)
			o := gs.rec[(k*nC+c)*2*n1:][:2*n1]
			logSigmoids(o[:n1], o[n1:], g.a[:n1])
		}
	}
	startSums(gs.mx, gs.sum)
	clear(gs.qp)
	clear(gs.w)
	on, off := g.on[:nv], g.off[:nv]
	t := resize(g.t, nC)
	g.t = t
	for h := range 1 << n1 {
		accurateLogits(g.a[:nv], m.B[0], m.W[0], h, g.errs)
		logSigmoids(on, off, g.a[:nv])
		for k, v := range g.patterns {
			var lpv float64 // log p(v | h)
			for i, b := range v {
				if b != 0 {
					lpv += on[i]
				} else {
					lpv += off[i]
				}
			}
			for c := range nC {
				o := gs.rec[(k*nC+c)*2*n1:][:2*n1]
				gs.lq1[c] = pick(h, o[:n1], o[n1:])
			}
			for u := range g.upper {
				lpj := lpv + g.lp[h*g.upper+u] // log p(v, x)
				var lqx float64                // log q(x | v)
				if nC == 1 {
					lqx = gs.lq1[0] + g.lq[0][h*g.upper+u]
				} else {
					for c := range nC {
						t[c] = gs.pi[k*nC+c] + gs.lq1[c] + g.lq[c][h*g.upper+u]
					}
					lqx = logSumExp(t)
				}
				if qx := libm.Exp(lqx); qx > 0 {
					gs.qp[k] += float64(qx * (lqx - lpj))
				}
				if lpj > gs.mx[k] {
					scale := libm.Exp(gs.mx[k] - lpj)
					gs.sum[k], gs.w[k] = gs.sum[k]*scale, gs.w[k]*scale
					gs.mx[k] = lpj
				}
				e := libm.Exp(lpj - gs.mx[k])
				gs.sum[k] += e
				if e > 0 {
					gs.w[k] += float64(e * (lpj - lqx))
				}
			}
		}
	}
	out := Gaps{Patterns: make([]PatternGap, K)}
	for k := range K {
		logp := gs.mx[k] + libm.Log(gs.sum[k])
		g.addPattern(&out, k, PatternGap{
			LogP: logp / math.Ln2,
			QP:   max(0, gs.qp[k]+logp) / math.Ln2,
			PQ:   max(0, gs.w[k]/gs.sum[k]-logp) / math.Ln2,
		})
	}
	return out
}

// generalState holds the general path's buffers.
type generalState struct {
	pi, rec        []float64 // per pattern and component
	lq1            []float64 // per component
	mx, sum, qp, w []float64 // per pattern
	components     int
}

func (g *GapEvaluator) generalBuffers(nC int) *generalState {
	if g.gs != nil && g.gs.components == nC {
		return g.gs
	}
	K, n1 := len(g.patterns), g.sizes[1]
	f := func(n int) []float64 { return make([]float64, n) }
	g.gs = &generalState{pi: f(K * nC), rec: f(K * nC * 2 * n1), lq1: f(nC),
		mx: f(K), sum: f(K), qp: f(K), w: f(K), components: nC}
	return g.gs
}

// upperTables fills lp and lq: for each state h of the first hidden
// layer and u of the layers above it, log p(x_1 = h, x_2.. = u) and
// log q_c(x_2.. = u | x_1 = h). Both split at the second hidden layer x_2
// (the first bits of u): log p(h, u) = log p(u) + log p(h | x_2) and
// log q_c(u | h) = log q_c(x_2 | h) + log q_c(x_3.. | x_2), so only the
// per-unit log σ of the layers next to h depend on h or x_2.
func (g *GapEvaluator) upperTables(m *helmholtz.Machine, q Recognition) {
	sizes, x := g.sizes, g.x
	top, n1 := len(sizes)-1, sizes[1]
	nC := len(q.C)
	g.lq = resizeRows(g.lq, nC, len(g.lp))
	n2 := 0
	if top >= 2 {
		n2 = sizes[2]
	}
	// Per state of x_2: log σ(±logits of h) under the generative net.
	g.genOn = resizeRows(g.genOn, 1<<n2, 2*n1)
	for s := range 1 << n2 {
		row := g.genOn[s]
		if top == 1 {
			copy(g.a[:n1], m.B[1])
		} else {
			setBits(x[2], s)
			accurateLogitsOf(g.a[:n1], m.B[1], m.W[1], x[2], g.errs)
		}
		logSigmoids(row[:n1], row[n1:], g.a[:n1])
	}
	// Per u: log p(u) and log q_c(x_3.. | x_2), which do not involve h.
	g.lpUp = resize(g.lpUp, g.upper)
	g.lqUp = resizeRows(g.lqUp, nC, g.upper)
	for u := range g.upper {
		shift := 0
		for l := 2; l <= top; l++ {
			setBits(x[l], u>>shift)
			shift += sizes[l]
		}
		var lp float64
		if top >= 2 {
			lp = g.layer(m.B[top], nil, nil, x[top])
			for l := top - 1; l >= 2; l-- {
				lp += g.layer(m.B[l], m.W[l], x[l+1], x[l])
			}
		}
		g.lpUp[u] = lp
		for c := range nC {
			var lq float64
			for l := 2; l < top; l++ {
				lq += g.layerUp(q.C[c][l+1], q.R[c][l], x[l], x[l+1])
			}
			g.lqUp[c][u] = lq
		}
	}
	// Per h: log σ(±logits of x_2) under each recognition component.
	recOn := resize(g.recOn, 2*n2)
	g.recOn = recOn
	for h := range 1 << n1 {
		for u := range g.upper {
			s := u & (1<<n2 - 1)
			row := g.genOn[s]
			g.lp[h*g.upper+u] = g.lpUp[u] + pick(h, row[:n1], row[n1:])
		}
		for c := range nC {
			if top >= 2 {
				accurateLogits(g.a[:n2], q.C[c][2], q.R[c][1], h, g.errs)
				logSigmoids(recOn[:n2], recOn[n2:], g.a[:n2])
			}
			for u := range g.upper {
				g.lq[c][h*g.upper+u] = g.lqUp[c][u] + pick(u&(1<<n2-1), recOn[:n2], recOn[n2:])
			}
		}
	}
}

// addPattern stores the gap of pattern k in out and adds it to the
// averages.
func (g *GapEvaluator) addPattern(out *Gaps, k int, pg PatternGap) {
	if g.probs != nil && g.probs[k] > 0 {
		pk := g.probs[k]
		pg.Share = pk * (libm.Log2(pk) - pg.LogP)
		out.Gap += float64(pk * pg.QP) // unfused, here and above: the same bits on every machine
		out.GapPQ += float64(pk * pg.PQ)
		out.NLL -= float64(pk * pg.LogP)
	}
	out.Patterns[k] = pg
	out.Entropy = g.entropy
	out.KL = out.NLL - g.entropy
}

// layer returns log p(x | above) for a layer with biases b and weights w
// from the layer above (rows: units above), or of independent units with
// logits b when w is nil.
func (g *GapEvaluator) layer(b, w []float64, above, x []uint8) float64 {
	a := g.a[:len(b)]
	if w == nil {
		copy(a, b)
	} else {
		accurateLogitsOf(a, b, w, above, g.errs)
	}
	return logBernoulliOf(x, a, g.on, g.off)
}

// layerUp returns log q(x | below) for the recognition layer with biases c
// and weights r from the layer below (rows: units below).
func (g *GapEvaluator) layerUp(c, r []float64, below, x []uint8) float64 {
	a := g.a[:len(c)]
	accurateLogitsOf(a, c, r, below, g.errs)
	return logBernoulliOf(x, a, g.on, g.off)
}

// logBernoulliOf returns Σ_i log p(x_i) for independent units with logits
// a, using on and off as scratch.
func logBernoulliOf(x []uint8, a, on, off []float64) float64 {
	on, off = on[:len(a)], off[:len(a)]
	logSigmoids(on, off, a)
	var s float64
	for i, b := range x {
		if b != 0 {
			s += on[i]
		} else {
			s += off[i]
		}
	}
	return s
}

// setBits sets x to the low len(x) bits of s.
func setBits(x []uint8, s int) {
	for i := range x {
		x[i] = uint8(s >> i & 1)
	}
}

func logSumExp(t []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range t {
		mx = max(mx, v)
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	var s float64
	for _, v := range t {
		s += libm.Exp(v - mx)
	}
	return mx + libm.Log(s)
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func resizeRows(s [][]float64, rows, n int) [][]float64 {
	if len(s) != rows || (rows > 0 && len(s[0]) != n) {
		s = make([][]float64, rows)
		for i := range s {
			s[i] = make([]float64, n)
		}
	}
	return s
}
