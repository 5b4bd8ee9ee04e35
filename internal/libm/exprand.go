package libm

import "math/rand/v2"

// ExpFloat64 returns an exponential draw of rate 1 from r, bit for bit as
// math/rand/v2's (*Rand).ExpFloat64 computes it on amd64 built for the
// baseline, with FMA in its math: the ziggurat of Marsaglia & Tsang with
// 256 strips. The standard library's own draws differ between builds, as
// its normal draws do (see NormFloat64).
func ExpFloat64(r *rand.Rand) float64 {
	for {
		u := r.Uint64()
		j := uint32(u)
		i := uint8(u >> 32)
		x := float64(j) * float64(expW[i])
		if j < expK[i] {
			return x // the rectangle
		}
		if i == 0 {
			return expR - Log(r.Float64()) // the tail beyond expR
		}
		if expF[i]+float32(float32(r.Float64())*(expF[i-1]-expF[i])) < float32(Exp(-x)) {
			return x // the wedge
		}
	}
}

// expR is where the exponential ziggurat's tail starts; expK, expW and
// expF are its strips' acceptance bounds (×2^32), widths (÷2^32) and
// densities at their edges, by Marsaglia & Tsang's setup with this
// package's Exp and Log: math/rand/v2's tables (TestExpFloat64).
const expR = 7.69711747013104972

var expK, expW, expF = func() (k [256]uint32, w, f [256]float32) {
	const m2 = 1 << 32
	const v = 3.949659822581572e-3 // each strip's area
	de := expR
	te := de
	q := v / Exp(-de)
	k[0] = uint32((de / q) * m2)
	w[0] = float32(q / m2)
	w[255] = float32(de / m2)
	f[0] = 1
	f[255] = float32(Exp(-de))
	for i := 254; i >= 1; i-- {
		de = -Log(v/de + Exp(-de))
		k[i+1] = uint32((de / te) * m2)
		te = de
		f[i] = float32(Exp(-de))
		w[i] = float32(de / m2)
	}
	return
}()
