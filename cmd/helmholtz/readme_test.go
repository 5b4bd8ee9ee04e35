package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repo is the repository's root, seen from this package's directory.
const repo = "../.."

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tableRow returns the cells of the Markdown table row of doc whose first
// cell is name, keyed by the header of the table it stands in.
func tableRow(t *testing.T, doc, name string) map[string]string {
	t.Helper()
	var header []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case header == nil:
			header = cells
		case cells[0] == name:
			row := map[string]string{}
			for i, h := range header {
				if i < len(cells) {
					row[h] = cells[i]
				}
			}
			return row
		}
	}
	t.Fatalf("no row %q", name)
	return nil
}

// TestReadmeAgreesWithDocs: the README's headline numbers are those of the
// documents the commands wrote (the canonical table as reproduce writes
// it, the studies' summaries), it stays short, and the documents speak of
// the project only.
func TestReadmeAgreesWithDocs(t *testing.T) {
	readme := readDoc(t, "README.md")
	flat := strings.Join(strings.Fields(readme), " ") // sentences as one line, wherever they wrap
	if n := strings.Count(readme, "\n"); n > 200 {
		t.Errorf("README.md has %d lines; at most 200", n)
	}
	// Five minutes' reading, tables and code included.
	if n := len(strings.Fields(readme)); n > 1500 {
		t.Errorf("README.md has %d words; at most 1,500", n)
	}
	begin, end := "<!-- begin docs/results.md", "<!-- end docs/results.md -->"
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatal("README.md has no docs/results.md block")
	}
	block := readme[i+strings.IndexByte(readme[i:], '\n')+1 : j]
	if strings.TrimSpace(block) != strings.TrimSpace(readDoc(t, "docs/results.md")) {
		t.Error("README.md's canonical table is not docs/results.md (run helmholtz reproduce)")
	}
	study := readDoc(t, "docs/study/summary.md")
	stub, recipe := tableRow(t, study, "stub"), tableRow(t, study, "recipe")
	gap := readDoc(t, "docs/gap/summary.md")
	exactRow, rws5 := tableRow(t, gap, "exact"), tableRow(t, gap, "rws5-recipe")
	for _, want := range []string{
		fmt.Sprintf("ends between %s and %s bits (median %s)", stub["min"], stub["max"], stub["median"]),
		fmt.Sprintf("KL ≤ 0.10 bits in %s of %s seeds (median %s bits; the stub's recipe: %s of %s)", recipe["≤ 0.1"], recipe["runs"], recipe["median"], stub["≤ 0.1"], stub["runs"]),
		fmt.Sprintf("still ends at a median %s bits", exactRow["median"]),
		fmt.Sprintf("ends ≤ 0.10 bits in %s of %s seeds (median %s)", rws5["≤ 0.1"], rws5["runs"], rws5["median"]),
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("README.md does not say %q, as the studies' summaries do", want)
		}
	}
	if density, err := os.ReadFile(filepath.Join(repo, "docs/DENSITY.md")); err == nil {
		// The held-out finding quotes the HM's and the mixture's mean test
		// costs on Mix 20-100 as the page has them.
		row := tableRow(t, string(density), "Helmholtz machine (wake-sleep)")
		mix := tableRow(t, string(density), "mixture (EM)")
		cost := regexp.MustCompile(`^[0-9.]+`)
		for _, want := range []string{cost.FindString(row["Mix 20-100"]), cost.FindString(mix["Mix 20-100"])} {
			if !strings.Contains(readme, want+" bits") {
				t.Errorf("README.md does not quote %s bits on Mix 20-100, as docs/DENSITY.md has it", want)
			}
		}
	}
	talk := regexp.MustCompile(`(?i)session|issue [0-9]`)
	docs, _ := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	for _, p := range append(docs, filepath.Join(repo, "README.md")) {
		b, _ := os.ReadFile(p)
		if m := talk.FindString(string(b)); m != "" {
			t.Errorf("%s speaks of %q: the documents speak of the project (dates and commits)", filepath.Base(p), m)
		}
	}
}

// TestEveryHelpHasAnExample: helmholtz help lists every command with an
// example, and every command's -h ends with one.
func TestEveryHelpHasAnExample(t *testing.T) {
	dir := t.TempDir()
	_, help, _ := cli(t, dir, "help")
	for _, c := range commands {
		if !strings.Contains(help, "e.g. "+examples[c.name]) || examples[c.name] == "" {
			t.Errorf("helmholtz help gives no example of %s", c.name)
		}
	}
	for _, args := range [][]string{{"reproduce"}, {"train"}, {"eval"}, {"plot"}, {"gif"}, {"sweep"}, {"summarize"},
		{"study", "gap"}, {"study", "scale"}, {"study", "dmd"}, {"study", "density"}, {"study", "mnist"}, {"serve"}, {"dmd"}, {"data", "make"}, {"density"}} {
		out, _, code := cli(t, dir, append(args, "-h")...)
		if code != 0 || !strings.Contains(out, "\nexample:\n  helmholtz ") {
			t.Errorf("%v -h: exit %d, no example:\n%s", args, code, out)
		}
	}
}
