// Package validation holds the exact numbers against the paper's two claims: that
// the decoupled model is equivalent to the coupled one, and that it stores
// p_c log p_c / d^2 -> 1/2. It reads sweep records (experiment.Record, one per
// certified instance family, and the single verdicts of verdict sweeps) and
// compare-models rows, and nothing else: every
// number of the report is a function of them, so the report regenerates byte
// for byte. The statistics themselves live in package stats.
//
// Contract:
//   - Analyze groups records by (d, model) and gives three estimators of p_c side
//     by side: the median p* with its order-statistic interval, the mean p* with
//     its standard error, and the P(storable | p) = 1/2 crossing of a probit fit
//     to the per-instance verdicts with its interval. Theory is compared with
//     mean p* + HalfAssociation (p* is the integer part of a real threshold),
//     with a chi-square over every d (Agreement); p_c log p_c / d^2 is taken at
//     the same mean p* + HalfAssociation, and intervals of a mean use Student
//     t with n - 1 degrees of freedom.
//   - For each d it pairs the models seed by seed (the same seed shares X and Y;
//     only the decoupled competitors are fresh): the mean difference of p* with
//     its standard error and a bootstrap interval, the spread of one pair, and
//     the relative gap.
//   - FitGap fits the relative gap against d with four stated forms (constant,
//     c / log d, c d^-b, a + b / d), each with the full covariance of its
//     parameters; GapTests compare nested forms by likelihood ratio, AIC ranks
//     them, Power says how many pairs at PowerDims separate the forms not yet
//     excluded, and Design measures whether one verdict per instance informs
//     more per CPU second than a full p*.
//   - ReadVerdicts and SetVerdicts add the single-verdict runs (experiment
//     verdict sweeps, VerdictTargets): per d the storable fractions with
//     exact intervals, the crossings p0 + sigma Phi^-1(f) (sigma: theory's
//     width times the measured probit-to-theory ratio at the WidthDims
//     largest d below; a fraction of 0 or 1 gives a one-sided bound, never an
//     infinite crossing), the paired shift (ShiftEstimate: bootstrap over
//     seeds with each seed's pair kept, the widths' error by the delta
//     method) and relative gap, beside the FitGap forms' predictions with the
//     z of the difference and Holm-adjusted p-values; each crossing's
//     deviation from theory (the crossing estimates E X, as mean p* +
//     HalfAssociation does), quoted in the claims as from single verdicts;
//     and, from MinPairs pairs, a power statement (VerdictPower): the
//     Jeffreys-delta SE on the measured table of paired verdicts scaled to n
//     seeds, the widths' SE as a floor, the pairs after which each two forms
//     not yet excluded are PowerSigma apart in the section's z (the other
//     form's prediction error included; "never" when that error and the
//     floor keep z below it), the z at the target, at the sweep's d and
//     projected to VerdictPowerDims (theory's widths and p_c there, the
//     seconds per verdict scaled by (d^2)^3, an estimate).
//   - Records name no engine: EarlierEngine lists the p* records of an
//     engine older than the idle Benchmarks of docs/benchmarks.md (by unit
//     and iteration count); they are left out of the cost means, said apart,
//     and where no other record of a d is left the benchmarks' iterations
//     per search are charged at the single verdicts' seconds per iteration.
//   - SetMechanism adds compare-models rows: kappa* paired seed by seed (an
//     exact sign-flip p-value where stats.SignFlip can enumerate, else Monte
//     Carlo), Holm's correction over every test of the section, each test
//     saying whether its p-value is exact or Monte Carlo and over how many
//     permutations (a Holm value from a Monte Carlo floor is marked as a
//     bound), and the tightness of the
//     max-margin memories beside the surrogate's prediction.
//   - Any number of records at a d is taken, even one: a (d, model) enters
//     the capacity table and figures with MinGroup certified instances, the
//     table of paired differences with MinTablePairs pairs, the fits with
//     MinPairs. Progress counts every d with a pair target (Targets, the one
//     place the targets are stated) and every d not yet in all of them:
//     pairs, records without a partner, the searches left and their expected
//     cost at the mean seconds and iterations of that d's records (the median
//     beside it); from MinSoFar
//     pairs its gap is quoted "so far".
//   - Claims is the summary the README quotes verbatim, between markers.
//   - Undecided records are counted and shown, never imputed.
//   - Bootstraps and permutations use fixed seeds, so the report is the same on
//     every machine.
//   - Markdown and WriteFigures render the report; both are deterministic.
package validation
