package dataset_test

import (
	"fmt"

	"helmholtz/dataset"
)

func ExampleBars_Support() {
	images, probs := dataset.NewBars(4, 4).Support()
	fmt.Printf("%d images; p(blank) = %.4f\n", len(images), probs[0])
	// Output: 30 images; p(blank) = 0.4096
}
