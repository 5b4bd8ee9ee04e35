package arrays

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// npyBytes returns a .npy version 1.0 array as numpy.save writes it: the
// header padded with spaces to a multiple of 64 bytes, then the data.
func npyBytes(descr string, fortran bool, shape []int, data []byte) []byte {
	order := "False"
	if fortran {
		order = "True"
	}
	dims := ""
	for _, d := range shape {
		dims += fmt.Sprintf("%d, ", d)
	}
	if len(shape) > 1 {
		dims = dims[:len(dims)-2]
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }", descr, order, dims)
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(append(b, h...), data...)
}

// TestFortranOrder: numpy.save of a transposed view (np.savez(R=W.T))
// writes the array in Fortran order, column by column; it must read as
// the same matrix as its C-order copy, for every shape.
func TestFortranOrder(t *testing.T) {
	for _, shape := range [][2]int{{8, 16}, {16, 8}, {1, 5}, {5, 1}, {3, 3}} {
		R, C := shape[0], shape[1]
		cOrder, fOrder := make([]byte, 8*R*C), make([]byte, 8*R*C)
		want := make([]float64, R*C)
		for i := range R {
			for j := range C {
				x := float64(100*i + j)
				want[i*C+j] = x
				binary.LittleEndian.PutUint64(cOrder[8*(i*C+j):], math.Float64bits(x))
				binary.LittleEndian.PutUint64(fOrder[8*(j*R+i):], math.Float64bits(x))
			}
		}
		for _, c := range []struct {
			fortran bool
			data    []byte
		}{{false, cOrder}, {true, fOrder}} {
			a, err := parseNpy(npyBytes("<f8", c.fortran, []int{R, C}, c.data))
			if err != nil {
				t.Fatalf("%v fortran=%v: %v", shape, c.fortran, err)
			}
			got, _ := a.Floats()
			if !slices.Equal(a.Shape, []int{R, C}) || !slices.Equal(got, want) {
				t.Errorf("%v fortran=%v: read %v %v, want %v", shape, c.fortran, a.Shape, got, want)
			}
		}
	}
}

// TestWriteRoundTrip: what Write writes, Read reads back, header padded
// as numpy pads it.
func TestWriteRoundTrip(t *testing.T) {
	rows := [][]uint8{{0, 1, 1}, {1, 0, 0}}
	var b bytes.Buffer
	in := []Named{{"train", Uint8s(rows)}, {"w", Float64s([]int{2, 2}, 1, 2, 3, 4)}, {"h", Float64s(nil, 36.5)}, {"v", Float64s([]int{3}, 1, 2, 3)}}
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	got, err := Read(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range in {
		g := got[a.Name]
		if g.Dtype != a.Dtype || !slices.Equal(g.Shape, a.Shape) || !bytes.Equal(g.Data, a.Data) {
			t.Errorf("%s: read %v %v, wrote %v %v", a.Name, g.Dtype, g.Shape, a.Dtype, a.Shape)
		}
		if h := npyHeader(a.Array); len(h)%64 != 0 {
			t.Errorf("%s: header of %d bytes, not a multiple of 64", a.Name, len(h))
		}
	}
}

// TestImplausibleShapes: a header may declare any shape; one whose
// dimension or product is past what a member can hold, negative, or not
// backed by the data is refused before anything of its size is allocated.
func TestImplausibleShapes(t *testing.T) {
	for _, c := range []struct {
		shape []int
		want  string
	}{
		{[]int{1_000_000_000_000, 100}, "bad dimension"},
		{[]int{1 << 62, 1 << 62}, "bad dimension"},
		{[]int{10_000_000, 10_000_000}, "implausibly large"},
		{[]int{-1, 100}, "bad dimension"},
		{[]int{5, 100}, ""}, // 500 bytes declared, 400 held
	} {
		_, err := parseNpy(npyBytes("|u1", false, c.shape, make([]byte, 400)))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("shape %v: %v, want an error with %q", c.shape, err, c.want)
		}
	}
}
