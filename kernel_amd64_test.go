//go:build !purego

package helmholtz

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz/internal/libm"
)

// withAVX2 runs f with the vector kernels on or off.
func withAVX2(on bool, f func()) {
	saved := useAVX2
	useAVX2 = on
	defer func() { useAVX2 = saved }()
	f()
}

// eachWidth runs f with the AVX-512 kernels off, then, where the processor
// has them, on (the AVX2 kernels take what they leave).
func eachWidth(f func(wide bool)) {
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	for _, wide := range []bool{false, true} {
		if wide && !saved {
			break
		}
		useAVX512 = wide
		f(wide)
	}
}

// TestLanePCGKernels: the AVX2 PCG kernel, where the machine has AVX-512
// and would use pcgUniformsAVX512, passes TestLanePCG too.
func TestLanePCGKernels(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this machine: TestLanePCG tests the AVX2 kernel")
	}
	useAVX512 = false
	defer func() { useAVX512 = true }()
	testLanePCG(t)
}

// TestKernelsTraining checks that training with and without the AVX2
// kernels ends in the same machine, bit for bit, on a net whose layers
// exercise both the vector bodies and the portable tails: by wake-sleep,
// and by reweighted wake-sleep in batches with Adam (whose importance
// weights sum rows with sumRows).
func TestKernelsTraining(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	// Layers of at least wideRows units sum their logits row by row: a
	// 150-130-6 net (widths that are not multiples of four) takes that
	// path in both directions.
	// 300-230-10 has enough weights (71,300) for a batch to be split in
	// two parts.
	for _, sizes := range [][]int{{16, 10, 5, 1}, {150, 130, 6}, {300, 230, 10}} {
		for _, rws := range []bool{false, true} {
			kernelsTraining(t, sizes, rws)
		}
	}
}

func kernelsTraining(t *testing.T, sizes []int, rws bool) {
	steps := 20000
	if sizes[0] > 100 {
		steps = 1000
	}
	if sizes[0] > 200 {
		steps = 200
	}
	train := func() *Machine {
		rng := rand.New(rand.NewPCG(7, 0))
		m := New(sizes)
		m.Init(rng, 0.5)
		var l Learner = NewWakeSleep(m, 0.1, 0.05, 1)
		if rws {
			r := NewReweighted(m, 0.01, 0.01, 3)
			r.Batch, r.Opt = 4, NewAdam()
			l = r
		}
		data := testData{n: sizes[0]}
		for range steps {
			l.Step(data, rng)
		}
		return m
	}
	var fast, slow *Machine
	withAVX2(true, func() { fast = train() })
	withAVX2(false, func() { slow = train() })
	for l := range fast.W {
		if !sameBits(fast.W[l], slow.W[l]) || !sameBits(fast.R[l], slow.R[l]) {
			t.Fatalf("layer %d weights differ with and without AVX2", l)
		}
	}
	for l := range fast.B {
		if !sameBits(fast.B[l], slow.B[l]) || !sameBits(fast.C[l], slow.C[l]) {
			t.Fatalf("layer %d biases differ with and without AVX2", l)
		}
	}
}

// BenchmarkWakeSleepStepPortable is BenchmarkWakeSleepStep with the
// portable kernels, as on a machine without AVX2 or in a purego build.
func BenchmarkWakeSleepStepPortable(b *testing.B) {
	withAVX2(false, func() { benchmarkStep(b) })
}

// TestExpStepKernel: the AVX2 exponential-walk step gives the portable
// step's bits, product and updated factors, with and without g, over
// lengths with and without a tail.
func TestExpStepKernel(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for n := 1; n <= 33; n++ {
		for _, withG := range []bool{true, false} {
			ex, g := make([]float64, n), make([]float64, n)
			for i := range ex {
				ex[i] = rng.ExpFloat64() * 10
				g[i] = rng.ExpFloat64() * 3
			}
			var gg []float64
			if withG {
				gg = g
			}
			a, b := append([]float64(nil), ex...), append([]float64(nil), ex...)
			var pa, pb float64
			withAVX2(true, func() { pa = expStep(a, gg) })
			withAVX2(false, func() { pb = expStep(b, gg) })
			if !sameBits([]float64{pa}, []float64{pb}) || !sameBits(a, b) {
				t.Fatalf("n=%d g=%v: AVX2 %v, portable %v", n, withG, pa, pb)
			}
		}
	}
}

// TestExactWalkKernel: the exact learner's posterior walk gives the same
// cumulative weights, bit for bit, with the AVX2 walk (and the two-state
// loop of 16-8-1) as with the portable steps, on nets that take each
// path: 16-8-1, four upper states, chunks of 256, no kernel.
func TestExactWalkKernel(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, sizes := range [][]int{{16, 8, 1}, {16, 6, 2}, {16, 12, 1}, {12, 8, 1}, {16, 9}} {
		m := New(sizes)
		m.Init(rng, 2)
		v := make([]uint8, sizes[0])
		for i := range v {
			v[i] = uint8(rng.IntN(2))
		}
		cw := func(avx bool) []float64 {
			var out []float64
			withAVX2(avx, func() {
				e := NewExactWake(m, 0, 0)
				e.ws.observe(constData(v), rand.New(rand.NewPCG(1, 1)))
				e.posterior(true)
				out = append(out, e.cw...)
			})
			return out
		}
		if a, b := cw(true), cw(false); !sameBits(a, b) {
			t.Errorf("%v: the AVX2 walk's cumulative weights differ from the portable ones", sizes)
		}
	}
}

// TestAdamKernel: Adam's AVX2 kernel and its portable loop give the same
// bits, over lengths that leave tails of every size.
func TestAdamKernel(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	for _, n := range []int{1, 3, 4, 7, 8, 12, 13, 64, 1001} {
		slow := adamRun(n, false)
		eachWidth(func(wide bool) {
			if fast := adamRun(n, true); !sameBits(fast, slow) {
				t.Fatalf("n = %d: Adam differs with and without AVX2 (AVX-512 %v)", n, wide)
			}
		})
	}
}

// adamRun returns the parameters, then the moments, after ten Adam
// updates of n parameters with random gradients.
func adamRun(n int, avx bool) []float64 {
	var out []float64
	withAVX2(avx, func() {
		rng := rand.New(rand.NewPCG(3, uint64(n)))
		p := [][]float64{make([]float64, n)}
		g := [][]float64{make([]float64, n)}
		a := NewAdam()
		for range 10 {
			for i := range g[0] {
				g[0][i] = rng.NormFloat64() * float64(i%5)
			}
			a.Update(SlotGenWeights, p, g, 0.01)
		}
		out = append(append(append(out, p[0]...), a.M[SlotGenWeights][0]...), a.V[SlotGenWeights][0]...)
	})
	return out
}

// TestLogProbKernel: the AVX2 sum of log σ(±a) gives the bits of the
// portable loop, on logits of every kind (within the table, beyond
// ±30, on its knots, zeros of both signs, infinities, NaN) and lengths
// that leave tails.
func TestLogProbKernel(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	rng := rand.New(rand.NewPCG(6, 6))
	special := []float64{0, math.Copysign(0, -1), 30, -30, 29.9375, -29.9375, 31, -31, 1e300, -1e300,
		math.Inf(1), math.Inf(-1), 0.0625, -0.0625, 5e-324}
	for _, n := range []int{1, 4, 7, 64, 203} {
		for trial := range 20 {
			a, x := make([]float64, n), make([]float64, n)
			for i := range a {
				a[i] = rng.NormFloat64() * 12
				if rng.IntN(4) == 0 {
					a[i] = special[rng.IntN(len(special))]
				}
				x[i] = float64(rng.IntN(2))
			}
			got := stateLogProb(a, x)
			want := stateLogProbGo(a, x, 0, 0)
			if math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("n = %d, trial %d: AVX2 %v, portable %v", n, trial, got, want)
			}
		}
		a, x := make([]float64, n), make([]float64, n)
		a[n/2] = math.NaN()
		if got := stateLogProb(a, x); !math.IsNaN(got) {
			t.Errorf("n = %d with a NaN logit: %v", n, got)
		}
	}
}

// TestGibbsFlipKernel: the Gibbs sweep's flip lanes by AVX2, by AVX-512
// and by the portable loop, bit for bit (a NaN for a NaN), with the unit on and off,
// children on and off, at lengths around the register's eight, from lanes
// already holding sums and products, on logits, weights and exponentials
// at ±0, ±Inf, NaN, huge and tiny.
func TestGibbsFlipKernel(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	eachWidth(func(bool) { gibbsFlipKernel(t) })
}

func gibbsFlipKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e300, -1e300, 1e-300, 709, -745}
	pick := func(x float64) float64 {
		if rng.IntN(6) == 0 {
			return special[rng.IntN(len(special))]
		}
		return x
	}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for _, n := range []int{1, 7, 8, 9, 16, 63, 100, 203} {
		for trial := range 40 {
			arrays := make([][]float64, 7)
			for k := range arrays {
				arrays[k] = make([]float64, n)
			}
			c, w, xc, e, en, f, h := arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5], arrays[6]
			for i := range n {
				c[i], w[i] = pick(rng.NormFloat64()*12), pick(rng.NormFloat64()*6)
				xc[i] = float64(rng.IntN(2))
				e[i], en[i] = pick(libm.Exp(c[i])), pick(libm.Exp(-c[i]))
				f[i], h[i] = pick(libm.Exp(w[i])), pick(libm.Exp(-w[i]))
			}
			on := trial%2 == 1
			var sm, pr, sm2, pr2 [gibbsLanes]float64
			for k := range gibbsLanes {
				sm[k], pr[k] = rng.NormFloat64(), 1+rng.Float64()
			}
			sm2, pr2 = sm, pr
			e1, en1, e12, en12 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			gibbsFlip(&sm, &pr, c, w, xc, e, en, f, h, e1, en1, on)
			gibbsFlipGo(&sm2, &pr2, c, w, xc, e, en, f, h, e12, en12, on, 0)
			for k := range gibbsLanes {
				if !same(sm[k], sm2[k]) || !same(pr[k], pr2[k]) {
					t.Fatalf("n %d, trial %d: lane %d: sum %v product %v, portable %v %v", n, trial, k, sm[k], pr[k], sm2[k], pr2[k])
				}
			}
			for i := range n {
				if !same(e1[i], e12[i]) || !same(en1[i], en12[i]) {
					t.Fatalf("n %d, trial %d: child %d: %v %v, portable %v %v", n, trial, i, e1[i], en1[i], e12[i], en12[i])
				}
			}
		}
	}
}

// TestMeanFieldKernels: the mean-field rows by AVX2 and by the portable
// loops, bit for bit, on factors from e^−40 to e^40, means at and near 0
// and 1, and odds that overflow (the NaN case keeps pb).
func TestMeanFieldKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	eachWidth(func(bool) { meanFieldKernels(t) })
}

func meanFieldKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	vec := func(n int, f func() float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = f()
		}
		return v
	}
	mean := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return 0
		case 1:
			return 1
		case 2:
			return 1 - 1e-17*rng.Float64()
		}
		return rng.Float64()
	}
	factor := func() float64 { return math.Exp(rng.NormFloat64() * 15) }
	same := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return true
	}
	for _, n := range []int{1, 4, 7, 12, 50, 101} {
		for trial := range 30 {
			w, ea, eb := vec(n, func() float64 { return rng.NormFloat64() * 4 }), vec(n, factor), vec(n, factor)
			p, q := mean(), mean()
			z, pa, pb := vec(n, rng.NormFloat64), vec(n, factor), vec(n, factor)
			z2, pa2, pb2 := slices.Clone(z), slices.Clone(pa), slices.Clone(pb)
			mfSumsRow(z, pa, pb, w, ea, eb, p)
			mfSumsRowGo(z2, pa2, pb2, w, ea, eb, p, 0)
			if !same(z, z2) || !same(pa, pa2) || !same(pb, pb2) {
				t.Fatalf("n = %d, trial %d: mfSumsRow differs from its loop", n, trial)
			}
			ma, mb, va, vb := vec(n, rng.NormFloat64), vec(n, rng.NormFloat64), vec(n, rng.Float64), vec(n, rng.Float64)
			ma2, mb2, va2, vb2 := slices.Clone(ma), slices.Clone(mb), slices.Clone(va), slices.Clone(vb)
			mfNewtonRow(ma, mb, va, vb, w, ea, eb, p)
			mfNewtonRowGo(ma2, mb2, va2, vb2, w, ea, eb, p, 0)
			if !same(ma, ma2) || !same(mb, mb2) || !same(va, va2) || !same(vb, vb2) {
				t.Fatalf("n = %d, trial %d: mfNewtonRow differs from its loop", n, trial)
			}
			muc, xic, pbc := vec(n, mean), vec(n, rng.Float64), vec(n, mean)
			g := rng.NormFloat64()
			if a, b := mfGradRow(g, muc, xic, pbc, w, ea, eb, p), mfGradRowGo(g, muc, xic, pbc, w, ea, eb, p, 0); math.Float64bits(a) != math.Float64bits(b) {
				t.Fatalf("n = %d, trial %d: mfGradRow %v, its loop %v", n, trial, a, b)
			}
			pbc2 := slices.Clone(pbc)
			z2 = slices.Clone(z)
			mfMoveRow(z, pbc, w, ea, eb, p, q)
			mfMoveRowGo(z2, pbc2, w, ea, eb, p, q, 0)
			if !same(z, z2) || !same(pbc, pbc2) {
				t.Fatalf("n = %d, trial %d: mfMoveRow differs from its loop", n, trial)
			}
			d, ca, cb := vec(n, rng.NormFloat64), vec(n, rng.Float64), vec(n, rng.Float64)
			w2 := slices.Clone(w)
			eps := 0.01 * rng.Float64()
			mfLearnRow(w, ea, eb, d, ca, cb, p, eps)
			mfLearnRowGo(w2, ea, eb, d, ca, cb, p, eps, 0)
			if !same(w, w2) {
				t.Fatalf("n = %d, trial %d: mfLearnRow differs from its loop", n, trial)
			}
		}
	}
}

// TestMeanFieldExpLog: the exponential and logarithm kernels of the mean
// field give the bits of their libm loops and of math on this machine,
// over ordinary arguments (which they must do themselves) and the ones
// they leave to libm: beyond ±708, NaN, ±Inf, zeros, subnormals,
// negatives, and mantissas at √2/2, where the log's reduction turns.
func TestMeanFieldExpLog(t *testing.T) {
	if !useAVX2 || !hasFMA {
		t.Skip("no AVX2 and FMA on this machine")
	}
	eachWidth(func(bool) { meanFieldExpLog(t) })
	if !useAVX512 {
		return
	}
	// The eight-lane kernels take ordinary arguments whole too, and stop
	// at the group of eight holding one they must not.
	rng := rand.New(rand.NewPCG(5, 5))
	n := 64
	w, ew, xi := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range w {
		w[i], ew[i], xi[i] = rng.NormFloat64()*30, rng.Float64(), rng.Float64()
	}
	ea, eb := make([]float64, n), make([]float64, n)
	if k := mfFactorsRowAVX512(&ea[0], &eb[0], &w[0], &ew[0], &xi[0], n); k != n {
		t.Fatalf("mfFactorsRowAVX512 stopped at %d of %d ordinary arguments", k, n)
	}
	w[10], xi[10] = -709, 1
	if k := mfFactorsRowAVX512(&ea[0], &eb[0], &w[0], &ew[0], &xi[0], n); k != 8 {
		t.Fatalf("mfFactorsRowAVX512 went past e^709 (stopped at %d, want 8)", k)
	}
	pa, pb := make([]float64, n), make([]float64, n)
	for i := range pa {
		pa[i], pb[i] = math.Exp(rng.NormFloat64()*100), math.Exp(rng.NormFloat64()*100)
	}
	if k := mfLogsRowAVX512(&make([]float64, n)[0], &make([]float64, n)[0], &pa[0], &pb[0], n); k != n {
		t.Fatalf("mfLogsRowAVX512 stopped at %d of %d positive normal arguments", k, n)
	}
	pb[20] = 0
	if k := mfLogsRowAVX512(&make([]float64, n)[0], &make([]float64, n)[0], &pa[0], &pb[0], n); k != 16 {
		t.Fatalf("mfLogsRowAVX512 went past log 0 (stopped at %d, want 16)", k)
	}
}

func meanFieldExpLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	hsqrt2 := math.Float64frombits(0x3fe6a09e667f3bcd)
	special := []float64{708, -708, 708.0000000000001, -708.0000000000001, 709.7, -745.2, -800, 1000,
		math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, 1e-310, -1, -1e-300,
		hsqrt2, math.Nextafter(hsqrt2, 0), math.Nextafter(hsqrt2, 1), hsqrt2 * 0x1p-40, hsqrt2 * 0x1p+300,
		0x1p-1022, math.MaxFloat64, 1, 0.5, 2}
	arg := func(tail bool) float64 {
		if tail && rng.IntN(20) == 0 {
			return special[rng.IntN(len(special))]
		}
		switch rng.IntN(3) {
		case 0:
			return rng.NormFloat64() * 30
		case 1:
			return (rng.Float64()*2 - 1) * 708
		}
		return math.Exp(rng.NormFloat64() * 100) // for logs: from 1e-100 to 1e100 and so
	}
	vec := func(n int, tail bool) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = arg(tail)
		}
		return v
	}
	same := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
				return false
			}
		}
		return true
	}
	// Ordinary arguments go through the kernels whole, else the comparisons
	// below would say nothing of them.
	x := vec(64, false)
	for i, v := range x {
		x[i] = math.Mod(v, 700)
	}
	if k := expRowAVX2(&make([]float64, 64)[0], &x[0], 64); k != 64 {
		t.Fatalf("expRowAVX2 stopped at %d of 64 ordinary arguments", k)
	}
	if k := expRowAVX2(&make([]float64, 8)[0], &[]float64{1, 2, 3, 4, 1, 709, 3, 4}[0], 8); k != 4 {
		t.Fatalf("expRowAVX2 went past e^709 (stopped at %d, want 4)", k)
	}
	for i, v := range x {
		x[i] = math.Abs(v) + 1e-300
	}
	if k := mfLogsRowAVX2(&make([]float64, 64)[0], &make([]float64, 64)[0], &x[0], &slices.Clone(x)[0], 64); k != 64 {
		t.Fatalf("mfLogsRowAVX2 stopped at %d of 64 positive normal arguments", k)
	}
	for _, n := range []int{1, 4, 7, 12, 50, 101} {
		for trial := range 200 {
			x := vec(n, true)
			a, b := make([]float64, n), make([]float64, n)
			expRow(a, x)
			expRowGo(b, x, 0)
			for i := range x {
				if c := math.Exp(x[i]); !same(a[i:i+1], []float64{c}) {
					t.Fatalf("expRow(%v) = %v, math.Exp %v", x[i], a[i], c)
				}
			}
			if !same(a, b) {
				t.Fatalf("n = %d, trial %d: expRow differs from its loop", n, trial)
			}

			w, ew, xi := vec(n, true), vec(n, true), make([]float64, n)
			for i := range xi {
				xi[i] = rng.Float64()
			}
			ea, eb, ea2, eb2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			mfFactorsRow(ea, eb, w, ew, xi)
			mfFactorsRowGo(ea2, eb2, w, ew, xi, 0)
			if !same(ea, ea2) || !same(eb, eb2) {
				t.Fatalf("n = %d, trial %d: mfFactorsRow differs from its loop", n, trial)
			}

			la, lb, pa, pb := vec(n, false), vec(n, false), vec(n, true), vec(n, true)
			la2, lb2, pa2, pb2 := slices.Clone(la), slices.Clone(lb), slices.Clone(pa), slices.Clone(pb)
			for i := range pa {
				if l := math.Log(pa[i]); !same([]float64{libm.Log(pa[i])}, []float64{l}) {
					t.Fatalf("libm.Log(%v) = %v, math.Log %v", pa[i], libm.Log(pa[i]), l)
				}
			}
			mfLogsRow(la, lb, pa, pb)
			mfLogsRowGo(la2, lb2, pa2, pb2, 0)
			if !same(la, la2) || !same(lb, lb2) || !same(pa, pa2) || !same(pb, pb2) {
				t.Fatalf("n = %d, trial %d: mfLogsRow differs from its loop", n, trial)
			}

			la, lb = vec(n, true), vec(n, true)
			p, p2 := make([]float64, n), make([]float64, n)
			mfOddsRow(p, la, lb)
			mfOddsRowGo(p2, la, lb, 0)
			if !same(p, p2) {
				t.Fatalf("n = %d, trial %d: mfOddsRow differs from its loop", n, trial)
			}
		}
	}
}

// TestRowKernels: sumRowsMany and addRowsMany give the portable loops'
// bits with the AVX2 kernels and with the AVX-512 ones, for every count
// of samples modulo four (the 512-bit gathers take four at a time, then
// two, then one), widths with and without tails, and lists of every
// density, empty ones included.
func TestRowKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{128, 134, 200, 784} {
		for S := 1; S <= 9; S++ {
			units := 7 + rng.IntN(30)
			rows := make([]float64, units*n)
			for i := range rows {
				rows[i] = rng.NormFloat64()
			}
			active := make([][]int32, S)
			start := make([][]float64, S)
			d := make([]float64, S*n)
			for s := range S {
				p := [...]float64{0, 0.1, 0.5, 0.9, 1}[rng.IntN(5)]
				for i := range units {
					if rng.Float64() < p {
						active[s] = append(active[s], int32(i))
					}
				}
				start[s] = make([]float64, n)
				for i := range start[s] {
					start[s][i] = rng.NormFloat64()
				}
			}
			for i := range d {
				d[i] = rng.NormFloat64()
			}
			nb := rng.IntN(S + 1)
			run := func(avx2 bool) (sums [][]float64, bias, w []float64) {
				withAVX2(avx2, func() {
					sums = make([][]float64, S)
					for s := range sums {
						sums[s] = make([]float64, n)
					}
					sumRowsMany(sums, start, rows, active)
					bias, w = slices.Clone(start[0]), slices.Clone(rows)
					addRowsMany(bias, w, d, active, nb, new(rowLists))
				})
				return sums, bias, w
			}
			s0, b0, w0 := run(false)
			eachWidth(func(wide bool) {
				s1, b1, w1 := run(true)
				for s := range S {
					if !sameBits(s0[s], s1[s]) {
						t.Fatalf("n %d, %d samples, AVX-512 %v: sumRowsMany's sample %d differs", n, S, wide, s)
					}
				}
				if !sameBits(b0, b1) || !sameBits(w0, w1) {
					t.Fatalf("n %d, %d samples, AVX-512 %v: addRowsMany differs", n, S, wide)
				}
			})
		}
	}
}

// BenchmarkSumRowsMany: the logits of 10 samples of a 784-wide layer
// from 200 parents, half of them on in each, with the AVX2 kernels and,
// where the processor has them, the AVX-512 ones.
func BenchmarkSumRowsMany(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const units, n, S = 200, 784, 10
	rows := make([]float64, units*n)
	for i := range rows {
		rows[i] = rng.NormFloat64()
	}
	d, start := make([][]float64, S), make([][]float64, S)
	active := make([][]int32, S)
	for s := range S {
		d[s], start[s] = make([]float64, n), make([]float64, n)
		for i := range units {
			if rng.IntN(2) == 0 {
				active[s] = append(active[s], int32(i))
			}
		}
	}
	eachWidth(func(wide bool) {
		b.Run(map[bool]string{false: "avx2", true: "avx512"}[wide], func(b *testing.B) {
			for b.Loop() {
				sumRowsMany(d, start, rows, active)
			}
		})
	})
}
