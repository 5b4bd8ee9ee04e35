package main

import (
	"context"
	"fmt"

	"helmholtz/dataset"
	"helmholtz/exact"
	"helmholtz/train"
	"helmholtz/units"
)

func runEval(ctx context.Context, args []string) error {
	fs := newFlags("eval", "--model FILE [flags]")
	model := fs.String("model", "", "model or snapshot .npz file")
	data := fs.String("data", "", "data set (default: the one the model was trained on, else bars:4x4)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *model == "" {
		return fmt.Errorf("--model is required")
	}
	s, err := train.ReadSnapshot(*model)
	if err != nil {
		return err
	}
	spec := *data
	if spec == "" {
		spec = "bars:4x4"
		if s.Config != nil {
			spec = s.Config.Data
		}
	}
	set, err := dataset.Parse(spec)
	if err != nil {
		return err
	}
	if s.Machine.Sizes[0] != set.Dim() {
		return fmt.Errorf("model has %d visible units, %s has %d pixels", s.Machine.Sizes[0], set, set.Dim())
	}
	if err := train.CheckEvaluation(s.Machine.Sizes, set); err != nil {
		return err
	}
	pats, probs := set.Support()
	ev, err := exact.NewEvaluator(s.Machine.Sizes, pats, probs)
	if err != nil {
		return err
	}
	res := ev.Eval(s.Machine)
	fmt.Printf("model    %s (layers %v, step %d)\n", *model, s.Machine.Sizes, s.Step)
	fmt.Printf("data     %s (%d support patterns)\n", set, len(pats))
	fmt.Printf("KL       %.6f bits\n", res.KL)
	fmt.Printf("NLL      %.6f bits\n", res.NLL)
	fmt.Printf("H(data)  %.6f bits\n", res.Entropy)
	if bars, ok := set.(dataset.Bars); ok {
		fmt.Printf("hidden units:\n%v", units.Diagnose(s.Machine, bars))
	}
	return nil
}
