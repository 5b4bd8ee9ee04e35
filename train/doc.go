// Package train runs wake-sleep training: a flat Config, the training loop
// with exact evaluation on a schedule, snapshots as NumPy .npz files,
// the evaluation history as CSV, and bit-identical resume.
//
// A run is fixed by its Config. All randomness (initial weights, data,
// wake and sleep samples) comes from one PCG stream seeded by Config.Seed;
// evaluation is exact and draws nothing, so evaluating or snapshotting more
// or less often never changes the trajectory. A snapshot holds the
// parameters, the step, the generator's state and the Config, so a run
// resumed from it continues bit for bit as if never interrupted.
//
// Recipe options (schedules, weight decay, constraints, restarts, unit
// re-initialisation; recipe.go) are all off in Default, the seed's recipe.
//
// Layout of a run directory (see Dir for what it may hold and Resume
// for what it checks):
//
//	config.json            the Config
//	history.csv            step,samples,kl_bits,nll_bits
//	snapshots/step_NNNNNNNNN.npz
//	model.npz              the final state (same format as a snapshot)
//	checkpoint.npz         written on interruption, removed on completion
//	results.md             the results table
//	.lock                  locked by the process writing the run
//
// Validate checks a Config against the limits of budget.go before
// anything is allocated; every reader (ReadSnapshot, ReadHistory, Open,
// Resume) checks what it reads.
package train
