package helmholtz

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz/internal/libm"
)

// posterior returns p(h | v) over the 2^(hidden units) states of a small
// machine by enumeration, state s having bit k for hidden unit k (layer 1
// first).
func posterior(m *Machine, v []uint8) []float64 {
	post := joints(m, v)
	var z float64
	for _, p := range post {
		z += p
	}
	for s := range post {
		post[s] /= z
	}
	return post
}

// logProb returns log p(v) by enumeration of every hidden state.
func logProb(m *Machine, v []uint8) float64 {
	var z float64
	for _, p := range joints(m, v) {
		z += p
	}
	return math.Log(z)
}

// joints returns p(v, h) for every hidden state h of a small machine,
// numbered as posterior numbers them.
func joints(m *Machine, v []uint8) []float64 {
	hidden := 0
	for _, n := range m.Sizes[1:] {
		hidden += n
	}
	p := make([]float64, 1<<hidden)
	for s := range p {
		x := [][]uint8{v}
		k := 0
		for _, n := range m.Sizes[1:] {
			layer := make([]uint8, n)
			for i := range layer {
				layer[i] = uint8(s >> k & 1)
				k++
			}
			x = append(x, layer)
		}
		p[s] = math.Exp(m.LogJoint(x))
	}
	return p
}

// randomMachine returns a machine of the given sizes with weights of
// scale w and biases N(0, 1).
func randomMachine(sizes []int, w float64, seed uint64) *Machine {
	rng := rand.New(rand.NewPCG(seed, seed))
	m := New(sizes)
	m.Init(rng, w)
	for _, b := range m.B {
		for i := range b {
			b[i] = rng.NormFloat64()
		}
	}
	return m
}

// TestGibbsSamplesPosterior: at temperature 1 the Gibbs machine's chain
// has the posterior as its stationary distribution: the states it reaches
// after many sweeps pass a χ² test against p(h | v) by enumeration. The
// annealed schedule of 1995 ends near the posterior too.
func TestGibbsSamplesPosterior(t *testing.T) {
	m := randomMachine([]int{4, 3, 2}, 1.5, 5)
	v := []uint8{1, 0, 1, 1}
	post := posterior(m, v)
	for _, c := range []struct {
		name            string
		sweeps          int
		t0, cool, limit float64
	}{
		// 31 degrees of freedom: P(χ² > 61) ≈ 0.001.
		{"temperature 1", 30, 1, 1, 61},
		// 20 sweeps of annealing from T = 5 end near the posterior of this
		// net, not at it: only the total variation is bounded (it is 0.04).
		{"annealed", GibbsSweeps, GibbsT0, GibbsCool, math.Inf(1)},
	} {
		g := NewGibbs(m, 0)
		g.Sweeps, g.T0, g.Cool = c.sweeps, c.t0, c.cool
		const n = 100000
		counts := make([]float64, len(post))
		rng := rand.New(rand.NewPCG(6, 6))
		for range n {
			g.Sample(constData(v), rng)
			s, k := 0, 0
			for _, layer := range g.ws.x[1:] {
				for _, x := range layer {
					s |= int(x) << k
					k++
				}
			}
			counts[s]++
		}
		var chi2 float64
		for s, p := range post {
			want := n * p
			chi2 += (counts[s] - want) * (counts[s] - want) / want
		}
		var tv float64
		for s, p := range post {
			tv += math.Abs(counts[s]/n-p) / 2
		}
		t.Logf("%s: χ² = %.1f, total variation %.4f", c.name, chi2, tv)
		if tv > 0.08 {
			t.Errorf("%s: total variation %.4f from the posterior", c.name, tv)
		}
		if chi2 > c.limit {
			t.Errorf("%s: χ² = %.1f over 31 degrees of freedom: the states do not follow the posterior", c.name, chi2)
		}
	}
}

// TestLearnersLearn: the Gibbs machine's and mean field's updates raise
// the likelihood of the data they see (bars-like images; exact log p(v)
// by enumeration).
func TestLearnersLearn(t *testing.T) {
	for name, make := range map[string]func(*Machine) Learner{
		"gibbs":     func(m *Machine) Learner { return NewGibbs(m, 0.05) },
		"meanfield": func(m *Machine) Learner { return NewMeanField(m, 0.05) },
	} {
		m := randomMachine([]int{16, 6}, 0.1, 3)
		for i := range m.B[0] {
			m.B[0][i] = -1
		}
		before := meanLogProb(m, 2000)
		l := make(m)
		rng := rand.New(rand.NewPCG(1, 2))
		for range 20000 {
			l.Step(barsLike{}, rng)
		}
		if after := meanLogProb(m, 2000); !(after > before+1) {
			t.Errorf("%s: mean log p(v): %.3f nats before, %.3f after 20000 steps", name, before, after)
		}
	}
}

// meanLogProb returns the mean exact log p(v) of n bars-like patterns.
func meanLogProb(m *Machine, n int) float64 {
	rng := rand.New(rand.NewPCG(9, 9))
	v := make([]uint8, m.Sizes[0])
	var s float64
	for range n {
		barsLike{}.Sample(v, rng)
		s += logProb(m, v)
	}
	return s / float64(n)
}

// TestGibbsOddsKeptTerms: the change of the children's log-likelihood a
// sweep computes from the kept lanes and exponentials (those of a flip
// taken over when the unit flips) is Σ log σ(±c1) − log σ(±c0) computed
// afresh from the logits, within 1e-10 relatively, through a sequence of
// flips as resample makes them, on 23 and on 1003 children (the lanes'
// logs).
func TestGibbsOddsKeptTerms(t *testing.T) {
	for _, n := range []int{23, 1003} {
		rng := rand.New(rand.NewPCG(6, uint64(n)))
		const units = 9
		child, xc := make([]float64, n), make([]float64, n)
		for i := range child {
			child[i], xc[i] = rng.NormFloat64()*10, float64(rng.IntN(2))
		}
		w, ew, enw := make([][]float64, units), make([][]float64, units), make([][]float64, units)
		state := make([]bool, units)
		for j := range w {
			w[j], ew[j], enw[j] = make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range w[j] {
				w[j][i] = rng.NormFloat64() * 6
				ew[j][i], enw[j][i] = libm.Exp(w[j][i]), libm.Exp(-w[j][i])
			}
			state[j] = rng.IntN(2) == 1
		}
		e, en, e1, en1 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		var sm0, pr0 [gibbsLanes]float64
		gibbsStart(&sm0, &pr0, child, xc, e, en, e1, en1, make([]float64, n), slices.Repeat([]float64{1}, n))
		s0, p0 := reduceLanes(&sm0, &pr0)
		flips := 0
		for step := range 200 {
			j := step % units
			on := state[j]
			var want float64
			for i := range n {
				c1, c0 := child[i]+w[j][i], child[i]
				if on {
					c1, c0 = child[i], child[i]-w[j][i]
				}
				if xc[i] == 0 {
					c1, c0 = -c1, -c0
				}
				want += LogSigmoid(c1) - LogSigmoid(c0)
			}
			f, h := ew[j], enw[j]
			if on {
				f, h = h, f
			}
			sm1, pr1 := [gibbsLanes]float64{}, gibbsOnes
			gibbsFlip(&sm1, &pr1, child, w[j], xc, e, en, f, h, e1, en1, on)
			got, s1, p1 := gibbsChange(s0, p0, &pr0, &sm1, &pr1, n)
			if on {
				got = -got
			}
			if math.Abs(got-want) > 1e-10*(1+math.Abs(want)) {
				t.Fatalf("n %d, step %d: change %v from kept terms, %v afresh", n, step, got, want)
			}
			if rng.IntN(3) == 0 { // flip, as set does
				for i, wi := range w[j] {
					if on {
						child[i] -= wi
					} else {
						child[i] += wi
					}
				}
				state[j] = !on
				e, e1, en, en1 = e1, e, en1, en
				pr0, s0, p0 = pr1, s1, p1
				flips++
			}
		}
		if flips < 40 {
			t.Fatalf("only %d flips", flips)
		}
	}
}
