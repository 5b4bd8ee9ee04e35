package web

import (
	"errors"
	"fmt"
	"path"
	"sync"

	"helmholtz/sweep"
	"helmholtz/train"
)

// reads bounds the memory that reading runs and sweeps takes, whatever the
// number of open pages and requests: concurrent requests for one run or
// sweep share one read, and at most maxReads reads (each bounded by the
// readers' own limits) are under way at once.
type reads struct {
	sem  chan struct{}
	mu   sync.Mutex
	runs map[string]*call[*train.Progress]
	swps map[string]*call[[]sweep.Result]
}

// maxReads bounds the reads under way at once: the machine's two cores.
const maxReads = 2

type call[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func newReads() reads {
	return reads{sem: make(chan struct{}, maxReads), runs: map[string]*call[*train.Progress]{}, swps: map[string]*call[[]sweep.Result]{}}
}

// share returns f's result for key, calling f once for all the callers
// that ask while it runs, with a place among the reads under way.
func share[T any](r *reads, m map[string]*call[T], key string, f func() (T, error)) (T, error) {
	r.mu.Lock()
	if c, ok := m[key]; ok {
		r.mu.Unlock()
		<-c.done
		return c.val, c.err
	}
	c := &call[T]{done: make(chan struct{})}
	m[key] = c
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(m, key)
		r.mu.Unlock()
		close(c.done)
	}()
	r.sem <- struct{}{}
	defer func() { <-r.sem }()
	c.val, c.err = f()
	return c.val, c.err
}

// readRun reads the run at slash path rel under the root. The Progress is
// shared: callers must not modify it.
func (s *Server) readRun(rel string) (*train.Progress, error) {
	rel = path.Clean(rel)
	return share(&s.reads, s.reads.runs, rel, func() (*train.Progress, error) { return train.InspectIn(s.runs, rel) })
}

// readSweep reads the results of the sweep at slash path rel under the
// root, shared as readRun's.
func (s *Server) readSweep(rel string) ([]sweep.Result, error) {
	rel = path.Clean(rel)
	return share(&s.reads, s.reads.swps, rel, func() ([]sweep.Result, error) {
		f, err := s.runs.Open(path.Join(rel, "results.jsonl"))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			return nil, errNotRegular
		}
		res, err := sweep.ReadJSONL(f)
		if err != nil {
			return nil, fmt.Errorf("sweep %q: results.jsonl: %w", path.Base(rel), err)
		}
		return res, nil
	})
}

var errNotRegular = errors.New("results.jsonl is not a regular file")
