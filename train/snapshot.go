package train

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"

	"helmholtz"
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
	for l := 1; l < L; l++ {
		name, _ := layerName(l, L)
		ps = append(ps, param{name: "c_" + name, cols: m.Sizes[l], data: m.C[l]})
	}
	for l := range L - 1 {
		_, lo := layerName(l, L)
		_, hi := layerName(l+1, L)
		ps = append(ps, param{name: "R_" + lo + hi, rows: m.Sizes[l], cols: m.Sizes[l+1], data: m.R[l]})
	}
	return ps
}

// State is what a snapshot holds.
type State struct {
	Machine *helmholtz.Machine
	Step    int
	RNG     []byte  // PCG state (MarshalBinary); nil in a bare model file
	Config  *Config // nil in a bare model file
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
		for _, p := range params(s.Machine) {
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
// the bias vectors b_v, b_h..., b_top; every array must be present with the
// shape they imply and hold finite values. step, rng and config are
// optional.
func ReadSnapshot(path string) (s State, err error) {
	wrap := func(err error) error { return fmt.Errorf("model %q: %w", path, err) }
	data, err := os.ReadFile(path)
	if err != nil {
		return s, wrap(err)
	}
	// The npz decoder may panic on some malformed input; a bad file is a
	// user's mistake, so turn that into an error.
	defer func() {
		if p := recover(); p != nil {
			err = wrap(fmt.Errorf("malformed npz: %v", p))
		}
	}()
	if err := checkMembers(data); err != nil {
		return s, wrap(err)
	}
	z, err := npz.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return s, wrap(errNotNpz)
	}
	a := newArchive(z)
	has := a.has

	sizes, err := readSizes(a)
	if err != nil {
		return s, wrap(err)
	}
	m := helmholtz.New(sizes)
	for _, p := range params(m) {
		if !has(p.name) {
			return s, wrap(fmt.Errorf("missing array %s", p.name))
		}
		shape := a.shape(p.name)
		want := []int{p.cols}
		if p.rows > 0 {
			want = []int{p.rows, p.cols}
		}
		if !slices.Equal(shape, want) {
			return s, wrap(fmt.Errorf("array %s has shape %v, want %v", p.name, shape, want))
		}
		var v []float64
		if p.rows > 0 {
			var d mat.Dense
			if err := a.read(p.name, &d); err != nil {
				return s, wrap(fmt.Errorf("array %s: %w", p.name, err))
			}
			v = d.RawMatrix().Data
		} else if err := a.read(p.name, &v); err != nil {
			return s, wrap(fmt.Errorf("array %s: %w", p.name, err))
		}
		if len(v) != len(p.data) {
			return s, wrap(fmt.Errorf("array %s has %d values, want %d", p.name, len(v), len(p.data)))
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return s, wrap(fmt.Errorf("array %s holds a non-finite value", p.name))
			}
		}
		copy(p.data, v)
	}
	s.Machine = m
	if has("step") {
		var step int64
		if err := a.read("step", &step); err != nil {
			return s, wrap(fmt.Errorf("array step: %w", err))
		}
		s.Step = int(step)
	}
	if has("rng") {
		if err := a.read("rng", &s.RNG); err != nil {
			return s, wrap(fmt.Errorf("array rng: %w", err))
		}
	}
	if has("config") {
		var js []uint8
		if err := a.read("config", &js); err != nil {
			return s, wrap(fmt.Errorf("array config: %w", err))
		}
		var c Config
		if err := json.Unmarshal(js, &c); err != nil {
			return s, wrap(fmt.Errorf("array config: %w", err))
		}
		s.Config = &c
	}
	return s, nil
}

// readSizes infers the layer sizes from b_v, b_h... and b_top.
func readSizes(a archive) ([]int, error) {
	has := a.has
	size := func(name string) (int, error) {
		shape := a.shape(name)
		if len(shape) != 1 || shape[0] <= 0 {
			return 0, fmt.Errorf("array %s has shape %v, want a non-empty vector", name, shape)
		}
		return shape[0], nil
	}
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
		s, err := size(n)
		if err != nil {
			return nil, err
		}
		sizes[i] = s
		if i > 0 && s*sizes[i-1] > maxMember/8 {
			return nil, fmt.Errorf("layer sizes %v are implausibly large", sizes[:i+1])
		}
	}
	return sizes, nil
}

var errNotNpz = errors.New("not an npz file (a zip of .npy arrays)")

// maxMember bounds the size of one array in a model file; the largest net
// that exact evaluation accepts has far smaller arrays.
const maxMember = 64 << 20

// checkMembers checks what the npy decoder trusts: that every member of
// the zip is a .npy array of plausible size whose header fits inside it.
// (A corrupt header length otherwise makes the decoder scan gigabytes.)
func checkMembers(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errNotNpz
	}
	for _, f := range zr.File {
		if f.UncompressedSize64 > maxMember {
			return fmt.Errorf("array %s is implausibly large (%d bytes)", f.Name, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("array %s: %w", f.Name, err)
		}
		var head [12]byte
		n, _ := io.ReadFull(rc, head[:])
		rc.Close()
		if n < 10 || string(head[:6]) != "\x93NUMPY" {
			return fmt.Errorf("member %s is not a .npy array", f.Name)
		}
		var end uint64
		switch head[6] {
		case 1:
			end = 10 + uint64(binary.LittleEndian.Uint16(head[8:10]))
		case 2, 3:
			end = 12 + uint64(binary.LittleEndian.Uint32(head[8:12]))
		default:
			return fmt.Errorf("array %s: unknown .npy version %d", f.Name, head[6])
		}
		if end > f.UncompressedSize64 {
			return fmt.Errorf("array %s: header longer than the array", f.Name)
		}
	}
	return nil
}

// archive looks arrays up by name in an npz file. numpy.savez names its
// members NAME.npy; bare names are accepted too.
type archive struct {
	z     *npz.Reader
	names map[string]string // array name → member name
}

func newArchive(z *npz.Reader) archive {
	a := archive{z: z, names: map[string]string{}}
	for _, k := range z.Keys() {
		a.names[strings.TrimSuffix(k, ".npy")] = k
	}
	return a
}

func (a archive) has(name string) bool { _, ok := a.names[name]; return ok }

func (a archive) shape(name string) []int { return a.z.Header(a.names[name]).Descr.Shape }

func (a archive) read(name string, ptr any) error { return a.z.Read(a.names[name], ptr) }

// WriteFile writes a file atomically: write(w) fills a temporary file in
// the same directory, which is renamed to path only if everything
// succeeded, so a failed or interrupted write leaves no partial file.
func WriteFile(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes 0600 files
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
