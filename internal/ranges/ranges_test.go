package ranges

import (
	"math"
	"reflect"
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

// FormatDims writes what Dims reads back, in the short form when it can.
func TestFormatDimsRoundTrip(t *testing.T) {
	for _, c := range []struct {
		ds   []int
		want string
	}{
		{[]int{8, 12, 16, 20, 24, 28}, "8:28:4"},
		{[]int{6, 8}, "6,8"},
		{[]int{6, 8, 12}, "6,8,12"},
		{[]int{12, 8, 4}, "12,8,4"},
		{[]int{5}, "5"},
	} {
		s := FormatDims(c.ds)
		if s != c.want {
			t.Errorf("FormatDims(%v) = %q, want %q", c.ds, s, c.want)
		}
		back, err := Dims(s)
		if err != nil || !reflect.DeepEqual(back, c.ds) {
			t.Errorf("Dims(%q) = %v, %v; want %v", s, back, err, c.ds)
		}
	}
}
