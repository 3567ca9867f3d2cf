// Package feasibility turns the linear programs of package lp into certified
// answers and builds the exact capacity measurements on top of them.
//
//   - Verdicts: Decide solves the bounded-margin LP of an instance, checks the
//     solution's certificate outside the solver (Certify) and retries on HiGHS,
//     with several settings, before admitting an Undecided answer. DecideFull uses the
//     plain feasibility LP.
//   - Critical sizes: FindThreshold finds p*, the largest storable prefix of a
//     nested instance family, certified by a storable verdict at p* and a
//     not-storable one at p*+1, growing one warm solver (lp.Simplex by default). FindKappaThreshold
//     does the same for a margin kappa > 0 from certified max-margin values.
//   - Max-margin memories: SolveMaxMargin gives kappa* = d / |W*|_F with a
//     certified interval (lp.SolveMinNorm for the min-norm problem).
//   - Sweeps: a Grid of (d, model, seed) units, a Store that keeps every finished
//     unit durably (append-only, fsynced JSON lines; resumable after any crash),
//     Run with parallel workers, Shard for clusters.
//   - Statistics: Wilson intervals, order-statistic intervals for the median,
//     P(storable | p) curves and per-(d, model) summaries (Summarise).
//   - Mechanism: the optimal, LP-vertex, Hebbian and pseudo-inverse memories of an
//     instance (Memories), their score samples, singular values and a two-sample
//     Kolmogorov-Smirnov comparison.
//   - Two-layer networks: Alternate and AlternatingLowerBound train both factors
//     of W = A B by alternating LPs (certified successes, lower bounds only).
package feasibility
