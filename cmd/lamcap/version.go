package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lamcap/lamcap/internal/buildinfo"
	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/lp/highs"
)

func init() {
	register(command{"version", "print the lamcap version, its VCS revision and the HiGHS and BLAS versions", runVersion})
}

// lamcapVersion names this build in one string for output files.
func lamcapVersion() string { return buildinfo.String() }

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "Prints the module version, the VCS revision it was built from, and the versions of\nHiGHS and of the BLAS in use.")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	v, r := buildinfo.Version()
	fmt.Fprintf(stdout, "lamcap %s\nrevision %s\nHiGHS %s\nBLAS %s\n", v, r, highs.Version(), linalg.Version())
	return nil
}
