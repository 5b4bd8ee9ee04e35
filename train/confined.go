package train

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// files reads the files of a run directory through an os.Root, so that
// nothing it reads lies outside the root: a symlink in the run that leads
// out of it (config.json → /etc/passwd, snapshots → /) is refused, as is
// a path with "..". A server gives the root of everything it serves and
// the run's slash path under it; Inspect alone confines a run to its own
// directory.
type files struct {
	root *os.Root
	dir  string // slash path of the run under root; "." for the root
	// confine: a data set file (file:PATH) a config names must lie under
	// root too, or it is not read: a server's runs are untrusted.
	confine bool
}

// checkData refuses, for a confined root, a data set file that does not
// lie under the root: a run's config is the server's to read, not to
// follow out of its directory.
func (f files) checkData(spec string) error {
	p, ok := strings.CutPrefix(spec, "file:")
	if !f.confine || !ok {
		return nil
	}
	abs, err := filepath.Abs(p)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	top := f.root.Name()
	if err != nil || (abs != top && !strings.HasPrefix(abs, top+string(filepath.Separator))) {
		return fmt.Errorf("data set %.80s is not a file under the runs directory: not read", spec)
	}
	return nil
}

// CheckDataIn refuses a data set file (file:PATH) that does not lie under
// root: a server starts runs only on data its runs directory holds, the
// data it can show them with.
func CheckDataIn(root *os.Root, spec string) error {
	return files{root: root, dir: ".", confine: true}.checkData(spec)
}

// name returns the path of name (slash-separated) under the root.
func (f files) name(name string) string { return path.Join(f.dir, name) }

// read reads regular file name of at most limit bytes.
func (f files) read(name string, limit int64) ([]byte, error) {
	file, err := f.root.Open(f.name(name))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return readOpen(file, name, limit)
}

// readOpen reads the open file of path, a regular file of at most limit
// bytes.
func readOpen(file *os.File, path string, limit int64) ([]byte, error) {
	fi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %s", path, byteSize(float64(limit)))
	}
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %s", path, byteSize(float64(limit)))
	}
	return data, nil
}

// readDir lists directory name, of at most most entries; one that does
// not exist is empty.
func (f files) readDir(name string, most int) ([]fs.DirEntry, error) {
	d, err := f.root.Open(f.name(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer d.Close()
	var out []fs.DirEntry
	for {
		batch, err := d.ReadDir(256)
		out = append(out, batch...)
		if len(out) > most {
			return nil, fmt.Errorf("%s holds more than %d entries", name, most)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
	}
}

// stat returns the file info of name, following symlinks under the root.
func (f files) stat(name string) (fs.FileInfo, error) { return f.root.Stat(f.name(name)) }

// exists reports whether name is there, under the root.
func (f files) exists(name string) bool {
	_, err := f.stat(name)
	return err == nil
}

// ReadSnapshotIn reads a model or snapshot file at slash path name under
// root, as ReadSnapshot does: a path or symlink that leads out of root is
// refused.
func ReadSnapshotIn(root *os.Root, name string) (State, error) {
	s, err := readSnapshotIn(files{root: root, dir: ".", confine: true}, name)
	if err != nil {
		return State{}, fmt.Errorf("model %q: %w", name, err)
	}
	return s, nil
}

func readSnapshotIn(f files, name string) (State, error) {
	data, err := f.read(name, maxRead)
	if err != nil {
		return State{}, err
	}
	return parseSnapshot(data, f.checkData)
}

// DecodeSnapshot decodes the contents of a model or snapshot file, as
// strictly as ReadSnapshot reads one.
func DecodeSnapshot(data []byte) (State, error) { return parseSnapshot(data, nil) }
