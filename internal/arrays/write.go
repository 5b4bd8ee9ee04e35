package arrays

import (
	"archive/zip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
)

// Named is an array with its name in an .npz file.
type Named struct {
	Name string
	Array
}

// Uint8s returns a uint8 matrix of rows (each of one width) as an Array.
func Uint8s(rows [][]uint8) Array {
	a := Array{Dtype: "|u1", Shape: []int{len(rows), 0}}
	if len(rows) > 0 {
		a.Shape[1] = len(rows[0])
	}
	for _, r := range rows {
		a.Data = append(a.Data, r...)
	}
	return a
}

// Float64s returns a float64 array of the given shape (nil: a scalar)
// holding v, row by row.
func Float64s(shape []int, v ...float64) Array {
	a := Array{Dtype: "<f8", Shape: shape}
	for _, x := range v {
		a.Data = binary.LittleEndian.AppendUint64(a.Data, math.Float64bits(x))
	}
	return a
}

// Write writes the arrays as an .npz file, as numpy.savez does: a zip of
// NAME.npy members, stored, each a .npy version 1.0 array in C order.
func Write(w io.Writer, arrays []Named) error {
	z := zip.NewWriter(w)
	for _, a := range arrays {
		if want := a.Size() * itemSize(a.Dtype); want != len(a.Data) {
			panic(fmt.Sprintf("arrays: %s of shape %v holds %d bytes, want %d", a.Name, a.Shape, len(a.Data), want))
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := f.Write(npyHeader(a.Array)); err != nil {
			return err
		}
		if _, err := f.Write(a.Data); err != nil {
			return err
		}
	}
	return z.Close()
}

func itemSize(dtype string) int {
	return map[string]int{"<f8": 8, "<i8": 8, "<i4": 4, "|u1": 1}[dtype]
}

// npyHeader returns the magic, version and header of a .npy 1.0 array,
// padded with spaces to a multiple of 64 bytes as numpy pads it.
func npyHeader(a Array) []byte {
	dims := make([]string, len(a.Shape))
	for i, d := range a.Shape {
		dims[i] = fmt.Sprint(d)
	}
	shape := strings.Join(dims, ", ")
	if len(a.Shape) == 1 {
		shape += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", a.Dtype, shape)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(h)))
	return append(b, h...)
}
