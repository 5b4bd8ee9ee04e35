package helmholtz

import (
	"fmt"
	"math/rand/v2"
)

// Reweighted wake-sleep in float32 (Reweighted.Float32), as the reference
// implementations and PyTorch train it: the batch path of reweighted.go
// on a float32 copy of the parameters, with the float32 kernels
// (kernel32.go). A float32 step moves half the bytes of a float64 one and
// fits twice the numbers in a vector register. Its numbers are not
// float64's: each operation is rounded to 24 bits, σ and log σ are
// polynomials in float32 (within 1.5e-7 and 2e-7: exp32, log1p32), and a
// unit's uniform has 24 bits. They are the same on every machine.
//
// The machine M and Opt's state stay the record of the run, in float64:
// Sync writes the copy into them (exactly: every float32 is a float64),
// and Load reads them into the copy (rounding), as the first float32 step
// does. Whoever reads M or Opt between steps (an evaluation, a snapshot)
// calls Sync first, and whoever changes them calls Load after.

// mirror32 is the float32 copy of a Reweighted's parameters and of its
// Adam's moments, and the parts that train it.
type mirror32 struct {
	p      *params[float32]
	m, v   [NumSlots][][]float32 // Adam's moments, with Opt an *Adam
	parts  []*rwPart[float32]
	loaded bool // whether p (and m, v) hold M's (and Opt's) values
}

func (r *Reweighted) mirror() *mirror32 {
	if r.f32 == nil {
		f := &mirror32{p: newParams[float32](r.M.Sizes)}
		for range splitParts {
			f.parts = append(f.parts, newRWPart[float32](r.M.Sizes, r.K, nil))
		}
		if _, ok := r.Opt.(*Adam); ok {
			for slot, g := range f.p.groups() {
				f.m[slot], f.v[slot] = like[float32](g), like[float32](g)
			}
		}
		r.f32 = f
	}
	return r.f32
}

// Load reads the machine's parameters, and Adam's moments, into the
// float32 copy that Float32 steps train.
func (r *Reweighted) Load() {
	if !r.Float32 {
		return
	}
	f, mp := r.mirror(), paramsOf(r.M).groups()
	for slot, g := range f.p.groups() {
		convert(g, mp[slot])
	}
	if a, ok := r.Opt.(*Adam); ok {
		for slot := range NumSlots {
			if a.M[slot] == nil {
				a.M[slot], a.V[slot] = zeros(mp[slot]), zeros(mp[slot])
			}
			convert(f.m[slot], a.M[slot])
			convert(f.v[slot], a.V[slot])
		}
	}
	f.loaded = true
}

// Sync writes the float32 copy that Float32 steps train into the machine's
// parameters, and its moments into Adam's.
func (r *Reweighted) Sync() {
	if !r.Float32 || r.f32 == nil || !r.f32.loaded {
		return
	}
	f, mp := r.f32, paramsOf(r.M).groups()
	for slot, g := range f.p.groups() {
		convert(mp[slot], g)
	}
	if a, ok := r.Opt.(*Adam); ok {
		for slot := range NumSlots {
			if a.M[slot] == nil {
				a.M[slot], a.V[slot] = zeros(mp[slot]), zeros(mp[slot])
			}
			convert(a.M[slot], f.m[slot])
			convert(a.V[slot], f.v[slot])
		}
	}
}

// batch32 is batch in float32: a large batch in two parts as split, a
// small one in one part drawing from rng, as batch; then the update,
// Adam's or plain ascent, in float32.
func (r *Reweighted) batch32(data Data, rng *rand.Rand) {
	if r.Options != (Options{}) {
		panic("helmholtz: Reweighted.Float32 with recipe options")
	}
	f := r.mirror()
	if !f.loaded {
		r.Load()
	}
	n := max(r.Batch, 1)
	parts := f.parts[:1]
	if n >= 2 && r.M.weights() >= partWeights {
		parts = f.parts[:splitParts]
		runParts(r, parts, f.p, data, rng, n)
	} else {
		runPart(r, parts[0], f.p, n, func(sm *sampler[float32], _ int) { sm.observe(data, rng) }, rng)
	}
	r.update32(parts, 1/float64(n))
}

// update32 applies the parts' summed gradients, times inv, to the float32
// parameters with Adam or plain ascent, element by element, the
// parameters shared among the cores in one piece (as sumUpdate).
func (r *Reweighted) update32(parts []*rwPart[float32], inv float64) {
	f := r.f32
	adam, isAdam := r.Opt.(*Adam)
	if r.Opt != nil && !isAdam {
		panic(fmt.Sprintf("helmholtz: Reweighted.Float32 with optimizer %T", r.Opt))
	}
	slots := NumSlots
	if !r.WakeQ && !r.Sleep {
		slots = SlotRecBias
	}
	rates := [NumSlots]float64{r.GenRate, r.GenRate, r.RecRate, r.RecRate}
	var cs [NumSlots]adamConsts32
	total, mp := 0, paramsOf(r.M).groups()
	for slot := range slots {
		if isAdam { // the machine's arrays give begin the shapes; its moments are Sync's
			c := adam.begin(slot, mp[slot], mp[slot], rates[slot])
			cs[slot] = c.float32s(inv)
		}
		for _, p := range mp[slot] {
			total += len(p)
		}
	}
	one := parts[0].g.groups()
	var two [NumSlots][][]float32
	if len(parts) > 1 {
		two = parts[1].g.groups()
	}
	ps := f.p.groups()
	parallel(total, func(lo, hi int) {
		off := 0 // of the layer's first element in the whole
		for slot := range slots {
			for l, p := range ps[slot] {
				a, b := max(lo-off, 0), min(hi-off, len(p))
				off += len(p)
				if a >= b {
					continue
				}
				var h []float32
				if two[slot] != nil {
					h = two[slot][l][a:b]
				}
				if isAdam {
					adam32(p[a:b], one[slot][l][a:b], h, f.m[slot][l][a:b], f.v[slot][l][a:b], &cs[slot])
				} else {
					ascend32(p[a:b], one[slot][l][a:b], h, float32(rates[slot]), float32(inv))
				}
			}
		}
	})
	// The kernels cleared the sums they read (the recognition net's, if
	// not updated, were never added to).
	for _, p := range parts {
		p.cleared = true
	}
}
