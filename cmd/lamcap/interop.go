package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/inputfile"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/internal/outdir"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

func init() {
	register(command{"export", "write an instance's full LP or QP as MPS or CPLEX LP for other solvers", runExport})
	register(command{"instance", "write an instance's vectors as NumPy .npy files with metadata", runInstance})
	register(command{"verify", "re-check a saved certificate from the instance data, without a solver", runVerify})
}

const exportSynopsis = `Writes the whole problem, all p(p-1) margin rows, for another solver:
  feasibility  find W (free) with a_r . W >= 1            (objective 0)
  margin       minimise -t with a_r . W - t >= 0, -1 <= W_ij <= 1, t free  (optimum -t*)
  qp           minimise |W|_F^2 with a_r . W >= 1, W free  (max-margin memory)
Rows are named m_<mu>_<v> (association mu against competitor v), columns w_<i>_<j>
(W_ij) and t. Free variables are declared free (both formats default to a lower
bound of 0). Numbers are written with full double precision. The file is streamed
(memory stays at the instance size) and written atomically; a name ending in .gz
is gzip-compressed.`

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export --d D --p P --seed S [--formulation F] --format mps|lp -o FILE", exportSynopsis)
	var o exportArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.inst.validateContext(ctx); err != nil {
		return err
	}
	if err := o.inst.checkP(o.p); err != nil {
		return err
	}
	f, err := lp.ParseFormulation(o.form)
	if err != nil {
		return usagef("--formulation: %v", err)
	}
	if o.out == "" {
		return usagef("-o FILE is required")
	}
	if o.out == "-" {
		return usagef("-o -: export writes a file (atomically, so that a failed export leaves none); give a file name")
	}
	if err := checkOutput("-o", o.out); err != nil {
		return err
	}
	if o.format, err = exportFormat(o.out, o.format); err != nil {
		return err
	}
	if err := checkMemory(fmt.Sprintf("d=%d p=%d", o.inst.d, o.p), memlimit.Add(model.MemoryBytes(o.inst.d, o.p, o.inst.model), lp.ExportMemoryBytes)); err != nil {
		return err
	}
	in, err := model.NewInstance(o.inst.source(o.inst.seed), o.p)
	if err != nil {
		return err
	}
	if err := lp.Export(o.out, in, f, lp.Format(o.format)); err != nil {
		return err
	}
	st, _ := os.Stat(o.out)
	fmt.Fprintf(stdout, "wrote %s: %s, %s formulation, %d rows, %d + %d columns, %s\n", o.out, o.format, f,
		in.Rows(), o.inst.d*o.inst.d, btoi(f == lp.MarginForm), bytesString(st.Size()))
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

const instanceSynopsis = `Writes the instance's vectors as NumPy .npy files (float64, C order):
  X.npy            p x d, row mu = x_mu
  Y.npy            p x d, row mu = y_mu
  competitors.npy  p x p x d (decoupled only): [mu, v] = c_(mu,v); [mu, mu] = y_mu
and metadata.json (generator, seed, sizes, model), so that NumPy code can load the
exact instance lamcap solves: np.load("X.npy").`

func runInstance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("instance --d D --p P --seed S [--model M] -o DIR", instanceSynopsis)
	var o instanceArgs
	o.register(fs)
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := o.inst.validateContext(ctx); err != nil {
		return err
	}
	if err := o.inst.checkP(o.p); err != nil {
		return err
	}
	if o.out == "" {
		return usagef("-o DIR is required")
	}
	if err := checkMemory(fmt.Sprintf("d=%d p=%d", o.inst.d, o.p), memlimit.Mul(2, model.MemoryBytes(o.inst.d, o.p, o.inst.model))); err != nil {
		return err
	}
	in, err := model.NewInstance(o.inst.source(o.inst.seed), o.p)
	if err != nil {
		return err
	}
	files, names, err := instanceFiles(in, o.inst)
	if err != nil {
		return err
	}
	if err := outdir.WriteDir(o.out, files, []string{"competitors.npy", "answers.npy"}); err != nil {
		if errors.As(err, new(*outdir.RefusedError)) {
			return usagef("%v", err)
		}
		return err
	}
	fmt.Fprintf(stdout, "wrote %s to %s\n", strings.Join(append(names, "metadata.json"), ", "), o.out)
	return nil
}

var verifySynopsis = fmt.Sprintf(`Re-checks a certificate saved by 'lamcap solve --certificate FILE', without a
solver: rebuilds the instance from its seed (or reloads the user's .npy files),
compares its SHA-256 with the one the certificate names, and recomputes every
margin of W (max |W_ij| = 1; exactly where rounding bounds cannot decide), or
|A^T lambda|_1 / sum(lambda) (sum(lambda) = 1), with rounding and underflow bounds.

A not-storable certificate is held to verify's own eps times the scale of the
rows lambda weighs, sum_r lambda_r |a_r|_1 / sum(lambda), where
|a_r|_1 = |y_mu - c|_1 |x_mu|_1 is the largest value margin r takes with
|W_ij| <= 1: it proves that no such W has every margin above eps times its own
largest value, whatever the scale of the data or of any one input. eps is the
default (%g) or --eps, never a value from the file (nor is the file's scale used). Exit status 0 when the certificate holds, 1
when it does not, 2 when the file is not a certificate.`, feasibility.DefaultEps)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify [--eps E] FILE.json", verifySynopsis)
	var eps float64
	var inputs, targets string
	fs.Float64Var(&eps, "eps", feasibility.DefaultEps, "tolerance a not-storable certificate is held to, relative to each margin row's scale: no W with |W_ij| <= 1 has every margin above eps times its largest value |a_r|_1")
	fs.StringVar(&inputs, "inputs", "", "user inputs, if they moved since the certificate was made (their content must match)")
	fs.StringVar(&targets, "targets", "", "user targets, if they moved since the certificate was made")
	if err := fs.parseArgs(args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name one certificate file")
	}
	if !(eps > 0) || eps >= 1 {
		return usagef("--eps must be in (0, 1), got %v", eps)
	}
	epsFrom := "verify's default"
	if fs.Changed("eps") {
		epsFrom = "from --eps"
	}
	path := fs.Arg(0)
	c, in, err := loadCertificate(ctx, path, inputs, targets)
	if err != nil {
		return err
	}
	return report(stdout, c, in, eps, epsFrom)
}

// loadCertificate reads the certificate at path and rebuilds its instance
// (from inputs and targets, if the user's files moved).
func loadCertificate(ctx context.Context, path, inputs, targets string) (*certificate.Certificate, *model.Instance, error) {
	budget, err := memlimit.Current()
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	b, err := inputfile.ReadAll(ctx, path, budget.Bytes/8)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, nil, err
		}
		return nil, nil, usagef("%v", err)
	}
	c, err := certificate.Parse(b)
	if err != nil {
		return nil, nil, usagef("%s: %v", path, err)
	}
	ci := c.Instance
	m, _ := model.ParseModel(ci.Model)
	need := memlimit.Add(model.MemoryBytes(ci.D, ci.P, m), memlimit.Mul(2*8, int64(ci.P), int64(ci.P)), memlimit.Mul(4*8, int64(ci.D), int64(ci.D)))
	if err := checkMemory(fmt.Sprintf("%s: instance d=%d p=%d", path, ci.D, ci.P), need); err != nil {
		return nil, nil, err
	}
	src, err := ci.Source(ctx, inputs, targets)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, nil, err
		}
		return nil, nil, usagef("%s: %v", path, err)
	}
	in, err := model.NewInstance(src, ci.P)
	if err != nil {
		return nil, nil, usagef("%s: %v", path, err)
	}
	return c, in, nil
}

// report verifies the certificate on its instance and says whether it holds.
func report(stdout io.Writer, c *certificate.Certificate, in *model.Instance, eps float64, epsFrom string) error {
	ci := c.Instance
	chk, err := c.Verify(in, eps)
	var rej *certificate.RejectedError
	switch {
	case errors.As(err, &rej) && c.Verdict == string(feasibility.NotStorable):
		msg := fmt.Sprintf("%v (%s; verify never takes eps from the file)", err, epsFrom)
		if c.SolveEps > eps && c.SolveEps < 1 && chk.Residual <= c.SolveEps*chk.Scale {
			msg += fmt.Sprintf("; the certificate was made with eps %g: 'lamcap verify --eps %g' checks that weaker claim", c.SolveEps, c.SolveEps)
		}
		return errors.New(msg)
	case err != nil:
		return err
	case chk.Storable:
		fmt.Fprintf(stdout, "certificate holds: storable; all %d margins of W are positive (smallest %.6g; %d decided in exact arithmetic); instance %s, sha256 %.12s...; eps %g (%s) is not needed for W\n",
			chk.Rows, chk.MinMargin, chk.Exact, ci.Describe(), ci.SHA256, eps, epsFrom)
	default:
		fmt.Fprintf(stdout, "certificate holds: not-storable; |A^T lambda|_1 / sum(lambda) = %.3g <= eps %g (%s) x scale %.3g of the rows lambda weighs (sum lambda_r |a_r|_1 / sum(lambda)): no W with |W_ij| <= 1 has every margin above eps times its largest value |a_r|_1; instance %s, sha256 %.12s...\n",
			chk.Residual, eps, epsFrom, chk.Scale, ci.Describe(), ci.SHA256)
	}
	return nil
}

// exportFormat is the --format given, or the one the file name says.
func exportFormat(out, format string) (string, error) {
	if format == "" {
		base := strings.TrimSuffix(out, ".gz")
		switch {
		case strings.HasSuffix(base, ".mps"):
			format = "mps"
		case strings.HasSuffix(base, ".lp"):
			format = "lp"
		default:
			return "", usagef("--format: cannot tell the format from %q; give --format mps or lp", out)
		}
	}
	if format != "mps" && format != "lp" {
		return "", usagef("--format: want mps or lp, got %q", format)
	}
	return format, nil
}

// instanceFiles are the files of an instance: X.npy, Y.npy, the decoupled
// competitors, and metadata.json naming the instance; names lists the data files.
func instanceFiles(in *model.Instance, inst instanceFlags) (files []outdir.File, names []string, err error) {
	files = []outdir.File{
		{Name: "X.npy", Fill: func(w io.Writer) error { return model.EncodeNPY(w, in.X) }},
		{Name: "Y.npy", Fill: func(w io.Writer) error { return model.EncodeNPY(w, in.Y) }},
	}
	if in.Words() != nil {
		files = vocabInstanceFiles(in)
	}
	if inst.model == model.Decoupled {
		blocks := make([]*mat.Dense, in.P)
		for mu := range blocks {
			blocks[mu] = in.Competitors(mu)
		}
		files = append(files, outdir.File{Name: "competitors.npy", Fill: func(w io.Writer) error { return model.EncodeNPY3(w, blocks) }})
	}
	for _, f := range files {
		names = append(names, f.Name)
	}
	meta := map[string]any{
		"generator": "lamcap SplitMix64 streams + Marsaglia polar normals (see model package documentation)",
		"d":         inst.d, "p": in.P, "model": inst.model.String(), "embedding": inst.embed.String(),
		"sha256": in.Hash(), "files": names, "layout": "X[mu] = x_mu, Y[mu] = y_mu, competitors[mu, v] = c_(mu,v)",
	}
	if in.Words() != nil {
		meta["layout"], meta["vocab"] = "X[mu] = x_mu, Y[v] = word v, answers[mu] = a(mu): y_mu = Y[a(mu)], competitors Y[v], v != a(mu)", in.Slots()
	}
	if inst.user == nil {
		meta["seed"] = inst.seed
	}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	files = append(files, outdir.File{Name: "metadata.json", Fill: func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }})
	return files, names, nil
}

// exportArgs are the flags of lamcap export.
type exportArgs struct {
	inst              instanceFlags
	p                 int
	form, format, out string
}

func (o *exportArgs) register(fs *flagSet) {
	o.inst.registerOne(fs, &o.p)
	fs.StringVar(&o.form, "formulation", "margin", "feasibility, margin or qp")
	fs.StringVar(&o.format, "format", "", "mps or lp (default: from the file name)")
	fs.StringVarP(&o.out, "output", "o", "", "output file (.mps, .lp, optionally .gz)")
}

// instanceArgs are the flags of lamcap instance.
type instanceArgs struct {
	inst instanceFlags
	p    int
	out  string
}

func (o *instanceArgs) register(fs *flagSet) {
	o.inst.registerOne(fs, &o.p)
	fs.StringVarP(&o.out, "output", "o", "", "output directory (new, empty, or an earlier lamcap instance)")
}
