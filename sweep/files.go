package sweep

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func mkdirFor(path string) error { return os.MkdirAll(filepath.Dir(path), 0o755) }

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

// ReadJSONL reads what WriteJSONL wrote.
func ReadJSONL(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var res Result
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// WriteCSV writes one row per result: recipe, seed, final KL and NLL, the
// KL at each checkpoint step given, the unit counts and the wall time.
func WriteCSV(w io.Writer, results []Result, checkpoints []int) error {
	head := []string{"recipe", "seed", "kl_bits", "nll_bits"}
	for _, s := range checkpoints {
		head = append(head, "kl_at_"+strconv.Itoa(s))
	}
	head = append(head, "bars", "duplicates", "dead", "always_on", "mixed", "top_separates", "seconds")
	fmt.Fprintln(w, strings.Join(head, ","))
	for _, r := range results {
		row := []string{r.Recipe, strconv.FormatUint(r.Seed, 10), ftoa(r.KL), ftoa(r.NLL)}
		for _, s := range checkpoints {
			v := ""
			for _, p := range r.Checkpoints {
				if p.Step == s {
					v = ftoa(p.KL)
				}
			}
			row = append(row, v)
		}
		u := r.Units
		row = append(row, strconv.Itoa(u.Bars), strconv.Itoa(u.Duplicates), strconv.Itoa(u.Dead),
			strconv.Itoa(u.AlwaysOn), strconv.Itoa(u.Mixed), strconv.FormatBool(u.TopSeparates),
			strconv.FormatFloat(r.Seconds, 'f', 3, 64))
		if _, err := fmt.Fprintln(w, strings.Join(row, ",")); err != nil {
			return err
		}
	}
	return nil
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }

// Markdown writes the summary table: one row per recipe.
func Markdown(w io.Writer, stats []Stats) error {
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
	return nil
}
