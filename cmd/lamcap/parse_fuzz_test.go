package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/experiment"
	"github.com/lamcap/lamcap/internal/ranges"
	"github.com/lamcap/lamcap/model"
)

// usageOnly fails unless err is a one-line usage error.
func usageOnly(t *testing.T, in string, err error) {
	t.Helper()
	if !errors.As(err, new(usageError)) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("%q: error %v is not a one-line usage error", in, err)
	}
}

func FuzzParseDims(f *testing.F) {
	for _, s := range []string{"6:24:2", "6:10", "6,8,12", "6", "2:2", "1:5", "6:4", "6:10:0", "6:10:-1",
		"a:b", "6:8:2:1", "2:9223372036854775807", "9223372036854775806:9223372036854775807:9223372036854775807",
		"-9223372036854775808:9", " 6 , 8", "6,,8", "", ":", "6:1001:1", "2:1001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ds, err := parseDims(s)
		if err != nil {
			usageOnly(t, s, err)
			return
		}
		if len(ds) == 0 || len(ds) > ranges.MaxDims {
			t.Fatalf("%q: %d dimensions", s, len(ds))
		}
		var list []string
		for _, d := range ds {
			if d < 2 {
				t.Fatalf("%q: d = %d", s, d)
			}
			list = append(list, strconv.Itoa(d))
		}
		again, err := parseDims(strings.Join(list, ","))
		if err != nil || !slices.Equal(again, ds) {
			t.Fatalf("%q gives %v; as a list it gives %v, %v", s, ds, again, err)
		}
		if strings.Contains(s, ":") { // a range: evenly spaced, and it round-trips
			step := 1
			if len(ds) > 1 {
				step = ds[1] - ds[0]
			}
			for i := 1; i < len(ds); i++ {
				if ds[i]-ds[i-1] != step || step < 1 {
					t.Fatalf("%q gives %v, not a range", s, ds)
				}
			}
			r := fmt.Sprintf("%d:%d:%d", ds[0], ds[len(ds)-1], step)
			if again, err := parseDims(r); err != nil || !slices.Equal(again, ds) {
				t.Fatalf("%q gives %v; %q gives %v, %v", s, ds, r, again, err)
			}
		}
	})
}

func FuzzParseSeeds(f *testing.F) {
	for _, s := range []string{"20", "1:200", "0:0", "5", "0", "-3", "3:2", "1:9223372036854775807", "a", "1:", ":1", "1:2:3", "+4", " 4", "1:1000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := parseSeeds(s)
		if err != nil {
			usageOnly(t, s, err)
		} else {
			if a < 0 || b < a || (!strings.Contains(s, ":") && a != 1) {
				t.Fatalf("%q gives %d:%d", s, a, b)
			}
			r := fmt.Sprintf("%d:%d", a, b)
			if a2, b2, err := parseSeeds(r); err != nil || a2 != a || b2 != b {
				t.Fatalf("%q gives %d:%d; %q gives %d:%d, %v", s, a, b, r, a2, b2, err)
			}
		}
		// parseRange, the --seeds parser of the other commands.
		a, b, err = parseRange(s, "--seeds")
		if err != nil {
			usageOnly(t, s, err)
			return
		}
		if a < 0 || b < a {
			t.Fatalf("parseRange(%q) gives %d:%d", s, a, b)
		}
		for _, r := range []string{fmt.Sprintf("%d:%d", a, b), fmt.Sprint(a)} {
			a2, b2, err := parseRange(r, "--seeds")
			if r == fmt.Sprint(a) && a != b {
				continue
			}
			if err != nil || a2 != a || b2 != b {
				t.Fatalf("parseRange(%q) gives %d:%d; %q gives %d:%d, %v", s, a, b, r, a2, b2, err)
			}
		}
	})
}

func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"1/3", "3/3", "0/3", "4/3", "1/0", "1/", "/3", "1/3x", "1/3/5", "+1/+3", " 1/3", "1/9223372036854775807", "2"} {
		f.Add(s)
	}
	units := experiment.Grid{Ds: []int{4, 5}, Models: []model.Model{model.Coupled, model.Decoupled}, SeedFirst: 1, SeedLast: 5}.Units()
	f.Fuzz(func(t *testing.T, s string) {
		k, n, err := parseShard(s)
		if err != nil {
			usageOnly(t, s, err)
			return
		}
		if k < 1 || k > n {
			t.Fatalf("%q gives %d/%d", s, k, n)
		}
		r := fmt.Sprintf("%d/%d", k, n)
		if k2, n2, err := parseShard(r); err != nil || k2 != k || n2 != n {
			t.Fatalf("%q gives %d/%d; %q gives %d/%d, %v", s, k, n, r, k2, n2, err)
		}
		// The n shards of a grid partition it, and this one is the k-th part.
		if n > 64 {
			return
		}
		count := map[experiment.Unit]int{}
		for j := 1; j <= n; j++ {
			for _, u := range experiment.Shard(units, j, n) {
				count[u]++
			}
		}
		for _, u := range units {
			if count[u] != 1 {
				t.Fatalf("%q: %+v is in %d of the %d shards", s, u, count[u], n)
			}
		}
		for _, u := range experiment.Shard(units, k, n) {
			if i := slices.Index(units, u); i%n != k-1 {
				t.Fatalf("%q: unit %d in shard %d of %d", s, i, k, n)
			}
		}
	})
}
