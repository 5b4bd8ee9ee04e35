package helmholtz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// barsLike draws 4×4 images of one random row or column, or a blank one:
// data with structure for the learners to learn, independent of package
// dataset.
type barsLike struct{}

func (barsLike) Sample(dst []uint8, rng *rand.Rand) {
	clear(dst)
	k := rng.IntN(9)
	for i := range 4 {
		switch {
		case k < 4:
			dst[k*4+i] = 1
		case k < 8:
			dst[i*4+k-4] = 1
		}
	}
}

// trainWith trains a fresh machine of the given sizes for steps with the
// learner make returns, on one seed.
func trainWith(sizes []int, steps int, opts Options, make func(m *Machine) Learner) *Machine {
	rng := rand.New(rand.NewPCG(7, 7))
	m := New(sizes)
	m.Init(rng, 0.5)
	l := make(m)
	for range steps {
		l.Step(barsLike{}, rng)
	}
	return m
}

// TestLearnersReduceToWakeSleep: reweighted wake-sleep with one sample and
// no wake-phase q update, and a mixture of one component, are wake-sleep,
// bit for bit, with and without the recipe options.
func TestLearnersReduceToWakeSleep(t *testing.T) {
	for _, sizes := range [][]int{{16, 8, 1}, {16, 6, 3, 2}, {16, 5}} {
		for _, opts := range []Options{{}, {Decay: 0.001, NonNegative: true, CapHidden: true, HiddenCap: -1}} {
			ws := trainWith(sizes, 3000, opts, func(m *Machine) Learner {
				l := NewWakeSleep(m, 0.1, 0.07, 1)
				l.Options = opts
				return l
			})
			rws := trainWith(sizes, 3000, opts, func(m *Machine) Learner {
				l := NewReweighted(m, 0.1, 0.07, 1)
				l.WakeQ, l.Options = false, opts
				return l
			})
			mix := trainWith(sizes, 3000, opts, func(m *Machine) Learner {
				l := NewMixture(m, 0.1, 0.07, 1)
				l.Options = opts
				return l
			})
			if !rws.Equal(ws) {
				t.Errorf("sizes %v options %+v: reweighted with K = 1 differs from wake-sleep", sizes, opts)
			}
			if !mix.Equal(ws) {
				t.Errorf("sizes %v options %+v: a mixture of one differs from wake-sleep", sizes, opts)
			}
		}
	}
}

// TestLearnersDiffer: the other settings do change the run (the tests
// above would pass for learners that ignore them otherwise).
func TestLearnersDiffer(t *testing.T) {
	sizes := []int{16, 8, 1}
	ws := trainWith(sizes, 2000, Options{}, func(m *Machine) Learner { return NewWakeSleep(m, 0.1, 0.1, 1) })
	for name, mk := range map[string]func(m *Machine) Learner{
		"rws K=1 wake-q": func(m *Machine) Learner { return NewReweighted(m, 0.1, 0.1, 1) },
		"rws K=5":        func(m *Machine) Learner { l := NewReweighted(m, 0.1, 0.1, 5); l.WakeQ = false; return l },
		"mixture C=2":    func(m *Machine) Learner { return NewMixture(m, 0.1, 0.1, 2) },
		"exact":          func(m *Machine) Learner { return NewExactWake(m, 0.1, 0.1) },
	} {
		if trainWith(sizes, 2000, Options{}, mk).Equal(ws) {
			t.Errorf("%s trains the same machine as wake-sleep", name)
		}
	}
}

// finiteDiff returns the central difference of f in parameter p[i].
func finiteDiff(f func() float64, p []float64, i int) float64 {
	const h = 1e-5
	old := p[i]
	p[i] = old + h
	fp := f()
	p[i] = old - h
	fm := f()
	p[i] = old
	return (fp - fm) / (2 * h)
}

// TestReweightedIsGradient: a reweighted step moves the generative net by
// ε Σ_k w_k ∇ log p(v, x_k) and (wake-phase q update) the recognition net
// by ε Σ_k w_k ∇ log q(x_k | v), with its samples and normalised weights
// held fixed: checked against finite differences of those sums.
func TestReweightedIsGradient(t *testing.T) {
	for _, sizes := range [][]int{{6, 4, 2}, {5, 3}} {
		rng := rand.New(rand.NewPCG(9, uint64(len(sizes))))
		m := New(sizes)
		m.Init(rng, 1)
		before := m.Clone()
		r := NewReweighted(m, 1, 1, 4)
		r.Sleep = false
		data := constData{1, 0, 1, 1, 0, 0}[:sizes[0]]
		r.Step(data, rand.New(rand.NewPCG(1, 2)))
		// The samples and weights the step used.
		var xs [][][]uint8
		for k := range r.K {
			x := [][]uint8{[]uint8(data)}
			for l := 1; l < len(sizes); l++ {
				s := make([]uint8, sizes[l])
				for i, v := range r.x[k][l] {
					s[i] = uint8(v)
				}
				x = append(x, s)
			}
			xs = append(xs, x)
		}
		w := r.logw
		for _, gen := range []bool{true, false} {
			f := func() float64 {
				var s float64
				for k, x := range xs {
					if gen {
						s += w[k] * before.LogJoint(x)
					} else {
						s += w[k] * before.LogRecognition(x)
					}
				}
				return s
			}
			after, at := netSlices(m, gen), netSlices(before, gen)
			for l := range at {
				for i := range at[l] {
					fd := finiteDiff(f, at[l], i)
					if got := after[l][i] - at[l][i]; math.Abs(got-fd) > 1e-6 {
						t.Fatalf("sizes %v gen=%v group %d index %d: update %.9f, gradient %.9f", sizes, gen, l, i, got, fd)
					}
				}
			}
		}
		// The weights are the normalised p(v, x_k)/q(x_k | v).
		var z float64
		lw := make([]float64, len(xs))
		for k, x := range xs {
			lw[k] = math.Exp(before.LogJoint(x) - before.LogRecognition(x))
			z += lw[k]
		}
		for k := range lw {
			if math.Abs(lw[k]/z-w[k]) > 1e-7 {
				t.Errorf("weight %d: %v, want %v", k, w[k], lw[k]/z)
			}
		}
	}
}

// mixtureLogQ returns log q(x | v) of a mixture, exactly.
func mixtureLogQ(mx *Mixture, x [][]uint8) float64 {
	n := mx.Components()
	pi := make([]float64, n)
	mx.LogPi(x[0], pi)
	terms := make([]float64, n)
	for c := range n {
		rc, rr := mx.component(c)
		q := &Machine{Sizes: mx.M.Sizes, C: rc, R: rr}
		terms[c] = pi[c] + q.LogRecognition(x)
	}
	mxv := math.Inf(-1)
	for _, v := range terms {
		mxv = max(mxv, v)
	}
	var s float64
	for _, v := range terms {
		s += math.Exp(v - mxv)
	}
	return mxv + math.Log(s)
}

// TestMixtureRulesAreGradients: the sleep update of a mixture is
// ε ∇ log q(x | v) for every component parameter and gate parameter, at
// the fantasy it drew.
func TestMixtureRulesAreGradients(t *testing.T) {
	for _, sizes := range [][]int{{6, 4, 2}, {5, 3}} {
		rng := rand.New(rand.NewPCG(4, uint64(len(sizes))))
		m := New(sizes)
		m.Init(rng, 1)
		mx := NewMixture(m, 0, 1, 3) // no wake update: only the sleep update moves anything
		mx.Init(rng, 1, 0.3)
		for i := range mx.G {
			mx.G[i] = rng.NormFloat64()
		}
		for i := range mx.Gb {
			mx.Gb[i] = rng.NormFloat64()
		}
		before := &Mixture{M: m.Clone(), G: append([]float64(nil), mx.G...), Gb: append([]float64(nil), mx.Gb...)}
		for c := range mx.C {
			before.C, before.R = append(before.C, cloneRows(mx.C[c])), append(before.R, cloneRows(mx.R[c]))
		}
		mx.Step(constData{1, 0, 1, 1, 0, 0}[:sizes[0]], rand.New(rand.NewPCG(3, 3)))
		// The fantasy is in the workspace.
		x := make([][]uint8, len(sizes))
		for l := range x {
			x[l] = make([]uint8, sizes[l])
			for i, v := range mx.ws.x[l] {
				x[l][i] = uint8(v)
			}
		}
		f := func() float64 { return mixtureLogQ(before, x) }
		groups := [][2][]float64{{before.G, mx.G}, {before.Gb, mx.Gb}}
		for c := range 3 {
			bc, br := before.component(c)
			ac, ar := mx.component(c)
			for l := range bc {
				groups = append(groups, [2][]float64{bc[l], ac[l]})
			}
			for l := range br {
				groups = append(groups, [2][]float64{br[l], ar[l]})
			}
		}
		for gi, g := range groups {
			for i := range g[0] {
				fd := finiteDiff(f, g[0], i)
				if got := g[1][i] - g[0][i]; math.Abs(got-fd) > 1e-6 {
					t.Fatalf("sizes %v group %d index %d: update %.9f, gradient %.9f", sizes, gi, i, got, fd)
				}
			}
		}
	}
}

// TestExactWakeSamplesPosterior: the latent states ExactWake draws follow
// the exact posterior p(x | v), by a chi-square test over 200,000 draws on
// a 4-3-2 net (Bayes by brute force from LogJoint).
func TestExactWakeSamplesPosterior(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fast=%v", fast), func(t *testing.T) { samplesPosterior(t, fast) })
	}
}

func samplesPosterior(t *testing.T, fast bool) {
	sizes := []int{4, 3, 2}
	rng := rand.New(rand.NewPCG(5, 5))
	m := New(sizes)
	m.Init(rng, 1.5)
	for _, b := range m.B {
		for i := range b {
			b[i] = rng.NormFloat64()
		}
	}
	v := []uint8{1, 0, 1, 1}
	// Exact posterior over the 32 latent states (h: 3 bits, t: 2 bits).
	post := make([]float64, 32)
	var z float64
	for s := range post {
		x := [][]uint8{v, {uint8(s & 1), uint8(s >> 1 & 1), uint8(s >> 2 & 1)}, {uint8(s >> 3 & 1), uint8(s >> 4 & 1)}}
		post[s] = math.Exp(m.LogJoint(x))
		z += post[s]
	}
	e := NewExactWake(m, 0, 0)
	const n = 200000
	counts := make([]float64, 32)
	draws := rand.New(rand.NewPCG(6, 6))
	for range n {
		e.ws.observe(constData(v), draws)
		e.posterior(fast)
		e.draw(draws.Float64())
		s := 0
		for i, x := range e.ws.x[1] {
			s |= int(x) << i
		}
		for i, x := range e.ws.x[2] {
			s |= int(x) << (3 + i)
		}
		counts[s]++
	}
	var chi2 float64
	for s, p := range post {
		want := n * p / z
		chi2 += (counts[s] - want) * (counts[s] - want) / want
	}
	// 31 degrees of freedom: P(χ² > 61) ≈ 0.001.
	if chi2 > 61 {
		t.Errorf("χ² = %.1f over 31 degrees of freedom: the draws do not follow the posterior", chi2)
	}
}

// TestExactWakeIsGradient: averaged over the exact posterior, ExactWake's
// wake update is ε ∇ log p(v), the gradient of the likelihood (finite
// differences of log p(v) by brute force).
func TestExactWakeIsGradient(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("fast=%v", fast), func(t *testing.T) { isGradient(t, fast) })
	}
}

func isGradient(t *testing.T, fast bool) {
	sizes := []int{5, 3, 1}
	rng := rand.New(rand.NewPCG(8, 8))
	m := New(sizes)
	m.Init(rng, 1)
	v := []uint8{1, 1, 0, 0, 1}
	logp := func() float64 {
		var terms []float64
		for s := range 16 {
			x := [][]uint8{v, {uint8(s & 1), uint8(s >> 1 & 1), uint8(s >> 2 & 1)}, {uint8(s >> 3 & 1)}}
			terms = append(terms, m.LogJoint(x))
		}
		mx := math.Inf(-1)
		for _, t := range terms {
			mx = max(mx, t)
		}
		var s float64
		for _, t := range terms {
			s += math.Exp(t - mx)
		}
		return mx + math.Log(s)
	}
	// E_p(x|v)[update] from the posterior weights the learner computes.
	e := NewExactWake(m, 1, 0)
	e.ws.observe(constData(v), rng)
	e.posterior(fast)
	expected := New(sizes)
	for i := range e.cw {
		w := e.cw[i]
		if i > 0 {
			w -= e.cw[i-1]
		}
		w /= e.cw[len(e.cw)-1]
		setLayer(e.ws, 1, int(e.hs[i/e.upper]))
		setLayer(e.ws, 2, i%e.upper)
		e.ws.learnGen(w, expected.B, expected.W)
	}
	got, at := netSlices(expected, true), netSlices(m, true)
	for l := range at {
		for i := range at[l] {
			// The fast sigmoid's 1e-8 error and the h = 1e-5 difference.
			if fd := finiteDiff(logp, at[l], i); math.Abs(got[l][i]-fd) > 1e-6 {
				t.Fatalf("group %d index %d: expected update %.9f, ∂ log p(v) %.9f", l, i, got[l][i], fd)
			}
		}
	}
}

func BenchmarkExactWakeStep(b *testing.B) {
	benchmarkLearner(b, func(m *Machine) Learner { return NewExactWake(m, 0.1, 0.1) })
}
func BenchmarkReweightedStepK5(b *testing.B) {
	benchmarkLearner(b, func(m *Machine) Learner { return NewReweighted(m, 0.1, 0.1, 5) })
}
func BenchmarkMixtureStepC2(b *testing.B) {
	benchmarkLearner(b, func(m *Machine) Learner { return NewMixture(m, 0.1, 0.1, 2) })
}
func BenchmarkReweightedStepK20(b *testing.B) {
	benchmarkLearner(b, func(m *Machine) Learner { return NewReweighted(m, 0.1, 0.1, 20) })
}

// benchmarkLearner times one step of a learner on a 16-8-1 net after
// 20,000 steps of training.
func benchmarkLearner(b *testing.B, mk func(m *Machine) Learner) {
	rng := rand.New(rand.NewPCG(2, 0))
	m := New([]int{16, 8, 1})
	m.Init(rng, 0.1)
	l := mk(m)
	var data Data = barsLike{}
	for range 20000 {
		l.Step(data, rng)
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Step(data, rng)
	}
}

func cloneRows(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i, r := range x {
		out[i] = append([]float64{}, r...)
	}
	return out
}

// TestExactWakeWalks: the exponential walk and the sigmoid path give the
// same posterior (within the fast sigmoid's error) on nets of several
// shapes, and weights beyond expLimit take the sigmoid path.
func TestExactWakeWalks(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, sizes := range [][]int{{16, 8, 1}, {6, 9, 2}, {5, 3, 2, 1}, {3, 12}} {
		for _, scale := range []float64{0.5, 4, 40} {
			m := New(sizes)
			m.Init(rng, scale)
			e := NewExactWake(m, 0, 0)
			v := make([]uint8, sizes[0])
			for i := range v {
				v[i] = uint8(rng.IntN(2))
			}
			e.ws.observe(constData(v), rng)
			if !e.posterior(true) {
				t.Fatalf("%v ×%v: the walk's total is 0", sizes, scale)
			}
			walk := slices.Clone(e.cw)
			e.posterior(false)
			z1, z2 := walk[len(walk)-1], e.cw[len(e.cw)-1]
			for i := range walk {
				if d := math.Abs(walk[i]/z1 - e.cw[i]/z2); d > 1e-6 {
					t.Fatalf("%v ×%v: cumulative posterior %d differs by %g", sizes, scale, i, d)
				}
			}
		}
	}
	m := New([]int{4, 2, 1})
	m.B[0][0] = 1000
	e := NewExactWake(m, 0, 0)
	e.ws.observe(constData([]uint8{1, 0, 0, 1}), rand.New(rand.NewPCG(1, 1)))
	if e.expFactors() {
		t.Error("a bias of 1000 is taken by the exponential walk")
	}
}
