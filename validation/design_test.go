package validation

import "testing"

// The verdict design's error cannot be measured by the bootstrap when no
// pair's two verdicts differ at p0 (the two storable fractions then move
// together in every sample): the row says so instead of a ratio. At d = 96
// with 10 pairs that case gave a ratio of 811 in the report. Here 10 pairs
// whose coupled and decoupled p* sit on the same side of each model's guessed
// p0 (concordant) are unmeasurable; moving two decoupled p* across their p0
// (discordant pairs) makes the row measurable again.
func TestDesignUnmeasurableWhenConcordant(t *testing.T) {
	build := func(dec []int) []DesignRow {
		cp := []int{1113, 1113, 1125, 1128, 1131, 1132, 1134, 1135, 1138, 1139}
		c := Group{D: 96, Model: "coupled", N: 10, Width: 8.85, Threshold: 1129.3, Theory: 1112.6, Solves: 6, Seconds: 1000, bySeed: map[int64]int{}}
		d := Group{D: 96, Model: "decoupled", N: 10, Width: 9.22, Threshold: 1112.7, Theory: 1112.6, Solves: 6, Seconds: 1000, bySeed: map[int64]int{}}
		for i := range cp {
			c.bySeed[int64(i+1)] = cp[i]
			d.bySeed[int64(i+1)] = dec[i]
		}
		// The previous d sets the guessed p0: coupled 1112.6 x 1.0189 = 1134,
		// decoupled 1112.6 x 1.0005 = 1113.
		pc := Group{D: 64, Model: "coupled", N: 20, Deviation: 0.0189}
		pd := Group{D: 64, Model: "decoupled", N: 20, Deviation: 0.0005}
		return design([]Group{pc, pd, c, d}, []Pair{{D: 96, N: 10, DiffSE: 2.44}}, Settings{}.withDefaults())
	}
	// Decoupled p* above 1113 exactly for the seeds whose coupled p* >= 1134
	// (seeds 7..10): every pair concordant at the guessed p0.
	rows := build([]int{1100, 1102, 1103, 1107, 1108, 1112, 1117, 1123, 1124, 1126})
	if len(rows) != 1 || !rows[0].GuessUnmeasurable || rows[0].GuessRatio != 0 {
		t.Fatalf("concordant pairs: %+v, want GuessUnmeasurable with no ratio", rows)
	}
	// Seeds 1 and 2 now storable at the decoupled p0 while their coupled
	// verdicts are not: two discordant pairs.
	rows = build([]int{1120, 1121, 1103, 1107, 1108, 1112, 1117, 1123, 1124, 1126})
	if len(rows) != 1 || rows[0].GuessUnmeasurable || !(rows[0].GuessSE > 1) {
		t.Fatalf("discordant pairs: %+v, want a measured SE above one association", rows)
	}
}
