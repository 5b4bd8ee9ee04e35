package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"helmholtz/dataset"
	"helmholtz/density"
	"helmholtz/train"
)

// maxDensityUnits bounds the training split density fits: examples ×
// units (the EM mixture's epochs cost 100 components times that).
const maxDensityUnits = 50_000_000

// runDensity fits the density estimators to a data set with
// splits and prints their costs.
func runDensity(ctx context.Context, args []string) error {
	fs := newFlags("density", "--data file:PATH.npz [--estimators LIST] [--seed N] [--valid N] [--test N] [--save DIR]")
	data := fs.String("data", "", "data set with splits (file:PATH.npz, e.g. from helmholtz data make)")
	names := fs.String("estimators", "gzip,base,mixture,hm,fvbn", "estimators to fit, comma-separated; also gm and mf (the Gibbs machine and mean field: minutes per net on 10,000 examples), hm-rws, hm-softmax")
	seed := fs.Uint64("seed", 1, "seed of the estimators' random initialisations and orders")
	nValid := fs.Int("valid", 0, "validate on the first N validation examples only (0: all); the density study validates the Gibbs machine and mean field on 2000")
	nTest := fs.Int("test", 0, "cost on the first N test examples only (0: all); the density study costs the Gibbs machine and mean field on 20000")
	save := fs.String("save", "", "also write the nets the latent-variable estimators keep (hm, gm, mf, hm-rws) to DIR/NAME.npz, model files for helmholtz eval --model")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("--data is required: a data set with splits, file:PATH.npz")
	}
	set, err := dataset.Parse(*data)
	if err != nil {
		return err
	}
	f, ok := set.(*dataset.Finite)
	if !ok {
		return fmt.Errorf("--data %s has no splits: want file:PATH.npz", set)
	}
	// The splits used, the first --valid and --test examples of f's (f
	// itself, which a data set's parse may share, is left alone).
	valid, test := f.Valid, f.Test
	for _, c := range []struct {
		flag  string
		n     int
		split *[][]uint8
		name  string
	}{{"--valid", *nValid, &valid, "validation"}, {"--test", *nTest, &test, "test"}} {
		if c.n < 0 || c.n > len(*c.split) {
			return fmt.Errorf("%s %d: want 0 (all) to %d, the %s split's examples", c.flag, c.n, len(*c.split), c.name)
		}
		if c.n > 0 {
			*c.split = (*c.split)[:c.n]
		}
	}
	if n := len(f.Train) * f.Dim(); n > maxDensityUnits {
		return fmt.Errorf("--data %s: %d training examples of %d units, more than the %d units the estimators fit in bounded time (about 50,000 MNIST images)",
			f, len(f.Train), f.Dim(), maxDensityUnits)
	}
	var ests []density.Estimator
	list := strings.Split(*names, ",")
	for i, name := range list {
		list[i] = strings.TrimSpace(name)
		e, err := density.New(list[i])
		if err != nil {
			return fmt.Errorf("--estimators: %w", err)
		}
		ests = append(ests, e)
	}
	if *save != "" {
		if err := os.MkdirAll(*save, 0o755); err != nil {
			return fmt.Errorf("--save: %w", err)
		}
	}
	fmt.Printf("%s: %d / %d / %d examples of %d units\n\n", f, len(f.Train), len(valid), len(test), f.Dim())
	fmt.Println("| estimator | train, bits | valid, bits | test, bits | seconds |")
	fmt.Println("|---|---|---|---|---|")
	for i, e := range ests {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		if err := e.Fit(f.Train, valid, rand.New(rand.NewPCG(*seed, density.Stream(list[i])))); err != nil {
			return err
		}
		fmt.Printf("| %s | %.2f | %.2f | %.2f | %.1f |\n", list[i], e.Cost(f.Train), e.Cost(valid), e.Cost(test), time.Since(start).Seconds())
		if n, ok := e.(density.Net); ok && *save != "" {
			if err := train.WriteSnapshot(filepath.Join(*save, list[i]+".npz"), train.State{Machine: n.Net()}); err != nil {
				return err
			}
		}
	}
	return nil
}
