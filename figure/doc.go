// Package figure draws what a Helmholtz machine learned: learning curves,
// fantasies, hidden-unit fields, recognition codes, Hinton diagrams of the
// weights, and an animated GIF of training. It uses gonum.org/v1/plot and
// its embedded fonts, so a figure renders to the same pixels on any
// machine.
//
// Each figure is a Figure: a size and a function that draws on a canvas.
// Save writes it as PNG or SVG, atomically. Figures take their layout from
// the machine's layer sizes and the data set's shape; nothing assumes 8
// hidden units or 4×4 images. The curves of a run on a data set with
// splits, and its GIF, draw the costs of its training and validation
// examples instead of the KL, which such a set has only from its training
// examples.
package figure
