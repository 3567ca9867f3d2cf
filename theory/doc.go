// Package theory holds the capacity predictions of lamcap for the Gaussian
// surrogate (derivations and checks in docs/theory.md, "Theory of the Gaussian
// surrogate" and its sections 1-6):
//
//   - ComputeFaces: the law of the active set |S| of the projection onto C_kappa and
//     the statistical dimension D_kappa(p), deterministically (order statistics and
//     characteristic functions, no cancellation), for real p and kappa >= 0;
//     MonteCarlo: an independent estimate sampling only top order statistics;
//   - CriticalP: the finite-size capacity, root of p D_kappa(p) = N (memoised:
//     the one cache of p_c in lamcap, safe for concurrent use; Width, the
//     predicted spread of p*, likewise); AsymptoticP:
//     p log p = N / 2; StorableProbability: the whole predicted P(storable | p) by
//     convolution and the conic kinematic formula;
//   - SaddleAlpha: the replica-symmetric saddle point alpha(q), which tends to
//     1 / D_kappa as q -> 1;
//   - HebbianMarginVariance, HebbianCriticalP: the Hebbian rule at finite d;
//   - Predict: all of it for one d (two-layer networks through N = d min(h, d));
//   - norm fluctuations at kappa > 0 (docs/theory.md, section 7):
//     CriticalPInputNorms (input norms averaged by quadrature over their
//     chi-square law), CriticalPRowNormsMC (row norms as per-row margins) and
//     CriticalPBlockMC (each association as its polyhedron in R^d, which keeps
//     every norm), with the simulations NormMonteCarlo and BlockMonteCarlo;
//   - a finite answer vocabulary (docs/theory.md, section 8): VocabCriticalP
//     (p_c = d min(V-1, d) / D_0(V)), VocabStorableProbability, PredictVocab,
//     and CoverProbability, which is exact for V = 2.
package theory
