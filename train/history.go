package train

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

var historyHeader = []string{"step", "samples", "kl_bits", "nll_bits"}

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
		cw.Write([]string{
			strconv.Itoa(p.Step), strconv.Itoa(p.Samples),
			strconv.FormatFloat(p.KL, 'g', -1, 64), strconv.FormatFloat(p.NLL, 'g', -1, 64),
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
	cr.FieldsPerRecord = len(historyHeader)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil || !slices.Equal(head, historyHeader) {
		return nil, fmt.Errorf("history: want the header %v", historyHeader)
	}
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
		return p, fmt.Errorf("step %q: want an integer", row[0])
	}
	if p.Samples, err = strconv.Atoi(row[1]); err != nil {
		return p, fmt.Errorf("samples %q: want an integer", row[1])
	}
	if p.KL, err = strconv.ParseFloat(row[2], 64); err != nil {
		return p, fmt.Errorf("kl_bits %q: want a number", row[2])
	}
	if p.NLL, err = strconv.ParseFloat(row[3], 64); err != nil {
		return p, fmt.Errorf("nll_bits %q: want a number", row[3])
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
	case p.KL < -1e-6 || p.NLL < p.KL-1e-6:
		return fmt.Errorf("KL %v and NLL %v bits: want 0 ≤ KL ≤ NLL", p.KL, p.NLL)
	}
	return nil
}
