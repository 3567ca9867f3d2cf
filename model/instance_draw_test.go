package model

import (
	"syscall"
	"testing"
	"time"
)

// embedded is a Random wrapped so that GrowContext does not recognise it:
// its competitors are drawn on one goroutine.
type embedded struct{ Random }

// The decoupled competitors drawn on every core are the ones drawn on one.
func TestDecoupledDrawsConcurrent(t *testing.T) {
	src := Random{D: 7, Seed: 3, Kind: Decoupled}
	a, err := NewInstance(src, 90)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewInstance(embedded{src}, 90)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() != b.Hash() {
		t.Fatal("the competitors drawn on every core differ from those drawn on one")
	}
}

// BenchmarkDecoupledDraws times a decoupled instance at d = 64, p = 577 drawn
// on every core (Random) and on one (a wrapped Random), with the process's
// CPU seconds per instance beside the wall time.
func BenchmarkDecoupledDraws(b *testing.B) {
	src := Random{D: 64, Seed: 1, Kind: Decoupled}
	for _, c := range []struct {
		name string
		src  Source
	}{{"cores", src}, {"one", embedded{src}}} {
		b.Run(c.name, func(b *testing.B) {
			c0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				if _, err := NewInstance(c.src, 577); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds()-c0)/float64(b.N)*1e3, "cpu-ms/op")
		})
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
