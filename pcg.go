package helmholtz

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// lanePCG is up to maxLanes generators of math/rand/v2's PCG side by
// side, one per lane: lane c gives the words that a rand.PCG in its state
// would, in the same order. Its state is loaded from and stored back into
// rand.PCG values through their public encoding (AppendBinary, Seed).
// kernel_amd64.s steps four or eight lanes in vector registers.
type lanePCG struct {
	hi, lo [maxLanes]uint64
}

// load sets lane c to the state of src.
func (g *lanePCG) load(c int, src *rand.PCG) {
	var buf [20]byte
	b, _ := src.AppendBinary(buf[:0]) // "pcg:", hi and lo big-endian
	g.hi[c], g.lo[c] = binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])
}

// store sets src to the state of lane c.
func (g *lanePCG) store(c int, src *rand.PCG) { src.Seed(g.hi[c], g.lo[c]) }

// The constants of rand.PCG: its 128-bit multiplier and increment, and
// the multiplier of its DXSM output function.
const (
	pcgMulHi    = 2549297995355413924
	pcgMulLo    = 4865540595714422341
	pcgIncHi    = 6364136223846793005
	pcgIncLo    = 1442695040888963407
	pcgCheapMul = 0xda942042e4dd58b5
)

// uniformsGo draws n words from each of the first w lanes and writes
// them as the 32-bit uniforms of Lanes.sample: word k of lane c gives
// u[2wk + c] (its high half) and u[2wk + w + c] (its low half), the
// uniforms of units 2k and 2k + 1 of a layer whose first word is word 0.
func (g *lanePCG) uniformsGo(u []uint32, n, w int) {
	u = u[:2*w*n]
	for k := range n {
		for c := range w {
			// rand.PCG.next: state = state·mul + inc (mod 2^128).
			hi, lo := bits.Mul64(g.lo[c], pcgMulLo)
			hi += g.hi[c]*pcgMulLo + g.lo[c]*pcgMulHi
			lo, carry := bits.Add64(lo, pcgIncLo, 0)
			hi, _ = bits.Add64(hi, pcgIncHi, carry)
			g.hi[c], g.lo[c] = hi, lo
			// rand.PCG.Uint64: DXSM.
			hi ^= hi >> 32
			hi *= pcgCheapMul
			hi ^= hi >> 48
			hi *= lo | 1
			u[2*w*k+c], u[2*w*k+w+c] = uint32(hi>>32), uint32(hi)
		}
	}
}
