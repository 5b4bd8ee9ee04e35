package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"helmholtz/train"
)

// A sweep directory holds one sweep, as a run directory holds one run:
// sweep.json says what it runs (its recipes and seeds), models/ the model
// of each run that finished and results.jsonl one line per finished run,
// appended as each finishes. Opening a directory that holds the same
// sweep continues it: the runs it recorded are not run again (they would
// give the same bits). A directory of another sweep is refused unless
// force is set, which removes that sweep's files (never other files).
// The process holds the directory's lock while it writes.

// Plan is what a sweep runs.
type Plan struct {
	Recipes []Recipe `json:"recipes"`
	Seeds   []uint64 `json:"seeds"`
}

// Recipe is a named configuration; its seed is set per run.
type Recipe struct {
	Name   string       `json:"name"`
	Config train.Config `json:"config"`
}

// Jobs returns the plan's runs: every recipe with every seed, recipe by
// recipe.
func (p Plan) Jobs() []Job {
	var jobs []Job
	for _, rc := range p.Recipes {
		for _, s := range p.Seeds {
			c := rc.Config
			c.Seed = s
			jobs = append(jobs, Job{Recipe: rc.Name, Config: c})
		}
	}
	return jobs
}

// Dir is a sweep directory this process holds.
type Dir struct {
	Path string
	lock io.Closer
}

const (
	planName    = "sweep.json"
	resultsName = "results.jsonl"
	modelsName  = "models"
)

// reportNames are the files WriteReport writes.
var reportNames = []string{"results.jsonl", "results.csv", "summary.md", "kl.png", "kl.svg"}

// Open opens path as the directory of the sweep plan, and returns the
// results of the plan's runs that it recorded already, in any order.
func Open(path string, plan Plan, force bool) (*Dir, []Result, error) {
	if path == "" {
		return nil, nil, errors.New("no sweep directory given (an empty --out?)")
	}
	lock, err := train.LockDir(path)
	if err != nil {
		return nil, nil, err
	}
	d := &Dir{Path: path, lock: lock}
	done, err := d.open(plan, force)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, done, nil
}

// Close releases the directory's lock.
func (d *Dir) Close() error { return d.lock.Close() }

func (d *Dir) path(name string) string { return filepath.Join(d.Path, name) }

func (d *Dir) open(plan Plan, force bool) ([]Result, error) {
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return nil, err
	}
	var ours, other []string
	for _, e := range entries {
		switch name := e.Name(); {
		case name == ".lock" || strings.HasPrefix(name, "."):
		case name == planName || name == modelsName || slices.Contains(reportNames, name):
			ours = append(ours, name)
		default:
			other = append(other, name)
		}
	}
	var old Plan
	js, errPlan := os.ReadFile(d.path(planName))
	if errPlan == nil {
		errPlan = json.Unmarshal(js, &old)
	}
	switch {
	case len(ours) == 0 && len(other) > 0:
		return nil, fmt.Errorf("%.64q is not empty and holds no sweep (%s); use another --out", d.Path, strings.Join(other[:min(len(other), 5)], ", "))
	case len(ours) == 0:
	case errPlan == nil && reflect.DeepEqual(old, plan):
		return d.recorded(plan)
	case !force && errPlan == nil:
		return nil, fmt.Errorf("%.64q holds another sweep (other recipes or seeds); use another --out, or replace it with --force", d.Path)
	case !force:
		return nil, fmt.Errorf("%q holds the files of a sweep but no readable sweep.json; use another --out, or replace them with --force", d.Path)
	}
	for _, name := range ours {
		if err := d.remove(name); err != nil {
			return nil, fmt.Errorf("clearing %.64q: %w", d.Path, err)
		}
	}
	if err := train.WriteFile(d.path(planName), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}); err != nil {
		return nil, err
	}
	return nil, train.WriteFile(d.path(resultsName), func(io.Writer) error { return nil })
}

// remove removes one of the sweep's files, or in models/ the models it
// writes (RECIPE/seed_N.npz) and the directories they leave empty.
func (d *Dir) remove(name string) error {
	if name != modelsName {
		return os.Remove(d.path(name))
	}
	recipes, err := os.ReadDir(d.path(name))
	if err != nil {
		return err
	}
	for _, rc := range recipes {
		models, _ := os.ReadDir(filepath.Join(d.path(name), rc.Name()))
		for _, m := range models {
			var seed uint64
			if _, err := fmt.Sscanf(m.Name(), "seed_%d.npz", &seed); err == nil && m.Name() == fmt.Sprintf("seed_%d.npz", seed) {
				os.Remove(filepath.Join(d.path(name), rc.Name(), m.Name()))
			}
		}
		os.Remove(filepath.Join(d.path(name), rc.Name())) // if empty
	}
	os.Remove(d.path(name))
	return nil
}

// recorded reads the results the directory holds of plan's runs. A last
// line cut short (the process was killed while appending it) is dropped.
func (d *Dir) recorded(plan Plan) ([]Result, error) {
	data, err := os.ReadFile(d.path(resultsName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	results, err := parseJSONL(data, newEntropies())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.path(resultsName), err)
	}
	jobs := map[string]train.Config{}
	for _, j := range plan.Jobs() {
		jobs[j.Recipe+"/"+fmt.Sprint(j.Config.Seed)] = j.Config
	}
	seen := map[string]bool{}
	var out []Result
	for _, r := range results {
		key := r.Recipe + "/" + fmt.Sprint(r.Seed)
		if c, ok := jobs[key]; !ok || !reflect.DeepEqual(c, r.Config) {
			return nil, fmt.Errorf("%s holds recipe %s seed %d, which is not a run of this sweep", d.path(resultsName), r.Recipe, r.Seed)
		}
		if seen[key] {
			return nil, fmt.Errorf("%s holds recipe %s seed %d twice", d.path(resultsName), r.Recipe, r.Seed)
		}
		seen[key] = true
		out = append(out, r)
	}
	return out, nil
}

// Record appends a finished run's result to results.jsonl.
func (d *Dir) Record(r Result) error {
	f, err := os.OpenFile(d.path(resultsName), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	err = WriteJSONL(f, []Result{r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", d.path(resultsName), err)
	}
	return nil
}
