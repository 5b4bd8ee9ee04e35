// Package dmd prices computations by data movement, in the ByteDMD model
// (github.com/cybertronai/ByteDMD): memory is an LRU stack of live values,
// reading a value at depth d costs ⌈√d⌉, and arithmetic and writes are
// free.
//
// A Trace records a computation as operations on values: Arg declares
// the arguments, Op an operation that reads values and makes a new one,
// Return the values that stay live at the end. Indexing, copies and
// constants are free: they are Go code around the trace, not operations
// on it. Cost then prices the recorded computation:
//
//   - the arguments start on the stack at no cost, pushed so that the
//     first argument's block ends on top and, within a block, its last
//     value is on top;
//   - each operation prices all its inputs against the stack as it was
//     before the operation (an input read twice is charged twice), then
//     moves its distinct inputs to the top in read order and pushes its
//     result for free;
//   - a value leaves the stack the moment its last use has passed: an
//     argument never read never occupies it, a result never read is dead
//     at birth, returned values stay.
//
// With b bytes per value, a value at depth d (counted in values) occupies
// the slots (d−1)b+1 … db, each costing ⌈√slot⌉.
package dmd

import (
	"fmt"
	"math"
	"slices"
)

// Value is a value of a trace.
type Value int32

// Trace is a recorded computation.
type Trace struct {
	n      int       // values made
	bit    []bool    // per value: a binary state (see CostSized)
	args   [][]Value // argument blocks, in order
	ins    []Value   // inputs of every operation, concatenated
	starts []int32   // per operation: where its inputs start in ins
	outs   []Value   // per operation: its result
	ret    []Value
}

// Arg declares the next argument of the computation, a block of n values.
func (t *Trace) Arg(n int) []Value {
	b := make([]Value, n)
	for i := range b {
		b[i] = t.new()
	}
	t.args = append(t.args, slices.Clone(b)) // the caller may reuse b
	return b
}

func (t *Trace) new() Value {
	if t.n == math.MaxInt32 {
		panic("dmd: too many values")
	}
	t.n++
	t.bit = append(t.bit, false)
	return Value(t.n - 1)
}

// Bits marks values as binary states, which CostSized may store in fewer
// bytes than numbers.
func (t *Trace) Bits(v ...Value) {
	for _, x := range v {
		t.bit[x] = true
	}
}

// Op records an operation that reads in, in order, and returns its result.
// A conversion (say float to bool) is an operation of one input.
func (t *Trace) Op(in ...Value) Value {
	for _, v := range in {
		if v < 0 || int(v) >= t.n {
			panic(fmt.Sprintf("dmd: value %d is not of this trace", v))
		}
	}
	t.starts = append(t.starts, int32(len(t.ins)))
	t.ins = append(t.ins, in...)
	r := t.new()
	t.outs = append(t.outs, r)
	return r
}

// Return marks values that stay live at the end of the computation.
func (t *Trace) Return(v ...Value) { t.ret = append(t.ret, v...) }

// Ops returns the number of operations recorded.
func (t *Trace) Ops() int { return len(t.outs) }

// Reads returns the number of reads recorded.
func (t *Trace) Reads() int { return len(t.ins) }

// inputs returns the inputs of operation i.
func (t *Trace) inputs(i int) []Value {
	end := len(t.ins)
	if i+1 < len(t.starts) {
		end = int(t.starts[i+1])
	}
	return t.ins[t.starts[i]:end]
}

// Depths returns the depth, in values, of every read, in order.
func (t *Trace) Depths() []int {
	depths := make([]int, 0, len(t.ins))
	t.price(func(Value) int { return 1 }, func(_, above, _ int) { depths = append(depths, above+1) })
	return depths
}

// Cost prices the trace with bytesPerValue bytes per value.
func (t *Trace) Cost(bytesPerValue int) int { return t.CostSized(bytesPerValue, bytesPerValue) }

// CostSized prices the trace with numbers of numBytes bytes and binary
// states (Bits) of bitBytes: a value with s bytes below a stack top
// holding a bytes of live values above it costs Σ ⌈√slot⌉ over the slots
// a+1 … a+s.
func (t *Trace) CostSized(numBytes, bitBytes int) int {
	return t.Split(numBytes, bitBytes, nil)[0]
}

// Split is CostSized, split by operation: part k sums the reads of the
// operations from ends[k−1] (0 for the first) up to ends[k], the last
// part those after the last end.
func (t *Trace) Split(numBytes, bitBytes int, ends []int) []int {
	if numBytes < 1 || bitBytes < 1 {
		panic("dmd: bytes per value must be ≥ 1")
	}
	size := func(v Value) int {
		if t.bit[v] {
			return bitBytes
		}
		return numBytes
	}
	parts := make([]int, len(ends)+1)
	t.price(size, func(op, above, s int) {
		k := 0
		for k < len(ends) && op >= ends[k] {
			k++
		}
		parts[k] += sumCeilSqrt(above+s) - sumCeilSqrt(above)
	})
	return parts
}

// price runs the stack of the trace with values of the given sizes and
// calls read with the operation, the bytes above each value read and its
// size, in order.
func (t *Trace) price(size func(Value) int, read func(op, above, size int)) {
	const never, always = -1, math.MaxInt32
	last := make([]int32, t.n) // operation of the last read
	for i := range last {
		last[i] = never
	}
	for i := range t.outs {
		for _, v := range t.inputs(i) {
			last[v] = int32(i)
		}
	}
	for _, v := range t.ret {
		last[v] = always
	}
	// The stack as a Fenwick tree over placement times: a value placed on
	// top gets the next time; the bytes above it are those of the live
	// values placed later.
	times := len(t.ins) + t.n + 1
	s := stack{tree: make([]int64, times+1), at: make([]int32, t.n)}
	for b := len(t.args) - 1; b >= 0; b-- {
		for _, v := range t.args[b] {
			if last[v] != never {
				s.push(v, size(v))
			}
		}
	}
	for i, r := range t.outs {
		in := t.inputs(i)
		for _, v := range in {
			if s.at[v] == 0 {
				panic(fmt.Sprintf("dmd: operation %d reads value %d, which is not live", i, v))
			}
			read(i, s.above(v), size(v))
		}
		// The distinct inputs move to the top in the order of their first
		// read; those read for the last time leave.
		for j, v := range in {
			if slices.Contains(in[:j], v) {
				continue
			}
			s.remove(v, size(v))
			if last[v] != int32(i) {
				s.push(v, size(v))
			}
		}
		if last[r] != never {
			s.push(r, size(r))
		}
	}
}

// Read is the cost of reading a value of b bytes at depth d: the sum of
// ⌈√s⌉ over its slots s = (d−1)b+1 … db.
func Read(d, b int) int { return sumCeilSqrt(d*b) - sumCeilSqrt((d-1)*b) }

// sumCeilSqrt returns Σ_{s=1..n} ⌈√s⌉: ⌈√s⌉ = m for the 2m−1 values
// (m−1)² < s ≤ m², so with M = ⌈√n⌉ the sum is Σ_{m<M} m(2m−1) plus M
// for each s above (M−1)².
func sumCeilSqrt(n int) int {
	if n <= 0 {
		return 0
	}
	M := ceilSqrt(n)
	k := M - 1
	full := k * (k + 1) * (4*k - 1) / 6 // Σ_{m=1..k} (2m² − m)
	return full + M*(n-k*k)
}

func ceilSqrt(n int) int {
	r := int(math.Sqrt(float64(n)))
	for r*r < n {
		r++
	}
	for r > 0 && (r-1)*(r-1) >= n {
		r--
	}
	return r
}

// stack is the LRU stack of live values.
type stack struct {
	tree  []int64 // Fenwick tree: bytes of live values per placement time
	at    []int32 // per value: its placement time, 0 if not on the stack
	now   int32
	bytes int64
}

func (s *stack) push(v Value, size int) {
	s.now++
	s.at[v] = s.now
	s.add(int(s.now), int64(size))
	s.bytes += int64(size)
}

func (s *stack) remove(v Value, size int) {
	s.add(int(s.at[v]), -int64(size))
	s.at[v] = 0
	s.bytes -= int64(size)
}

func (s *stack) add(i int, d int64) {
	for ; i < len(s.tree); i += i & -i {
		s.tree[i] += d
	}
}

// above returns the bytes of the live values placed after v.
func (s *stack) above(v Value) int {
	upTo := int64(0) // bytes of live values placed up to v, v included
	for i := int(s.at[v]); i > 0; i -= i & -i {
		upTo += s.tree[i]
	}
	return int(s.bytes - upTo)
}
