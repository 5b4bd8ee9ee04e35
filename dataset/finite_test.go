package dataset

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helmholtz/internal/arrays"
)

func writeSplits(t *testing.T, arrs ...arrays.Named) string {
	t.Helper()
	var b bytes.Buffer
	if err := arrays.Write(&b, arrs); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "d.npz")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFinite: a file of three splits reads back as written; training
// draws uniformly from the training split, from the stream alone; the
// support is the training split's distinct examples with frequencies.
func TestFinite(t *testing.T) {
	train := [][]uint8{{0, 0, 1, 1}, {1, 0, 0, 0}, {0, 0, 1, 1}, {1, 1, 1, 1}}
	valid := [][]uint8{{0, 1, 0, 1}}
	test := [][]uint8{{1, 1, 0, 0}, {0, 0, 0, 0}}
	p := writeSplits(t, arrays.Named{Name: "train", Array: arrays.Uint8s(train)}, arrays.Named{Name: "valid", Array: arrays.Uint8s(valid)},
		arrays.Named{Name: "test", Array: arrays.Uint8s(test)}, arrays.Named{Name: "entropy", Array: arrays.Float64s(nil, 1.5)})
	set, err := Parse("file:" + p)
	if err != nil {
		t.Fatal(err)
	}
	f := set.(*Finite)
	if f.Dim() != 4 || len(f.Train) != 4 || len(f.Valid) != 1 || len(f.Test) != 2 || f.String() != "file:"+p {
		t.Fatalf("read %d units, splits %d/%d/%d, named %s", f.Dim(), len(f.Train), len(f.Valid), len(f.Test), f)
	}
	if h, w := f.Shape(); h != 2 || w != 2 {
		t.Errorf("4 units drawn as %d×%d, want 2×2", h, w)
	}
	pats, probs := f.Support()
	if f.SupportSize() != 3 || len(pats) != 3 || probs[0] != 0.5 || probs[1] != 0.25 || string(pats[2]) != string(train[3]) {
		t.Errorf("support %v %v", pats, probs)
	}
	counts := map[string]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]uint8, 4)
	for range 40000 {
		f.Sample(x, rng)
		counts[string(x)]++
	}
	// Binomial(40000, 1/4): sd 87; 5 sd.
	if c := counts[string(train[1])]; c < 10000-435 || c > 10000+435 {
		t.Errorf("example 1 drawn %d times in 40000, want about 10000", c)
	}
	again, _ := Parse("file:" + p)
	if again != set {
		t.Error("an unchanged file is read again")
	}
}

// TestFiniteRefuses: files without the three splits, of another dtype, with
// values other than 0/1, with widths that differ or an empty split are
// refused with one line naming the problem.
func TestFiniteRefuses(t *testing.T) {
	good := arrays.Uint8s([][]uint8{{0, 1}, {1, 0}})
	n := func(name string, a arrays.Array) arrays.Named { return arrays.Named{Name: name, Array: a} }
	for name, c := range map[string]struct {
		arrs []arrays.Named
		want string
	}{
		"no test":      {[]arrays.Named{n("train", good), n("valid", good)}, "no array test"},
		"float64":      {[]arrays.Named{n("train", arrays.Float64s([]int{2, 2}, 0, 1, 1, 0)), n("valid", good), n("test", good)}, "want a uint8 matrix"},
		"vector":       {[]arrays.Named{n("train", arrays.Array{Dtype: "|u1", Shape: []int{4}, Data: []byte{0, 1, 1, 0}}), n("valid", good), n("test", good)}, "want a uint8 matrix"},
		"value 2":      {[]arrays.Named{n("train", arrays.Uint8s([][]uint8{{0, 2}})), n("valid", good), n("test", good)}, "want values 0 or 1"},
		"widths":       {[]arrays.Named{n("train", good), n("valid", arrays.Uint8s([][]uint8{{0, 1, 1}})), n("test", good)}, "has 3 units, want 2"},
		"empty split":  {[]arrays.Named{n("train", good), n("valid", arrays.Array{Dtype: "|u1", Shape: []int{0, 2}}), n("test", good)}, "split valid is empty"},
		"zero columns": {[]arrays.Named{n("train", arrays.Array{Dtype: "|u1", Shape: []int{2, 0}}), n("valid", good), n("test", good)}, "has 0 units"},
	} {
		_, err := Parse("file:" + writeSplits(t, c.arrs...))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
	for _, spec := range []string{"file:", "file:/nonexistent.npz", "file:" + t.TempDir()} {
		if _, err := Parse(spec); err == nil {
			t.Errorf("%s: no error", spec)
		}
	}
}
