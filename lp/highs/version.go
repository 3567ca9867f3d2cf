package highs

// #cgo pkg-config: highs
// const char* Highs_version(void);
import "C"

// Version is the version of the HiGHS library lamcap is linked with, as
// HiGHS reports it (e.g. "1.10.0"). (The prototype is declared here: the C
// API header defines constants, which may not be linked twice.)
func Version() string { return C.GoString(C.Highs_version()) }
