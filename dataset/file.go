package dataset

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"helmholtz/internal/arrays"
)

// A data set named file:PATH is read from PATH, an .npz file (as
// numpy.savez writes it) holding three uint8 (or bool) matrices train,
// valid and test, one example of 0/1 values a row, all of one width.
// Other arrays in the file (a generating model's parameters, its entropy)
// are left to whoever wrote them. This is the one place where the
// package reads a file: a data set is named by its spec everywhere (a
// run's config, a sweep's results), and a file is a spec too. A file is
// read once while its size and time stay the same.

// maxFile bounds a data set file: MNIST's 70,000 images fit 20 times.
const maxFile = 1 << 30

var files = struct {
	sync.Mutex
	m map[string]cached
}{m: map[string]cached{}}

type cached struct {
	size int64
	mod  time.Time
	set  *Finite
}

// ReadFinite reads the data set in the .npz file at path, named
// file:PATH.
func ReadFinite(path string) (*Finite, error) {
	name := "file:" + path
	// Stat first: opening a named pipe would wait for a writer.
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("data set %s: %w", name, err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("data set %s: not a regular file", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data set %s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("data set %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("data set %s: not a regular file", name)
	}
	if fi.Size() > maxFile {
		return nil, fmt.Errorf("data set %s: larger than %d MiB", name, maxFile>>20)
	}
	files.Lock()
	c, ok := files.m[path]
	files.Unlock()
	if ok && c.size == fi.Size() && c.mod.Equal(fi.ModTime()) {
		return c.set, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("data set %s: %w", name, err)
	}
	set, err := decodeFinite(name, data)
	if err != nil {
		return nil, err
	}
	files.Lock()
	files.m[path] = cached{fi.Size(), fi.ModTime(), set}
	files.Unlock()
	return set, nil
}

// DecodeFinite decodes the contents of a data set file, named name.
func decodeFinite(name string, data []byte) (*Finite, error) {
	arrs, err := arrays.Read(data)
	if err != nil {
		return nil, fmt.Errorf("data set %s: %w", name, err)
	}
	var splits [3][][]uint8
	for i, s := range Splits {
		a, ok := arrs[s]
		if !ok {
			return nil, fmt.Errorf("data set %s: no array %s (want train, valid and test)", name, s)
		}
		if a.Dtype != "|u1" || len(a.Shape) != 2 {
			return nil, fmt.Errorf("data set %s: array %s is %s of shape %v, want a uint8 matrix, one example a row", name, s, a.Dtype, a.Shape)
		}
		rows, cols := a.Shape[0], a.Shape[1]
		splits[i] = make([][]uint8, rows)
		for k := range rows {
			splits[i][k] = slices.Clip(a.Data[k*cols : (k+1)*cols])
		}
	}
	return NewFinite(name, splits[0], splits[1], splits[2])
}
