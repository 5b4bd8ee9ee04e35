package sweep

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"helmholtz/dataset"
	"helmholtz/figure"
	"helmholtz/train"
)

// Target is the paper's KL, drawn on the distribution plot.
const Target = 0.10

// WriteReport writes into dir: results.jsonl and results.csv (one row per
// run), summary.md (one row per recipe) and kl.png and kl.svg (the KL
// distribution of each recipe; valid.png and valid.svg, of the validation
// costs of the recipes on data sets with splits). flags maps each recipe
// to its flags.
func WriteReport(dir string, results []Result, flags map[string]string) ([]Stats, error) {
	if len(results) == 0 {
		return nil, errors.New("no results to report")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	stats := Summarize(results, flags)
	files := map[string]func(io.Writer) error{
		"results.jsonl": func(w io.Writer) error { return WriteJSONL(w, results) },
		"results.csv":   func(w io.Writer) error { return WriteCSV(w, results, checkpointSteps(results)) },
		"summary.md":    func(w io.Writer) error { return Markdown(w, stats) },
	}
	for name, write := range files {
		if err := train.WriteFile(filepath.Join(dir, name), write); err != nil {
			return nil, err
		}
	}
	// The recipes ranked by KL in kl.png, those on data sets with splits by
	// their validation costs in valid.png.
	for _, held := range []bool{false, true} {
		var names []string
		var values [][]float64
		for _, s := range stats {
			if s.HeldOut != held {
				continue
			}
			names = append(names, s.Recipe)
			var v []float64
			for _, r := range results {
				if r.Recipe == s.Recipe {
					v = append(v, r.Measure())
				}
			}
			values = append(values, v)
		}
		if len(names) == 0 {
			continue
		}
		fig, name := figure.Distribution(names, values, Target), "kl"
		if held {
			fig, name = figure.CostDistribution("final validation cost over seeds", names, values), "valid"
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := figure.Save(filepath.Join(dir, name+ext), fig); err != nil {
				return nil, err
			}
		}
	}
	return stats, nil
}

// checkpointSteps picks up to ten evaluation steps shared by the runs,
// evenly spread, for the CSV's KL-at-checkpoint columns.
func checkpointSteps(results []Result) []int {
	if len(results) == 0 {
		return nil
	}
	count := map[int]int{}
	for _, r := range results {
		for _, p := range r.Checkpoints {
			count[p.Step]++
		}
	}
	var common []int
	for _, p := range results[0].Checkpoints {
		if count[p.Step] == len(results) && p.Step > 0 {
			common = append(common, p.Step)
		}
	}
	if len(common) <= 10 {
		return common
	}
	var out []int
	for i := 1; i <= 10; i++ {
		out = append(out, common[i*len(common)/10-1])
	}
	return out
}

// CheckBudget reports whether the plan's runs, on workers goroutines,
// fit the limits of a run (train.MaxMemory, train.MaxWork): the runs in
// progress at once and the results kept of every run must fit in memory,
// and all runs together in the work of one run's limit. Every recipe's
// config must be valid.
func (p Plan) CheckBudget(workers int) error {
	var work, kept, running float64
	n := float64(len(p.Seeds))
	for _, rc := range p.Recipes {
		c := rc.Config
		set, err := dataset.Parse(c.Data)
		if err != nil {
			return err
		}
		cost := c.Cost(set)
		work += n * cost.Work
		running = max(running, cost.Bytes)
		kept += n * (2048 + 32*(float64(c.Steps)/float64(c.EvalEvery)+2))
	}
	if mem := float64(min(workers, len(p.Seeds)*len(p.Recipes)))*running + kept; mem > train.MaxMemory {
		return fmt.Errorf("this sweep would need about %.1f GiB of memory, more than the limit of %d GiB (fewer runs or workers, or a larger --eval-every)",
			mem/(1<<30), train.MaxMemory>>30)
	}
	if work > train.MaxWork {
		return fmt.Errorf("this sweep would take about %.3g operations (%.0f days on one core), more than the limit of %.3g (fewer seeds, recipes or steps)",
			work, work/1e9/86400, float64(train.MaxWork))
	}
	return nil
}
