package web

import (
	"bytes"
	"container/list"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math/rand/v2"
	"net/http"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/figure"
	"helmholtz/train"
	"helmholtz/units"
)

// inspect resolves rel and reads the run there.
func (s *Server) inspect(rel string) (*train.Progress, error) {
	if _, err := s.resolve(rel); err != nil {
		return nil, err
	}
	return s.readRun(rel)
}

// steps returns the steps a run's slider offers: its snapshots, and the
// last step of a finished run.
func steps(p *train.Progress) []int {
	out := slices.Clone(p.Snapshots)
	if last := p.Config.LastStep(); p.Status == train.Finished && !slices.Contains(out, last) {
		out = append(out, last)
	}
	return out
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	p, err := s.inspect(rel)
	if err != nil {
		s.failErr(w, err)
		return
	}
	st := steps(p)
	s.prerender(rel, st, append(figureNames(p.Config), "units"))
	var files []string
	for _, name := range []string{"model.npz", "history.csv", "config.json", "results.md", "checkpoint.npz"} {
		if isFile(filepath.Join(p.Dir, name)) {
			files = append(files, name)
		}
	}
	gifs, _ := filepath.Glob(filepath.Join(p.Dir, "*.gif"))
	for _, g := range gifs {
		files = append(files, filepath.Base(g))
	}
	c := p.Config
	s.mu.Lock()
	stopped := s.active[rel]
	s.mu.Unlock()
	if errors.Is(stopped, errDone) {
		stopped = nil
	}
	s.render(w, "run.html", map[string]any{"Stopped": stopped,
		"Path": rel, "Config": c, "Net": net(c.Layers), "Flags": c.RecipeFlags(), "Algo": or(c.Algo, "ws"),
		"Status": p.Status, "Steps": st, "Files": files, "Figures": figureNames(c),
		"Last": max(len(st)-1, 0), "HasSteps": len(st) > 0,
	})
}

// figureNames returns the figures a state of a run of c has, in order:
// the gap only where it takes at most maxGapWork to compute (a 32-16-4
// shifter's, 2^20 latent states, would take seconds per snapshot).
func figureNames(c train.Config) []string {
	names := []string{"fields", "fantasies", "codes"}
	if figure.HasWeights(c.Layers) {
		names = append(names, "weights")
	}
	if c.Algo == "rbm" || exact.CheckPosterior(c.Layers) != nil {
		return names
	}
	set, err := dataset.Parse(c.Data)
	if err != nil {
		return names
	}
	if _, ops := exact.GapCost(c.Layers, set.SupportSize(), max(c.Components, 1)); ops <= maxGapWork {
		names = append(names, "gap")
	}
	return names
}

// stateConfig returns the config of state st, or for a bare model the
// default one with the model's layers.
func stateConfig(st train.State) train.Config {
	c := train.Default()
	if st.Config != nil {
		c = *st.Config
	}
	c.Layers = st.Machine.Sizes
	return c
}

// maxGapWork bounds the work of a gap figure the pages show: about 30 ms.
const maxGapWork = 1 << 25

// runJSON is a run's data for its page's script.
type runJSON struct {
	Status    train.Status  `json:"status"`
	History   []train.Point `json:"history"` // rows Since to Next, at most maxPoints of them
	Since     int           `json:"since"`
	Next      int           `json:"next"` // the ?since= of the next poll: the history's length
	Steps     []int         `json:"steps"`
	Entropy   float64       `json:"entropy"`
	LastStep  int           `json:"last_step"`
	Estimator string        `json:"estimator"`
	Rendered  int           `json:"rendered"` // steps whose figures are rendered and cached
}

// maxPoints bounds the history rows of one answer: a curve is drawn from
// a few thousand points, and a history of millions of rows (an evaluation
// every step) would make an answer of hundreds of megabytes.
const maxPoints = 5000

// thin returns at most most rows of h, evenly spaced, the last kept.
func thin(h []train.Point, most int) []train.Point {
	if len(h) <= most {
		return h
	}
	out := make([]train.Point, most)
	for i := range out {
		out[i] = h[(i+1)*len(h)/most-1]
	}
	return out
}

// runData serves a run's status, history (from row ?since=N, thinned to
// maxPoints) and snapshot steps as JSON, for its page's curves and live
// updates.
func (s *Server) runData(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	p, err := s.inspect(rel)
	if err != nil {
		jsonError(w, err)
		return
	}
	since, _ := strconv.Atoi(r.URL.Query().Get("since"))
	since = min(max(since, 0), len(p.History))
	out := runJSON{Status: p.Status, History: thin(p.History[since:], maxPoints), Since: since, Next: len(p.History),
		Steps: steps(p), Entropy: p.Entropy, LastStep: p.Config.LastStep(), Estimator: p.Config.Estimator()}
	out.Rendered = s.rendered(rel, out.Steps, append(figureNames(p.Config), "units"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(out)
}

func jsonError(w http.ResponseWriter, err error) {
	code, err := errStatus(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// state names the state a figure or diagnosis is of, a run directory's at
// ?step=N or a model file's (a sweep's models/…/seed_N.npz), and returns
// a function that reads it. A snapshot is written once, atomically, and
// never changes: its path and step name it; a model file is named by its
// size and time too.
func (s *Server) state(r *http.Request) (key string, read func() (train.State, error), err error) {
	rel := r.PathValue("path")
	abs, err := s.resolve(rel)
	if err != nil {
		return "", nil, err
	}
	fi, err := s.runs.Stat(path.Clean(rel))
	if err != nil {
		return "", nil, err
	}
	if fi.Mode().IsRegular() {
		return fmt.Sprintf("%s@%d@%d", abs, fi.Size(), fi.ModTime().UnixNano()), func() (train.State, error) { return train.ReadSnapshotIn(s.runs, path.Clean(rel)) }, nil
	}
	step, err := strconv.Atoi(r.URL.Query().Get("step"))
	if err != nil || step < 0 {
		return "", nil, fmt.Errorf("want ?step=N, one of the run's snapshot steps")
	}
	key, read = s.stepState(rel, step)
	return key, read, nil
}

// stepState names the state of the run at slash path rel at step and
// returns a function that reads it.
func (s *Server) stepState(rel string, step int) (string, func() (train.State, error)) {
	rel = path.Clean(rel)
	return fmt.Sprintf("%s#%d", rel, step), func() (train.State, error) {
		p, err := s.readRun(rel)
		if err != nil {
			return train.State{}, err
		}
		return p.State(step)
	}
}

// figure serves a figure of a state as PNG, rendered once and cached.
func (s *Server) figure(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !slices.Contains(figure.Names, name) || name == "curves" {
		s.fail(w, http.StatusNotFound, fmt.Errorf("no figure %.64q", name))
		return
	}

	key, read, err := s.state(r)
	if err != nil {
		s.failErr(w, err)
		return
	}
	png, err := s.renderFig(key, read, name)
	if err != nil {
		s.fail(w, http.StatusUnprocessableEntity, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(png)
}

// renderFig returns the PNG of figure name of the state key names, which
// read reads, rendered once.
func (s *Server) renderFig(key string, read func() (train.State, error), name string) ([]byte, error) {
	return s.figs.get(key+"/"+name, func() ([]byte, error) {
		st, err := s.figs.state(key, read)
		if err != nil {
			return nil, err
		}
		if name == "gap" && !slices.Contains(figureNames(stateConfig(st)), "gap") {
			return nil, errors.New("no gap figure here: the posterior of this net is not cheap to enumerate, or it is an RBM's")
		}
		f, err := figure.StateFigure(st, name)
		if err != nil {
			return nil, err
		}
		img, err := f.Image(figure.DPI)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img)
		return b.Bytes(), err
	})
}

// prerender renders in the background the figures of every state of run
// dir (at steps) not rendered yet, the newest first, so that the slider
// finds them ready. Requests for figures go first: they render on their
// own goroutines, and one state renders once.
func (s *Server) prerender(dir string, steps []int, names []string) {
	s.prerenderOnce.Do(func() {
		s.jobs = make(chan prerenderJob, 8)
		go func() {
			for {
				select {
				case <-s.ctx.Done():
					return
				case j := <-s.jobs:
					for i := len(j.steps) - 1; i >= 0 && s.ctx.Err() == nil; i-- {
						key, read := s.stepState(j.dir, j.steps[i])
						for _, name := range j.names {
							if name == "units" {
								s.renderUnits(key, read)
							} else {
								s.renderFig(key, read, name)
							}
						}
					}
				}
			}
		}()
	})
	select {
	case s.jobs <- prerenderJob{dir, steps, names}:
	default: // busy: the requests render what they need
	}
}

type prerenderJob struct {
	dir   string
	steps []int
	names []string
}

// rendered returns how many of the states of run dir at steps have every
// figure of names rendered.
func (s *Server) rendered(dir string, steps []int, names []string) int {
	n := 0
	for _, step := range steps {
		key, _ := s.stepState(dir, step)
		all := true
		for _, name := range names {
			all = all && s.figs.has(key+"/"+name)
		}
		if all {
			n++
		}
	}
	return n
}

// unitsText serves the unit diagnosis of a state as plain text: the
// hidden units of a bars model, the shift recovery of a shifter model.
func (s *Server) unitsText(w http.ResponseWriter, r *http.Request) {
	key, read, err := s.state(r)
	if err != nil {
		s.failErr(w, err)
		return
	}
	text, err := s.renderUnits(key, read)
	if err != nil {
		s.fail(w, http.StatusUnprocessableEntity, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(text)
}

// renderUnits returns the unit diagnosis of the state key names, which
// read reads, computed once.
func (s *Server) renderUnits(key string, read func() (train.State, error)) ([]byte, error) {
	return s.figs.get(key+"/units", func() ([]byte, error) {
		st, err := s.figs.state(key, read)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		switch d := st.Data().(type) {
		case dataset.Bars:
			rep := units.Diagnose(st.Machine, d)
			fmt.Fprintf(&b, "%v", rep)
		case dataset.Shifter:
			rng := rand.New(rand.NewPCG(1, 0x7368696674))
			fmt.Fprintf(&b, "%v", units.DiagnoseShift(st.Machine, d, 10000, rng))
		}
		return b.Bytes(), nil
	})
}

// maxCached bounds the rendered figures kept (PNGs of a few tens of KB).
const maxCached = 2048

// cache keeps rendered figures and the figure sets of recent states, least
// recently used out first; concurrent requests for one key render once.
type cache struct {
	mu     sync.Mutex
	max    int
	order  *list.List // of *entry, most recent first
	items  map[string]*list.Element
	states map[string]*stateEntry // recent states, while their figures render
}

type entry struct {
	key  string
	done atomic.Bool
	once sync.Once
	val  []byte
	err  error
}

type stateEntry struct {
	once sync.Once
	st   train.State
	err  error
}

func newCache(n int) *cache {
	return &cache{max: n, order: list.New(), items: map[string]*list.Element{}, states: map[string]*stateEntry{}}
}

// get returns the cached value of key, computing it with f once.
func (c *cache) get(key string, f func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	el, ok := c.items[key]
	if ok {
		c.order.MoveToFront(el)
	} else {
		el = c.order.PushFront(&entry{key: key})
		c.items[key] = el
		for c.order.Len() > c.max {
			old := c.order.Back()
			c.order.Remove(old)
			delete(c.items, old.Value.(*entry).key)
		}
	}
	e := el.Value.(*entry)
	c.mu.Unlock()
	defer func() { e.done.Store(true) }()
	e.once.Do(func() { e.val, e.err = f() })
	if e.err != nil { // not kept: a run's files may be fixed
		c.mu.Lock()
		if cur, ok := c.items[key]; ok && cur == el {
			c.order.Remove(el)
			delete(c.items, key)
		}
		c.mu.Unlock()
	}
	return e.val, e.err
}

// has reports whether the value of key is computed and kept.
func (c *cache) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	return ok && el.Value.(*entry).done.Load()
}

// state returns the state key names, read once while the few most recent
// states are kept.
func (c *cache) state(key string, read func() (train.State, error)) (train.State, error) {
	c.mu.Lock()
	e, ok := c.states[key]
	if !ok {
		if len(c.states) >= maxSets {
			clear(c.states)
		}
		e = &stateEntry{}
		c.states[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.st, e.err = read() })
	if e.err != nil { // not kept: a run's files may be fixed
		c.mu.Lock()
		if c.states[key] == e {
			delete(c.states, key)
		}
		c.mu.Unlock()
	}
	return e.st, e.err
}

// maxSets bounds the states kept.
const maxSets = 16
