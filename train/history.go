package train

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// historyHeader names the columns of history.csv: se_bits is the standard
// error of kl_bits and nll_bits, 0 when the estimator is "exact", and "is-K"
// importance sampling with K samples per pattern; shift_recovery is the
// shifter's direction recovery (Point.Shift). Histories of older versions
// have the first four, five, seven or eight columns only; a gap that was
// not computed (the posterior of a large net), a shift recovery of data
// other than the shifter, or a validation NLL of data without a
// validation split (valid_nll_bits: Point.Valid), is an empty field.
var historyHeader = []string{"step", "samples", "kl_bits", "nll_bits", "gap_bits", "se_bits", "estimator", "shift_recovery", "valid_nll_bits"}

// WriteHistory writes points as CSV with a header row. Numbers are
// written in full precision, so reading them back is exact.
func WriteHistory(w io.Writer, points []Point) error {
	cw := csv.NewWriter(w)
	cw.Write(historyHeader)
	writeRows(cw, points)
	cw.Flush()
	return cw.Error()
}

func writeRows(cw *csv.Writer, points []Point) {
	for _, p := range points {
		gap := ""
		if !math.IsNaN(p.Gap) {
			gap = strconv.FormatFloat(p.Gap, 'g', -1, 64)
		}
		shift, valid := "", ""
		if !math.IsNaN(p.Shift) {
			shift = strconv.FormatFloat(p.Shift, 'g', -1, 64)
		}
		if !math.IsNaN(p.Valid) {
			valid = strconv.FormatFloat(p.Valid, 'g', -1, 64)
		}
		est := "exact"
		if p.K > 0 {
			est = "is-" + strconv.Itoa(p.K)
		}
		cw.Write([]string{
			strconv.Itoa(p.Step), strconv.Itoa(p.Samples),
			strconv.FormatFloat(p.KL, 'g', -1, 64), strconv.FormatFloat(p.NLL, 'g', -1, 64), gap,
			strconv.FormatFloat(p.SE, 'g', -1, 64), est, shift, valid,
		})
	}
}

// ReadHistory reads what WriteHistory wrote, checking what any history
// satisfies: steps increase, samples never decrease, and KL and NLL are
// finite numbers with NLL ≥ KL ≥ 0 (up to rounding). Whether the rows
// fit a particular run is for Open and Resume to check.
func ReadHistory(r io.Reader) ([]Point, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRead+1))
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if len(data) > maxRead {
		return nil, fmt.Errorf("history: larger than %s", byteSize(maxRead))
	}
	return parseHistory(data)
}

func parseHistory(data []byte) ([]Point, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil || !(slices.Equal(head, historyHeader) || slices.Equal(head, historyHeader[:8]) || slices.Equal(head, historyHeader[:7]) || slices.Equal(head, historyHeader[:5]) || slices.Equal(head, historyHeader[:4])) {
		return nil, fmt.Errorf("history: want the header %v", historyHeader)
	}
	cr.FieldsPerRecord = len(head)
	var points []Point
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return points, nil
		}
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		p, err := parseRow(row)
		if err != nil {
			return nil, fmt.Errorf("history line %d: %w", line, err)
		}
		if n := len(points); n > 0 && (p.Step <= points[n-1].Step || p.Samples < points[n-1].Samples) {
			return nil, fmt.Errorf("history line %d: step %d after step %d", line, p.Step, points[n-1].Step)
		}
		points = append(points, p)
	}
}

func parseRow(row []string) (Point, error) {
	var p Point
	var err error
	if p.Step, err = strconv.Atoi(row[0]); err != nil {
		return p, fmt.Errorf("step %.64q: want an integer", row[0])
	}
	if p.Samples, err = strconv.Atoi(row[1]); err != nil {
		return p, fmt.Errorf("samples %.64q: want an integer", row[1])
	}
	if p.KL, err = strconv.ParseFloat(row[2], 64); err != nil {
		return p, fmt.Errorf("kl_bits %.64q: want a number", row[2])
	}
	if p.NLL, err = strconv.ParseFloat(row[3], 64); err != nil {
		return p, fmt.Errorf("nll_bits %.64q: want a number", row[3])
	}
	p.Gap, p.Shift, p.Valid = math.NaN(), math.NaN(), math.NaN()
	if len(row) > 8 && row[8] != "" {
		if p.Valid, err = strconv.ParseFloat(row[8], 64); err != nil || !(p.Valid >= 0 && p.Valid <= math.MaxFloat64) {
			return p, fmt.Errorf("valid_nll_bits %.64q: want a finite number ≥ 0", row[8])
		}
	}
	if len(row) > 7 && row[7] != "" {
		if p.Shift, err = strconv.ParseFloat(row[7], 64); err != nil || !(p.Shift >= 0 && p.Shift <= 1) {
			return p, fmt.Errorf("shift_recovery %.64q: want a number in [0, 1]", row[7])
		}
	}
	if len(row) > 4 && row[4] != "" {
		if p.Gap, err = strconv.ParseFloat(row[4], 64); err != nil || math.IsNaN(p.Gap) {
			return p, fmt.Errorf("gap_bits %.64q: want a number", row[4])
		}
	}
	if len(row) > 6 {
		if p.SE, err = strconv.ParseFloat(row[5], 64); err != nil {
			return p, fmt.Errorf("se_bits %.64q: want a number", row[5])
		}
		switch k, ok := strings.CutPrefix(row[6], "is-"); {
		case row[6] == "exact":
			if p.SE != 0 {
				return p, fmt.Errorf("an exact evaluation with a standard error of %v", p.SE)
			}
		case ok:
			if p.K, err = strconv.Atoi(k); err != nil || p.K < 1 {
				return p, fmt.Errorf("estimator %.64q: want exact or is-K", row[6])
			}
		default:
			return p, fmt.Errorf("estimator %.64q: want exact or is-K", row[6])
		}
	}
	return p, p.check()
}

// check reports what no evaluation can be: a negative step or sample
// count, a KL or NLL that is not finite, or not 0 ≤ KL ≤ NLL (up to
// rounding).
func (p Point) check() error {
	switch {
	case p.Step < 0 || p.Samples < 0:
		return fmt.Errorf("step %d, samples %d: want counts ≥ 0", p.Step, p.Samples)
	case math.IsNaN(p.KL) || math.IsInf(p.KL, 0) || math.IsNaN(p.NLL) || math.IsInf(p.NLL, 0):
		return fmt.Errorf("KL %v, NLL %v bits: want finite numbers", p.KL, p.NLL)
	case p.K == 0 && (p.KL < -1e-6 || p.NLL < p.KL-1e-6):
		return fmt.Errorf("KL %v and NLL %v bits: want 0 ≤ KL ≤ NLL", p.KL, p.NLL)
	case math.IsInf(p.Gap, 0) || p.Gap < 0:
		return fmt.Errorf("gap %v bits: want a finite number ≥ 0", p.Gap)
	case !(p.SE >= 0) || math.IsInf(p.SE, 0) || p.K < 0 || (p.K == 0) != (p.SE == 0):
		return fmt.Errorf("standard error %v with %d samples: want ≥ 0, and 0 exactly for an exact evaluation", p.SE, p.K)
	}
	return nil
}

// same reports whether p and q are the same evaluation, bit for bit; a
// gap or shift recovery p does not have (NaN) matches any.
func (p Point) same(q Point) bool {
	return p.Step == q.Step && p.Samples == q.Samples && p.K == q.K && math.Float64bits(p.SE) == math.Float64bits(q.SE) && math.Float64bits(p.KL) == math.Float64bits(q.KL) &&
		math.Float64bits(p.NLL) == math.Float64bits(q.NLL) && (math.IsNaN(p.Gap) || math.Float64bits(p.Gap) == math.Float64bits(q.Gap)) &&
		(math.IsNaN(p.Shift) || math.Float64bits(p.Shift) == math.Float64bits(q.Shift))
}

// Equal reports whether p and q are the same, bit for bit (a NaN gap or
// shift recovery equals a NaN one).
func (p Point) Equal(q Point) bool {
	eq := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	return p.Step == q.Step && p.Samples == q.Samples && p.K == q.K && eq(p.KL, q.KL) && eq(p.NLL, q.NLL) &&
		eq(p.Gap, q.Gap) && eq(p.SE, q.SE) && eq(p.Shift, q.Shift) && eq(p.Valid, q.Valid)
}

// pointJSON is Point as JSON: a gap that was not computed is left out
// (JSON has no NaN).
type pointJSON struct {
	Step    int
	Samples int
	KL      float64
	NLL     float64
	Gap     *float64 `json:",omitempty"`
	SE      float64  `json:",omitempty"`
	K       int      `json:",omitempty"`
	Shift   *float64 `json:",omitempty"`
	Valid   *float64 `json:",omitempty"`
}

// MarshalJSON writes p as an object, without the gap if it is NaN.
func (p Point) MarshalJSON() ([]byte, error) {
	j := pointJSON{Step: p.Step, Samples: p.Samples, KL: p.KL, NLL: p.NLL, SE: p.SE, K: p.K}
	if !math.IsNaN(p.Gap) {
		j.Gap = &p.Gap
	}
	if !math.IsNaN(p.Shift) {
		j.Shift = &p.Shift
	}
	if !math.IsNaN(p.Valid) {
		j.Valid = &p.Valid
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Point) UnmarshalJSON(b []byte) error {
	var j pointJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*p = Point{Step: j.Step, Samples: j.Samples, KL: j.KL, NLL: j.NLL, Gap: math.NaN(), SE: j.SE, K: j.K, Shift: math.NaN(), Valid: math.NaN()}
	if j.Valid != nil {
		p.Valid = *j.Valid
	}
	if j.Gap != nil {
		p.Gap = *j.Gap
	}
	if j.Shift != nil {
		p.Shift = *j.Shift
	}
	return nil
}
