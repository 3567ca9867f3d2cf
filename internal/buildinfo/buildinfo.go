// Package buildinfo names the lamcap build that is running: its module version
// and the VCS revision it was built from.
package buildinfo

import "runtime/debug"

// revision is the VCS revision stamped in by the Makefile (-ldflags -X), used
// when Go's build information has none (GOFLAGS=-buildvcs=false, say).
var revision string

// Version returns the module version ("(devel)" for a checkout) and the VCS
// revision ("unknown" when the build recorded none; " (modified)" is added for
// a build from a modified tree).
func Version() (version, rev string) {
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

// String names the build in one string for output files: "lamcap VERSION REVISION".
func String() string {
	v, r := Version()
	return "lamcap " + v + " " + r
}
