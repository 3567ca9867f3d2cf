// Package highs solves lamcap's bounded-margin LP with HiGHS
// (github.com/lanl/highs), and registers itself with package lp under
// lp.MethodHiGHS when imported: feasibility imports it, so every program that
// makes verdicts has HiGHS in Auto's choice for dense and lifted rows and as
// the last fallback of every chain (lp.Chain). Package lp itself builds
// without HiGHS (go build ./lp needs no cgo library but OpenBLAS's).
//
//   - MarginSolver: maximise t subject to a_r.W >= t and -1 <= W_ij <= 1, by
//     constraint generation: start from a few rows per association, solve,
//     compute all p(p-1) margins of the current W at once, add the most violated
//     rows per association (lp.LowestRows), re-solve from the previous basis;
//     stop when no row is violated, which makes the answer exact for the full
//     LP. Rows can be dense (d^2 nonzeros) or lifted (u_mu = W x_mu as extra
//     variables). It grows an instance warm, and has two other ways to solve
//     cold (Retry: other Settings), which lp.Chain tries before giving up.
//   - SolveFeasibility: the plain feasibility LP a_r.W >= 1 with every row
//     (feasibility.DecideFull).
//   - SolveFile: an exported MPS or LP file (lp.Export) solved by HiGHS, to
//     check that the files describe the problem lamcap solves.
//
// Settings are HiGHS's own options (zero value: defaults); the time limit is
// lp.Options.TimeLimit. HiGHS's warnings, which lose the solution in the
// binding, become lp.ErrSolverWarning and a retry; nothing in this package
// lets the binding crash the process.
//
// Building it needs HiGHS 1.10: `make highs` builds or finds it and writes the
// found.h that internal/highscheck asks for, so that a build without it stops
// with a message saying so.
package highs

import _ "github.com/lamcap/lamcap/internal/highscheck"
