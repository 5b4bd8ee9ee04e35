package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"helmholtz/train"
)

// Start starts training a run of cfg in directory name under the root, in
// the background, unless MaxRuns runs are training already or name is
// taken or not a plain name. The run stops with a checkpoint when the
// server's context is cancelled.
func (s *Server) Start(name string, cfg train.Config) error {
	if err := train.CheckName("run", name); err != nil {
		return err
	}
	if err := train.CheckDataIn(s.runs, cfg.Data); err != nil {
		return err
	}
	dir := filepath.Join(s.root, name)
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("run name %.64q is taken: choose another", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, err := range s.active {
		if err == nil {
			n++
		}
	}
	if n >= s.opt.MaxRuns {
		return fmt.Errorf("%d run(s) training already, the most this server trains at once (serve --max-runs)", n)
	}
	run, err := train.Create(cfg, dir, false)
	if err != nil {
		return err
	}
	s.active[name] = nil
	run.Overlap = runtime.GOMAXPROCS(0) > 1 // evaluations beside training, as train does
	s.wg.Add(1)
	s.opt.Log.Info("training", "run", name, "flags", cfg.RecipeFlags(), "seed", cfg.Seed, "steps", cfg.Steps)
	go func() {
		defer s.wg.Done()
		err := run.Train(s.ctx, nil)
		if err == nil && s.opt.WriteResults != nil {
			err = s.opt.WriteResults(run)
		}
		if cerr := run.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = errDone
		} else {
			s.opt.Log.Error("run stopped", "run", name, "err", err)
		}
		s.mu.Lock()
		s.active[name] = err
		s.mu.Unlock()
	}()
	return nil
}

// errDone marks a run this server trained to the end.
var errDone = errors.New("finished")

// Wait waits for the runs this server started to stop.
func (s *Server) Wait() { s.wg.Wait() }

// start handles the index's form: a run name, a recipe by name, the data
// set, seed and steps, and more flags, all put through the CLI's parsing
// and validation.
func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	if s.opt.Parse == nil {
		s.fail(w, http.StatusForbidden, errors.New("this server does not start runs"))
		return
	}
	if !sameOrigin(r) {
		s.fail(w, http.StatusForbidden, errForeign)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("form: %w", err))
		return
	}
	if !s.tokenOK(r) {
		s.fail(w, http.StatusForbidden, errForeign)
		return
	}
	f := r.PostForm
	var flags []string
	if name := f.Get("recipe"); name != "" {
		found := false
		for _, rc := range s.opt.Recipes {
			if rc.Name == name {
				flags, found = append(flags, rc.Flags), true
			}
		}
		if !found {
			s.fail(w, http.StatusBadRequest, fmt.Errorf("no recipe %.64q", name))
			return
		}
	}
	for _, field := range []string{"data", "seed", "n-steps"} {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			continue
		}
		if strings.ContainsAny(v, " \t\n") {
			s.fail(w, http.StatusBadRequest, fmt.Errorf("--%s %.64q: one value, no spaces", field, v))
			return
		}
		if field == "seed" || field == "n-steps" {
			if _, err := strconv.ParseUint(v, 10, 64); err != nil {
				s.fail(w, http.StatusBadRequest, fmt.Errorf("--%s %.64q: want a whole number", field, v))
				return
			}
		}
		flags = append(flags, "--"+field+" "+v)
	}
	flags = append(flags, f.Get("flags"))
	cfg, err := s.opt.Parse(strings.Join(flags, " "))
	if err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	name := strings.TrimSpace(f.Get("name"))
	if err := s.Start(name, cfg); err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	http.Redirect(w, r, "/run/"+url.PathEscape(name), http.StatusSeeOther)
}
