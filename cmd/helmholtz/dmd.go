package main

import (
	"context"
	"fmt"

	"helmholtz/dataset"
	"helmholtz/study"
	"helmholtz/train"
)

// runDMD prices wake-sleep steps, and an RBM's CD-k steps, by data
// movement (package dmd).
func runDMD(ctx context.Context, args []string) error {
	fs := newFlags("dmd", "[--data SPEC] [--layers 16,8,1] [--seed N] [--steps N] [--k N]")
	data := fs.String("data", "bars:4x4", "data set")
	layers := intList{}
	fs.Var(&layers, "layers", "layer sizes, visible first (default: the data set's net)")
	seed := fs.Uint64("seed", 2, "seed of the initial machines (wake-sleep's as train draws it) and of the traced steps")
	steps := fs.Int("steps", 1000, "steps traced from the initial machines (1 to 100000)")
	k := fs.Int("k", 1, "Gibbs steps of the RBM's CD-k, priced beside wake-sleep (1 to 100)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 1 || *steps > 100000 {
		return fmt.Errorf("--steps must be in 1..100000, got %d", *steps)
	}
	if *k < 1 || *k > 100 {
		return fmt.Errorf("--k must be in 1..100, got %d", *k)
	}
	set, err := dataset.Parse(*data)
	if err != nil {
		return err
	}
	cfg := train.Default()
	cfg.Data, cfg.Seed, cfg.Layers = *data, *seed, set.Layers()
	if len(layers) > 0 {
		cfg.Layers = layers
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	// Everything it will price is checked before the first step is traced:
	// the RBM beside wake-sleep has the first hidden layer's units.
	if err := study.RBMConfig(cfg, *k).Validate(); err != nil {
		return fmt.Errorf("the RBM priced beside wake-sleep (%d visible, %d hidden units): %w; give --layers with a smaller first hidden layer",
			cfg.Layers[0], cfg.Layers[1], err)
	}
	// Tracing costs about 16 µs per parameter and step on the README's
	// machine, for wake-sleep, its two variants and CD-k together.
	p := train.Params(cfg.Layers)
	if work := p * *steps * (4 + *k); p > 100000 || work > maxTraced {
		return fmt.Errorf("%d parameters × %d steps × (4 + k = %d) is more than the %d this command traces (about a minute): at most --steps %d for this net",
			p, *steps, *k, maxTraced, max(maxTraced/(p*(4+*k)), 0))
	}
	exact := len(cfg.Layers) == 3 && cfg.Layers[2] == 1 && cfg.Layers[1] <= 8
	c, err := study.MeasureSteps(ctx, cfg, []int{*k}, 5, 2, exact, *steps)
	if err != nil {
		return err
	}
	fmt.Printf("ByteDMD cost of one online wake-sleep step of %s on %s, the mean over %d steps from seed %d's initial machine (%.0f reads per step):\n\n",
		layerString(cfg.Layers), *data, *steps, *seed, c.Reads)
	printPhases("recognition pass | generative update | fantasy | recognition update", c.WakeSleep)
	fmt.Printf("\nReweighted wake-sleep with %d samples, the same mean:\n\n", c.RWSK)
	printPhases("recognition passes and weights | generative update | wake-phase q update | sleep", c.RWS)
	fmt.Printf("\nWake-sleep with a mixture of %d recognition nets, the same mean:\n\n", c.MixC)
	printPhases("gate and recognition pass | generative update | fantasy | recognition and gate updates", c.Mix)
	if exact {
		fmt.Printf("\nThe exact-posterior wake phase (--algo exact), the mean over %d steps:\n\n", c.ExactSteps)
		printPhases("posterior and draw | generative update | fantasy | recognition update", c.Exact)
	}
	fmt.Printf("\nAn RBM of %d visible and %d hidden units, one CD-%d step (%s), the same mean (%.0f reads per step):\n\n",
		cfg.Layers[0], cfg.Layers[1], *k, c.RBMSettings, c.CDReads[0])
	fmt.Println("| values | positive phase | whole step |")
	fmt.Println("|---|---|---|")
	for v, s := range study.CostSizes {
		fmt.Printf("| %s | %.0f | %.0f |\n", s.Name, c.CDs[0][v][0], c.CDs[0][v][1])
	}
	return nil
}

// maxTraced bounds the work of dmd: parameters × steps × (4 + k).
const maxTraced = 25_000_000

// printPhases prints a table of costs by phase (the four named, then the
// whole step), a row per size of study.CostSizes.
func printPhases(phases string, rows [][5]float64) {
	fmt.Printf("| values | %s | whole step |\n|---|---|---|---|---|---|\n", phases)
	for v, s := range study.CostSizes {
		w := rows[v]
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n", s.Name, w[0], w[1], w[2], w[3], w[4])
	}
}

func layerString(sizes []int) string {
	l := intList(sizes)
	return l.String()
}
