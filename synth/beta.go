package synth

import (
	"math"
	"math/rand/v2"

	"helmholtz/internal/libm"
)

// beta is a Beta distribution.
type beta struct{ a, b float64 }

// betaMeanVar returns the Beta distribution of mean m and variance v.
func betaMeanVar(m, v float64) beta {
	s := m*(1-m)/v - 1
	return beta{m * s, (1 - m) * s}
}

// draw returns a draw from rng: the ratio x/(x+y) of Gamma draws x of
// shape a and y of shape b, in that order.
func (d beta) draw(rng *rand.Rand) float64 {
	x := gamma(d.a, rng)
	y := gamma(d.b, rng)
	return x / (x + y)
}

// gamma returns a draw of the Gamma distribution of shape a > 0 and rate 1
// from rng, by the methods, in the order of operations and draws, of
// gonum's distuv.Gamma (which the data sets were first drawn with), but
// with internal/libm's functions and draws and no fused operations, so
// that a seed gives the same data set on every machine and build: an
// exponential draw for a = 1; below a = 0.2, the rejection sampler of
// Liu, Martin & Syring ("Simulating from a gamma distribution with small
// shape parameter", Computational Statistics 32, 2017) in log space; else
// Marsaglia & Tsang's ("A simple method for generating gamma variables",
// ACM TOMS 26, 2000), boosted by u^(1/a) below a = 1.
func gamma(a float64, rng *rand.Rand) float64 {
	switch {
	case a == 1:
		return libm.ExpFloat64(rng)
	case a < 0.2:
		lambda := 1/a - 1
		lr := -libm.Log1p(1 / lambda / math.E)
		for {
			e := libm.ExpFloat64(rng)
			var z float64
			if e >= -lr {
				z = e + lr
			} else {
				z = -libm.ExpFloat64(rng) / lambda
			}
			eza := libm.Exp(-z / a)
			lh := -z - eza
			lEta := -z
			if z < 0 {
				lEta = -1 + float64(lambda*z)
			}
			if lh-lEta > -libm.ExpFloat64(rng) {
				return eza
			}
		}
	}
	d := a - 1.0/3
	m := 1.0
	if a < 1 {
		d += 1.0
		m = libm.Pow(rng.Float64(), 1/a)
	}
	c := 1 / (3 * math.Sqrt(d))
	for {
		x := libm.NormFloat64(rng)
		v := 1 + float64(x*c)
		if v <= 0.0 {
			continue
		}
		v = float64(v * v * v) // rounded before 1 − v below, on every build
		u := rng.Float64()
		if u < 1.0-float64(0.0331*(x*x)*(x*x)) {
			return m * d * v
		}
		if libm.Log(u) < float64(0.5*x*x)+float64(d*(1-v+libm.Log(v))) {
			return m * d * v
		}
	}
}
