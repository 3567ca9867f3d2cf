// Package lp holds lamcap's linear programs for the storage problem, its own
// solvers (the structured interior-point method and the implicit-pricing
// simplex), the registry and fallback chain every solver plugs into, and the
// certificates. HiGHS is a solver in its own package, lp/highs, which
// registers itself here when imported; lp itself builds with plain `go build`
// (no HiGHS, no generated file).
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
//     with Gondzio's centrality correctors; one step length for primal and
//     dual on the Gaussian models). Its normal matrix A^T D A + box
//     terms is sum_mu M_mu (x) x_mu x_mu^T, formed by one GEMM of packed
//     symmetric Kronecker factors and factored by a dense Cholesky, both level-3
//     BLAS on OpenBLAS (internal/linalg), never from the p(p-1) rows: O(p d^4/2 +
//     d^6/3) per iteration, 20-45 iterations. Its W is primal feasible from the
//     start and its lambda converges to the dual certificate; Stop lets a
//     verdict end at the first certified iterate (a sign-only one also at a
//     certified W along its Newton direction, box ignored). SolveMaxMargin runs the same
//     engine on the min-norm QP. Its chain falls to the simplex, then HiGHS.
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
//     HiGHS, which has no hook for implicit pricing, is its chain's fallback.
//   - HiGHS constraint generation (Method = MethodHiGHS, package lp/highs):
//     what Auto picks for dense or lifted rows, and every chain's last resort.
//   - Solver is what every solver offers: Instance and Solve, no more (with
//     Retrier if it has other ways to solve cold). Each Method states its
//     Capabilities (warm growth, sign-only stop, the instances it supports,
//     its memory estimate, its max-margin QP, its work report, its retries,
//     its place among the fallbacks and the largest d it is meant for);
//     callers ask those, never the name.
//     Auto's preference order lives in one place (autoChain), the fallbacks in
//     another (Chain.Steps, from Capabilities.Fallback), as gonum's optimize
//     asks a method what it needs and picks the default in Minimize alone.
//   - Chain: NewSolver returns the solver opts.Method picks (Auto by default:
//     by size) in its fallback chain, typed steps (Step: a method and which
//     of its ways) that feasibility.Decide runs one by one until a
//     certificate holds. A fallback that cannot fit in memory, or beyond
//     the d it is meant for (Capabilities.MaxD: the simplex and HiGHS above
//     d = 64), is refused with that reason.
//   - A new solver implements Solver and calls Register with its
//     Capabilities, from its package's init: ParseMethod, NewSolver, the
//     chains, the threshold searches, SolveMaxMargin's QP order (QPChain),
//     MemoryEstimate and the CLI's report then use it with no other change
//     (docs/architecture.md, "How to add a solver").
//   - Options carries what every solver shares: Eps (the not-storable
//     tolerance) and TimeLimit (seconds per step of a chain, for every
//     solver).
//   - Cancellation: a solve returns its context's error once the context is
//     done. The interior-point method checks it in every iteration and within
//     one (per association while forming the normal matrix, per row block
//     while filling it, before each Cholesky, per conjugate-gradient step and
//     dual projection); only a Cholesky once started runs to its end.
//   - Memory: MemoryEstimate bounds what deciding an instance holds, which
//     callers check (memlimit) before they allocate. A large interior-point
//     solve (normal matrix of 128 MB or more, d >= 64) keeps that bound by
//     collecting its own garbage: before it allocates, after iterations whose
//     certificate attempts made some, and at its end, when it drops its
//     buffers and returns them to the operating system (runtime.GC and
//     debug.FreeOSMemory, process-wide and cheap: the buffers hold no
//     pointers).
//   - CheckStorable and CheckNotStorable: certificates checked from the instance
//     data alone, normalised (max |W_ij| = 1, sum(lambda) = 1), with rounding and
//     underflow errors bounded, and W's margins that the bound cannot decide
//     recomputed exactly; the not-storable tolerance is relative to the scale
//     |a_r|_1 of each row lambda weighs (NotStorableCheck: invariant under
//     per-input scaling); ZeroMarginRow finds a row no W can make positive.
//
// A solve that stops without a solution (a HiGHS warning, any solver's time
// limit) fails with an error wrapping ErrSolverWarning; the chain goes on.
package lp
