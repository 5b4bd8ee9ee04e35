// Package exact evaluates a Helmholtz machine's generative model exactly,
// by enumerating latent configurations in log space.
//
// The marginal p(v) of a layered sigmoid belief net is computed as a chain:
// first the prior of each latent layer, log p(x_l) = logsumexp over x_{l+1}
// of log p(x_{l+1}) + log p(x_l | x_{l+1}), from the top down, then
// log p(v) = logsumexp over x_1 of log p(x_1) + log p(v | x_1). The cost is
// Σ_l 2^(n_l + n_{l+1}) over adjacent latent layers plus 2^n_1 per pattern,
// not 2^(all latent units); a net is refused when any of these exceeds
// 2^MaxBits. Every term is kept, but for those too small to change the
// bits of their sum, which the walk over many patterns does not compute
// (sums.go). The first hidden layer is walked in
// Gray-code order, so one weight row changes per configuration and the
// visible logits (and, while they are bounded, their exponentials) are
// updated by one add (multiply) per pixel, recomputed from scratch every
// 256 configurations; exponentials come from a table method within 2 ulp
// of math.Exp. Results agree with brute force to 1e-10 and Σ_v p(v) = 1
// to 1e-9 (the tests). Machines whose weights are too large for the
// incremental walk's rounding (some unit's |b| + Σ|w| above 1024, far
// beyond any trained net) take a careful path instead (careful.go),
// correct for any finite weights against an exact-arithmetic reference.
//
// KL and NLL are reported in bits:
//
//	KL[p_data || p_model] = Σ_v p_data(v) log2(p_data(v) / p_model(v))
//	NLL = −Σ_v p_data(v) log2 p_model(v) = H(p_data) + KL
package exact
