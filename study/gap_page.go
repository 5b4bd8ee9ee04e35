package study

import (
	"fmt"
	"math"
	"text/template"
)

var gapTemplate = template.Must(template.New("gap").Funcs(template.FuncMap{
	"f3":  func(x float64) string { return fmt.Sprintf("%.3f", x) },
	"pct": func(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) },
	"gt":  func(a, b float64) bool { return a > b },
	"nan": math.IsNaN,
	"neg": func(x float64) float64 { return -x },
}).Parse(`# Where the residual KL comes from

The seed's second question: *how much of the residual KL is the factorial-recognition gap vs the
generative-fit gap?* The 16-8-1 bars net has 512 latent states, so both can be measured
exactly: the KL[p_data ‖ p_model] of the generative model, and the **variational gap**
E_data KL(q(·|v) ‖ p(·|v)) between the recognition net's q and the exact posterior (log p(v)
minus the ELBO the wake phase climbs, averaged over the data). Four learners train the same
net on the same data stream: wake-sleep (` + "`ws`" + `), wake-sleep whose wake phase draws from the
exact posterior (` + "`exact`" + `: the recognition net no longer steers learning), reweighted
wake-sleep with K samples (` + "`rwsK`" + `) and wake-sleep with a mixture of C recognition nets
(` + "`mixC`" + `), each with the stub's recipe and with the recommended one (` + "`-recipe`" + `:
` + "`{{.Recipe}}`" + `).

This page is written by ` + "`go run ./cmd/helmholtz study gap`" + `: seeds {{.Seeds}}, {{.Steps}} steps
per run, exact KL and gap by enumeration. The runs take {{.RunTime}} in all on {{.Workers}} workers of this
project's 2-core VM (the sum of their wall times in the table below, divided by the workers); the
command resumes, so runs already in ` + "`runs/gap`" + ` are not run again (this time it ran for {{.Took}}). The per-run data are in
[gap/results.csv](gap/results.csv) (` + "`gap_bits`" + ` is the final variational gap), the
per-recipe KL summary in [gap/summary.md](gap/summary.md).

## The answer

{{with .WS}}With the stub's recipe, wake-sleep ends at a median KL of **{{f3 .KLMedian}} bits** over {{.N}}
seeds (quartiles {{f3 .KLQ1}}–{{f3 .KLQ3}}).{{end}}

- **The recognition net's own error** at the end, the variational gap, has median
  **{{f3 .WS.GapMedian}} bits** ({{f3 .WS.GapQ1}}–{{f3 .WS.GapQ3}}): {{pct .WS.GapShare}} of the median KL. It is not a
  part of the KL, which measures the generative model alone; it is what the factorial q costs the
  bound that wake-sleep's wake phase climbs.
- **What recognition error costs through learning**: with the wake phase drawing from the exact
  posterior instead of q (` + "`exact`" + `: the same net, data and steps), training ends at a median KL of
  **{{f3 .Exact.KLMedian}} bits** ({{f3 .Exact.KLQ1}}–{{f3 .Exact.KLQ3}}). {{if gt .Bought 0.0}}Removing the recognition error from learning
  buys {{f3 .Bought}} bits, {{pct .BoughtShare}} of the stub's median.{{else}}Removing the recognition error from learning does
  not help: the exact learner ends {{f3 (neg .Bought)}} bits higher.{{end}}
- **The generative fit**: the remaining {{f3 .Exact.KLMedian}} bits stay with an exact posterior. They are
  what a 16-8-1 sigmoid belief net reaches from the stub's start with {{.Steps}} samples of
  stochastic maximum likelihood: local optima of the generative model, not recognition error.{{if not (nan .WSRecipe.KLMedian)}}
  The recommended recipe, which changes how learning starts and searches (restarts, sparse
  hidden units, re-initialising idle ones), takes wake-sleep to **{{f3 .WSRecipe.KLMedian}} bits** and the
  exact learner to **{{f3 .ExactRecipe.KLMedian}} bits** ({{.ExactRecipe.Below}} of {{.ExactRecipe.N}} seeds ≤ 0.10, against
  {{.WSRecipe.Below}} for wake-sleep).{{if not (nan .RWS5Recipe.KLMedian)}} Reweighted wake-sleep with K = 5 gets as far in
  {{printf "%.1f" .RWS5Recipe.Seconds}} s per run against the exact learner's {{printf "%.1f" .ExactRecipe.Seconds}} s: median **{{f3 .RWS5Recipe.KLMedian}} bits**, {{.RWS5Recipe.Below}} of {{.RWS5Recipe.N}} seeds ≤ 0.10.{{end}}
  With the recipe, recognition error acting through learning costs wake-sleep
  {{f3 .RecipeBought}} bits of its {{f3 .WSRecipe.KLMedian}} ({{pct .RecipeBoughtShare}}).{{end}}

{{if gt .BoughtShare 0.5}}So most of the stub's residual KL is recognition error acting through learning: with an
exact posterior the same recipe gets {{pct .BoughtShare}} of the way to zero.{{else}}So most of the stub's residual KL is not recognition error: with an exact posterior it
stays (all but {{pct .BoughtShare}} of it), and the gap the factorial q leaves at the end is
smaller still. The residual is the generative fit: a local optimum of the net, which the
recommended recipe's search escapes.{{end}}

Reweighted wake-sleep (importance-weighted wake updates, K samples from q) ends at median
{{f3 .RWS1.KLMedian}} (K = 1), {{f3 .RWS5.KLMedian}} (K = 5) and {{f3 .RWS20.KLMedian}} bits (K = 20) with the stub's recipe; a
mixture of recognition nets, which can put mass on both modes of a bimodal posterior, at
{{f3 .Mix2.KLMedian}} (C = 2) and {{f3 .Mix4.KLMedian}} bits (C = 4), with gaps of {{f3 .Mix2.GapMedian}} and {{f3 .Mix4.GapMedian}} bits.
The learners whose generative updates do not take q's samples at face value leave q loose: the
final gap of ` + "`exact`" + ` is {{f3 .Exact.GapMedian}} bits and of ` + "`rws5`" + ` {{f3 .RWS5.GapMedian}} bits, since q only proposes
(` + "`rws`" + `) or only learns by the sleep phase and steers nothing (` + "`exact`" + `). A small gap is what
wake-sleep needs of q, not what a good generative model needs.

## Every learner

| recipe | runs | KL median (q1–q3) | min | runs ≤ 0.10 | gap median (q1–q3) | s per run | flags |
|---|---|---|---|---|---|---|---|
{{range .Rows}}| {{.Name}} | {{.N}} | {{f3 .KLMedian}} ({{f3 .KLQ1}}–{{f3 .KLQ3}}) | {{f3 .KLMin}} | {{.Below}} | {{f3 .GapMedian}} ({{f3 .GapQ1}}–{{f3 .GapQ3}}) | {{printf "%.1f" .Seconds}} | ` + "`{{.Flags}}`" + ` |
{{end}}{{range .Diverged}}
{{.Name}}: {{.Diverged}} runs diverged and are left out of its row.
{{end}}
![final KL per recipe](gap/kl.png)

![final variational gap per recipe](gap/gap.png)

## Per image: the canonical run

The canonical run (seed 2, the stub's recipe, the README's run) ends at KL {{f3 .Canon.KL}} bits with a
variational gap of {{f3 .Canon.Gap}} bits. Per support image (most probable first), the gap KL(q ‖ p(·|v))
in blue and the image's share of the KL in red:

![per-image gap of the canonical run](gap/canonical-gap.png)

The images that carry most of the expected gap, p_data(v)·KL(q ‖ p(·|v)):

| image (rows) | p_data | KL(q ‖ p(·|v)) | part of the gap | share of the KL |
|---|---|---|---|---|
{{range .Images}}| ` + "`{{.Pattern}}`" + ` | {{printf "%.4f" .P}} | {{f3 .Gap}} | {{printf "%.4f" .Part}} | {{printf "%.4f" .KL}} |
{{end}}
The seed guessed that the gap concentrates on the ambiguous images, the blank (` + "`{{.Blank}}`" + `) and
the all-on one (` + "`{{.AllOn}}`" + `), whose posteriors are bimodal (either orientation explains them).
Together they carry {{printf "%.4f" .Ambiguous}} of the {{f3 .Canon.Gap}} bits, {{pct .AmbiguousShare}}: {{if gt .AmbiguousShare 0.5}}the guess holds.{{else}}the guess does not
hold; the rest of the gap is spread over the other images, as the table shows.{{end}} Per image, the
blank's gap ({{f3 .BlankGap}} bits) is {{if gt .BlankGap .MedianImageGap}}above the median image's ({{f3 .MedianImageGap}} bits).{{else}}below the median image's ({{f3 .MedianImageGap}} bits): the blank
weighs in the expected gap because it is {{pct .BlankP}} of the data, not because q fits it worse.{{end}}
`))
