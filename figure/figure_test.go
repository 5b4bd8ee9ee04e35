package figure

import (
	"bytes"
	"context"
	"flag"
	"image/gif"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/train"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/")

// machine returns a fixed 16-n1-1 machine with weights large enough for
// every figure to show structure.
func machine(n1 int) *helmholtz.Machine {
	m := helmholtz.New([]int{16, n1, 1})
	m.Init(rand.New(rand.NewPCG(42, 0)), 3)
	for i := range m.B[0] {
		m.B[0][i] = -2
	}
	return m
}

// golden compares the PNG rendering of f with testdata/name, or rewrites
// it with -update. The fonts are gonum/plot's embedded ones, so the
// pixels do not depend on the machine.
func golden(t *testing.T, name string, f Figure) {
	t.Helper()
	var got bytes.Buffer
	if err := f.WriteTo(&got, "png"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./figure -update to create it)", err)
	}
	ok, err := cmpimg.Equal("png", got.Bytes(), want)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		os.WriteFile(filepath.Join(t.TempDir(), name), got.Bytes(), 0o644)
		t.Errorf("%s differs from its golden image (run with -update if the change is intended)", name)
	}
}

func TestGoldenFantasies(t *testing.T) {
	m := machine(8)
	golden(t, "fantasies.png", Fantasies(m, m.Sizes, 4, 4, 64, 8, 2))
}

func TestGoldenHinton(t *testing.T) {
	golden(t, "hinton.png", Hinton(machine(8)))
}

// TestSizes renders every figure for nets other than 16-8-1: the panel
// counts follow the layer sizes, so a wider hidden layer makes wider
// figures, and deeper nets render too.
func TestSizes(t *testing.T) {
	images, probs := dataset.NewBars(4, 4).Support()
	width := map[int]float64{}
	for _, sizes := range [][]int{{16, 8, 1}, {16, 12, 1}, {16, 6, 3, 2}, {16, 4}} {
		m := helmholtz.New(sizes)
		m.Init(rand.New(rand.NewPCG(1, 1)), 1)
		for _, f := range []Figure{Fantasies(m, m.Sizes, 4, 4, 16, 8, 1), Fields(m, 4, 4), Codes(m, images, probs, 4, 4), Hinton(m)} {
			var b bytes.Buffer
			if err := f.WriteTo(&b, "png"); err != nil || b.Len() == 0 {
				t.Fatalf("sizes %v: %v", sizes, err)
			}
			if err := f.WriteTo(&b, "svg"); err != nil {
				t.Fatalf("sizes %v svg: %v", sizes, err)
			}
		}
		if len(sizes) == 3 {
			width[sizes[1]] = float64(Fields(m, 4, 4).Width)
		}
	}
	if !(width[12] > width[8]*1.3) {
		t.Errorf("fields of 12 hidden units are %.0fpt wide, of 8 units %.0fpt: want one panel per unit", width[12], width[8])
	}
}

// TestRunFigures trains a short run and draws all its figures and its
// animation: one frame per snapshot, a GIF that decodes.
func TestRunFigures(t *testing.T) {
	dir := t.TempDir()
	cfg := train.Default()
	cfg.Steps, cfg.SnapshotEvery, cfg.EvalEvery = 20000, 2000, 1000
	r, err := train.Create(cfg, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	run, err := train.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := WriteAll(context.Background(), run, filepath.Join(dir, "fig"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2*len(Names) {
		t.Errorf("wrote %d files, want %d", len(paths), 2*len(Names))
	}
	path := filepath.Join(dir, "bars.gif")
	if err := WriteGIF(context.Background(), run, path, 8); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != len(run.Snapshots) || len(g.Image) != 11 {
		t.Errorf("%d frames for %d snapshots, want 11", len(g.Image), len(run.Snapshots))
	}
	if g.Delay[0] != 13 {
		t.Errorf("frame delay %d/100 s at 8 fps, want 13", g.Delay[0])
	}
}

// FuzzPlot writes fuzzed history.csv and model.npz bytes into a run
// directory and plots it: Open must refuse it or every figure must draw,
// never a panic. Whatever each reader accepts alone is drawn too, so that
// the figure code meets more than what Open lets through.
func FuzzPlot(f *testing.F) {
	dir := f.TempDir()
	cfg := train.Default()
	cfg.Steps, cfg.EvalEvery, cfg.SnapshotEvery = 3000, 1000, 1000
	r, err := train.Create(cfg, filepath.Join(dir, "good"), false)
	if err != nil {
		f.Fatal(err)
	}
	if err := r.Train(context.Background(), nil); err != nil {
		f.Fatal(err)
	}
	r.Close()
	config, _ := os.ReadFile(filepath.Join(dir, "good", "config.json"))
	history, _ := os.ReadFile(filepath.Join(dir, "good", "history.csv"))
	model, _ := os.ReadFile(filepath.Join(dir, "good", "model.npz"))
	f.Add(history, model)
	f.Add([]byte("step,samples,kl_bits,nll_bits\n"), model)
	f.Add([]byte("step,samples,kl_bits,nll_bits\n0,0,0,0\n3000,3000,1e-300,3.4\n"), model)
	f.Add(history, model[:len(model)/2])
	f.Fuzz(func(t *testing.T, history, model []byte) {
		run := t.TempDir()
		for name, data := range map[string][]byte{"config.json": config, "history.csv": history, "model.npz": model} {
			if err := os.WriteFile(filepath.Join(run, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if saved, err := train.Open(run); err == nil {
			figs, err := RunFigures(saved)
			if err != nil {
				t.Fatal(err)
			}
			for name, fig := range figs {
				if err := fig.WriteTo(io.Discard, "svg"); err != nil {
					t.Fatalf("Open accepted the run but the %s figure failed: %v", name, err)
				}
			}
		}
		if h, err := train.ReadHistory(bytes.NewReader(history)); err == nil {
			var b bytes.Buffer
			if err := Curves(h, 3.428405).WriteTo(&b, "svg"); err != nil {
				t.Fatal(err)
			}
		}
		if s, err := train.ReadSnapshot(filepath.Join(run, "model.npz")); err == nil && s.Machine.Sizes[0] <= 4096 {
			m := s.Machine
			images := [][]uint8{make([]uint8, m.Sizes[0])}
			for _, fig := range []Figure{Fantasies(m, m.Sizes, 1, m.Sizes[0], 4, 4, 1), Fields(m, 1, m.Sizes[0]),
				Codes(m, images, []float64{1}, 1, m.Sizes[0]), Hinton(m)} {
				var b bytes.Buffer
				if err := fig.WriteTo(&b, "svg"); err != nil && !strings.Contains(err.Error(), "not a size to draw") {
					t.Fatal(err)
				}
			}
		}
	})
}

// TestCurvesShift: a history with the shifter's direction recovery gets a
// third panel; one without does not.
func TestCurvesShift(t *testing.T) {
	var h []train.Point
	for i := range 5 {
		h = append(h, train.Point{Step: i * 1000, Samples: i * 1000, KL: 1, NLL: 2, Gap: math.NaN(), Shift: math.NaN(), Valid: math.NaN()})
	}
	if w := Curves(h, 1).Width; w != 600 {
		t.Errorf("curves without shift recovery are %v wide, want 600", w)
	}
	for i := range h {
		h[i].Shift = 0.5 + 0.1*float64(i)
	}
	fig := Curves(h, 1)
	if fig.Width != 900 {
		t.Errorf("curves with shift recovery are %v wide, want 900", fig.Width)
	}
	if err := fig.WriteTo(io.Discard, "svg"); err != nil {
		t.Fatal(err)
	}
}

// TestCurvesHeldOut: a history that scores a validation split is drawn as
// the two costs in one panel whose title gives their last values in bits
// and nats, and whose y axis fits them, with no entropy floor; one panel
// of the same history without the split is not.
func TestCurvesHeldOut(t *testing.T) {
	var h []train.Point
	for i := range 5 {
		nll := 140 - float64(i)
		h = append(h, train.Point{Step: i * 1000, Samples: i * 25000, KL: nll - 15.6, NLL: nll, Gap: math.NaN(), SE: 0.1, K: 100,
			Shift: math.NaN(), Valid: nll + 1})
	}
	fig := Curves(h, 15.6)
	var b bytes.Buffer
	if err := fig.WriteTo(&b, "svg"); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{"validation examples", "training 136.00, validation 137.00 bits (94.27, 94.96 nats)", "K = 100"} {
		if !strings.Contains(svg, want) {
			t.Errorf("held-out curves lack %q", want)
		}
	}
	if strings.Contains(svg, "H(p_data)") || strings.Contains(svg, ">15<") || fig.Width != 460 {
		t.Errorf("held-out curves (%v wide) draw the training examples' entropy or a second panel", fig.Width)
	}
	for i := range h {
		h[i].Valid = math.NaN()
	}
	if w := Curves(h, 15.6).Width; w != 600 {
		t.Errorf("curves without a validation split are %v wide, want 600", w)
	}
}

// TestHeldOutFrame: an animation frame of a run on a data set with splits
// draws its costs, not the KL, and says the validation cost in its
// heading.
func TestHeldOutFrame(t *testing.T) {
	m := helmholtz.New([]int{16, 4})
	m.Init(rand.New(rand.NewPCG(1, 2)), 0.1)
	h := []train.Point{
		{Step: 0, Samples: 0, KL: 9, NLL: 12, Gap: math.NaN(), Shift: math.NaN(), Valid: 12.5},
		{Step: 1000, Samples: 1000, KL: 5, NLL: 8, Gap: math.NaN(), Shift: math.NaN(), Valid: 8.25},
	}
	var b bytes.Buffer
	if err := frame(m, m, 1000, h, 4, 4, 2000, &[2]float64{8, 8.25}, 1).WriteTo(&b, "svg"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"validation examples 8.25 bits", "−log p(v) per example (bits)"} {
		if !strings.Contains(b.String(), want) || strings.Contains(b.String(), "exact KL") {
			t.Errorf("a held-out frame lacks %q or draws the KL", want)
		}
	}
}

// TestLargestData: the figures of a model of the largest bars a run
// accepts (20×20: 2,097,151 support patterns) draw from sampled patterns,
// with no gap figure, so that they take bounded memory and time; below
// MaxSupport they use the support as before.
func TestLargestData(t *testing.T) {
	cfg := train.Default()
	cfg.Data, cfg.Layers = "bars:20x20", []int{400, 8, 1}
	m := helmholtz.New(cfg.Layers)
	m.Init(rand.New(rand.NewPCG(1, 2)), 0.1)
	st := train.State{Machine: m, Config: &cfg}
	if HasGap(st) {
		t.Error("a 400-8-1 model of bars:20x20 offers the gap figure")
	}
	if _, _, sampled := patterns(st.Data(), 1); !sampled {
		t.Error("the codes of bars:20x20 enumerate the support")
	}
	figs, err := StateFigures(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := figs["codes"]; !ok || len(figs) != 4 {
		t.Errorf("figures of bars:20x20: %d, want fantasies, fields, codes, weights", len(figs))
	}
	if _, _, sampled := patterns(dataset.NewBars(8, 8), 1); sampled {
		t.Error("the codes of bars:8x8 are sampled")
	}
}

// TestCodesHeading: the codes of more patterns than are drawn say which
// are drawn (the most probable, or the first of equally probable ones),
// and a top layer of several units names the one that sorts them.
func TestCodesHeading(t *testing.T) {
	m := helmholtz.New([]int{16, 4, 2})
	m.Init(rand.New(rand.NewPCG(1, 2)), 0.1)
	var pats [][]uint8
	var same, skewed []float64
	for k := range 100 {
		v := make([]uint8, 16)
		for i := range v {
			v[i] = uint8(k >> (i % 7) & 1)
		}
		pats = append(pats, v)
		same = append(same, 0.01)
		skewed = append(skewed, float64(k+1)/5050)
	}
	for _, c := range []struct {
		probs []float64
		want  string
	}{
		{same, "on the first 64 of 100 equally probable patterns, sorted by q(top1 = 1 | v)"},
		{skewed, "on the 64 most probable patterns, sorted by q(top1 = 1 | v)"},
	} {
		var b bytes.Buffer
		if err := Codes(m, pats, c.probs, 4, 4).WriteTo(&b, "svg"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("codes heading lacks %q", c.want)
		}
	}
}
