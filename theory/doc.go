// Package theory holds the capacity predictions of lamcap: the Gardner
// (replica-symmetric) capacity of the Gaussian surrogate, its finite-size curve
// and asymptotics. See docs/theory.md.
package theory
