//go:build lamcapdist && linux

package main

// The dist bundle (make dist) defines arc4random itself, to run on glibc 2.34.
import _ "github.com/lamcap/lamcap/internal/glibccompat"
