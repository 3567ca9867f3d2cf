package lp

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lamcap/lamcap/internal/atomicfile"
	"github.com/lamcap/lamcap/model"
)

// Formulation names the problems Export can write.
type Formulation string

const (
	// FeasibilityForm: find W (free) with a_r . W >= 1 for every row (objective 0).
	FeasibilityForm Formulation = "feasibility"
	// MarginForm: minimise -t subject to a_r . W - t >= 0, -1 <= W_ij <= 1, t free
	// (the optimal objective is -t*).
	MarginForm Formulation = "margin"
	// QPForm: minimise (1/2) sum 2 W_ij^2 = |W|_F^2 subject to a_r . W >= 1, W free.
	QPForm Formulation = "qp"
)

// ParseFormulation reads feasibility, margin or qp.
func ParseFormulation(s string) (Formulation, error) {
	switch f := Formulation(s); f {
	case FeasibilityForm, MarginForm, QPForm:
		return f, nil
	}
	return "", fmt.Errorf("unknown formulation %q (want feasibility, margin or qp)", s)
}

// Format is a file format for Export.
type Format string

const (
	MPS   Format = "mps" // free MPS
	CPLEX Format = "lp"  // CPLEX LP format
)

// RowName is the name of margin row (mu, v): "m_<mu>_<v>".
func RowName(mu, v int) string { return "m_" + strconv.Itoa(mu) + "_" + strconv.Itoa(v) }

// ColumnName is the name of W_ij: "w_<i>_<j>".
func ColumnName(i, j int) string { return "w_" + strconv.Itoa(i) + "_" + strconv.Itoa(j) }

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Export writes every one of the p(Slots()-1) rows of the instance in the given
// formulation and format to path, atomically (a failed export leaves no file). A
// path ending in .gz is gzip-compressed. Coefficients are generated while
// writing, column by column for MPS and row by row for LP, so memory stays at the
// size of the instance; numbers are written with the shortest representation that
// reads back to the same float64.
func Export(path string, in *model.Instance, f Formulation, format Format) error {
	return atomicfile.WriteWith(path, func(w io.Writer) error {
		var gz *gzip.Writer
		if strings.HasSuffix(path, ".gz") {
			gz = gzip.NewWriter(w)
			w = gz
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		var err error
		switch format {
		case MPS:
			err = writeMPS(bw, in, f)
		case CPLEX:
			err = writeLP(bw, in, f)
		default:
			err = fmt.Errorf("unknown format %q (want mps or lp)", format)
		}
		if err == nil {
			err = bw.Flush()
		}
		if err == nil && gz != nil {
			err = gz.Close()
		}
		return err
	})
}

// coefficient is entry (i, j) of a_(mu,v) = (y_mu - c) (x) x_mu.
func coefficient(in *model.Instance, mu, v, i, j int) float64 {
	return (in.Y.At(mu, i) - in.Competitor(mu, v)[i]) * in.X.At(mu, j)
}

func writeMPS(w *bufio.Writer, in *model.Instance, f Formulation) error {
	d, p, q := in.D, in.P, in.Slots()
	fmt.Fprintf(w, "NAME lamcap_d%d_p%d_%s\n", d, p, f)
	w.WriteString("ROWS\n N obj\n")
	for mu := 0; mu < p; mu++ {
		for v := 0; v < q; v++ {
			if v != in.Own(mu) {
				w.WriteString(" G " + RowName(mu, v) + "\n")
			}
		}
	}
	w.WriteString("COLUMNS\n")
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			col := ColumnName(i, j)
			any := false
			for mu := 0; mu < p; mu++ {
				for v := 0; v < q; v++ {
					if v == in.Own(mu) {
						continue
					}
					if c := coefficient(in, mu, v, i, j); c != 0 {
						w.WriteString(" " + col + " " + RowName(mu, v) + " " + num(c) + "\n")
						any = true
					}
				}
			}
			if !any { // keep the column in the model even if it has no entry
				w.WriteString(" " + col + " obj 0\n")
			}
		}
	}
	if f == MarginForm {
		w.WriteString(" t obj -1\n")
		for mu := 0; mu < p; mu++ {
			for v := 0; v < q; v++ {
				if v != in.Own(mu) {
					w.WriteString(" t " + RowName(mu, v) + " -1\n")
				}
			}
		}
	}
	// Some readers (COIN-OR's) require the RHS section even when it is empty.
	w.WriteString("RHS\n")
	if f != MarginForm {
		for mu := 0; mu < p; mu++ {
			for v := 0; v < q; v++ {
				if v != in.Own(mu) {
					w.WriteString(" rhs " + RowName(mu, v) + " 1\n")
				}
			}
		}
	}
	// Every variable's default lower bound in MPS is 0: state the real bounds.
	w.WriteString("BOUNDS\n")
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			col := ColumnName(i, j)
			if f == MarginForm {
				w.WriteString(" LO bnd " + col + " -1\n UP bnd " + col + " 1\n")
			} else {
				w.WriteString(" FR bnd " + col + "\n")
			}
		}
	}
	if f == MarginForm {
		w.WriteString(" FR bnd t\n")
	}
	if f == QPForm {
		w.WriteString("QUADOBJ\n")
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				col := ColumnName(i, j)
				w.WriteString(" " + col + " " + col + " 2\n")
			}
		}
	}
	_, err := w.WriteString("ENDATA\n")
	return err
}

func writeLP(w *bufio.Writer, in *model.Instance, f Formulation) error {
	d, p, q := in.D, in.P, in.Slots()
	fmt.Fprintf(w, "\\ lamcap instance d=%d p=%d formulation=%s\n", d, p, f)
	w.WriteString("Minimize\n obj:")
	switch f {
	case MarginForm:
		w.WriteString(" - t\n")
	case FeasibilityForm:
		w.WriteString(" 0 " + ColumnName(0, 0) + "\n")
	case QPForm:
		w.WriteString(" [")
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				if (i*d+j)%8 == 7 {
					w.WriteString("\n  ")
				}
				w.WriteString(" + 2 " + ColumnName(i, j) + " ^ 2")
			}
		}
		w.WriteString(" ] / 2\n")
	}
	w.WriteString("Subject To\n")
	for mu := 0; mu < p; mu++ {
		for v := 0; v < q; v++ {
			if v == in.Own(mu) {
				continue
			}
			w.WriteString(" " + RowName(mu, v) + ":")
			terms := 0
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					c := coefficient(in, mu, v, i, j)
					if c == 0 {
						continue
					}
					if terms%6 == 5 {
						w.WriteString("\n  ")
					}
					if c < 0 {
						w.WriteString(" - " + num(-c) + " " + ColumnName(i, j))
					} else {
						w.WriteString(" + " + num(c) + " " + ColumnName(i, j))
					}
					terms++
				}
			}
			if f == MarginForm {
				w.WriteString(" - t >= 0\n")
			} else {
				w.WriteString(" >= 1\n")
			}
		}
	}
	w.WriteString("Bounds\n")
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if f == MarginForm {
				w.WriteString(" -1 <= " + ColumnName(i, j) + " <= 1\n")
			} else {
				w.WriteString(" " + ColumnName(i, j) + " free\n")
			}
		}
	}
	if f == MarginForm {
		w.WriteString(" t free\n")
	}
	_, err := w.WriteString("End\n")
	return err
}

// ExportMemoryBytes is the memory Export needs beyond the instance: buffers only.
const ExportMemoryBytes = 4 << 20
