//go:build lamcapdist && linux

// Package glibccompat lets the `make dist` bundle run on glibc older than the
// one it is built on. libstdc++'s std::random_device, which the statically
// linked HiGHS pulls in, calls arc4random, new in glibc 2.36; this package
// defines arc4random in the binary itself (from the getrandom system call,
// Linux 3.17), so the bundle needs only what Go's runtime and OpenBLAS need
// (glibc 2.34). It is linked only into the dist build (build tag lamcapdist).
package glibccompat

/*
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

uint32_t arc4random(void) {
	uint32_t v;
	unsigned char *p = (unsigned char *)&v;
	size_t got = 0;
	while (got < sizeof v) {
		long n = syscall(SYS_getrandom, p + got, sizeof v - got, 0);
		if (n > 0) {
			got += (size_t)n;
		}
	}
	return v;
}
*/
import "C"
