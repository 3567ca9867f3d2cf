//go:build !lamcap_gpu

package lp

// backendNormal is the normal system a solve uses unless a test sets
// IPM.normal: the CPU one. A second backend (say cuSOLVER, under a build tag
// such as lamcap_gpu) defines its own backendNormal in a file with that tag;
// that tag is excluded here, and nothing else changes. No such backend exists:
// none could run on the machines lamcap is built and tested on.
func backendNormal(s *IPM, wk *ipmWork) normalSystem { return &cpuNormal{s: s, wk: wk} }
