package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/internal/atomicfile"
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
	var inst instanceFlags
	var p int
	var form, format, out string
	inst.register(fs)
	fs.IntVarP(&p, "p", "p", 16, "number of associations p")
	inst.registerSeed(fs)
	inst.registerFiles(fs)
	fs.StringVar(&form, "formulation", "margin", "feasibility, margin or qp")
	fs.StringVar(&format, "format", "", "mps or lp (default: from the file name)")
	fs.StringVarP(&out, "output", "o", "", "output file (.mps, .lp, optionally .gz)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := inst.validateP(p); err != nil {
		return err
	}
	f, err := lp.ParseFormulation(form)
	if err != nil {
		return usagef("--formulation: %v", err)
	}
	if out == "" {
		return usagef("-o FILE is required")
	}
	if format == "" {
		base := strings.TrimSuffix(out, ".gz")
		switch {
		case strings.HasSuffix(base, ".mps"):
			format = "mps"
		case strings.HasSuffix(base, ".lp"):
			format = "lp"
		default:
			return usagef("--format: cannot tell the format from %q; give --format mps or lp", out)
		}
	}
	if format != "mps" && format != "lp" {
		return usagef("--format: want mps or lp, got %q", format)
	}
	if err := checkMemory("export", model.MemoryBytes(inst.d, p, inst.model)+lp.ExportMemoryBytes); err != nil {
		return err
	}
	in, err := model.NewInstance(inst.source(inst.seed), p)
	if err != nil {
		return err
	}
	if err := lp.Export(out, in, f, lp.Format(format)); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Fprintf(stdout, "wrote %s: %s, %s formulation, %d rows, %d + %d columns, %s\n", out, format, f,
		in.Rows(), inst.d*inst.d, btoi(f == lp.MarginForm), bytesString(st.Size()))
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
	var inst instanceFlags
	var p int
	var out string
	inst.register(fs)
	fs.IntVarP(&p, "p", "p", 16, "number of associations p")
	inst.registerSeed(fs)
	inst.registerFiles(fs)
	fs.StringVarP(&out, "output", "o", "", "output directory")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if err := inst.validateP(p); err != nil {
		return err
	}
	if out == "" {
		return usagef("-o DIR is required")
	}
	if err := checkMemory("instance", 2*model.MemoryBytes(inst.d, p, inst.model)); err != nil {
		return err
	}
	in, err := model.NewInstance(inst.source(inst.seed), p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	files := []string{"X.npy", "Y.npy"}
	if err := model.WriteNPY(filepath.Join(out, "X.npy"), in.X); err != nil {
		return err
	}
	if err := model.WriteNPY(filepath.Join(out, "Y.npy"), in.Y); err != nil {
		return err
	}
	if inst.model == model.Decoupled {
		blocks := make([]*mat.Dense, p)
		for mu := range blocks {
			blocks[mu] = in.Competitors(mu)
		}
		if err := model.WriteNPY3(filepath.Join(out, "competitors.npy"), blocks); err != nil {
			return err
		}
		files = append(files, "competitors.npy")
	}
	meta := map[string]any{
		"generator": "lamcap SplitMix64 streams + Marsaglia polar normals (see model package documentation)",
		"d":         inst.d, "p": p, "seed": inst.seed, "model": inst.model.String(), "embedding": inst.embed.String(),
		"files": files, "layout": "X[mu] = x_mu, Y[mu] = y_mu, competitors[mu, v] = c_(mu,v)",
	}
	b, _ := json.MarshalIndent(meta, "", "  ")
	if err := atomicfile.Write(filepath.Join(out, "metadata.json"), append(b, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s to %s\n", strings.Join(append(files, "metadata.json"), ", "), out)
	return nil
}

// certificateFile is the JSON form of a saved verdict.
type certificateFile struct {
	Format   string          `json:"format"`
	Instance certInstance    `json:"instance"`
	Verdict  string          `json:"verdict"`
	Eps      float64         `json:"eps,omitempty"`
	W        [][]float64     `json:"w,omitempty"`
	Lambda   []certLambda    `json:"lambda,omitempty"`
	Summary  json.RawMessage `json:"summary,omitempty"`
}

type certInstance struct {
	D         int    `json:"d"`
	P         int    `json:"p"`
	Seed      int64  `json:"seed"`
	Model     string `json:"model"`
	Embedding string `json:"embedding"`
	Inputs    string `json:"inputs,omitempty"`
	Targets   string `json:"targets,omitempty"`
	Layout    string `json:"layout,omitempty"`
	InputsSHA string `json:"inputs_sha256,omitempty"`
	TargetSHA string `json:"targets_sha256,omitempty"`
}

type certLambda struct {
	Mu     int     `json:"mu"`
	V      int     `json:"v"`
	Weight float64 `json:"weight"`
}

const certFormat = "lamcap-certificate/1"

func fileSHA(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func writeCertificate(path string, inst instanceFlags, p int, v feasibility.Verdict) error {
	c := certificateFile{Format: certFormat, Verdict: string(v.Status),
		Instance: certInstance{D: inst.d, P: p, Seed: inst.seed, Model: inst.model.String(), Embedding: inst.embed.String()}}
	if inst.user != nil {
		abs := func(s string) string { a, _ := filepath.Abs(s); return a }
		c.Instance.Inputs, c.Instance.Targets, c.Instance.Layout = abs(inst.inputs), abs(inst.targets), inst.layout
		c.Instance.InputsSHA, c.Instance.TargetSHA = fileSHA(inst.inputs), fileSHA(inst.targets)
	}
	switch v.Status {
	case feasibility.Storable:
		r, _ := v.W.Dims()
		for i := 0; i < r; i++ {
			c.W = append(c.W, append([]float64(nil), v.W.RawRowView(i)...))
		}
	case feasibility.NotStorable:
		c.Eps = v.NotStorable.Eps
		for _, l := range v.Lambda {
			c.Lambda = append(c.Lambda, certLambda{l.Mu, l.V, l.Weight})
		}
	default:
		return fmt.Errorf("verdict is undecided: there is no certificate to save")
	}
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'))
}

const verifySynopsis = `Re-checks a certificate saved by 'lamcap solve --certificate FILE': rebuilds the
instance from its seed (or reloads the user's .npy files, checking their sha256) and
recomputes every margin of W, or |A^T lambda|_1 / sum(lambda), with rounding bounds.
No solver is called. Exit status 0 when the certificate holds, 1 when it does not.`

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify FILE.json", verifySynopsis)
	err := fs.FlagSet.Parse(args)
	if err == errHelp() {
		fmt.Fprintf(stdout, "Usage: lamcap %s\n\n%s\n", fs.name, fs.synopsis)
		return err
	}
	if err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() != 1 {
		return usagef("name one certificate file")
	}
	path := fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		return usagef("%v", err)
	}
	var c certificateFile
	if err := json.Unmarshal(b, &c); err != nil || c.Format != certFormat {
		return usagef("%s: not a lamcap certificate (%v)", path, err)
	}
	src, err := certSource(c.Instance)
	if err != nil {
		return usagef("%s: %v", path, err)
	}
	in, err := model.NewInstance(src, c.Instance.P)
	if err != nil {
		return usagef("%s: %v", path, err)
	}
	switch c.Verdict {
	case string(feasibility.Storable):
		d := in.D
		if len(c.W) != d {
			return fmt.Errorf("certificate rejected: W has %d rows, want %d", len(c.W), d)
		}
		w := mat.NewDense(d, d, nil)
		for i, row := range c.W {
			if len(row) != d {
				return fmt.Errorf("certificate rejected: W row %d has %d entries, want %d", i, len(row), d)
			}
			w.SetRow(i, row)
		}
		chk := lp.CheckStorable(in, w)
		if !chk.OK {
			return fmt.Errorf("certificate rejected: margin of row (%d,%d) is not certified positive (margin minus rounding bound %.3g)", chk.Worst.Mu, chk.Worst.V, chk.MinSlack)
		}
		fmt.Fprintf(stdout, "certificate holds: storable; all %d margins of W exceed their rounding bounds (smallest margin %.6g)\n", in.Rows(), chk.MinMargin)
	case string(feasibility.NotStorable):
		l := make([]lp.Weighted, len(c.Lambda))
		for i, x := range c.Lambda {
			l[i] = lp.Weighted{Row: lp.Row{Mu: x.Mu, V: x.V}, Weight: x.Weight}
		}
		chk := lp.CheckNotStorable(in, l, c.Eps)
		if !chk.OK {
			return fmt.Errorf("certificate rejected: %s", chk.Reason)
		}
		fmt.Fprintf(stdout, "certificate holds: not-storable; |A^T lambda|_1 / sum(lambda) = %.3g <= eps %.3g\n", chk.Residual, c.Eps)
	default:
		return usagef("%s: verdict %q has no certificate", path, c.Verdict)
	}
	return nil
}

func certSource(ci certInstance) (model.Source, error) {
	if ci.Inputs != "" {
		if fileSHA(ci.Inputs) != ci.InputsSHA || fileSHA(ci.Targets) != ci.TargetSHA {
			return nil, fmt.Errorf("the embedding files changed since the certificate was made (sha256 differs)")
		}
		x, err := model.ReadNPY(ci.Inputs, ci.Layout == "columns")
		if err != nil {
			return nil, err
		}
		y, err := model.ReadNPY(ci.Targets, ci.Layout == "columns")
		if err != nil {
			return nil, err
		}
		return model.NewMatrices(x, y)
	}
	m, err := model.ParseModel(ci.Model)
	if err != nil {
		return nil, err
	}
	e, err := model.ParseEmbedding(ci.Embedding)
	if err != nil {
		return nil, err
	}
	if ci.D < 2 || ci.P < 2 || ci.Seed < 0 {
		return nil, fmt.Errorf("bad instance d=%d p=%d seed=%d", ci.D, ci.P, ci.Seed)
	}
	return model.Random{D: ci.D, Seed: uint64(ci.Seed), Kind: m, Embed: e}, nil
}
