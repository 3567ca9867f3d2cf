// Package stats holds lamcap's statistics in one place, as plain functions over
// slices in the style of gonum/stat: one Interval type, the Wilson interval, the
// order-statistic median interval, the mean with its standard error, a seeded
// percentile bootstrap, the probit fit of critical sizes, weighted least-squares
// fits with their full covariance, the two-sample Kolmogorov-Smirnov test, paired
// permutation tests and Holm's multiplicity correction.
//
// Contract:
//   - Every random procedure (Bootstrap, PairedKSPermutation, SignFlip) takes its
//     seed: the same inputs give the same numbers on every machine. SignFlip
//     is exact (every sign pattern counted) up to SignFlipExactMax differences
//     and says which it is (PermutationP); Monte Carlo p-values are
//     (1 + hits)/(1 + rounds), never 0.
//   - Fits report the full covariance of their parameters (Fit.Cov); Fit.SE are
//     its marginal standard errors (square roots of its diagonal), never
//     errors conditional on the other parameters held fixed.
//   - Functions do not modify their inputs unless they say so.
//   - The package imports only gonum and the standard library; it knows nothing
//     of instances, models or records.
package stats
