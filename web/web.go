// Package web is the explorer of `helmholtz serve`: a local web app over
// the runs and sweeps under one directory. Its index lists every run (data
// set, net, recipe, samples seen, KL and NLL, status, a KL sparkline) and
// sweep; a run's page draws its learning curves and, at any snapshot
// chosen with a slider, its fields, fantasies, recognition codes, Hinton
// diagram, variational gap and unit diagnosis (the project's own figures,
// rendered once and cached); a sweep's page has its summary, the KL of
// every run as a dot linking to that run's model, and the results table.
// A run still training updates on its page as its history grows, and a
// form starts new runs on the server.
//
// Only the standard library serves it (net/http, html/template, embed);
// the JavaScript is small, embedded and works offline. It serves only
// files under its directory (no "..", no absolute paths, no symlink out),
// every form value goes through the CLI's own flag parsing and
// validation, request bodies are bounded, runs started here are bounded
// in number, and a corrupt or half-written run shows its error on its own
// page.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"helmholtz/train"
)

//go:embed assets
var assets embed.FS

// Options configure a Server.
type Options struct {
	// Parse turns a form's flags (as `helmholtz train` takes them) into a
	// validated config. Nil turns the form off.
	Parse func(flags string) (train.Config, error)
	// Recipes are the recipe options the form offers by name, each a
	// line of flags.
	Recipes []Recipe
	// MaxRuns bounds the runs this server trains at once (default 1).
	MaxRuns int
	// Log receives one line per run started or failed; nil: discarded.
	Log *slog.Logger
	// WriteResults, if not nil, writes a run's results table when the
	// server has trained it to the end (as `helmholtz train` does).
	WriteResults func(*train.Run) error
	// Hosts are the host names (lower case) requests may name in their
	// Host header besides IP addresses and localhost: the names under
	// which the server is reached. Any other name is refused, which closes
	// DNS rebinding.
	Hosts []string
}

// Recipe is a named line of flags the form offers.
type Recipe struct{ Name, Flags string }

// Server serves the explorer of the runs under one directory.
type Server struct {
	root  string   // absolute, symlinks resolved
	runs  *os.Root // root, through which every file is read: nothing outside it
	token string   // the forms' token: only this server's pages carry it
	opt   Options
	reads reads
	ctx   context.Context
	tmpl  *template.Template
	figs  *cache

	mu     sync.Mutex
	active map[string]error // runs this server trains: rel path → nil while running
	wg     sync.WaitGroup

	prerenderOnce sync.Once
	jobs          chan prerenderJob
}

// New returns a server of the runs under dir, which must exist. Runs it
// starts stop (with a checkpoint) when ctx is cancelled; Wait waits for
// them.
func New(ctx context.Context, dir string, opt Options) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("--runs %q: %w", dir, err)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("--runs %q: not a directory", dir)
	}
	if opt.MaxRuns <= 0 {
		opt.MaxRuns = 1
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	t, err := template.New("").Funcs(funcs).ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, err
	}
	runs, err := os.OpenRoot(real)
	if err != nil {
		return nil, fmt.Errorf("--runs %q: %w", dir, err)
	}
	context.AfterFunc(ctx, func() { runs.Close() })
	for i, h := range opt.Hosts {
		opt.Hosts[i] = strings.TrimSuffix(strings.ToLower(h), ".")
	}
	return &Server{root: real, runs: runs, token: rand.Text(), opt: opt, ctx: ctx, tmpl: t, figs: newCache(maxCached),
		active: map[string]error{}, reads: newReads()}, nil
}

// funcs are the templates' formatting functions.
var funcs = template.FuncMap{
	"commas": train.Commas,
	"num": func(x float64) string { // a sort key: empty for NaN
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	},
	"f1": fixed(1), "f3": fixed(3), "f4": fixed(4),
}

func fixed(prec int) func(float64) string {
	return func(x float64) string {
		if math.IsNaN(x) {
			return "–"
		}
		return strconv.FormatFloat(x, 'f', prec, 64)
	}
}

// maxBody bounds a request's body: a form of a few flags.
const maxBody = 16 << 10

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /run/{path...}", s.runPage)
	mux.HandleFunc("GET /api/run/{path...}", s.runData)
	mux.HandleFunc("GET /api/units/{path...}", s.unitsText)
	mux.HandleFunc("GET /fig/{name}/{path...}", s.figure)
	mux.HandleFunc("GET /model/{path...}", s.modelPage)
	mux.HandleFunc("GET /sweep/{path...}", s.sweepPage)
	mux.HandleFunc("GET /files/{path...}", s.file)
	mux.HandleFunc("POST /start", s.start)
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	return s.guard(mux)
}

// guard refuses a request for a Host that is not this server's (guard.go),
// bounds request bodies, sets headers every page shares and turns a panic
// in a handler into a 500 for that request alone.
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			http.Error(w, fmt.Sprintf("refused: Host %.80q is not a name of this server (serve --host NAME to add one)", r.Host), http.StatusMisdirectedRequest)
			return
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				http.Error(w, fmt.Sprintf("internal error: %v", v), http.StatusInternalServerError)
			}
		}()
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
		h.ServeHTTP(w, r)
	})
}

// errOutside is the error of a path that leaves the runs directory.
var errOutside = errors.New("not a path under the runs directory")

// resolve returns the absolute path of rel, a slash-separated path under
// the root, refusing "..", absolute paths and any path that leaves the
// root through a symlink.
func (s *Server) resolve(rel string) (string, error) {
	if rel == "" {
		return s.root, nil
	}
	if !fs.ValidPath(rel) || strings.Contains(rel, `\`) {
		return "", errOutside
	}
	p := filepath.Join(s.root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	if real != s.root && !strings.HasPrefix(real, s.root+string(filepath.Separator)) {
		return "", errOutside
	}
	return real, nil
}

// rel returns the slash-separated path of abs under the root.
func (s *Server) rel(abs string) string {
	r, err := filepath.Rel(s.root, abs)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(r)
}

// fail writes an error page with status code.
func (s *Server) fail(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	s.tmpl.ExecuteTemplate(w, "error.html", map[string]any{"Code": code, "Status": http.StatusText(code), "Err": err.Error()})
}

// failErr writes the error page of err (errStatus).
func (s *Server) failErr(w http.ResponseWriter, err error) {
	code, err := errStatus(err)
	s.fail(w, code, err)
}

// errStatus returns the status of a request that failed with err: 403
// for a path that leaves the runs directory, 404 for one that is not
// there, else 422 (a run or file that is there but cannot be read: its
// error on its own page), and the error to show.
func errStatus(err error) (int, error) {
	switch {
	case errors.Is(err, errOutside):
		return http.StatusForbidden, err
	case strings.Contains(err.Error(), "path escapes from parent"): // os.Root's refusal, which has no exported error
		return http.StatusForbidden, errOutside
	case errors.Is(err, os.ErrNotExist):
		return http.StatusNotFound, errors.New("no such file or directory under the runs directory")
	}
	return http.StatusUnprocessableEntity, err
}

// render executes a page template.
func (s *Server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.opt.Log.Error("render", "page", name, "err", err)
	}
}

// file serves a file of a run or sweep for download: regular files only,
// of the kinds runs write, opened through the root.
func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	if _, err := s.resolve(rel); err != nil {
		s.failErr(w, err)
		return
	}
	switch path.Ext(rel) {
	case ".npz", ".csv", ".gif", ".md", ".json", ".jsonl", ".png", ".svg":
	default:
		s.fail(w, http.StatusForbidden, errors.New("not a file a run or sweep writes"))
		return
	}
	f, err := s.runs.Open(rel)
	if err != nil {
		s.failErr(w, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		s.fail(w, http.StatusNotFound, errors.New("not a regular file"))
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", path.Base(rel)))
	http.ServeContent(w, r, path.Base(rel), fi.ModTime(), f)
}
