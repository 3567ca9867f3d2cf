package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/lamcap/lamcap/theory"
)

// runVocabTheory prints the vocabulary model's prediction (theory.PredictVocab)
// for every d and V: lamcap theory --vocab V.
func runVocabTheory(ctx context.Context, stdout io.Writer, dims []int, vocabs string, asJSON bool) error {
	vs, err := parseVocabs(vocabs)
	if err != nil {
		return usagef("--vocab: %v", err)
	}
	for _, v := range vs {
		if v < 2 || v > 1<<20 {
			return usagef("--vocab: want 2 <= V <= %d, got %d", 1<<20, v)
		}
	}
	if !asJSON {
		fmt.Fprintf(stdout, "%6s  %8s  %8s  %10s  %12s  %12s  %10s\n", "d", "V", "N", "D_0(V)", "p_c_finite", "bits/param", "p_c_paper")
	}
	for _, d := range dims {
		if err := ctx.Err(); err != nil {
			return err
		}
		prs, err := theory.PredictVocab(d, vs...)
		if err != nil {
			return err
		}
		for _, pr := range prs {
			if asJSON {
				if err := json.NewEncoder(stdout).Encode(pr); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(stdout, "%6d  %8d  %8d  %10.4f  %12.2f  %12.4f  %10.2f\n", d, pr.V, pr.N, pr.StatDim, pr.PC, pr.BitsPerParameter, pr.PaperPC)
		}
	}
	return nil
}
