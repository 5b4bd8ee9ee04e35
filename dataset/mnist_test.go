package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxFile returns an IDX file of unsigned bytes with the given dimensions
// and data.
func idxFile(dims []int, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

func gzipped(b []byte) []byte {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

// TestReadIDX: the reader gives back what a hand-made file holds,
// compressed or not, and refuses every malformed file with an error.
func TestReadIDX(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5, 6}
	good := idxFile([]int{2, 3}, data)
	for _, file := range [][]byte{good, gzipped(good)} {
		dims, got, err := ReadIDX(bytes.NewReader(file), 2, 100)
		if err != nil || !slices.Equal(dims, []int{2, 3}) || !bytes.Equal(got, data) {
			t.Errorf("ReadIDX = %v, %v, %v", dims, got, err)
		}
	}
	badSum := gzipped(good)
	badSum[len(badSum)-6] ^= 0xff // the CRC
	for name, c := range map[string]struct {
		file  []byte
		dims  int
		limit int64
	}{
		"empty":            {nil, 2, 100},
		"short header":     {good[:3], 2, 100},
		"wrong magic":      {append([]byte{0, 1}, good[2:]...), 2, 100},
		"not bytes":        {append([]byte{0, 0, 0x0d}, good[3:]...), 2, 100},
		"wrong dimensions": {good, 3, 100},
		"cut dimensions":   {good[:9], 2, 100},
		"zero dimension":   {idxFile([]int{2, 0}, nil), 2, 100},
		"truncated data":   {good[:len(good)-1], 2, 100},
		"trailing bytes":   {append(slices.Clone(good), 7), 2, 100},
		"too large":        {good, 2, 5},
		"huge dimensions":  {idxFile([]int{1 << 30, 1 << 30}, nil), 2, 1 << 40},
		"truncated gzip":   {gzipped(good)[:20], 2, 100},
		"bad checksum":     {badSum, 2, 100},
	} {
		if _, _, err := ReadIDX(bytes.NewReader(c.file), c.dims, c.limit); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// fakeGrey returns MNIST-shaped grey images: n training images (the last
// 10,000 of them validate) and 20 test images, of random grey levels.
func fakeGrey(n int) *Grey {
	rng := rand.New(rand.NewPCG(1, 1))
	img := func() []uint8 {
		x := make([]uint8, mnistPix)
		for i := range x {
			if rng.IntN(5) == 0 {
				x[i] = uint8(rng.IntN(256))
			}
		}
		return x
	}
	g := &Grey{}
	for range n {
		g.TrainImages = append(g.TrainImages, img())
	}
	for range 20 {
		g.TestImages = append(g.TestImages, img())
	}
	return g
}

// TestBinarizations: dynamic binarization draws each pixel afresh with
// probability grey/255 (the mean over draws matches the grey levels);
// fixed gives the same bits every time; threshold is grey ≥ 128.
func TestBinarizations(t *testing.T) {
	g := fakeGrey(10010)
	fixed1, err := g.Set("mnist,binarize=fixed", "mnist", "fixed")
	if err != nil {
		t.Fatal(err)
	}
	fixed2, _ := g.Set("mnist,binarize=fixed", "mnist", "fixed")
	if !slices.EqualFunc(fixed1.Train, fixed2.Train, bytes.Equal) || !slices.EqualFunc(fixed1.Test, fixed2.Test, bytes.Equal) {
		t.Error("two fixed binarizations differ")
	}
	if len(fixed1.Train) != 10 || len(fixed1.Valid) != 10000 || len(fixed1.Test) != 20 {
		t.Errorf("splits of %d, %d, %d images", len(fixed1.Train), len(fixed1.Valid), len(fixed1.Test))
	}
	th, _ := g.Set("mnist,binarize=threshold", "mnist", "threshold")
	for i, img := range g.TestImages {
		for k, v := range img {
			if th.Test[i][k] != bit8(v >= 128) {
				t.Fatalf("threshold: grey %d gave %d", v, th.Test[i][k])
			}
		}
	}
	dyn, _ := g.Set("mnist", "mnist", "dynamic")
	if !slices.EqualFunc(dyn.Valid, fixed1.Valid, bytes.Equal) {
		t.Error("dynamic binarization's validation split is not the fixed one")
	}
	// Draws of the 10 training images: per pixel, the mean of the draws
	// against the mean grey level / 255 over all 10 images.
	rng := rand.New(rand.NewPCG(2, 2))
	const draws = 20000
	var on, want float64
	x := make([]uint8, mnistPix)
	first := make([]uint8, mnistPix)
	dyn.Sample(first, rand.New(rand.NewPCG(3, 3)))
	same := true
	for d := range draws {
		dyn.Sample(x, rng)
		for _, v := range x {
			on += float64(v)
		}
		if d < 50 {
			same = same && bytes.Equal(x, first)
		}
	}
	for _, img := range g.TrainImages[:10] {
		for _, v := range img {
			want += float64(v) / 255
		}
	}
	on /= draws
	want /= 10
	// The count of on pixels per draw has a standard deviation below 20
	// (about 150 pixels of intermediate grey): over 20,000 draws the mean
	// is within 0.15 of its expectation; the spread of the images drawn
	// adds at most 2 (their counts differ by tens): allow 3.
	if math.Abs(on-want) > 3 {
		t.Errorf("dynamic: %.2f pixels on per draw, the grey levels say %.2f", on, want)
	}
	if same {
		t.Error("dynamic: 50 draws gave the same bits")
	}
}

// TestMNISTSpecs: bad specs and folders are refused with one line.
func TestMNISTSpecs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), idxFile([]int{2, 28, 28}, make([]byte, 2*784)), 0o644)
	for _, spec := range []string{
		"mnist,binarize=sometimes",
		"mnist,binarize=fixed,binarize=threshold",
		"mnist,threshold",
		"mnist:",
		"mnist:" + filepath.Join(dir, "missing"),
		"mnist:" + dir, // one file, of two images
		"mnist8,binarize=fixed",
		"mnist9",
	} {
		_, err := Parse(spec)
		if err == nil {
			t.Errorf("%s: accepted", spec)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of more than one line: %v", spec, err)
		}
	}
}

// TestMNISTReduced: mnist8 and mnist8-pairs of the same images: a pair
// is two reduced images side by side, and a blank image stays blank while
// a full one is all on.
func TestMNISTReduced(t *testing.T) {
	g := fakeGrey(10004)
	g.TrainImages[0] = make([]uint8, mnistPix)
	g.TrainImages[1] = slices.Repeat([]uint8{255}, mnistPix)
	small, err := g.Set("mnist8", "mnist8", "dynamic")
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := g.Set("mnist8-pairs", "mnist8-pairs", "dynamic")
	if err != nil {
		t.Fatal(err)
	}
	if small.Dim() != 64 || pairs.Dim() != 128 || len(pairs.Train) != 2 || len(pairs.Test) != 10 {
		t.Fatalf("dims %d, %d; %d pairs", small.Dim(), pairs.Dim(), len(pairs.Train))
	}
	if h, w := pairs.Shape(); h != 8 || w != 16 {
		t.Errorf("pairs drawn %d×%d", h, w)
	}
	if !slices.Equal(small.Train[0], make([]uint8, 64)) || !slices.Equal(small.Train[1], slices.Repeat([]uint8{1}, 64)) {
		t.Errorf("blank and full images reduced to %v and %v", small.Train[0], small.Train[1])
	}
	for y := range 8 {
		if !slices.Equal(pairs.Train[0][16*y:16*y+8], small.Train[0][8*y:8*y+8]) || !slices.Equal(pairs.Train[0][16*y+8:16*y+16], small.Train[1][8*y:8*y+8]) {
			t.Fatalf("row %d of the first pair is not the two images' rows", y)
		}
	}
}

// TestMNISTFromModule: the real MNIST, from the module cache, where
// `go mod download` put it (CI sets HELMHOLTZ_MNIST=1 and downloads it;
// elsewhere the test is skipped without it): the sizes, the fraction of
// pixels on, and a spec's folder form.
func TestMNISTFromModule(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		if os.Getenv("HELMHOLTZ_MNIST") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s, err := Parse("mnist,binarize=threshold")
	if err != nil {
		t.Fatal(err)
	}
	f := s.(*Finite)
	if len(f.Train) != 50000 || len(f.Valid) != 10000 || len(f.Test) != 10000 || f.Dim() != 784 {
		t.Fatalf("splits of %d, %d, %d images of %d pixels", len(f.Train), len(f.Valid), len(f.Test), f.Dim())
	}
	var on float64
	for _, x := range f.Test {
		for _, v := range x {
			on += float64(v)
		}
	}
	// MNIST's test images have about 13 % of their pixels at grey ≥ 128.
	if frac := on / (10000 * 784); frac < 0.11 || frac > 0.15 {
		t.Errorf("%.3f of the test pixels on", frac)
	}
	g, _ := ReadMNIST(dir)
	if g.TrainLabels[0] != 5 || g.TestLabels[0] != 7 {
		t.Errorf("first labels %d and %d, want 5 and 7", g.TrainLabels[0], g.TestLabels[0])
	}
	if s2, err := Parse("mnist:" + dir + ",binarize=threshold"); err != nil || !slices.EqualFunc(s2.(*Finite).Test, f.Test, bytes.Equal) {
		t.Errorf("mnist:DIR: %v", err)
	}
}

// TestMNISTVersion: the version MNISTDir looks for is the one go.mod
// requires.
func TestMNISTVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := MNISTModule + " " + MNISTVersion; !strings.Contains(string(mod), want) {
		t.Errorf("go.mod does not require %s", want)
	}
	if got := escapeModule(MNISTModule); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("escaped module path %s", got)
	}
}
