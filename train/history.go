package train

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

var historyHeader = []string{"step", "samples", "kl_bits", "nll_bits"}

// WriteHistory writes points as CSV with a header row. Numbers are
// written in full precision, so reading them back is exact.
func WriteHistory(w io.Writer, points []Point) error {
	cw := csv.NewWriter(w)
	cw.Write(historyHeader)
	for _, p := range points {
		cw.Write([]string{
			strconv.Itoa(p.Step), strconv.Itoa(p.Samples),
			strconv.FormatFloat(p.KL, 'g', -1, 64), strconv.FormatFloat(p.NLL, 'g', -1, 64),
		})
	}
	cw.Flush()
	return cw.Error()
}

// ReadHistory reads what WriteHistory wrote.
func ReadHistory(r io.Reader) ([]Point, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if len(rows) == 0 || len(rows[0]) != len(historyHeader) || rows[0][0] != historyHeader[0] {
		return nil, fmt.Errorf("history: want header %v", historyHeader)
	}
	points := make([]Point, 0, len(rows)-1)
	for i, row := range rows[1:] {
		var p Point
		var errs [4]error
		p.Step, errs[0] = strconv.Atoi(row[0])
		p.Samples, errs[1] = strconv.Atoi(row[1])
		p.KL, errs[2] = strconv.ParseFloat(row[2], 64)
		p.NLL, errs[3] = strconv.ParseFloat(row[3], 64)
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("history line %d: %w", i+2, err)
			}
		}
		points = append(points, p)
	}
	return points, nil
}
