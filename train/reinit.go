package train

import (
	"math"

	"helmholtz"
	"helmholtz/internal/libm"
	"helmholtz/units"
)

// Reinit > 0 checks the first hidden layer every Reinit steps and
// re-initialises each unit that does nothing useful: one the generative
// prior almost never (p < 0.01) or almost always (p > 0.99) switches on,
// one that changes no pixel's probability by more than 0.1, or one whose
// pixel effects duplicate a lower unit's (all within 0.1). The test reads
// the generative weights only. The unit is pointed at the smallest
// pattern, among some drawn from the data, that the others fail to
// explain (see reinitUnit). Three-layer nets only.
//
// The re-initialisation due at step t (a multiple of Reinit after the
// chain's first step and before its last) is the first thing the chain
// does after step t: every saved state and evaluation at step t is from
// before it. So a run resumed from step t, or extended from a last step
// t, re-initialises exactly as a run trained in one go.

// reinitDue reports whether the re-initialisation of the current step is
// still to be done.
func (r *Run) reinitDue() bool {
	c := r.Config
	return c.Reinit > 0 && r.Step%c.Reinit == 0 && r.Step > c.firstStep() && r.Step < c.LastStep()
}

// reinitIdle re-initialises the idle units of the first hidden layer
// (see Reinit) and returns how many it re-initialised.
func (r *Run) reinitIdle() int {
	m := r.Machine
	nv, n1 := m.Sizes[0], m.Sizes[1]
	priors := units.Priors(m)
	effects := make([][]float64, n1)
	idle := make([]bool, n1)
	n := 0
	for j := range n1 {
		effects[j] = make([]float64, nv)
		big := 0.0
		for i := range nv {
			e := helmholtz.Sigmoid(m.B[0][i]+m.W[0][j*nv+i]) - helmholtz.Sigmoid(m.B[0][i])
			effects[j][i] = e
			big = max(big, math.Abs(e))
		}
		idle[j] = priors[j] < 0.01 || priors[j] > 0.99 || big < 0.1
		for k := range j {
			if !idle[j] && !idle[k] && sameEffect(effects[j], effects[k]) {
				idle[j] = true
			}
		}
	}
	for j := range n1 {
		if idle[j] {
			r.reinitUnit(j, idle)
			idle[j] = false // now it explains something
			n++
		}
	}
	return n
}

// reinitUnit points idle unit j at a pattern the other units fail to
// explain. Of reinitDraws patterns drawn from the data (with the training
// stream), it takes, among those with an unexplained pixel — on although
// the generative net, given the recognition net's code for the pattern
// (q > 0.5, idle units off), predicts it off — the one with the fewest
// pixels on (ties: the first). The smallest pattern that the net misses is
// most likely one missing part alone, such as a single bar. Unit j then
// draws exactly that pattern's pixels, and the recognition net switches it
// on when they are all on. With nothing unexplained it starts afresh as at
// initialisation.
func (r *Run) reinitUnit(j int, idle []bool) {
	m, cfg := r.Machine, r.Config
	nv, n1, nt := m.Sizes[0], m.Sizes[1], m.Sizes[2]
	means := [][]float64{make([]float64, nv), make([]float64, n1), make([]float64, nt)}
	v := make([]uint8, nv)
	var best []int
	for range reinitDraws {
		r.Data.Sample(v, r.rng)
		m.RecognitionMeans(v, means)
		var on []int
		missed := false
		for i := range nv {
			if v[i] == 0 {
				continue
			}
			on = append(on, i)
			a := m.B[0][i]
			for k, q := range means[1] {
				if q > 0.5 && !idle[k] {
					a += m.W[0][k*nv+i]
				}
			}
			missed = missed || a < 0
		}
		if missed && (best == nil || len(on) < len(best)) {
			best = on
		}
	}
	for i := range nv {
		m.W[0][j*nv+i] = 0
		m.R[0][i*n1+j] = 0
	}
	if len(best) == 0 {
		s := cfg.InitScale
		for i := range nv {
			m.W[0][j*nv+i] = s * libm.NormFloat64(r.rng)
			m.R[0][i*n1+j] = s * libm.NormFloat64(r.rng)
			if cfg.NonNegative {
				m.W[0][j*nv+i] = math.Abs(m.W[0][j*nv+i])
			}
		}
		m.C[1][j] = cfg.HiddenBias
	} else {
		for _, i := range best {
			// With the unit on, the pixel is on with probability σ(2).
			m.W[0][j*nv+i] = 2 - m.B[0][i]
			m.R[0][i*n1+j] = 3
		}
		// On (σ(1.5)) when all the pixels are on, off (σ(−1.5)) with one missing.
		m.C[1][j] = 1.5 - float64(3*len(best))
	}
	for k := range nt {
		m.W[1][k*n1+j] = 0
		m.R[1][j*nt+k] = 0
	}
	m.B[1][j] = cfg.HiddenBias
}

// reinitDraws is the number of data patterns reinitUnit looks at,
// topDraws the number reinitTop does.
const (
	reinitDraws = 64
	topDraws    = 512
)

// sameEffect reports whether two units change the same pixels the same
// way: every pixel effect within 0.1 of the other's.
func sameEffect(a, b []float64) bool {
	if a == nil || b == nil {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 0.1 {
			return false
		}
	}
	return true
}

// ReinitTop, with Reinit, also re-initialises the idle units of the top
// layer at the same steps, after the hidden ones: a top unit the prior
// almost never (p < 0.01) or almost always (p > 0.99) switches on, or one
// that changes no hidden unit's prior by more than 0.1. Such a unit is
// pointed at the strongest opposition in the hidden code: the recognition
// net's hidden means on topDraws patterns drawn from the data (with the
// training stream), their correlations, and its principal eigenvector u
// (for the second idle unit the second, and so on); the top unit then
// makes the hidden units with u_j > max|u|/4 likelier and those with
// u_j < −max|u|/4 less likely, and the recognition net switches it on when the first
// group is on. On the bars the opposition is vertical against horizontal
// bars, on the shifter one shift against the other: the code a top unit
// is for, which wake-sleep finds slowly from a symmetric start.
func (r *Run) reinitTop() int {
	m := r.Machine
	nv, n1, nt := m.Sizes[0], m.Sizes[1], m.Sizes[2]
	var idle []int
	for k := range nt {
		p := helmholtz.Sigmoid(m.B[2][k])
		big := 0.0
		for j := range n1 {
			big = max(big, math.Abs(helmholtz.Sigmoid(m.B[1][j]+m.W[1][k*n1+j])-helmholtz.Sigmoid(m.B[1][j])))
		}
		if p < 0.01 || p > 0.99 || big < 0.1 {
			idle = append(idle, k)
		}
	}
	if len(idle) == 0 {
		return 0
	}
	means := [][]float64{make([]float64, nv), make([]float64, n1), make([]float64, nt)}
	v := make([]uint8, nv)
	codes := make([][]float64, topDraws)
	mean := make([]float64, n1)
	for d := range codes {
		r.Data.Sample(v, r.rng)
		m.RecognitionMeans(v, means)
		codes[d] = append([]float64(nil), means[1]...)
		for j, q := range means[1] {
			mean[j] += float64(q / topDraws)
		}
	}
	cov := make([]float64, n1*n1)
	for _, c := range codes {
		for a := range n1 {
			for b := range n1 {
				cov[a*n1+b] += float64(float64((c[a]-mean[a])*(c[b]-mean[b])) / topDraws) // unfused: the same bits everywhere
			}
		}
	}
	// Correlations, so that a rarer part counts as much as a common one
	// (a unit that never varies has none).
	sd := make([]float64, n1)
	for a := range n1 {
		sd[a] = math.Sqrt(cov[a*n1+a])
	}
	for a := range n1 {
		for b := range n1 {
			if sd[a] > 1e-6 && sd[b] > 1e-6 {
				cov[a*n1+b] /= sd[a] * sd[b]
			} else {
				cov[a*n1+b] = 0
			}
		}
	}
	for _, k := range idle {
		u := principal(cov, n1)
		if u == nil {
			break // no variance left to explain
		}
		// Deflate, so that the next idle unit takes the next direction.
		lambda := 0.0
		for a := range n1 {
			for b := range n1 {
				lambda += float64(float64(u[a]*cov[a*n1+b]) * u[b])
			}
		}
		for a := range n1 {
			for b := range n1 {
				cov[a*n1+b] -= float64(float64(lambda*u[a]) * u[b])
			}
		}
		big := 0.0
		for _, x := range u {
			big = max(big, math.Abs(x))
		}
		for j := range n1 {
			s := 0.0
			switch {
			case u[j] > big/4:
				s = 1
			case u[j] < -big/4:
				s = -1
			}
			m.W[1][k*n1+j] = 3 * s
			m.R[1][j*nt+k] = 2 * s
		}
		m.B[2][k], m.C[2][k] = 0, 0
	}
	return len(idle)
}

// principal returns the unit eigenvector of the largest eigenvalue of the
// symmetric n×n matrix c by power iteration from a fixed start, with its
// largest component positive; nil if c is (nearly) zero.
func principal(c []float64, n int) []float64 {
	u := make([]float64, n)
	for i := range u {
		u[i] = 1 + float64(i)/float64(n) // fixed, and not orthogonal to typical eigenvectors
	}
	next := make([]float64, n)
	for range 200 {
		norm := 0.0
		for a := range n {
			s := 0.0
			for b := range n {
				s += float64(c[a*n+b] * u[b])
			}
			next[a] = s
			norm += float64(s * s)
		}
		norm = math.Sqrt(norm)
		if !(norm > 1e-12) {
			return nil
		}
		for a := range n {
			u[a] = next[a] / norm
		}
	}
	big := 0
	for i := range u {
		if math.Abs(u[i]) > math.Abs(u[big]) {
			big = i
		}
	}
	if u[big] < 0 {
		for i := range u {
			u[i] = -u[i]
		}
	}
	return u
}
