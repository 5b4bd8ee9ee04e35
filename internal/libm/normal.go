package libm

import (
	"math"
	"math/rand/v2"
)

// NormFloat64 returns a standard normal draw from r, bit for bit as
// math/rand/v2's (*Rand).NormFloat64 computes it on amd64 built for the
// baseline (GOAMD64=v1), with FMA in its math: the ziggurat of Marsaglia &
// Tsang ("The Ziggurat Method for Generating Random Variables", J. Stat.
// Software 5, 2000) with 128 strips. The standard library's own draws
// differ between builds: its wedge test fuses a float32 product into a sum
// under GOAMD64=v3 or on arm64, and its tail calls math's Exp and Log; so
// one machine's initial weights of a large net were not another's.
func NormFloat64(r *rand.Rand) float64 {
	for {
		u := r.Uint64()
		j := int32(u) // possibly negative
		i := u >> 32 & 0x7f
		x := float64(j) * float64(zigW[i])
		if absInt32(j) < zigK[i] {
			return x // the rectangle: more than 99 % of draws
		}
		if i == 0 { // the tail beyond zigR
			for {
				x = float64(-Log(r.Float64()) * (1.0 / zigR)) // unfused: it is added to zigR below
				y := -Log(r.Float64())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+float32(float32(r.Float64())*(zigF[i-1]-zigF[i])) < float32(Exp(-.5*x*x)) {
			return x // the wedge
		}
	}
}

func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}

// zigR is where the ziggurat's tail starts; zigK, zigW and zigF are its
// strips' acceptance bounds (×2^31), widths (÷2^31) and densities at
// their edges, computed by Marsaglia & Tsang's setup with this package's
// Exp and Log: the same numbers as math/rand/v2's tables
// (TestNormFloat64).
const zigR = 3.442619855899

var zigK, zigW, zigF = func() (k [128]uint32, w, f [128]float32) {
	const m1 = 1 << 31
	const v = 9.91256303526217e-3 // each strip's area
	dn := zigR
	tn := dn
	q := v / Exp(-.5*dn*dn)
	k[0] = uint32((dn / q) * m1)
	w[0] = float32(q / m1)
	w[127] = float32(dn / m1)
	f[0] = 1
	f[127] = float32(Exp(-.5 * dn * dn))
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * Log(v/dn+Exp(-.5*dn*dn)))
		k[i+1] = uint32((dn / tn) * m1)
		tn = dn
		f[i] = float32(Exp(-.5 * dn * dn))
		w[i] = float32(dn / m1)
	}
	return
}()
