// Package arrays reads NumPy's .npz files (a zip of .npy arrays),
// strictly: everything a damaged or hostile file could get wrong is
// checked (the zip's CRC of every member, the sizes it claims, each .npy
// header's version, length, dtype, order and shape, and the data length
// the header implies), and every size is bounded. Model files (package
// train) and data sets with splits (package dataset) are read with it;
// writing is npyio's.
package arrays

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

// MaxMember bounds one array, and maxMembers the arrays in one file:
// MNIST's 60,000 images of 784 bytes fit.
const (
	MaxMember  = 64 << 20
	maxMembers = 256
)

var ErrNotNpz = errors.New("not an npz file (a zip of .npy arrays)")

// Array is one decoded .npy array.
type Array struct {
	Dtype string // "<f8", "<i8", "<i4" or "|u1"
	Shape []int  // nil for a scalar
	Data  []byte // little endian, C order
}

// Size returns the number of elements, 1 for a scalar.
func (a Array) Size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// Read decodes every member of an npz file held in data, keyed by
// array name (numpy.savez names members NAME.npy; bare names are
// accepted too).
func Read(data []byte) (map[string]Array, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, ErrNotNpz
	}
	if len(zr.File) > maxMembers {
		return nil, fmt.Errorf("%d members, more than a model has", len(zr.File))
	}
	out := map[string]Array{}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, ".npy")
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("array %s appears twice", name)
		}
		if f.UncompressedSize64 > MaxMember {
			return nil, fmt.Errorf("array %s is implausibly large (%d bytes)", name, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", name, err)
		}
		// Reading to the end makes archive/zip check the CRC; the limit
		// stops a member that inflates beyond what it claims.
		b, err := io.ReadAll(io.LimitReader(rc, MaxMember+1))
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
func parseNpy(b []byte) (Array, error) {
	var a Array
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
	item := map[string]int{"<f8": 8, "<i8": 8, "<i4": 4, "|u1": 1}[a.Dtype]
	a.Data = b[start+hlen:]
	if want := a.Size() * item; len(a.Data) != want {
		return a, fmt.Errorf("shape %v of %s needs %d bytes of data, the array has %d", a.Shape, a.Dtype, want, len(a.Data))
	}
	if fortran && len(a.Shape) == 2 {
		// An R×C array in Fortran order holds element (i, j) at j·R + i.
		a.Data = transpose(a.Data, a.Shape[0], a.Shape[1], item)
	}
	return a, nil
}

// parseHeader reads the header dictionary, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (8, 16), }
// into a's dtype and shape.
func parseHeader(h string, a *Array) (fortran bool, err error) {
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
				a.Dtype = d
			case "|i1", "<u1", "|b1":
				a.Dtype = "|u1"
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
			if a.Shape, after, err = cutShape(after); err != nil {
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
// MaxMember.
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
		if err != nil || d < 0 || d > MaxMember {
			return nil, s, fmt.Errorf("bad dimension %.64q", f)
		}
		if n *= d; n > MaxMember { // n, d ≤ MaxMember: no overflow
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

// Floats returns a float64 array's values.
func (a Array) Floats() ([]float64, error) {
	if a.Dtype != "<f8" {
		return nil, fmt.Errorf("dtype %s, want float64 (<f8)", a.Dtype)
	}
	v := make([]float64, a.Size())
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(a.Data[8*i:]))
	}
	return v, nil
}

// Integer returns the value of a scalar or one-element integer array.
func (a Array) Integer() (int64, error) {
	if a.Size() != 1 {
		return 0, fmt.Errorf("shape %v, want a single integer", a.Shape)
	}
	switch a.Dtype {
	case "<i8":
		return int64(binary.LittleEndian.Uint64(a.Data)), nil
	case "<i4":
		return int64(int32(binary.LittleEndian.Uint32(a.Data))), nil
	}
	return 0, fmt.Errorf("dtype %s, want an integer", a.Dtype)
}

// Bytes returns a uint8 vector's contents.
func (a Array) Bytes() ([]byte, error) {
	if a.Dtype != "|u1" || len(a.Shape) != 1 {
		return nil, fmt.Errorf("dtype %s shape %v, want a uint8 vector", a.Dtype, a.Shape)
	}
	return a.Data, nil
}
