// Package lp holds lamcap's linear programs for the storage problem, their
// solvers (lamcap's structured interior-point method, its implicit-pricing
// simplex, and HiGHS) and their certificates.
//
// For association mu and competitor c, row r = (mu, v) of the constraint matrix A is
// a_r = (y_mu - c) (x) x_mu, so a_r . W = y_mu^T W x_mu - c^T W x_mu is the margin.
// v runs over the instance's competitor slots (model.Instance.Slots) except
// Own(mu): p(p-1) rows for the coupled and decoupled models, p(V-1) for the
// vocabulary model. Every solver, the feasibility LP, Export and the
// certificates take every model; the interior-point method lays its margin
// duals out per (mu, slot), p x Slots() with Own(mu) inert.
//
// docs/theory.md derives what this package relies on: the formulations and their
// duals ("Linear programs"), the certificates and their rounding-error bounds
// ("Certificates"), and the Kronecker structure of the interior-point normal
// matrix ("The interior-point normal matrix").
//
//   - IPM (Method = MethodIPM; what Auto picks from d = IPMFromD on): the same
//     LP by a primal-dual interior-point method (Mehrotra predictor-corrector
//     with Gondzio's centrality correctors). Its normal matrix A^T D A + box
//     terms is sum_mu M_mu (x) x_mu x_mu^T, formed by one GEMM of packed
//     symmetric Kronecker factors and factored by a dense Cholesky, both level-3
//     BLAS on OpenBLAS (internal/linalg), never from the p(p-1) rows: O(p d^4/2 +
//     d^6/3) per iteration, 20-45 iterations. Its W is primal feasible from the
//     start and its lambda converges to the dual certificate; Stop lets a
//     verdict end at the first certified iterate. SolveMaxMargin runs the same
//     engine on the min-norm QP. Retry falls to the simplex, then HiGHS.
//     The code is split at the normal system. One Mehrotra loop (mehrotra.go)
//     runs both problems, the LP (lpProblem) and the QP (qpProblem, whose
//     normal matrix is the LP's without the t border and with the identity for
//     the box terms); it asks its normal system (normalSystem, normal.go) only
//     to form the matrix for given diagonal scalings, factor it (choosing its
//     precision and shift), solve with it and apply it. cpuNormal
//     (normal_cpu.go) is the implementation lamcap runs: the structured GEMM
//     and the single-precision Cholesky with conjugate-gradient refinement and
//     a double-precision fallback. A test double (explicit A^T D A, gonum's
//     Cholesky) runs the same loop and agrees with it. Another backend, for
//     example cuSOLVER on a GPU or ScaLAPACK across nodes, is one more
//     normalSystem in its own file behind a build tag, with its own
//     backendNormal (normal_backend.go, which that tag then excludes); the
//     loop, the problems and the certificates stay as they are. None is written: none could run on the machines lamcap is tested on.
//   - Simplex (Method = MethodSimplex; what Auto picks below IPMFromD): the bounded-margin LP, maximise t
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
//   - Solver is what all three offer; NewSolver picks one from Options.Method
//     (Auto by default: by size) and Options.Rows (dense or lifted rows mean HiGHS).
//     Each Method states its Capabilities (warm growth, sign-only stop, the
//     instances it supports, its memory estimate, its max-margin QP, its work
//     report); callers ask those, never the name, and Auto's preference order
//     lives in one place (autoChain). A new solver implements Solver and calls
//     Register with its Capabilities: ParseMethod, NewSolver, the threshold
//     searches, SolveMaxMargin's QP order (QPChain), MemoryEstimate and the
//     CLI's report then use it with no other change.
//   - Options carries what every solver shares: Eps (the not-storable
//     tolerance) and TimeLimit (seconds per solve, for every solver and its
//     fallbacks).
//   - SolveFeasibility: the plain feasibility LP a_r.W >= 1 with every row.
//   - CheckStorable and CheckNotStorable: certificates checked from the instance
//     data alone, normalised (max |W_ij| = 1, sum(lambda) = 1), with rounding and
//     underflow errors bounded, and W's margins that the bound cannot decide
//     recomputed exactly; the not-storable tolerance is relative to Scale.
//
// HiGHS is reached through github.com/lanl/highs. Its warnings, which lose the
// solution in that binding, become ErrSolverWarning and a retry; nothing in this
// package lets the binding crash the process.
package lp

import _ "github.com/lamcap/lamcap/internal/highscheck"
