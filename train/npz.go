package train

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The reading half of NumPy's .npz format (a zip of .npy arrays), strict
// about everything a damaged or hostile file could get wrong: the zip's
// CRC of every member, the sizes it claims, each .npy header (version,
// length, dtype, order, shape) and the data length the header implies.
// Writing is npyio's (snapshot.go).

// maxMember bounds one array of a model file, and maxMembers the arrays
// in one; the largest net that exact evaluation accepts is far smaller.
const (
	maxMember  = 64 << 20
	maxMembers = 256
)

var errNotNpz = errors.New("not an npz file (a zip of .npy arrays)")

// array is one decoded .npy array.
type array struct {
	dtype string // "<f8", "<i8", "<i4" or "|u1"
	shape []int  // nil for a scalar
	data  []byte // little endian, C order
}

// size returns the number of elements, 1 for a scalar.
func (a array) size() int {
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	return n
}

// readNpz decodes every member of an npz file held in data, keyed by
// array name (numpy.savez names members NAME.npy; bare names are
// accepted too).
func readNpz(data []byte) (map[string]array, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotNpz
	}
	if len(zr.File) > maxMembers {
		return nil, fmt.Errorf("%d members, more than a model has", len(zr.File))
	}
	out := map[string]array{}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("array %s appears twice", name)
		}
		if f.UncompressedSize64 > maxMember {
			return nil, fmt.Errorf("array %s is implausibly large (%d bytes)", name, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", name, err)
		}
		// Reading to the end makes archive/zip check the CRC; the limit
		// stops a member that inflates beyond what it claims.
		b, err := io.ReadAll(io.LimitReader(rc, maxMember+1))
		rc.Close()
		switch {
		case errors.Is(err, zip.ErrChecksum):
			return nil, fmt.Errorf("array %s is corrupt (its CRC does not match)", name)
		case err != nil:
			return nil, fmt.Errorf("array %s: %w", name, err)
		case uint64(len(b)) != f.UncompressedSize64:
			return nil, fmt.Errorf("array %s holds %d bytes, its zip entry says %d", name, len(b), f.UncompressedSize64)
		}
		a, err := parseNpy(b)
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", name, err)
		}
		out[name] = a
	}
	return out, nil
}

// parseNpy decodes a .npy array of one of the dtypes this package uses.
func parseNpy(b []byte) (array, error) {
	var a array
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return a, errors.New("not a .npy array")
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return a, errors.New("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return a, fmt.Errorf("unknown .npy version %d", b[6])
	}
	if hlen > len(b)-start {
		return a, errors.New("header longer than the array")
	}
	fortran, err := parseHeader(string(b[start:start+hlen]), &a)
	if err != nil {
		return a, fmt.Errorf(".npy header: %w", err)
	}
	item := map[string]int{"<f8": 8, "<i8": 8, "<i4": 4, "|u1": 1}[a.dtype]
	a.data = b[start+hlen:]
	if want := a.size() * item; len(a.data) != want {
		return a, fmt.Errorf("shape %v of %s needs %d bytes of data, the array has %d", a.shape, a.dtype, want, len(a.data))
	}
	if fortran && len(a.shape) == 2 {
		// An R×C array in Fortran order holds element (i, j) at j·R + i.
		a.data = transpose(a.data, a.shape[0], a.shape[1], item)
	}
	return a, nil
}

// parseHeader reads the header dictionary, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (8, 16), }
// into a's dtype and shape.
func parseHeader(h string, a *array) (fortran bool, err error) {
	h = strings.TrimRight(h, " \n\x00")
	if !strings.HasPrefix(h, "{") || !strings.HasSuffix(h, "}") {
		return false, errors.New("not a dictionary")
	}
	seen := map[string]bool{}
	rest := strings.TrimSpace(h[1 : len(h)-1])
	for rest != "" {
		key, after, ok := cutQuoted(rest)
		if !ok {
			return false, fmt.Errorf("bad key in %.64q", h)
		}
		after, ok = strings.CutPrefix(strings.TrimSpace(after), ":")
		if !ok || seen[key] {
			return false, fmt.Errorf("bad or repeated key %.64q", key)
		}
		seen[key] = true
		after = strings.TrimSpace(after)
		switch key {
		case "descr":
			var d string
			if d, after, ok = cutQuoted(after); !ok {
				return false, errors.New("bad descr")
			}
			switch d {
			case "<f8", "<i8", "<i4", "|u1":
				a.dtype = d
			case "|i1", "<u1", "|b1":
				a.dtype = "|u1"
			default:
				return false, fmt.Errorf("dtype %.64q: want little-endian float64 (<f8), int64 (<i8) or uint8 (|u1)", d)
			}
		case "fortran_order":
			switch {
			case strings.HasPrefix(after, "False"):
				after = after[5:]
			case strings.HasPrefix(after, "True"):
				fortran, after = true, after[4:]
			default:
				return false, errors.New("bad fortran_order")
			}
		case "shape":
			if a.shape, after, err = cutShape(after); err != nil {
				return false, err
			}
		default:
			return false, fmt.Errorf("unknown key %.64q", key)
		}
		after = strings.TrimSpace(after)
		if after != "" {
			if after, ok = strings.CutPrefix(after, ","); !ok {
				return false, fmt.Errorf("want a comma after %.64q", key)
			}
		}
		rest = strings.TrimSpace(after)
	}
	if !seen["descr"] || !seen["fortran_order"] || !seen["shape"] {
		return false, errors.New("want descr, fortran_order and shape")
	}
	return fortran, nil
}

// cutQuoted cuts a Python string literal in single or double quotes off
// the front of s.
func cutQuoted(s string) (val, rest string, ok bool) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", s, false
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return "", s, false
	}
	return s[1 : 1+end], s[2+end:], true
}

// cutShape cuts a tuple of dimensions, such as (8, 16) or (3,) or (), off
// the front of s. Each dimension, and their product, is at most
// maxMember.
func cutShape(s string) ([]int, string, error) {
	if !strings.HasPrefix(s, "(") {
		return nil, s, errors.New("bad shape")
	}
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return nil, s, errors.New("bad shape")
	}
	var shape []int
	n := 1
	for _, f := range strings.Split(s[1:end], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(strings.TrimSuffix(f, "L"))
		if err != nil || d < 0 || d > maxMember {
			return nil, s, fmt.Errorf("bad dimension %.64q", f)
		}
		if n = satMul(n, d); n > maxMember {
			return nil, s, fmt.Errorf("shape %s is implausibly large", s[:end+1])
		}
		shape = append(shape, d)
	}
	if len(shape) > 2 {
		return nil, s, fmt.Errorf("shape %s has more than two dimensions", s[:end+1])
	}
	return shape, s[end+1:], nil
}

// transpose returns the rows×cols matrix of item-byte elements that b
// stores column by column (Fortran order), stored row by row (C order).
func transpose(b []byte, rows, cols, item int) []byte {
	out := make([]byte, len(b))
	for i := range rows {
		for j := range cols {
			copy(out[(i*cols+j)*item:][:item], b[(j*rows+i)*item:][:item])
		}
	}
	return out
}

// floats returns a float64 array's values.
func (a array) floats() ([]float64, error) {
	if a.dtype != "<f8" {
		return nil, fmt.Errorf("dtype %s, want float64 (<f8)", a.dtype)
	}
	v := make([]float64, a.size())
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(a.data[8*i:]))
	}
	return v, nil
}

// integer returns the value of a scalar or one-element integer array.
func (a array) integer() (int64, error) {
	if a.size() != 1 {
		return 0, fmt.Errorf("shape %v, want a single integer", a.shape)
	}
	switch a.dtype {
	case "<i8":
		return int64(binary.LittleEndian.Uint64(a.data)), nil
	case "<i4":
		return int64(int32(binary.LittleEndian.Uint32(a.data))), nil
	}
	return 0, fmt.Errorf("dtype %s, want an integer", a.dtype)
}

// bytes returns a uint8 vector's contents.
func (a array) bytes() ([]byte, error) {
	if a.dtype != "|u1" || len(a.shape) != 1 {
		return nil, fmt.Errorf("dtype %s shape %v, want a uint8 vector", a.dtype, a.shape)
	}
	return a.data, nil
}
