// Package validation holds the exact numbers against the paper's two claims: that
// the decoupled model is equivalent to the coupled one, and that it stores
// p_c log p_c / d^2 -> 1/2. It reads sweep records (experiment.Record, one per
// certified instance family), and nothing else: every number of the report is a
// function of the records, so the report regenerates byte for byte from them.
//
// Contract:
//   - Analyze groups records by (d, model) and gives three estimators of p_c side
//     by side: the median p* with its order-statistic interval, the mean p* with
//     its standard error, and the P(storable | p) = 1/2 crossing of a probit fit
//     to the per-instance verdicts with its interval; the finite-size theory and
//     the deviation from it.
//   - For each d it pairs the models seed by seed (the same seed shares X and Y;
//     only the decoupled competitors are fresh): the mean difference of p* with
//     its standard error and a bootstrap interval, and the relative gap.
//   - FitGap fits the relative gap against d with three stated forms and their
//     chi-square; Asymptote says where the finite-size prediction would come
//     within 5% of 1/2.
//   - Undecided records are counted and shown, never imputed.
//   - Bootstraps use a fixed seed, so the report is the same on every machine.
//   - Markdown and WriteFigures render the report; both are deterministic.
package validation
