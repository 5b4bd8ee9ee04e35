package train

// The learning-rate schedule (Config.Schedule): "linear" lowers both
// rates linearly from their start to ScheduleEnd times it at the last
// step; "inverse" as 1/(1 + k·t), reaching the same end. The rates at a
// step depend on the last step, so a scheduled run cannot be extended to
// more steps (Resume refuses) without changing every step before.

// rateScale is the schedule's multiplier of the rates at step t of a
// chain that ends at step T.
func (c Config) rateScale(t, T int) float64 {
	x := float64(t) / float64(max(T, 1))
	switch c.Schedule {
	case "linear":
		return 1 - float64((1-c.ScheduleEnd)*x) // unfused, as in helmholtz
	case "inverse":
		return 1 / (1 + float64((1/c.ScheduleEnd-1)*x))
	}
	return 1
}

// scheduled reports whether the rates change during the run.
func (c Config) scheduled() bool { return c.Schedule == "linear" || c.Schedule == "inverse" }

// setRates sets learner l's rates (a Learner's, or a Lanes') for step t
// of a chain that ends at step T.
func (c Config) setRates(l interface{ SetRates(gen, rec float64) }, t, T int) {
	gen, rec := c.Rates()
	s := c.rateScale(t, T)
	l.SetRates(gen*s, rec*s)
}
