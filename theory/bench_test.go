package theory

import (
	"fmt"
	"testing"
)

// BenchmarkPredict times the whole theory for one d (issue target: under a second
// up to d = 1024 on the deterministic path).
func BenchmarkPredict(b *testing.B) {
	for _, d := range []int{16, 128, 1024} {
		b.Run(fmt.Sprintf("d=%d", d), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Predict(d, 0, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
