package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/train"
)

// WriteJSONL writes one JSON object per result and line.
func WriteJSONL(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	for _, r := range results {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// maxResults bounds the size of a results file that ReadJSONL reads.
const maxResults = 256 << 20

// ReadJSONL reads what WriteJSONL wrote, checking every line (see
// Result.Check). Blank lines are skipped.
func ReadJSONL(r io.Reader) ([]Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxResults+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxResults {
		return nil, fmt.Errorf("larger than %d bytes: not a results file", maxResults)
	}
	return parseJSONL(data, newEntropies())
}

func parseJSONL(data []byte, h *entropies) ([]Result, error) {
	var out []Result
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var res Result
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&res); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		if err := res.Check(h); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// entropies caches H(p_data) by data set.
type entropies struct{ m map[string]float64 }

func newEntropies() *entropies { return &entropies{m: map[string]float64{}} }

func (e *entropies) of(spec string) (float64, error) {
	if h, ok := e.m[spec]; ok {
		return h, nil
	}
	set, err := dataset.Parse(spec)
	if err != nil {
		return 0, err
	}
	_, probs := set.Support()
	e.m[spec] = exact.Entropy(probs)
	return e.m[spec], nil
}

// Check reports what makes r not the result of a run of a sweep: a bad
// recipe name, a config that does not validate or has another seed, KL
// and NLL that are not what its data allow (finite, NLL − KL = H), a
// history that is not its config's, unit counts beyond its hidden layer,
// a model path other than ModelPath. h may be nil.
func (r Result) Check(h *entropies) error {
	if h == nil {
		h = newEntropies()
	}
	if err := ValidName(r.Recipe); err != nil {
		return err
	}
	if r.Seed != r.Config.Seed {
		return fmt.Errorf("seed %d, but its config has seed %d", r.Seed, r.Config.Seed)
	}
	if err := r.Config.Validate(); err != nil {
		return fmt.Errorf("recipe %s seed %d: config: %w", r.Recipe, r.Seed, err)
	}
	entropy, err := h.of(r.Config.Data)
	if err != nil {
		return err
	}
	cfg := r.Config
	if r.Diverged != "" && len(r.Checkpoints) > 0 {
		// A diverged run's evaluations end where it stopped.
		cfg.Steps = r.Checkpoints[len(r.Checkpoints)-1].Step + cfg.Steps - cfg.LastStep()
	}
	if err := train.CheckHistory(cfg, entropy, r.Checkpoints); err != nil {
		return fmt.Errorf("recipe %s seed %d: checkpoints: %w", r.Recipe, r.Seed, err)
	}
	last := r.Checkpoints[len(r.Checkpoints)-1]
	if r.KL != last.KL || r.NLL != last.NLL {
		return fmt.Errorf("recipe %s seed %d: final KL %v and NLL %v are not its last checkpoint's", r.Recipe, r.Seed, r.KL, r.NLL)
	}
	if (r.Gap == nil) != math.IsNaN(last.Gap) || (r.Gap != nil && *r.Gap != last.Gap) {
		return fmt.Errorf("recipe %s seed %d: final gap is not its last checkpoint's", r.Recipe, r.Seed)
	}
	if (r.Shift == nil) != math.IsNaN(last.Shift) || (r.Shift != nil && *r.Shift != last.Shift) {
		return fmt.Errorf("recipe %s seed %d: final shift recovery is not its last checkpoint's", r.Recipe, r.Seed)
	}
	if (r.Valid == nil) != math.IsNaN(last.Valid) || (r.Valid != nil && *r.Valid != last.Valid) {
		return fmt.Errorf("recipe %s seed %d: final validation cost is not its last checkpoint's", r.Recipe, r.Seed)
	}
	u := r.Units
	n := u.Bars + u.Duplicates + u.Dead + u.AlwaysOn + u.Mixed
	if min(u.Bars, u.Duplicates, u.Dead, u.AlwaysOn, u.Mixed) < 0 || n > r.Config.Layers[1] {
		return fmt.Errorf("recipe %s seed %d: unit counts %+v for %d hidden units", r.Recipe, r.Seed, u, r.Config.Layers[1])
	}
	if math.IsNaN(r.Seconds) || math.IsInf(r.Seconds, 0) || r.Seconds < 0 {
		return fmt.Errorf("recipe %s seed %d: seconds %v", r.Recipe, r.Seed, r.Seconds)
	}
	if r.Model != "" && r.Model != ModelPath(r.Recipe, r.Seed) {
		return fmt.Errorf("recipe %s seed %d: model %q, want %q", r.Recipe, r.Seed, r.Model, ModelPath(r.Recipe, r.Seed))
	}
	return nil
}

// ValidName reports whether name can name a recipe: it becomes a
// directory under models/, so letters, digits and . _ + - only, not
// starting with a dot, at most 64 characters.
func ValidName(name string) error { return train.CheckName("recipe", name) }

// CheckUnique reports a recipe and seed that appear twice in results, or
// a recipe whose runs have different configs (but for the seed): results
// merged from shards that overlap, or from different sweeps.
func CheckUnique(results []Result) error {
	seen := map[string]bool{}
	configs := map[string]train.Config{}
	for _, r := range results {
		key := fmt.Sprintf("%s/%d", r.Recipe, r.Seed)
		if seen[key] {
			return fmt.Errorf("recipe %s seed %d appears twice (overlapping shards, or one file given twice?)", r.Recipe, r.Seed)
		}
		seen[key] = true
		c := r.Config
		c.Seed = 0
		if old, ok := configs[r.Recipe]; ok && !reflect.DeepEqual(old, c) {
			return fmt.Errorf("recipe %s has runs of two different configs (%.64q and %.64q)", r.Recipe, old.RecipeFlags(), c.RecipeFlags())
		}
		configs[r.Recipe] = c
	}
	return nil
}

// heldOutMarkdown is Markdown for runs on a data set with splits: the
// spread of their final validation costs.
func heldOutMarkdown(w io.Writer, stats []Stats) error {
	fmt.Fprintln(w, "Final cost of the validation examples, −log2 p(v) in bits per example, over seeds:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| recipe | runs | min | q1 | median | q3 | max | flags |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, s := range stats {
		if _, err := fmt.Fprintf(w, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | `%s` |\n",
			s.Recipe, s.N, s.Min, s.Q1, s.Median, s.Q3, s.Max, s.Flags); err != nil {
			return err
		}
	}
	notes(w, stats, "costs")
	return nil
}

// notes writes, under a summary of stats, which recipes' measures (what)
// are estimated and which lost runs to divergence.
func notes(w io.Writer, stats []Stats, what string) {
	for _, s := range stats {
		if s.Estimator != "" && s.Estimator != "exact" {
			fmt.Fprintf(w, "\n%s: %s estimated by importance sampling (%s: K samples from q per pattern), not exact\n", s.Recipe, what, s.Estimator)
		}
		if s.Diverged > 0 {
			fmt.Fprintf(w, "\n%s: %d of %d runs diverged and are left out of its statistics (see results.jsonl)\n", s.Recipe, s.Diverged, s.N)
		}
	}
}

// WriteCSV writes one row per result: recipe, seed, final KL and NLL, the
// KL at each checkpoint step given, the unit counts and the wall time;
// where a result is of the shifter, a column of direction recovery.
func WriteCSV(w io.Writer, results []Result, checkpoints []int) error {
	shift := slices.ContainsFunc(results, func(r Result) bool { return r.Shift != nil })
	// Runs on data sets with splits add their validation cost; where all
	// are, the checkpoints give it instead of the KL, and the bars' unit
	// counts are left out.
	held, valid := HeldOut(results), slices.ContainsFunc(results, func(r Result) bool { return r.Valid != nil })
	head := []string{"recipe", "seed", "kl_bits", "nll_bits", "gap_bits"}
	at := "kl_at_"
	if valid {
		head = append(head, "valid_nll_bits")
	}
	if held {
		at = "valid_at_"
	}
	for _, s := range checkpoints {
		head = append(head, at+strconv.Itoa(s))
	}
	if !held {
		head = append(head, "bars", "duplicates", "dead", "always_on", "mixed", "top_separates")
	}
	if shift {
		head = append(head, "shift_recovery")
	}
	head = append(head, "seconds")
	fmt.Fprintln(w, strings.Join(head, ","))
	for _, r := range results {
		gap := ""
		if r.Gap != nil {
			gap = ftoa(*r.Gap)
		}
		row := []string{r.Recipe, strconv.FormatUint(r.Seed, 10), ftoa(r.KL), ftoa(r.NLL), gap}
		if valid {
			cell := ""
			if r.Valid != nil {
				cell = ftoa(*r.Valid)
			}
			row = append(row, cell)
		}
		for _, s := range checkpoints {
			v := ""
			for _, p := range r.Checkpoints {
				if p.Step == s {
					v = ftoa(p.KL)
					if held {
						v = ftoa(p.Valid)
					}
				}
			}
			row = append(row, v)
		}
		if !held {
			u := r.Units
			row = append(row, strconv.Itoa(u.Bars), strconv.Itoa(u.Duplicates), strconv.Itoa(u.Dead),
				strconv.Itoa(u.AlwaysOn), strconv.Itoa(u.Mixed), strconv.FormatBool(u.TopSeparates))
		}
		if shift {
			s := ""
			if r.Shift != nil {
				s = ftoa(*r.Shift)
			}
			row = append(row, s)
		}
		row = append(row, strconv.FormatFloat(r.Seconds, 'f', 3, 64))
		if _, err := fmt.Fprintln(w, strings.Join(row, ",")); err != nil {
			return err
		}
	}
	return nil
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }

// Markdown writes the summary table: one row per recipe. Recipes on data
// sets with splits, ranked by their validation costs, get a table of
// their own, after the others'.
func Markdown(w io.Writer, stats []Stats) error {
	var kl, held []Stats
	for _, s := range stats {
		if s.HeldOut {
			held = append(held, s)
		} else {
			kl = append(kl, s)
		}
	}
	if len(kl) > 0 || len(held) == 0 {
		if err := klMarkdown(w, kl); err != nil {
			return err
		}
	}
	if len(held) == 0 {
		return nil
	}
	if len(kl) > 0 {
		fmt.Fprintln(w)
	}
	return heldOutMarkdown(w, held)
}

// klMarkdown writes the summary table of recipes ranked by their KL.
func klMarkdown(w io.Writer, stats []Stats) error {
	head := "| recipe | runs | min | q1 | median | q3 | max |"
	sep := "|---|---|---|---|---|---|---|"
	for _, t := range Thresholds {
		head += fmt.Sprintf(" ≤ %g |", t)
		sep += "---|"
	}
	head += " bar units (mean) | every bar | top separates | flags |"
	sep += "---|---|---|---|"
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	for _, s := range stats {
		row := fmt.Sprintf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f |", s.Recipe, s.N, s.Min, s.Q1, s.Median, s.Q3, s.Max)
		for _, t := range Thresholds {
			row += fmt.Sprintf(" %d |", s.Below[t])
		}
		flags := s.Flags
		if flags == "" {
			flags = "(stub recipe)"
		} else {
			flags = "`" + flags + "`"
		}
		row += fmt.Sprintf(" %.1f | %d | %d | %s |", s.MeanBars, s.AllBars, s.Separated, flags)
		if _, err := fmt.Fprintln(w, row); err != nil {
			return err
		}
	}
	notes(w, stats, "KL and NLL")
	return nil
}
