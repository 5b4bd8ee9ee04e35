package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"helmholtz/dataset"
	"helmholtz/dmd"
	"helmholtz/rbm"
	"helmholtz/train"
)

// runCost prices wake-sleep steps by data movement (package dmd).
func runCost(ctx context.Context, args []string) error {
	fs := newFlags("cost", "[--data SPEC] [--layers 16,8,1] [--seed N] [--steps N] [--k N]")
	data := fs.String("data", "bars:4x4", "data set")
	layers := intList{}
	fs.Var(&layers, "layers", "layer sizes, visible first (default: the data set's net)")
	seed := fs.Uint64("seed", 2, "seed of the initial machine (as train draws it) and of the traced steps")
	steps := fs.Int("steps", 1000, "wake-sleep steps traced from the initial machine (1 to 100000)")
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
	if p := train.Params(cfg.Layers); p > 100000 || p**steps > 50_000_000 {
		return fmt.Errorf("%d parameters × %d steps is more than the 50,000,000 this command traces", p, *steps)
	}
	r, err := train.New(cfg)
	if err != nil {
		return err
	}
	m, rng := r.Machine, rand.New(rand.NewPCG(*seed, 0x636f7374)) // "cost"
	variants := []struct {
		name      string
		num, bits int
	}{
		{"1 element per value", 1, 1},
		{"float32: 4 bytes per value", 4, 4},
		{"float64: 8 bytes per value", 8, 8},
		{"float32, binary states in 1 byte", 4, 1},
		{"float64, binary states in 1 byte", 8, 1},
	}
	sums := make([][5]float64, len(variants))
	var reads float64
	for range *steps {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tr, ops := dmd.WakeSleepStep(m, set, cfg.LR, cfg.LR, rng)
		reads += float64(tr.Reads())
		for k, v := range variants {
			parts := tr.Split(v.num, v.bits, ops[:3])
			for i, p := range parts {
				sums[k][i] += float64(p)
				sums[k][4] += float64(p)
			}
		}
	}
	// The RBM with as many hidden units as the first hidden layer, trained
	// by CD-k from a small random start.
	nv, nh := cfg.Layers[0], cfg.Layers[1]
	machine := rbm.New(nv, nh)
	machine.Init(rand.New(rand.NewPCG(*seed, 0x72626d)), 0.01) // "rbm"
	cd := rbm.NewCD(machine, *k, 0.01, 0.9, 1e-4)
	cdSums := make([][2]float64, len(variants))
	for range *steps {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		tr, pos := dmd.CDStep(cd, set, rng)
		for v, x := range variants {
			parts := tr.Split(x.num, x.bits, []int{pos})
			cdSums[v][0] += float64(parts[0])
			cdSums[v][1] += float64(parts[0] + parts[1])
		}
	}
	n := float64(*steps)
	fmt.Printf("ByteDMD cost of one online wake-sleep step of %s on %s, the mean over %d steps from seed %d's initial machine (%.0f reads per step):\n\n",
		layerString(cfg.Layers), *data, *steps, *seed, reads/n)
	fmt.Println("| values | recognition pass | generative update | fantasy | recognition update | whole step |")
	fmt.Println("|---|---|---|---|---|---|")
	for k, v := range variants {
		s := sums[k]
		fmt.Printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n", v.name, s[0]/n, s[1]/n, s[2]/n, s[3]/n, s[4]/n)
	}
	fmt.Printf("\nAn RBM of %d visible and %d hidden units, one CD-%d step (rate 0.01, momentum 0.9, decay 0.0001), the same mean:\n\n", nv, nh, *k)
	fmt.Println("| values | positive phase | whole step |")
	fmt.Println("|---|---|---|")
	for v, x := range variants {
		fmt.Printf("| %s | %.0f | %.0f |\n", x.name, cdSums[v][0]/n, cdSums[v][1]/n)
	}
	return nil
}

func layerString(sizes []int) string {
	l := intList(sizes)
	return l.String()
}
