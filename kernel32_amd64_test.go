//go:build !purego

package helmholtz

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func same32(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// logits32 returns n logits: normal ones of every scale, and the values
// at which σ's and log σ's clamps and branches change, NaN and
// infinities.
func logits32(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), 30, -30, 29.999998, -29.999998, 30.000002, -30.000002,
		29.9375, -29.9375, 29.96875, 29.99, 1.0 / 16, -1.0 / 16, 87, -87, 86.99, -86.99, 88, -88, 88.5, -88.5,
		17, -17, 1e-8, -1e-8, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	a := make([]float32, n)
	for i := range a {
		switch rng.IntN(4) {
		case 0:
			a[i] = special[rng.IntN(len(special))]
		case 1:
			a[i] = float32(rng.IntN(961)-480) / 16 // on a knot
		default:
			a[i] = float32(rng.NormFloat64() * []float64{0.1, 3, 20, 50}[rng.IntN(4)])
		}
	}
	return a
}

// TestKernels32: each float32 kernel gives the portable loops' bits with
// AVX-512, for layer sizes with and without a tail of the block, every
// density of active units, and logits at σ's and log σ's clamps and
// branches, NaN and infinities.
func TestKernels32(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this machine: the portable loops do all the work")
	}
	rng := rand.New(rand.NewPCG(5, 32))
	for _, n := range []int{1, 3, 15, 16, 17, 31, 32, 33, 64, 100, 127, 128, 129, 200, 784} {
		for trial := range 6 {
			units := 1 + rng.IntN(40)
			rows := make([]float32, units*n)
			for i := range rows {
				rows[i] = float32(rng.NormFloat64())
			}
			S := 1 + rng.IntN(9)
			active, start := make([][]int32, S), make([][]float32, S)
			for s := range S {
				p := [...]float64{0, 0.1, 0.5, 0.9, 1}[rng.IntN(5)]
				for i := range units {
					if rng.Float64() < p {
						active[s] = append(active[s], int32(i))
					}
				}
				start[s] = logits32(rng, n)
			}
			d := make([]float32, S*n)
			for i := range d {
				d[i] = float32(rng.NormFloat64())
			}
			nb := rng.IntN(S + 1)
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.IntN(2))
			}
			r := make([]uint64, (n+1)/2)
			for i := range r {
				r[i] = rng.Uint64()
			}
			a := logits32(rng, n)
			finite := slices.Clone(a) // for the log probability: a NaN would hide every other term
			for i, v := range finite {
				if v != v {
					finite[i] = 1.5
				}
			}
			hg := make([]float32, n)
			for i := range hg {
				hg[i] = float32(rng.NormFloat64())
			}
			consts := (&adamConsts{b1: 0.9, nb1: 0.1, b2: 0.999, nb2: 0.001, c2: 1 - math.Pow(0.999, 3), step: 0.01 / (1 - math.Pow(0.9, 3)), eps: 1e-8}).float32s(0.25)

			type out struct {
				sums, many, bias, w, delta, xs, p, m, v, p2 []float32
				act                                         []int32
				c                                           int
				lp                                          float64
			}
			run := func() (o out) {
				o.sums = make([]float32, n)
				sumRows32(o.sums, start[0], rows, active[0])
				many := make([][]float32, S)
				for s := range many {
					many[s] = make([]float32, n)
				}
				sumRowsMany32(many, start, rows, active)
				for _, m := range many {
					o.many = append(o.many, m...)
				}
				o.bias, o.w = slices.Clone(start[0]), slices.Clone(rows)
				addRowsMany32(o.bias, o.w, d, active, nb, new(rowLists))
				// Outputs with 16 sentinels past their ends, which the
				// masked last blocks must not write.
				guarded := func() []float32 {
					b := make([]float32, n+16)
					for i := range b {
						b[i] = 7
					}
					return b
				}
				dg, xg := guarded(), guarded()
				deltas32(dg[:n], a, x, 0.3)
				o.xs, o.act = xg[:n], make([]int32, n)
				o.c = sampleLayer32(make([]float32, n), a, nil, nil, r, o.xs, o.act)
				o.delta = dg[:n]
				for i := n; i < n+16; i++ {
					if dg[i] != 7 || xg[i] != 7 {
						t.Fatalf("n %d: deltas32 or sampleLayer32 wrote past the end", n)
					}
				}
				o.lp = stateLogProb32(finite, x)
				o.p, o.m, o.v = slices.Clone(rows[:n]), slices.Clone(hg), slices.Clone(x)
				g, h := slices.Clone(d[:n]), slices.Clone(hg)
				adam32(o.p, g, h, o.m, o.v, &consts)
				o.p2 = slices.Clone(rows[:n])
				m2, v2, g2 := slices.Clone(hg), slices.Clone(x), slices.Clone(d[:n])
				adam32(o.p2, g2, nil, m2, v2, &consts)
				o.p2 = append(append(append(append(append(o.p2, m2...), v2...), g...), h...), g2...)
				return o
			}
			var want out
			eachWidth(func(wide bool) {
				got := run()
				if !wide {
					want = got
					return
				}
				for _, c := range []struct {
					name      string
					got, want []float32
				}{
					{"sumRows32", got.sums, want.sums}, {"sumRowsMany32", got.many, want.many},
					{"addRowsMany32's bias", got.bias, want.bias}, {"addRowsMany32's rows", got.w, want.w},
					{"deltas32", got.delta, want.delta}, {"sampleLayer32's states", got.xs, want.xs},
					{"adam32's parameters", got.p, want.p}, {"adam32's first moments", got.m, want.m},
					{"adam32's second moments", got.v, want.v}, {"adam32 without h, and the sums it clears", got.p2, want.p2},
				} {
					if !same32(c.got, c.want) {
						t.Fatalf("n %d trial %d: %s differ", n, trial, c.name)
					}
				}
				if got.c != want.c || !slices.Equal(got.act[:got.c], want.act[:want.c]) {
					t.Fatalf("n %d trial %d: sampleLayer32 switched on %v, want %v", n, trial, got.act[:got.c], want.act[:want.c])
				}
				if math.Float64bits(got.lp) != math.Float64bits(want.lp) {
					t.Fatalf("n %d trial %d: stateLogProb32 %v, want %v", n, trial, got.lp, want.lp)
				}
			})
		}
	}
}
