// Package lp holds lamcap's linear programs for the storage problem, their
// solvers (lamcap's implicit-pricing simplex and HiGHS) and their certificates.
//
// For association mu and competitor c, row r = (mu, v) of the constraint matrix A is
// a_r = (y_mu - c) (x) x_mu, so a_r . W = y_mu^T W x_mu - c^T W x_mu is the margin.
//
//   - Simplex (the default, Rows = Implicit): the bounded-margin LP, maximise t
//     subject to a_r.W >= t and -1 <= W_ij <= 1, solved through its dual
//     min |A^T lambda|_1 over the simplex of lambda by a revised simplex written
//     for this problem. Its basis has d^2 + 1 rows whatever p is, and the p(p-1)
//     columns are never stored: pricing them, and forming the simplex's pivot
//     row, is the margin computation under a d x d matrix, O(d^2 p + d p^2). A
//     cold solve runs the dual simplex with dual steepest-edge pricing from a
//     vertex of the box (W = sign of the Hebbian matrix); after the instance
//     grows, the primal simplex with Devex pricing continues from the previous
//     optimum, which stays primal feasible because growth only adds columns.
//     HiGHS, which has no hook for implicit pricing, is its fallback (Retry).
//   - MarginSolver: the same LP on HiGHS, maximise t subject to a_r.W >= t and
//     -1 <= W_ij <= 1, by constraint generation: start from a few rows per
//     association, solve, compute all p(p-1) margins of the current W at once, add
//     the most violated rows per association, re-solve from the previous basis;
//     stop when no row is violated, which makes the answer exact for the full LP.
//     Rows can be dense (d^2 nonzeros) or lifted (u_mu = W x_mu as extra variables).
//   - Solver is what both offer; NewSolver picks one from Options.Rows.
//   - SolveFeasibility: the plain feasibility LP a_r.W >= 1 with every row.
//   - CheckStorable and CheckNotStorable: certificates checked from the instance
//     data alone, with rounding errors bounded.
//
// HiGHS is reached through github.com/lanl/highs. Its warnings, which lose the
// solution in that binding, become ErrSolverWarning and a retry; nothing in this
// package lets the binding crash the process.
package lp

import _ "github.com/lamcap/lamcap/internal/highscheck"
