// Package feasibility turns linear programs into certified verdicts: storable,
// not-storable or undecided. Decide solves the bounded-margin LP of package lp,
// checks the solution's certificate outside the solver and retries with other
// HiGHS settings before admitting an undecided answer. Later files of the package
// build per-instance critical sizes, sweeps and their statistics on top.
package feasibility
