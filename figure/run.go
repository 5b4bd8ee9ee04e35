package figure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/train"
)

// Names of the files WriteAll writes, without extension, in order.
var Names = []string{"curves", "fantasies", "fields", "codes", "weights", "gap"}

// WriteAll draws the figures of a finished run (learning curves,
// fantasies, hidden-unit fields, recognition codes, Hinton diagrams and,
// where the posterior can be enumerated, the variational gap per pattern)
// into dir as PNG and SVG files, and returns the paths written. It stops
// between files when ctx is cancelled.
func WriteAll(ctx context.Context, run *train.Saved, dir string) ([]string, error) {
	figs, err := RunFigures(run)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	var paths []string
	for _, name := range Names {
		if _, ok := figs[name]; !ok {
			continue
		}
		for _, ext := range []string{".png", ".svg"} {
			if err := ctx.Err(); err != nil {
				return paths, err
			}
			p := filepath.Join(dir, name+ext)
			if err := Save(p, figs[name]); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// RunFigures returns the figures of a finished run, by name (Names).
func RunFigures(run *train.Saved) (map[string]Figure, error) {
	figs, err := StateFigures(run.Model)
	if err != nil {
		return nil, err
	}
	figs["curves"] = Curves(run.History, entropy(run))
	return figs, nil
}

// entropy returns H(p_data) of a run's data set: by its support, or
// beyond MaxSupport patterns from the run's last evaluation (NLL − KL).
func entropy(run *train.Saved) float64 {
	set := run.Model.Data()
	if set.SupportSize() <= MaxSupport {
		_, probs := set.Support()
		return exact.Entropy(probs)
	}
	if n := len(run.History); n > 0 {
		return run.History[n-1].NLL - run.History[n-1].KL
	}
	return math.NaN()
}

// StateFigures returns the figures of one saved state, by name: all of
// Names but the curves (fantasies, fields, codes, weights, and gap where
// the posterior can be enumerated and the model has one).
func StateFigures(st train.State) (map[string]Figure, error) {
	names := []string{"fantasies", "fields", "codes"}
	if HasWeights(st.Machine.Sizes) {
		names = append(names, "weights")
	}
	if HasGap(st) {
		names = append(names, "gap")
	}
	figs := map[string]Figure{}
	for _, name := range names {
		f, err := StateFigure(st, name)
		if err != nil {
			return nil, err
		}
		figs[name] = f
	}
	return figs, nil
}

// HasWeights reports whether a net of these layer sizes has a weights
// figure: Hinton diagrams of its first weight matrices are drawn up to
// MaxHinton weights (64×128); an MNIST net's 784×200 would be an image
// 29,000 pixels wide, and the fields figure shows those weights as
// images instead.
func HasWeights(sizes []int) bool { return sizes[0]*sizes[1] <= MaxHinton }

// MaxHinton bounds the weights of the first matrix of a weights figure.
const MaxHinton = 1 << 13

// HasGap reports whether state st has a gap figure: a Helmholtz machine
// whose posterior can be enumerated over a data support of at most
// MaxSupport patterns, within MaxGapWork.
func HasGap(st train.State) bool {
	if exact.CheckPosterior(st.Machine.Sizes) != nil || (st.Config != nil && st.Config.Algo == "rbm") {
		return false
	}
	n := st.Data().SupportSize()
	comps := 1
	if st.Config != nil {
		comps = max(st.Config.Components, 1)
	}
	_, ops := exact.GapCost(st.Machine.Sizes, n, comps)
	return n <= MaxSupport && ops <= MaxGapWork
}

// Limits of the figures drawn from the data support, so that a figure of
// the largest data set and net a run accepts takes bounded memory and
// time: the support is enumerated only up to MaxSupport patterns (bars
// up to 15×15; bars:20×20 has 2,097,151, 850 MB), and the gap figure's
// walk is drawn only up to MaxGapWork operations (seconds). Beyond them
// the codes figure shows sampled patterns and there is no gap figure.
const (
	MaxSupport = 1 << 16
	MaxGapWork = 1 << 34
)

// patterns returns the data support of set with its probabilities, or
// beyond MaxSupport patterns maxCodes patterns drawn from it (seeded by
// seed, not the run's stream), each of weight 1/maxCodes.
func patterns(set dataset.Set, seed uint64) ([][]uint8, []float64, bool) {
	if set.SupportSize() <= MaxSupport {
		pats, probs := set.Support()
		return pats, probs, false
	}
	rng := rand.New(rand.NewPCG(seed, 0x636f646573))
	pats, probs := make([][]uint8, maxCodes), make([]float64, maxCodes)
	for k := range pats {
		pats[k] = make([]uint8, set.Dim())
		set.Sample(pats[k], rng)
		probs[k] = 1.0 / maxCodes
	}
	return pats, probs, true
}

// StateFigure returns the figure name (one of Names but "curves") of state
// st.
func StateFigure(st train.State, name string) (Figure, error) {
	set := st.Data()
	m := st.Machine
	if m.Sizes[0] != set.Dim() {
		return Figure{}, fmt.Errorf("the model has %d visible units, %s has %d pixels", m.Sizes[0], set, set.Dim())
	}
	h, w := set.Shape()
	switch name {
	case "fantasies":
		seed := uint64(1)
		if st.Config != nil {
			seed = st.Config.Seed
		}
		return Fantasies(st.Dreamer(), m.Sizes, h, w, 64, 8, seed), nil
	case "fields":
		return Fields(m, h, w), nil
	case "codes":
		pats, probs, sampled := patterns(set, 1)
		if sampled {
			return codes(m, pats, probs, h, w, fmt.Sprintf("on %d patterns drawn from the data", len(pats))), nil
		}
		return Codes(m, pats, probs, h, w), nil
	case "weights":
		if !HasWeights(m.Sizes) {
			return Figure{}, fmt.Errorf("a %d×%d weight matrix is too large for Hinton diagrams (at most %d weights): see the fields figure", m.Sizes[1], m.Sizes[0], MaxHinton)
		}
		return Hinton(m), nil
	case "gap":
		if !HasGap(st) {
			return Figure{}, errors.New("this model has no gap figure: its posterior cannot be enumerated, or it is an RBM's")
		}
		q, err := st.Recognition()
		if err != nil {
			return Figure{}, err
		}
		pats, probs := set.Support()
		g, err := exact.NewGapEvaluator(m.Sizes, pats, probs)
		if err != nil {
			return Figure{}, err
		}
		return Gap(g.Eval(m, q), pats, probs, h, w), nil
	}
	return Figure{}, fmt.Errorf("no figure %.64q of a state", name)
}

// maxFrames bounds the frames of an animation: a run with more snapshots
// is shown by maxFrames of them, evenly spread.
const maxFrames = 300

// WriteGIF writes the animation of a finished run's snapshots to path. It
// stops between frames when ctx is cancelled.
func WriteGIF(ctx context.Context, run *train.Saved, path string, fps int) error {
	if len(run.Snapshots) == 0 {
		return fmt.Errorf("run %q has no snapshots to animate (train with --snapshot-every > 0)", run.Dir)
	}
	set := run.Model.Data()
	snaps, err := run.ReadSnapshots(maxFrames)
	if err != nil {
		return err
	}
	h, w := set.Shape()
	return train.WriteFile(path, func(wr io.Writer) error {
		return Animation(ctx, wr, snaps, run.History, h, w, fps, run.Model.Config.Seed)
	})
}
