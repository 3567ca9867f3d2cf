// Package lp holds lamcap's linear programs for the storage problem, their HiGHS
// backend and their certificates.
//
// For association mu and competitor c, row r = (mu, v) of the constraint matrix A is
// a_r = (y_mu - c) (x) x_mu, so a_r . W = y_mu^T W x_mu - c^T W x_mu is the margin.
//
//   - MarginSolver: the bounded-margin LP, maximise t subject to a_r.W >= t and
//     -1 <= W_ij <= 1, by constraint generation: start from a few rows per
//     association, solve, compute all p(p-1) margins of the current W at once, add
//     the most violated rows per association, re-solve from the previous basis;
//     stop when no row is violated, which makes the answer exact for the full LP.
//     Rows can be dense (d^2 nonzeros) or lifted (u_mu = W x_mu as extra variables).
//   - SolveFeasibility: the plain feasibility LP a_r.W >= 1 with every row.
//   - CheckStorable and CheckNotStorable: certificates checked from the instance
//     data alone, with rounding errors bounded.
//
// HiGHS is reached through github.com/lanl/highs. Its warnings, which lose the
// solution in that binding, become ErrSolverWarning and a retry; nothing in this
// package lets the binding crash the process.
package lp

import _ "github.com/lamcap/lamcap/internal/highscheck"
