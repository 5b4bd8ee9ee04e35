package train

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/internal/arrays"
)

// Names of the arrays in an .npz file. Layers are called v (visible),
// h (hidden) and top for a three-layer net, as in the seed; deeper nets
// number their hidden layers from the bottom: v, h1, h2, ..., top. Weights
// are named by their source and target, source first, with t for the
// top: W_hv (generative, h→v, shape n_h×n_v), R_vh (recognition, v→h,
// shape n_v×n_h). So a 16-8-1 net has b_v, b_h, b_top, W_hv, W_th, c_h,
// c_top, R_vh, R_ht, and a 32-16-4-1 net has b_v, b_h1, b_h2, b_top, W_h1v,
// W_h2h1, W_th2, c_h1, c_h2, c_top, R_vh1, R_h1h2, R_h2t.
//
// A snapshot adds "step" (int64), "rng" (the PCG state, uint8) and
// "config" (the Config as JSON text, uint8); numpy reads the last as
// bytes(z["config"]).decode().

// layerName returns the name of layer l of an L-layer net, and its short
// form used inside weight names.
func layerName(l, L int) (name, short string) {
	switch {
	case l == 0:
		return "v", "v"
	case l == L-1:
		return "top", "t"
	case L == 3:
		return "h", "h"
	}
	n := "h" + strconv.Itoa(l)
	return n, n
}

// param is one named parameter array of a machine.
type param struct {
	name       string
	rows, cols int // rows = 0 for a vector
	data       []float64
}

// params lists the arrays of m in file order.
func params(m *helmholtz.Machine) []param {
	L := len(m.Sizes)
	var ps []param
	for l := range L {
		name, _ := layerName(l, L)
		ps = append(ps, param{name: "b_" + name, cols: m.Sizes[l], data: m.B[l]})
	}
	for l := range L - 1 {
		_, lo := layerName(l, L)
		_, hi := layerName(l+1, L)
		ps = append(ps, param{name: "W_" + hi + lo, rows: m.Sizes[l+1], cols: m.Sizes[l], data: m.W[l]})
	}
	return append(ps, recognitionParams(m.Sizes, m.C, m.R, "")...)
}

// recognitionParams lists the arrays of a recognition net with biases c
// and weights r, their names ending in suffix.
func recognitionParams(sizes []int, c, r [][]float64, suffix string) []param {
	L := len(sizes)
	var ps []param
	for l := 1; l < L; l++ {
		name, _ := layerName(l, L)
		ps = append(ps, param{name: "c_" + name + suffix, cols: sizes[l], data: c[l]})
	}
	for l := range L - 1 {
		_, lo := layerName(l, L)
		_, hi := layerName(l+1, L)
		ps = append(ps, param{name: "R_" + lo + hi + suffix, rows: sizes[l], cols: sizes[l+1], data: r[l]})
	}
	return ps
}

// State is what a snapshot holds.
type State struct {
	Machine *helmholtz.Machine
	Step    int
	RNG     []byte  // PCG state (MarshalBinary); nil in a bare model file
	Config  *Config // nil in a bare model file
	Extra   []param // the learner's own arrays (a mixture's components and gate)
}

// WriteSnapshot writes s to path as an .npz file, atomically.
func WriteSnapshot(path string, s State) error {
	return WriteFile(path, func(w io.Writer) error {
		// Stored, not deflated, as numpy.savez does: the arrays are a few
		// kilobytes of float64 that barely compress, and a deflate writer
		// per array would cost more than the training between snapshots.
		z := zip.NewWriter(w)
		member := func(name string, v any) error {
			f, err := z.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
			if err != nil {
				return err
			}
			return npy.Write(f, v)
		}
		for _, p := range append(params(s.Machine), s.Extra...) {
			var v any = p.data
			if p.rows > 0 {
				v = mat.NewDense(p.rows, p.cols, p.data)
			}
			if err := member(p.name, v); err != nil {
				return err
			}
		}
		if err := member("step", int64(s.Step)); err != nil {
			return err
		}
		if s.RNG != nil {
			if err := member("rng", s.RNG); err != nil {
				return err
			}
		}
		if s.Config != nil {
			js, err := json.Marshal(s.Config)
			if err != nil {
				return err
			}
			if err := member("config", js); err != nil {
				return err
			}
		}
		return z.Close()
	})
}

// ReadSnapshot reads a model or snapshot .npz file. Layer sizes come from
// the bias vectors b_v, b_h..., b_top; every array must be present with
// the shape they imply and hold finite values. step, rng and config are
// optional; a config must name the layer sizes the arrays have.
func ReadSnapshot(path string) (State, error) {
	s, err := readSnapshot(path)
	if err != nil {
		return State{}, fmt.Errorf("model %q: %w", path, err)
	}
	return s, nil
}

func readSnapshot(path string) (s State, err error) {
	data, err := readFile(path, maxRead)
	if err != nil {
		return s, err
	}
	return parseSnapshot(data, nil)
}

// parseSnapshot decodes the contents of a model or snapshot file; guard,
// if not nil, may refuse the data set its config names before it is read.
func parseSnapshot(data []byte, guard func(spec string) error) (s State, err error) {
	arrs, err := arrays.Read(data)
	if err != nil {
		return s, err
	}
	sizes, err := readSizes(arrs)
	if err != nil {
		return s, err
	}
	m := helmholtz.New(sizes)
	for _, p := range params(m) {
		a, ok := arrs[p.name]
		if !ok {
			return s, fmt.Errorf("missing array %s", p.name)
		}
		want := []int{p.cols}
		if p.rows > 0 {
			want = []int{p.rows, p.cols}
		}
		if !slices.Equal(a.Shape, want) {
			return s, fmt.Errorf("array %s has shape %v, want %v", p.name, a.Shape, want)
		}
		v, err := a.Floats()
		if err != nil {
			return s, fmt.Errorf("array %s: %w", p.name, err)
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return s, fmt.Errorf("array %s holds a non-finite value", p.name)
			}
		}
		copy(p.data, v)
	}
	s.Machine = m
	known := map[string]bool{"step": true, "rng": true, "config": true}
	for _, p := range params(m) {
		known[p.name] = true
	}
	for name, a := range arrs {
		if known[name] {
			continue
		}
		p, err := extraParam(name, a)
		if err != nil {
			return s, err
		}
		s.Extra = append(s.Extra, p)
	}
	slices.SortFunc(s.Extra, func(a, b param) int { return strings.Compare(a.name, b.name) })
	if a, ok := arrs["step"]; ok {
		step, err := a.Integer()
		if err != nil || step < 0 || step > MaxWork {
			return s, fmt.Errorf("array step: want a step count, got %v %v", step, err)
		}
		s.Step = int(step)
	}
	if a, ok := arrs["rng"]; ok {
		if s.RNG, err = a.Bytes(); err != nil {
			return s, fmt.Errorf("array rng: %w", err)
		}
		var src rand.PCG
		if err := src.UnmarshalBinary(s.RNG); err != nil {
			return s, fmt.Errorf("array rng: not a generator state: %w", err)
		}
	}
	if a, ok := arrs["config"]; ok {
		js, err := a.Bytes()
		if err != nil {
			return s, fmt.Errorf("array config: %w", err)
		}
		c, err := parseConfig(js)
		if err != nil {
			return s, fmt.Errorf("array config: %w", err)
		}
		if !slices.Equal(c.Layers, sizes) {
			return s, fmt.Errorf("array config names layers %v, the arrays have %v", c.Layers, sizes)
		}
		if err := c.validateAlgo(); err != nil {
			return s, fmt.Errorf("array config: %w", err)
		}
		if guard != nil {
			if err := guard(c.Data); err != nil {
				return s, fmt.Errorf("array config: %w", err)
			}
		}
		if set, err := dataset.Parse(c.Data); err != nil {
			return s, fmt.Errorf("array config: %w", err)
		} else if set.Dim() != sizes[0] {
			return s, fmt.Errorf("array config names %s, of %d pixels, for a model of %d visible units", set, set.Dim(), sizes[0])
		}
		s.Config = &c
	}
	return s, nil
}

// extraParam reads an array beyond the machine's: a vector or matrix of
// finite float64 values, to be claimed by the run's learner.
func extraParam(name string, a arrays.Array) (param, error) {
	v, err := a.Floats()
	if err != nil {
		return param{}, fmt.Errorf("array %s: %w", name, err)
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return param{}, fmt.Errorf("array %s holds a non-finite value", name)
		}
	}
	p := param{name: name, data: v}
	switch len(a.Shape) {
	case 1:
		p.cols = a.Shape[0]
	case 2:
		p.rows, p.cols = a.Shape[0], a.Shape[1]
	default:
		return param{}, fmt.Errorf("array %s has shape %v", name, a.Shape)
	}
	return p, nil
}

// parseConfig reads a Config from JSON, refusing fields it does not know
// (a newer version's run, which this one could not reproduce).
func parseConfig(js []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	if dec.More() {
		return c, errors.New("trailing data after the JSON object")
	}
	return c, nil
}

// readSizes infers the layer sizes from b_v, b_h... and b_top.
func readSizes(arrs map[string]arrays.Array) ([]int, error) {
	has := func(name string) bool { _, ok := arrs[name]; return ok }
	var names []string
	switch {
	case !has("b_v") || !has("b_top"):
		return nil, errors.New("missing array b_v or b_top: not a Helmholtz machine model")
	case has("b_h"):
		names = []string{"b_v", "b_h", "b_top"}
	default:
		names = []string{"b_v"}
		for l := 1; has("b_h" + strconv.Itoa(l)); l++ {
			names = append(names, "b_h"+strconv.Itoa(l))
		}
		names = append(names, "b_top")
		if len(names) == 3 {
			// One hidden layer must be called h, not h1.
			return nil, errors.New("array b_h1 in a three-layer net: want b_h")
		}
	}
	sizes := make([]int, len(names))
	for i, n := range names {
		shape := arrs[n].Shape
		if len(shape) != 1 || shape[0] <= 0 {
			return nil, fmt.Errorf("array %s has shape %v, want a non-empty vector", n, shape)
		}
		sizes[i] = shape[0]
		if i > 0 && sizes[i]*sizes[i-1] > arrays.MaxMember/8 {
			return nil, fmt.Errorf("layer sizes %v are implausibly large", sizes[:i+1])
		}
	}
	return sizes, nil
}

// Data returns the data set the state was trained on (its config's), or
// for a bare model the 4×4 bars. The config was validated on reading.
func (s State) Data() dataset.Set {
	spec := "bars:4x4"
	if s.Config != nil {
		spec = s.Config.Data
	}
	set, err := dataset.Parse(spec)
	if err != nil {
		panic(fmt.Sprintf("train: a state's data %q: %v", spec, err))
	}
	return set
}
