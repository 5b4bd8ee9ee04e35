package helmholtz_test

import (
	"fmt"
	"math/rand/v2"

	"helmholtz"
	"helmholtz/dataset"
	"helmholtz/exact"
)

// Train the paper's 16-8-1 machine on the 4×4 bars for 100,000 wake-sleep
// steps and evaluate it exactly.
func Example() {
	bars := dataset.NewBars(4, 4)
	images, probs := bars.Support()
	rng := rand.New(rand.NewPCG(1, 2))

	m := helmholtz.New([]int{16, 8, 1})
	m.Init(rng, 0.1)
	m.SetVisibleBias(dataset.Marginal(images, probs))

	ev, err := exact.NewEvaluator(m.Sizes, images, probs)
	if err != nil {
		panic(err)
	}
	fmt.Printf("before: KL %.2f bits\n", ev.Eval(m).KL)

	ws := helmholtz.NewWakeSleep(m, 0.1, 0.1, 1)
	var data helmholtz.Data = bars
	for range 100000 {
		ws.Step(data, rng)
	}
	fmt.Printf("after:  KL below 1.5 bits: %v\n", ev.Eval(m).KL < 1.5)
	// Output:
	// before: KL 8.14 bits
	// after:  KL below 1.5 bits: true
}
