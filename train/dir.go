package train

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// A run directory holds one run. Create starts a run in a directory that
// is empty, or that holds the same run (same config.json: it is started
// again, and gives the same files), or, with force, that holds another
// run (its files are removed first). It never removes a file it did not
// write, and refuses a directory that holds other files but no run.
// While a process writes a run it holds an exclusive lock on the
// directory's .lock file, so that a second writer stops with one line;
// the system releases the lock when the process ends, however it ends.
//
// Files are written in an order that keeps the directory consistent
// whatever stops the writer: history rows are appended to history.csv
// before the snapshot, checkpoint or model of their step is written, so
// history.csv always covers every saved state.

// Names in a run directory.
const (
	configName     = "config.json"
	historyName    = "history.csv"
	modelName      = "model.npz"
	checkpointName = "checkpoint.npz"
	resultsName    = "results.md"
	snapshotsName  = "snapshots"
	lockName       = ".lock"
)

// Dir is a run directory that this process holds locked.
type Dir struct {
	Path    string
	lock    *os.File
	flushed int  // rows of the run's history in history.csv
	created bool // by this process: the directory, else the lock file or nothing
	newLock bool // the lock file was made by this process
}

var errLocked = errors.New("locked by another process")

// claim creates path if needed and locks it.
func claim(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("no run directory given (an empty --out?)")
	}
	d := &Dir{Path: path}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		d.created = true
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	lock := d.path(lockName)
	if _, err := os.Stat(lock); errors.Is(err, os.ErrNotExist) {
		d.newLock = true
	}
	f, err := os.OpenFile(lock, os.O_CREATE|os.O_RDWR, 0o644)
	if err == nil {
		if err = lockFile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("run directory %q is in use by another helmholtz process", path)
		}
		d.release()
		return nil, fmt.Errorf("run directory %q: %w", path, err)
	}
	d.lock = f
	return d, nil
}

// release closes the lock and removes what claim made: the directory, if
// it made it and nothing else is in it, or the lock file it made. It is
// for a claim that came to nothing.
func (d *Dir) release() {
	d.Close()
	switch {
	case d.created:
		os.RemoveAll(d.Path)
	case d.newLock:
		os.Remove(d.path(lockName))
	}
}

// Close releases the directory's lock.
func (d *Dir) Close() error {
	if d == nil || d.lock == nil {
		return nil
	}
	err := d.lock.Close()
	d.lock = nil
	return err
}

func (d *Dir) path(name string) string { return filepath.Join(d.Path, name) }

// Create starts cfg as a run in directory path (see Dir for the rule on
// what the directory may already hold). The run holds the directory's
// lock until Close.
func Create(cfg Config, path string, force bool) (*Run, error) {
	r, err := New(cfg)
	if err != nil {
		return nil, err
	}
	d, err := claim(path)
	if err != nil {
		return nil, err
	}
	if err := d.prepare(cfg, force); err != nil {
		d.release()
		return nil, err
	}
	r.dir = d
	return r, nil
}

// Close releases the run's directory, if it has one.
func (r *Run) Close() error { return r.dir.Close() }

// Discard removes the files of a run that Create started, and its
// directory if Create made it: for a run that diverged, which resuming
// would only repeat. Other files in the directory stay.
func (r *Run) Discard() error {
	d := r.dir
	if d == nil {
		return nil
	}
	state, figures, _, err := d.contents()
	if err != nil {
		return err
	}
	for _, name := range append(state, figures...) {
		os.Remove(d.path(name))
	}
	os.Remove(d.path(snapshotsName))
	d.release()
	if d.created {
		os.Remove(d.Path) // if empty
	}
	return nil
}

// Dir returns the run's directory, or "" if it keeps no files.
func (r *Run) Dir() string {
	if r.dir == nil {
		return ""
	}
	return r.dir.Path
}

// contents sorts what a directory holds: the files of a run's state
// (config, history, snapshots, checkpoint, model, results), figures drawn
// from it (.png, .svg, .gif) and anything else. The lock and temporary
// files of an interrupted write are none of these.
func (d *Dir) contents() (state, figures, other []string, err error) {
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("run directory %q: %w", d.Path, err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == lockName || isTemp(name):
		case name == snapshotsName && e.IsDir():
			snaps, err := os.ReadDir(d.path(name))
			if err != nil {
				return nil, nil, nil, fmt.Errorf("run directory %q: %w", d.Path, err)
			}
			for _, s := range snaps {
				p := filepath.Join(name, s.Name())
				if _, ok := snapshotStep(s.Name()); ok || isTemp(s.Name()) {
					state = append(state, p)
				} else {
					other = append(other, p)
				}
			}
		case e.IsDir():
			other = append(other, name)
		case slices.Contains([]string{configName, historyName, modelName, checkpointName, resultsName}, name):
			state = append(state, name)
		case slices.Contains([]string{".png", ".svg", ".gif"}, filepath.Ext(name)):
			figures = append(figures, name)
		default:
			other = append(other, name)
		}
	}
	return state, figures, other, nil
}

// isTemp reports whether name is a temporary file of WriteFile.
func isTemp(name string) bool { return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp") }

// prepare makes d ready for a fresh start of cfg: it applies the rule of
// Dir, then writes config.json and a history with only its header.
func (d *Dir) prepare(cfg Config, force bool) error {
	state, figures, other, err := d.contents()
	if err != nil {
		return err
	}
	old, errOld := d.config()
	hasConfig := slices.Contains(state, configName)
	switch {
	case len(state) == 0 && len(other) > 0:
		return fmt.Errorf("%.64q is not empty and holds no run (%s); train into another --out", d.Path, list(append(other, figures...)))
	case len(state) == 0:
	case hasConfig && errOld == nil && reflect.DeepEqual(old, cfg):
		// The same run: started again, it writes the same files.
		figures = nil
	case !force && hasConfig && errOld == nil:
		return fmt.Errorf("%.64q holds another run (%s); continue it with --resume %s, train into another --out, or replace it with --force",
			d.Path, old.describe(), d.Path)
	case !force:
		return fmt.Errorf("%q holds the files of a run (%s) but no readable config.json; train into another --out, or replace them with --force",
			d.Path, list(state))
	}
	for _, name := range append(state, figures...) {
		if err := os.Remove(d.path(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("clearing %.64q: %w", d.Path, err)
		}
	}
	if err := os.MkdirAll(d.path(snapshotsName), 0o755); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	if err := WriteFile(d.path(configName), func(w io.Writer) error { return writeConfig(w, cfg) }); err != nil {
		return err
	}
	return d.writeHistory(nil)
}

// list names up to five files.
func list(names []string) string {
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + fmt.Sprintf(" and %d more", len(names)-5)
	}
	return strings.Join(names, ", ")
}

// describe summarises a config in a few words for messages.
func (c Config) describe() string {
	s := fmt.Sprintf("seed %d, %s, %s, %s steps", c.Seed, c.Data, strings.TrimPrefix(archShort(c.Layers), "a "), Commas(c.Steps))
	if f := c.RecipeFlags(); f != "" {
		s += ", " + f
	}
	return s
}

func writeConfig(w io.Writer, c Config) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// config reads the directory's config.json.
func (d *Dir) config() (Config, error) {
	js, err := readFile(d.path(configName), 1<<20)
	if err != nil {
		return Config{}, err
	}
	c, err := parseConfig(js)
	if err != nil {
		return c, fmt.Errorf("%s: %w", d.path(configName), err)
	}
	return c, nil
}

// writeHistory replaces history.csv by the header and points.
func (d *Dir) writeHistory(points []Point) error {
	if err := WriteFile(d.path(historyName), func(w io.Writer) error { return WriteHistory(w, points) }); err != nil {
		return err
	}
	d.flushed = len(points)
	return nil
}

// flush appends the rows of r's history not yet in history.csv.
func (d *Dir) flush(r *Run) error {
	if d.flushed >= len(r.History) {
		return nil
	}
	f, err := os.OpenFile(d.path(historyName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	cw := csv.NewWriter(f)
	writeRows(cw, r.History[d.flushed:])
	cw.Flush()
	err = cw.Error()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", d.path(historyName), err)
	}
	d.flushed = len(r.History)
	return nil
}

// snapshot writes r's state to snapshots/, after its history.
func (d *Dir) snapshot(r *Run) error {
	if err := d.flush(r); err != nil {
		return err
	}
	return WriteSnapshot(SnapshotPath(d.Path, r.Step), r.State())
}

// checkpoint writes r's state to checkpoint.npz, after its history.
func (d *Dir) checkpoint(r *Run) error {
	if err := d.flush(r); err != nil {
		return err
	}
	return WriteSnapshot(d.path(checkpointName), r.State())
}

// finish writes r's final state to model.npz, after its history, and
// removes the checkpoint.
func (d *Dir) finish(r *Run) error {
	if err := d.flush(r); err != nil {
		return err
	}
	if err := WriteSnapshot(d.path(modelName), r.State()); err != nil {
		return err
	}
	if err := os.Remove(d.path(checkpointName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// SnapshotPath returns the path of the snapshot of step in run directory dir.
func SnapshotPath(dir string, step int) string {
	return filepath.Join(dir, snapshotsName, fmt.Sprintf("step_%09d.npz", step))
}

// snapshotStep returns the step of a snapshot's file name.
func snapshotStep(name string) (int, bool) {
	s, ok1 := strings.CutPrefix(name, "step_")
	s, ok2 := strings.CutSuffix(s, ".npz")
	step, err := strconv.Atoi(s)
	return step, ok1 && ok2 && err == nil && step >= 0 && name == fmt.Sprintf("step_%09d.npz", step)
}

// CheckName reports whether name can name a directory that the project
// makes from a user's word (a recipe's models, a run the explorer
// starts): letters, digits and . _ + - only, not starting with a dot, at
// most 64 characters. what says what it names, for the error.
func CheckName(what, name string) error {
	ok := name != "" && len(name) <= 64 && name[0] != '.'
	for _, c := range name {
		ok = ok && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._+-", c))
	}
	if !ok {
		return fmt.Errorf("%s name %.64q: want letters, digits and . _ + - (not first a dot), at most 64", what, name)
	}
	return nil
}

// LockDir creates directory path if needed and takes its lock, as a run
// does, for other writers of a directory (a sweep's). It fails with one
// line if another process holds it.
func LockDir(path string) (io.Closer, error) {
	d, err := claim(path)
	if err != nil {
		return nil, err
	}
	return d, nil
}
