package exact

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// addRef is sums.add as a plain loop, without kernels.
func addRef(s sums, v []float64, scale float64) {
	for i, x := range v {
		d := x - s.mx[i]
		if d > slack {
			s.sum[i] *= expOne(-d)
			s.mx[i] = x
			d = 0
		}
		v[i] = d
	}
	expAddGo(s.sum[:len(v)], v, scale, 0)
}

// TestAddSparse: add and addSparse leave every sum with the bits a plain
// loop gives it,
// over terms from far below the floor to past the slack (rescales), with
// scales from tiny to large and the odd NaN or −∞, while skipping most of
// the small terms; addSparse with its AVX-512 scan and without, and given
// the terms as c + dot[i] + sign·row[i], a walk's step, as well as whole.
func TestAddSparse(t *testing.T) {
	saved := useAVX512
	defer func() { useAVX512 = saved }()
	for _, kernel := range []bool{false, saved} {
		for _, walk := range []bool{false, true} {
			useAVX512 = kernel
			t.Run(fmt.Sprintf("avx512=%v,walk=%v", kernel, walk), func(t *testing.T) { testAddSparse(t, walk) })
		}
	}
}

func testAddSparse(t *testing.T, walk bool) {
	const n = 3003 // not a multiple of 8: the scan's tail
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := newSums(n, true), newSums(n, true), newSums(n, false)
	a.start()
	b.start()
	c.start()
	va, vb, vc := make([]float64, n), make([]float64, n), make([]float64, n)
	skipped, terms := 0, 0
	for step := range 400 {
		scale := math.Exp(60 * (rng.Float64() - 0.7))
		spread := []float64{1, 10, 45, 120}[step%4]
		for i := range va {
			x := spread * rng.NormFloat64()
			switch rng.IntN(1000) {
			case 0:
				x = math.NaN()
			case 1:
				x = math.Inf(-1)
			}
			va[i], vb[i], vc[i] = x, x, x
		}
		// The terms within a factor 2^±2 of the floor, the ones a wrong
		// floor would skip.
		for i := range 20 {
			if f := b.floor[i]; !math.IsInf(f, -1) {
				vb[i] = b.mx[i] + f - math.Log(scale) + 3*math.Ln2*(rng.Float64()-0.5)
				va[i], vc[i] = vb[i], vb[i]
			}
		}
		// A walk's step gives its terms as c + (dot[i] + sign·row[i]), and
		// leaves dot[i] + sign·row[i] in dot.
		var cw float64
		var dot, row, moved []float64
		if walk {
			cw, dot, row, moved = 0.25*rng.NormFloat64(), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range dot {
				row[i] = rng.NormFloat64()
				dot[i] = vb[i] - cw + row[i]
				moved[i] = dot[i] + float64(-1*row[i])
				va[i] = cw + moved[i]
				vb[i], vc[i] = va[i], va[i]
			}
		}
		before := append([]float64(nil), b.sum...)
		a.add(va, scale)
		if walk {
			b.addSparse(cw, dot, row, -1, scale)
			for i := range dot {
				if math.Float64bits(dot[i]) != math.Float64bits(moved[i]) {
					t.Fatalf("step %d: dot[%d] = %v after the walk's step, want %v", step, i, dot[i], moved[i])
				}
			}
		} else {
			b.addSparse(0, vb, nil, 0, scale)
		}
		addRef(c, vc, scale)
		for i := range n {
			if math.Float64bits(a.sum[i]) != math.Float64bits(c.sum[i]) || math.Float64bits(a.mx[i]) != math.Float64bits(c.mx[i]) {
				t.Fatalf("step %d, sum %d: add gives %v·e^%v, a plain loop %v·e^%v", step, i, a.sum[i], a.mx[i], c.sum[i], c.mx[i])
			}
			if math.Float64bits(a.sum[i]) != math.Float64bits(b.sum[i]) || math.Float64bits(a.mx[i]) != math.Float64bits(b.mx[i]) {
				t.Fatalf("step %d, sum %d: add gives %v·e^%v, addSparse %v·e^%v", step, i, a.sum[i], a.mx[i], b.sum[i], b.mx[i])
			}
			if b.sum[i] == before[i] {
				skipped++
			}
			terms++
		}
	}
	if skipped < terms/4 {
		t.Errorf("%d of %d terms left their sums as they were; want many", skipped, terms)
	}
}

// TestFloorOf: a term below e^floorOf(s) leaves s as it is when added; one
// of four times e^floorOf(s), half an ulp, may not.
func TestFloorOf(t *testing.T) {
	for _, s := range []float64{1, 1.5, math.Nextafter(2, 0), 3e-200, 7e250, 0x1p-998} {
		f := math.Exp(floorOf(s))
		if s+math.Nextafter(f, 0) != s {
			t.Errorf("%v + e^floorOf = %v, want %v", s, s+f, s)
		}
		if ulp := math.Nextafter(s, math.Inf(1)) - s; math.Abs(4*f/ulp-1) > 1e-12 {
			t.Errorf("floorOf(%v) = log %v, want log of a quarter of its ulp %v", s, f, ulp)
		}
	}
	for _, s := range []float64{0, 5e-324, 0x1p-1010} {
		if f := floorOf(s); !math.IsInf(f, -1) {
			t.Errorf("floorOf(%v) = %v, want −∞", s, f)
		}
	}
}

// TestApplyKernel: addSparse's last loop, by its kernel where there is
// one, leaves every sum and floor with the Go loop's bits, for sums from
// zero and subnormals past the floor's least exponent (24) to +∞ and NaN.
func TestApplyKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 203
	special := []float64{0, math.SmallestNonzeroFloat64, 0x1p-1000, 0x1p-999, 0x1p-1000 * 3, math.Ldexp(1, 24-1023), math.Ldexp(1.5, 23-1023), 1, 1e300, math.Inf(1), math.NaN()}
	for round := range 50 {
		sum, floor := make([]float64, n), make([]float64, n)
		for i := range sum {
			sum[i] = math.Exp(1400 * (rng.Float64() - 0.5))
			if rng.IntN(4) == 0 {
				sum[i] = special[rng.IntN(len(special))]
			}
			floor[i] = rng.NormFloat64()
		}
		idx := make([]int32, 0, n)
		for _, i := range rng.Perm(n)[:n-round] {
			idx = append(idx, int32(i))
		}
		ts := make([]float64, len(idx))
		for j := range ts {
			ts[j] = math.Exp(1400*(rng.Float64()-0.5)) * float64(rng.IntN(2))
		}
		wantSum, wantFloor := slices.Clone(sum), slices.Clone(floor)
		for j, i := range idx {
			wantSum[i] += ts[j]
			wantFloor[i] = floorOf(wantSum[i])
		}
		for j := applyKernel(sum, floor, ts, idx); j < len(idx); j++ {
			i := idx[j]
			sum[i] += ts[j]
			floor[i] = floorOf(sum[i])
		}
		for i := range sum {
			if math.Float64bits(sum[i]) != math.Float64bits(wantSum[i]) || math.Float64bits(floor[i]) != math.Float64bits(wantFloor[i]) {
				t.Fatalf("round %d, sum %d: %v with floor %v, want %v with floor %v", round, i, sum[i], floor[i], wantSum[i], wantFloor[i])
			}
		}
	}
}
