package exact

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
)

// bruteGap computes log p(v), KL(q ‖ p(·|v)), KL(p(·|v) ‖ q) and the ELBO
// (all in nats) by Bayes' rule over every latent state, from LogJoint and
// the log q that logq gives: an oracle independent of the evaluator.
func bruteGap(m *helmholtz.Machine, v []uint8, logq func(x [][]uint8) float64) (logp, qp, pq, elbo float64) {
	logp = bruteLogProb(m, v)
	latent := 0
	for _, n := range m.Sizes[1:] {
		latent += n
	}
	for c := range 1 << latent {
		x := [][]uint8{v}
		shift := 0
		for _, n := range m.Sizes[1:] {
			x = append(x, bitsOf(c>>shift, n))
			shift += n
		}
		lj, lq := m.LogJoint(x), logq(x)
		post := lj - logp // log p(x | v)
		qp += math.Exp(lq) * (lq - post)
		pq += math.Exp(post) * (post - lq)
		elbo += math.Exp(lq) * (lj - lq)
	}
	return logp, qp, pq, elbo
}

func allPatterns(n int) [][]uint8 {
	var pats [][]uint8
	for x := range 1 << n {
		pats = append(pats, bitsOf(x, n))
	}
	return pats
}

// TestGapAgainstBayes: on small nets the gap evaluator agrees with Bayes'
// rule by brute force to 1e-9, for the machine's own recognition net and
// for a mixture of recognition nets, and the ELBO plus the gap is log p(v).
func TestGapAgainstBayes(t *testing.T) {
	for _, sizes := range [][]int{{4, 2, 1}, {6, 3, 2}, {5, 2, 2, 1}, {3, 4}} {
		for _, scale := range []float64{0.5, 3} {
			m := randomMachine(sizes, scale, 13)
			pats := allPatterns(sizes[0])
			g, err := NewGapEvaluator(sizes, pats, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Two extra components and a gate over them.
			comps := []*helmholtz.Machine{m, randomMachine(sizes, scale, 14), randomMachine(sizes, scale, 15)}
			logPi := func(v []uint8, dst []float64) {
				z := []float64{0.3, -0.5 + float64(v[0]), 0.1 * float64(len(v))}
				s := math.Log(math.Exp(z[0]) + math.Exp(z[1]) + math.Exp(z[2]))
				for c := range dst {
					dst[c] = z[c] - s
				}
			}
			mixture := Recognition{LogPi: logPi}
			for _, c := range comps {
				mixture.C = append(mixture.C, c.C)
				mixture.R = append(mixture.R, c.R)
			}
			for name, q := range map[string]Recognition{"own": Factorial(m), "mixture": mixture} {
				got := g.Eval(m, q)
				for k, v := range pats {
					logq := m.LogRecognition
					if name == "mixture" {
						logq = func(x [][]uint8) float64 {
							pi := make([]float64, 3)
							logPi(v, pi)
							terms := make([]float64, 3)
							for c, cm := range comps {
								terms[c] = pi[c] + cm.LogRecognition(x)
							}
							return logSumExp(terms)
						}
					}
					logp, qp, pq, elbo := bruteGap(m, v, logq)
					p := got.Patterns[k]
					for _, c := range []struct {
						what      string
						got, want float64
					}{
						{"log p(v)", p.LogP, logp / math.Ln2},
						{"KL(q‖p)", p.QP, qp / math.Ln2},
						{"KL(p‖q)", p.PQ, pq / math.Ln2},
						{"ELBO + gap", elbo/math.Ln2 + p.QP, p.LogP},
					} {
						if math.Abs(c.got-c.want) > 1e-9*max(1, math.Abs(c.want)) {
							t.Errorf("sizes %v scale %v %s q, pattern %v: %s = %.12g, want %.12g", sizes, scale, name, v, c.what, c.got, c.want)
						}
					}
				}
			}
		}
	}
}

// TestGapZeroForExactPosterior: in a two-layer net whose hidden units see
// disjoint pixels the posterior is factorial, and a recognition net set to
// it has no gap.
func TestGapZeroForExactPosterior(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	nv, n1 := 6, 3 // unit j sees pixels 2j and 2j+1
	m := helmholtz.New([]int{nv, n1})
	for i := range m.B[0] {
		m.B[0][i] = rng.NormFloat64()
	}
	for j := range n1 {
		m.B[1][j] = rng.NormFloat64()
		m.C[1][j] = m.B[1][j]
		for _, i := range []int{2 * j, 2*j + 1} {
			w := 2 * rng.NormFloat64()
			m.W[0][j*nv+i] = w
			// log p(h_j = 1 | v) − log p(h_j = 0 | v) gains v_i·w and
			// softplus(b_i) − softplus(b_i + w) from pixel i.
			m.R[0][i*n1+j] = w
			m.C[1][j] += helmholtz.Softplus(m.B[0][i]) - helmholtz.Softplus(m.B[0][i]+w)
		}
	}
	pats := allPatterns(nv)
	g, err := NewGapEvaluator(m.Sizes, pats, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range g.Eval(m, Factorial(m)).Patterns {
		if p.QP > 1e-12 || p.PQ > 1e-12 {
			t.Errorf("pattern %v: KL(q‖p) = %g, KL(p‖q) = %g bits, want 0", pats[k], p.QP, p.PQ)
		}
	}
	// Moving one recognition weight opens a gap.
	m.R[0][0] += 1
	if gap := g.Eval(m, Factorial(m)).Patterns[1].QP; !(gap > 1e-3) {
		t.Errorf("with a wrong recognition weight the gap is %g bits", gap)
	}
}

// TestGapBars: on the bars the averages are the shares' and patterns'
// sums, and KL and NLL agree with Evaluator's.
func TestGapBars(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	m := randomMachine([]int{16, 8, 1}, 1, 21)
	g, err := NewGapEvaluator(m.Sizes, images, probs)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := NewEvaluator(m.Sizes, images, probs)
	got, want := g.Eval(m, Factorial(m)), e.Eval(m)
	if math.Abs(got.KL-want.KL) > 1e-9 || math.Abs(got.NLL-want.NLL) > 1e-9 {
		t.Errorf("KL %v NLL %v, evaluator %v %v", got.KL, got.NLL, want.KL, want.NLL)
	}
	var shares, gap float64
	for k, p := range got.Patterns {
		shares += p.Share
		gap += probs[k] * p.QP
	}
	if math.Abs(shares-got.KL) > 1e-9 || math.Abs(gap-got.Gap) > 1e-12 || !(got.Gap > 0) {
		t.Errorf("shares sum to %v (KL %v); gap %v, mean %v", shares, got.KL, got.Gap, gap)
	}
}

func BenchmarkGap(b *testing.B) {
	images, probs := dataset.NewBars(4, 4).Support()
	m := randomMachine([]int{16, 8, 1}, 1, 21)
	g, err := NewGapEvaluator(m.Sizes, images, probs)
	if err != nil {
		b.Fatal(err)
	}
	q := Factorial(m)
	b.ReportAllocs()
	for b.Loop() {
		g.Eval(m, q)
	}
}

// TestGapWalk: the walk and the general path agree to 1e-10 on the bars,
// for random and trained-like nets, deep ones included.
func TestGapWalk(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	for _, sizes := range [][]int{{16, 8, 1}, {16, 6, 3, 2}, {16, 5}, {16, 4, 3}} {
		for _, scale := range []float64{0.1, 1, 4} {
			m := randomMachine(sizes, scale, 5)
			walk, _ := NewGapEvaluator(sizes, images, probs)
			general, _ := NewGapEvaluator(sizes, images, probs)
			general.noWalk = true
			a, b := walk.Eval(m, Factorial(m)), general.Eval(m, Factorial(m))
			for k := range a.Patterns {
				pa, pb := a.Patterns[k], b.Patterns[k]
				for _, c := range [][2]float64{{pa.LogP, pb.LogP}, {pa.QP, pb.QP}, {pa.PQ, pb.PQ}, {pa.Share, pb.Share}} {
					if math.Abs(c[0]-c[1]) > 1e-10*max(1, math.Abs(c[1])) {
						t.Fatalf("sizes %v scale %v pattern %d: walk %+v, general %+v", sizes, scale, k, pa, pb)
					}
				}
			}
		}
	}
}

// TestGapWalkParts: the walk shared among cores, a block of the patterns
// each, gives every pattern's gap the bits of one part.
func TestGapWalkParts(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	sizes := []int{16, 6, 3}
	m := randomMachine(sizes, 1, 7)
	gaps := func(work, procs int) Gaps {
		defer func(w, p int) { parallelWork = w; runtime.GOMAXPROCS(p) }(parallelWork, runtime.GOMAXPROCS(procs))
		parallelWork = work
		g, err := NewGapEvaluator(sizes, images, probs)
		if err != nil {
			t.Fatal(err)
		}
		return g.Eval(m, Factorial(m))
	}
	want := gaps(1<<62, 1)
	for _, procs := range []int{2, 4, 8} {
		got := gaps(0, procs)
		for k, pw := range want.Patterns {
			pg := got.Patterns[k]
			for _, c := range [][2]float64{{pg.LogP, pw.LogP}, {pg.QP, pw.QP}, {pg.PQ, pw.PQ}, {pg.Share, pw.Share}} {
				if math.Float64bits(c[0]) != math.Float64bits(c[1]) {
					t.Fatalf("%d parts, pattern %d: %+v, one part %+v", procs, k, pg, pw)
				}
			}
		}
	}
}
