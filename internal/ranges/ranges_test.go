package ranges

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestSeedsEndBelowInt64Max: a range ending at the int64 maximum is refused
// (the loops over it never ended), and one ending at MaxSeed counts exactly.
func TestSeedsEndBelowInt64Max(t *testing.T) {
	top := strconv.FormatInt(math.MaxInt64, 10)
	for _, s := range []string{"9223372036854775806:" + top, top + ":" + top, top} {
		if _, _, err := Seeds(s); err == nil || !strings.Contains(err.Error(), "--seeds") {
			t.Errorf("Seeds(%q): %v, want a refusal", s, err)
		}
		if _, _, err := Range(s, "--seeds"); err == nil {
			t.Errorf("Range(%q) accepted", s)
		}
	}
	a, b, err := Seeds("9223372036854775805:9223372036854775806")
	if err != nil || b-a+1 != 2 {
		t.Fatalf("Seeds up to MaxSeed: %d:%d, %v", a, b, err)
	}
	n := 0
	for s := a; s <= b; s++ { // ends because b < MaxInt64
		n++
	}
	if n != 2 {
		t.Errorf("loop over %d:%d ran %d times", a, b, n)
	}
}
