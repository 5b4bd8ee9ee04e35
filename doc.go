// Package helmholtz is a Helmholtz machine trained by the wake-sleep
// algorithm of Hinton, Dayan, Frey & Neal, "The wake-sleep algorithm for
// unsupervised neural networks", Science 268 (1995).
//
// A Machine is a layered sigmoid belief net of binary stochastic units with
// two sets of connections: generative (top-down, layer l+1 to layer l) and
// recognition (bottom-up, layer l to layer l+1). Layer 0 is the visible
// layer; the last layer is the top. The paper's bars net has sizes
// [16 8 1].
//
// WakeSleep holds the workspace for training: Step performs one wake update
// (data up through recognition, generative weights learn to reconstruct it)
// and one sleep update (a fantasy down through the generative net,
// recognition weights learn to invert it). Both are local delta rules:
//
//	Δw = ε · (target − σ(prediction)) · (unit in the layer that predicts).
//
// A step allocates nothing. On amd64 processors with AVX2 its inner loops
// (row sums, sigmoid, delta rule, Bernoulli draws, row updates) run in the
// assembly of kernel_amd64.s; elsewhere, or built with -tags purego, in
// the Go of kernel.go. Both do the same floating-point operations in the
// same order, without fused multiply-adds, so a seed gives the same bits
// on every machine.
//
// The package is the mathematical core. It reads no flags or files and
// draws randomness only from the *rand.Rand its caller passes in. Exact
// evaluation by enumeration lives in package exact; training runs,
// snapshots and schedules in package train.
package helmholtz
