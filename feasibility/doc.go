// Package feasibility turns the linear programs of package lp into certified
// answers and builds the exact capacity measurements on top of them.
//
//   - Verdicts: Decide solves the bounded-margin LP of an instance, checks the
//     solution's certificate outside the solver (Certify) and, when it does not
//     hold or the solver fails in any way, runs the next step of the solver's
//     fallback chain (lp.Chain, built from the solvers' capabilities: interior
//     point, then simplex, then HiGHS with its retries) before admitting an
//     Undecided answer with its reason. This package imports lp/highs, which
//     registers HiGHS: every program that makes verdicts has it in its chains. Each verdict names the
//     solver whose answer was certified. The not-storable tolerance eps is
//     relative to the scale of each margin row lambda weighs
//     (lp.NotStorableCheck), so verdicts do not change when the data or any
//     one input are scaled. A not-storable answer in doubt (residual above
//     ConfirmEps of its scale, or the solver's own t* > 0 while its W failed)
//     is checked by every other solver (Solvers) meant for its d (not asked
//     beyond lp.Capabilities.MaxD, as its Note says), a storable certificate wins
//     (Disagreement), and if t* > 0, no W verifies and nothing is confirmed
//     the verdict is undecided. User data with inputs of uneven size left in
//     doubt are also decided on their power-of-two equilibrated inputs, the
//     certificate checked on the data as given. An exactly zero margin row
//     (lp.ZeroMarginRow) makes an instance not storable without a solve.
//     DecideFull uses the plain feasibility LP.
//   - Critical sizes: FindThreshold finds p*, the largest storable prefix of a
//     nested instance family, certified by a storable verdict at p* and a
//     not-storable one at p*+1. With the simplex (and HiGHS) it grows one warm
//     solver upwards from just below the finite-size prediction (Prior); with the
//     interior-point method, which cannot warm start, it brackets p* with cold
//     sign-only verdicts, starting at the model's expected p* (PriorOf),
//     stepping away by the prior's width (doubling) until it has both sides,
//     then splitting what the prior leaves in the bracket in half
//     (Threshold.Solves counts the verdicts). It draws each association
//     once: it keeps the largest instance it has, takes smaller p as its
//     prefixes and grows it for a larger one (Threshold.Draws), and the
//     memory check counts the instance kept. A bracketing search resumes from
//     verdicts an earlier, interrupted run certified (ThresholdOptions.Known,
//     for the searches Brackets names): it makes exactly the verdicts the
//     uninterrupted search had left, and its counts include the earlier
//     run's. FindKappaThreshold does the same for a margin kappa > 0 from
//     certified max-margin values.
//   - Max-margin memories: SolveMaxMargin gives kappa* = d / |W*|_F with a
//     certified interval (the interior-point method from lp.IPMFromD on, the
//     active-set lp.SolveMinNorm below, for the min-norm problem; the other
//     method when the first leaves the interval wider than MaxMarginTolerance).
//     A point value and W are given only when certified.
//   - Two-layer networks: Alternate and AlternatingLowerBound train both factors
//     of W = A B by alternating LPs (certified successes, lower bounds only).
//
// Sweeps over many instances, their store and statistics, the memories of an
// instance compared (Memories) and the studies built on them are in package
// experiment.
package feasibility
