package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/lamcap/lamcap/internal/linalg"
	"github.com/lamcap/lamcap/lp"
)

func init() {
	register(command{"version", "print the lamcap version, its VCS revision and the HiGHS and BLAS versions", runVersion})
}

// revision is the VCS revision stamped in by the Makefile (-ldflags -X), used
// when Go's build information has none.
var revision string

// buildVersion is the module version and VCS revision of this binary.
func buildVersion() (version, rev string) {
	version, rev = "(devel)", "unknown"
	if revision != "" {
		rev = revision
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version, rev
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += " (modified)"
	}
	return version, rev
}

// lamcapVersion names this build in one string for output files.
func lamcapVersion() string {
	v, r := buildVersion()
	return "lamcap " + v + " " + r
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "Prints the module version, the VCS revision it was built from, and the versions of\nHiGHS and of the BLAS in use.")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	v, r := buildVersion()
	fmt.Fprintf(stdout, "lamcap %s\nrevision %s\nHiGHS %s\nBLAS %s\n", v, r, lp.HiGHSVersion(), linalg.Version())
	return nil
}
