package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// WriteFile writes a file atomically: write(w) fills a temporary file in
// the same directory, which is renamed to path only if everything
// succeeded, so a failed or interrupted write leaves no partial file.
// While it is being written the temporary file is listed for
// RemoveTemporary, which a program stopping on a signal calls.
func WriteFile(path string, write func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	temps.add(tmp)
	defer temps.remove(tmp)
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes 0600 files
		return fail(err)
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// temps are the temporary files WriteFile is writing.
var temps = tempSet{m: map[string]bool{}}

type tempSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (t *tempSet) add(p string)    { t.mu.Lock(); t.m[p] = true; t.mu.Unlock() }
func (t *tempSet) remove(p string) { t.mu.Lock(); delete(t.m, p); t.mu.Unlock() }

// RemoveTemporary removes the temporary files of every WriteFile in
// progress. A program calls it when it must exit at once (on a second
// Ctrl-C, say), so that no partial file is left behind.
func RemoveTemporary() {
	temps.mu.Lock()
	defer temps.mu.Unlock()
	for p := range temps.m {
		os.Remove(p)
	}
}

// maxRead bounds the files the package reads: models, histories, configs.
const maxRead = 256 << 20

// readFile reads a regular file of at most limit bytes.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, path, limit)
}
