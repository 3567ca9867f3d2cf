package lp_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkExportLarge writes the d=32, p=140 instance (about 20 million
// nonzeros) as MPS (issue target: peak resident memory under 1 GiB).
func BenchmarkExportLarge(b *testing.B) {
	dir := b.TempDir()
	in, err := model.NewInstance(model.Random{D: 32, Seed: 1}, 140)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, "big.mps.gz")
		if err := lp.Export(path, in, lp.MarginForm, lp.MPS); err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(path)
		b.ReportMetric(float64(st.Size())/(1<<20), "file-MiB")
	}
	b.ReportMetric(float64(peakRSS())/(1<<20), "peakRSS-MiB")
}
