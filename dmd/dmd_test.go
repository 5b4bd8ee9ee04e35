package dmd

import (
	"math/rand/v2"
	"slices"
	"testing"

	"helmholtz"
	"helmholtz/dataset"
)

// The published numbers of the ByteDMD reference (github.com/cybertronai/
// ByteDMD, bytedmd.py, its README and tests at commit 2cc2a62), with the
// computations written as the reference's Python writes them.

// dot is sum(i1*i2 for (i1, i2) in zip(a, b)): Python's sum starts from
// the constant 0, so its first addition reads only the first product.
func dot(n int) *Trace {
	var t Trace
	a, b := t.Arg(n), t.Arg(n)
	var s Value = -1
	for i := range n {
		p := t.Op(a[i], b[i])
		if s < 0 {
			s = t.Op(p) // 0 + p
		} else {
			s = t.Op(s, p)
		}
	}
	t.Return(s)
	return &t
}

// add3 is my_add(a, b, c) = (a + b) + c.
func add3() *Trace {
	var t Trace
	a, b, c := t.Arg(1)[0], t.Arg(1)[0], t.Arg(1)[0]
	t.Return(t.Op(t.Op(a, b), c))
	return &t
}

// rowSum returns Σ_j x_j·y_j as s = x_0·y_0, then s = s + x_j·y_j.
func rowSum(t *Trace, n int, x, y func(j int) Value) Value {
	s := t.Op(x(0), y(0))
	for j := 1; j < n; j++ {
		s = t.Op(s, t.Op(x(j), y(j)))
	}
	return s
}

// matvec is y_i = Σ_j A_ij x_j for an n×n A given row by row.
func matvec(n int) *Trace {
	var t Trace
	A, x := t.Arg(n*n), t.Arg(n)
	for i := range n {
		t.Return(rowSum(&t, n, func(j int) Value { return A[i*n+j] }, func(j int) Value { return x[j] }))
	}
	return &t
}

// vecmat is y_j = Σ_i x_i A_ij.
func vecmat(n int) *Trace {
	var t Trace
	A, x := t.Arg(n*n), t.Arg(n)
	for j := range n {
		t.Return(rowSum(&t, n, func(i int) Value { return x[i] }, func(i int) Value { return A[i*n+j] }))
	}
	return &t
}

// matmul is the naive triple loop C_ij = Σ_k A_ik B_kj.
func matmul(n int) *Trace {
	var t Trace
	A, B := t.Arg(n*n), t.Arg(n*n)
	for i := range n {
		for j := range n {
			t.Return(rowSum(&t, n, func(k int) Value { return A[i*n+k] }, func(k int) Value { return B[k*n+j] }))
		}
	}
	return &t
}

func TestReference(t *testing.T) {
	for _, c := range []struct {
		name  string
		trace *Trace
		bytes int
		want  int
	}{
		{"README dot product, a=[0,1], b=[2,3]", dot(2), 1, 12},
		{"my_add", add3(), 1, 6},
		{"my_add, 2 bytes per element", add3(), 2, 14},
		// The README's matvec2: y0 = A[0][0]*x[0] + A[0][1]*x[1], y1 likewise.
		{"README matvec2", matvec(2), 1, 26},
	} {
		if got := c.trace.Cost(c.bytes); got != c.want {
			t.Errorf("%s: cost %d, want %d", c.name, got, c.want)
		}
	}
	for n, want := range map[int]int{2: 26, 3: 75, 4: 157, 5: 270, 6: 422, 7: 615, 8: 896} {
		if got := matvec(n).Cost(1); got != want {
			t.Errorf("matvec N=%d: %d, want %d", n, got, want)
		}
	}
	for n, want := range map[int]int{2: 25, 3: 72, 4: 150, 5: 258, 6: 397, 7: 572, 8: 832} {
		if got := vecmat(n).Cost(1); got != want {
			t.Errorf("vecmat N=%d: %d, want %d", n, got, want)
		}
	}
	for n, want := range map[int]int{2: 57, 4: 720, 8: 8867, 16: 109783} {
		if got := matmul(n).Cost(1); got != want {
			t.Errorf("matmul N=%d: %d, want %d", n, got, want)
		}
	}
}

func TestSumCeilSqrt(t *testing.T) {
	want := 0
	for n := 1; n <= 5000; n++ {
		r := 0
		for r*r < n {
			r++
		}
		want += r
		if got := sumCeilSqrt(n); got != want {
			t.Fatalf("sumCeilSqrt(%d) = %d, want %d", n, got, want)
		}
	}
}

// naiveDepths prices t with the stack as a plain slice (top last), the
// rules read straight off the package comment.
func naiveDepths(t *Trace) []int {
	read := map[Value]int{} // last operation reading each value
	for i := range t.outs {
		for _, v := range t.inputs(i) {
			read[v] = i
		}
	}
	kept := map[Value]bool{}
	for _, v := range t.ret {
		kept[v] = true
	}
	live := func(v Value, after int) bool { i, ok := read[v]; return kept[v] || ok && i > after }
	var st []Value
	for b := len(t.args) - 1; b >= 0; b-- {
		for _, v := range t.args[b] {
			if live(v, -1) {
				st = append(st, v)
			}
		}
	}
	var depths []int
	for i, r := range t.outs {
		in := t.inputs(i)
		for _, v := range in {
			for k := len(st) - 1; k >= 0; k-- {
				if st[k] == v {
					depths = append(depths, len(st)-k)
				}
			}
		}
		moved := map[Value]bool{}
		for _, v := range in {
			if moved[v] {
				continue
			}
			moved[v] = true
			for k := range st {
				if st[k] == v {
					st = append(st[:k], st[k+1:]...)
					break
				}
			}
			if live(v, i) {
				st = append(st, v)
			}
		}
		if live(r, i) {
			st = append(st, r)
		}
	}
	return depths
}

// TestDepthsMatchNaive: random traces (repeated inputs, unread arguments,
// unread results, returned values) give the same depths as the plain
// simulation.
func TestDepthsMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		var tr Trace
		var vals []Value
		for range 1 + rng.IntN(4) {
			vals = append(vals, tr.Arg(rng.IntN(5))...)
		}
		if len(vals) == 0 {
			vals = append(vals, tr.Arg(1)...)
		}
		for range rng.IntN(40) {
			in := make([]Value, 1+rng.IntN(3))
			for k := range in {
				in[k] = vals[rng.IntN(len(vals))]
			}
			vals = append(vals, tr.Op(in...))
		}
		for range rng.IntN(3) {
			tr.Return(vals[rng.IntN(len(vals))])
		}
		got, want := tr.Depths(), naiveDepths(&tr)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: depths %v, want %v", trial, got, want)
		}
	}
}

func TestRules(t *testing.T) {
	// A repeated operand is charged twice, against the stack before.
	var sq Trace
	x := sq.Arg(2)
	sq.Return(sq.Op(x[0], x[0]), x[1]) // x1 is live (returned), on top
	if d := sq.Depths(); !slices.Equal(d, []int{2, 2}) {
		t.Errorf("x0*x0 reads at depths %v, want [2 2]", d)
	}
	// An argument never read takes no place: x1 is unread, so x0 is on top.
	var skip Trace
	y := skip.Arg(2)
	skip.Return(skip.Op(y[0]))
	if d := skip.Depths(); !slices.Equal(d, []int{1}) {
		t.Errorf("reading the only live argument: depths %v, want [1]", d)
	}
	// A result never read is dead at birth.
	var dead Trace
	a, b := dead.Arg(1)[0], dead.Arg(1)[0]
	dead.Op(a)
	dead.Op(b)
	dead.Return(dead.Op(a))
	if d := dead.Depths(); !slices.Equal(d, []int{1, 2, 1}) {
		t.Errorf("depths %v, want [1 2 1] (the unread results take no place)", d)
	}
}

// BenchmarkCost prices a trace the size of a 64-16-1 net's matrix
// products: 64×16 multiply-adds, twice.
func BenchmarkCost(b *testing.B) {
	var t Trace
	W, v := t.Arg(64*16), t.Arg(64)
	for range 2 {
		for j := range 16 {
			t.Return(rowSum(&t, 64, func(i int) Value { return v[i] }, func(i int) Value { return W[i*16+j] }))
		}
	}
	b.ReportMetric(float64(t.Reads()), "reads")
	for b.Loop() {
		t.Cost(1)
	}
}

// TestSimultaneous: a+b and b+a cost the same (inputs are priced against
// the stack before the operation); a+a charges a twice; a value whose
// last use has passed leaves the stack, so what lies below it moves up.
func TestSimultaneous(t *testing.T) {
	build := func(f func(t *Trace, a, b Value)) int {
		var tr Trace
		args := tr.Arg(3)
		f(&tr, args[0], args[1])
		tr.Return(args[2])
		return tr.Cost(1)
	}
	ab := build(func(t *Trace, a, b Value) { t.Return(t.Op(a, b)) })
	ba := build(func(t *Trace, a, b Value) { t.Return(t.Op(b, a)) })
	if ab != ba {
		t.Errorf("a+b costs %d, b+a %d", ab, ba)
	}
	var twice Trace
	x := twice.Arg(2)
	twice.Return(twice.Op(x[0], x[0]), x[1])
	if d := twice.Depths(); len(d) != 2 || d[0] != d[1] {
		t.Errorf("a+a reads at depths %v, want the same depth twice", d)
	}
	// a below a dead b: after b's last use, a is one place higher.
	var dead Trace
	y := dead.Arg(3) // a, b, c in one block: c on top, a at the bottom
	dead.Op(y[1])    // b's last use
	dead.Return(dead.Op(y[0]), y[2])
	if d := dead.Depths(); d[1] != 2 {
		t.Errorf("a after b died reads at depth %d, want 2 (c above it, b gone)", d[1])
	}
}

// BenchmarkPrice64161 traces and prices one wake-sleep step of a 64-16-1
// net (issue 11's target: under 50 ms).
func BenchmarkPrice64161(b *testing.B) {
	set, _ := dataset.Parse("bars:8x8")
	m := helmholtz.New([]int{64, 16, 1})
	m.Init(rand.New(rand.NewPCG(1, 1)), 0.1)
	rng := rand.New(rand.NewPCG(2, 2))
	for b.Loop() {
		tr, _ := WakeSleepStep(m, set, 0.1, 0.1, rng)
		tr.Cost(8)
	}
}
