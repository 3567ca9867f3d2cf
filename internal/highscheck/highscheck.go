// Package highscheck stops a build that cannot find HiGHS with a message that
// says how to get it. `make highs` writes found.h beside this file once HiGHS is
// installed (or found by pkg-config); without it the build stops here.
package highscheck

/*
#if !__has_include("found.h")
#error "HiGHS 1.10 is not set up for this checkout: run 'make highs' (or 'make build'), which builds it if needed and points go at it"
#endif
*/
import "C"
