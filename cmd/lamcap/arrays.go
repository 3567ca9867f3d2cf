package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/outdir"
	"github.com/lamcap/lamcap/internal/progress"
	"github.com/lamcap/lamcap/model"
)

// What programs that drive lamcap need (the Python package in python/ uses
// these): a verdict's W and lambda as .npy files, and a progress line per
// finished unit of a sweep.

// arraysUsage is the help of solve's --arrays flag.
const arraysUsage = "write the verdict's evidence into this directory for NumPy: W.npy (d x d, storable), lambda.npy (k x 3: mu, v, weight; not-storable), certificate.json (as --certificate) and metadata.json"

// arraysStale are the files of an --arrays directory that a later verdict may
// not write: removed, so that the directory never mixes two verdicts.
var arraysStale = []string{"W.npy", "lambda.npy", "certificate.json"}

// saveArrays writes the evidence of verdict v on instance in into dir (nothing
// when dir is empty): W.npy or lambda.npy, the certificate of a certified
// verdict and metadata.json naming the instance and the verdict. An undecided
// verdict has only its metadata. The set is written atomically (package outdir).
func saveArrays(dir string, inst instanceFlags, in *model.Instance, eps float64, v feasibility.Verdict) error {
	if dir == "" {
		return nil
	}
	// The arrays are the certificate's own W and lambda (normalised: max
	// |W_ij| = 1, weights summing to 1), so that they agree with it exactly.
	var files []outdir.File
	if v.Status != feasibility.Undecided {
		c, err := certificate.New(inst.certInstance(), in, eps, v)
		if err != nil {
			return err
		}
		switch {
		case len(c.W) > 0:
			w := mat.NewDense(len(c.W), len(c.W[0]), nil)
			for i, row := range c.W {
				w.SetRow(i, row)
			}
			files = append(files, outdir.File{Name: "W.npy", Fill: func(f io.Writer) error { return model.EncodeNPY(f, w) }})
		case len(c.Lambda) > 0:
			lam := mat.NewDense(len(c.Lambda), 3, nil)
			for k, l := range c.Lambda {
				lam.SetRow(k, []float64{float64(l.Mu), float64(l.V), l.Weight})
			}
			files = append(files, outdir.File{Name: "lambda.npy", Fill: func(f io.Writer) error { return model.EncodeNPY(f, lam) }})
		}
		files = append(files, outdir.File{Name: "certificate.json", Fill: c.Encode})
	}
	meta := map[string]any{
		"generator": "lamcap solve --arrays", "d": in.D, "p": in.P, "model": inst.model.String(),
		"embedding": inst.embed.String(), "sha256": in.Hash(), "verdict": string(v.Status),
		"layout": "W[i, j] = W_ij (scores y^T W x); lambda[k] = (mu, v, weight), rows counted from 0",
	}
	if inst.user == nil {
		meta["seed"] = inst.seed
	}
	files = append(files, outdir.File{Name: "metadata.json", Fill: func(w io.Writer) error { return printJSON(w, meta) }})
	if err := outdir.WriteDir(dir, files, arraysStale); err != nil {
		if errors.As(err, new(*outdir.RefusedError)) {
			return usagef("--arrays: %v", err)
		}
		return err
	}
	return nil
}

// progressEnv, set to "lines", makes a sweep report on stderr one line per
// finished unit (and one when it starts), whatever stderr is: the line a log
// gets every 30 seconds, for programs that draw their own progress bar.
const progressEnv = "LAMCAP_PROGRESS"

// sweepProgress is the progress function of a sweep: bar's, or one line per
// update when LAMCAP_PROGRESS=lines (and not quiet).
func sweepProgress(bar *progress.Bar, stderr io.Writer, label string, quiet bool) func(done, total int, work float64) {
	if quiet || os.Getenv(progressEnv) != "lines" {
		return bar.Update
	}
	var mu sync.Mutex
	t0 := time.Now()
	return func(done, total int, work float64) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "%s: %d/%d units done, elapsed %s\n", label, done, total, time.Since(t0).Round(time.Second))
	}
}
