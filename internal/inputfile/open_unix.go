//go:build unix

package inputfile

import "syscall"

// openNonblock keeps open(2) of a named pipe without a writer from blocking.
const openNonblock = syscall.O_NONBLOCK
