package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/internal/memlimit"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// embeddingHelp is the help of every --embedding flag: the names
// model.ParseEmbedding reads.
const embeddingHelp = "embedding distribution: gaussian (i.i.d. N(0,1/d)), sphere (uniform on the unit sphere) or correlated:RHO (N(0,1/d) entries, pairwise correlation 0 < RHO < 1 through a common direction per seed and side)"

// instanceFlags are the flags that name an instance family.
type instanceFlags struct {
	d         int
	seed      int64
	modelName string
	embedName string
	inputs    string
	targets   string
	layout    string
	vocab     int    // --vocab (vocab_flags.go)
	answers   string // --answers (vocab_flags.go)

	model model.Model
	embed model.Embedding
	user  model.Source // set when --inputs and --targets are given
	fs    *flagSet     // to tell flags given from defaults
}

func (f *instanceFlags) register(fs *flagSet) {
	f.fs = fs
	fs.IntVarP(&f.d, "d", "d", 8, "embedding dimension d (W is d x d)")
	fs.StringVar(&f.modelName, "model", "coupled", "competitors: coupled (the other targets), decoupled (fresh draws per input) or vocabulary (the other V-1 of --vocab V shared answers)")
	fs.StringVar(&f.embedName, "embedding", "gaussian", embeddingHelp)
	f.registerVocab(fs)
}

// registerFiles adds --inputs/--targets for user embeddings.
func (f *instanceFlags) registerFiles(fs *flagSet) {
	fs.StringVar(&f.inputs, "inputs", "", "user inputs X as a .npy file (float32 or float64; replaces the random inputs)")
	fs.StringVar(&f.targets, "targets", "", "user targets Y as a .npy file, same shape as --inputs; with --model vocabulary, the V x d words (V rows, d columns in layout rows) that --answers indexes")
	fs.StringVar(&f.layout, "layout", "rows", "layout of --inputs/--targets: rows (p x d, one embedding per row) or columns (d x p)")
	if pf := fs.Lookup("p"); pf != nil {
		pf.Usage += " (with --inputs: all the rows of the files unless --p is given)"
	}
	// Only commands that take files say so (rules, mechanism and two-layer did too).
	if af := fs.Lookup("answers"); af != nil {
		af.Usage += "; with --inputs/--targets: a .npy file of p answer indices (the targets file then holds the V words)"
	}
}

// given reports whether a flag was set on the command line.
func (f *instanceFlags) given(name string) bool { return f.fs != nil && f.fs.Changed(name) }

// registerOne registers the flags of one instance: d, model, embedding, its
// number of associations p, seed and the user's files.
func (f *instanceFlags) registerOne(fs *flagSet, p *int) {
	f.register(fs)
	fs.IntVarP(p, "p", "p", 16, "number of associations p")
	f.registerSeed(fs)
	f.registerFiles(fs)
}

func (f *instanceFlags) registerSeed(fs *flagSet) {
	fs.Int64Var(&f.seed, "seed", 1, "instance seed (>= 0); the same seed gives the same instance everywhere")
}

// validate is validateContext without a context, for commands whose memory
// checks come later or not at all: it also refuses a d whose d x d matrices
// alone exceed the memory budget.
func (f *instanceFlags) validate() error { return f.validateAll(context.Background()) }

// validateAll is validate with a context that interrupts a long read of the
// user's files: the flags, the files, and whether d x d matrices fit at all.
func (f *instanceFlags) validateAll(ctx context.Context) error {
	if err := f.validateContext(ctx); err != nil {
		return err
	}
	return checkMemory(fmt.Sprintf("d=%d (its d x d matrices alone)", f.d), memlimit.Mul(int64(f.d), int64(f.d), 8*4))
}

// validateContext checks the flags and reads the user's files, if any; ctx
// interrupts a long read. Commands then check their own memory estimate.
func (f *instanceFlags) validateContext(ctx context.Context) error {
	if f.d < 2 {
		return usagef("--d must be at least 2, got %d", f.d)
	}
	if f.seed < 0 {
		return usagef("--seed must be >= 0, got %d", f.seed)
	}
	var err error
	if f.model, err = f.parseModel(); err != nil {
		return err
	}
	if f.embed, err = model.ParseEmbedding(f.embedName); err != nil {
		return usagef("--embedding: %v", err)
	}
	if (f.inputs == "") != (f.targets == "") {
		return usagef("--inputs and --targets go together")
	}
	if f.inputs == "" {
		return nil
	}
	if f.layout != "rows" && f.layout != "columns" {
		return usagef("--layout: want rows or columns, got %q", f.layout)
	}
	if f.model != model.Coupled && !f.vocabUser() {
		return usagef("user embeddings define the coupled model only (decoupled competitors need a target distribution), or --model vocabulary with --answers A.npy")
	}
	if f.given("embedding") {
		return usagef("--embedding does not apply to --inputs/--targets: the files are the embedding")
	}
	if f.given("seed") {
		return usagef("--seed does not apply to --inputs/--targets: the files are the instance")
	}
	if f.vocabUser() {
		return f.readUserVocab(ctx)
	}
	return f.readUser(ctx)
}

// readUser reads the user's --inputs and --targets into the instance's
// embedding; without --p, the instance is every row of the files.
func (f *instanceFlags) readUser(ctx context.Context) error {
	x, err := model.ReadNPYContext(ctx, f.inputs, f.layout == "columns")
	if err != nil {
		return fileError("--inputs", err)
	}
	y, err := model.ReadNPYContext(ctx, f.targets, f.layout == "columns")
	if err != nil {
		return fileError("--targets", err)
	}
	um, err := model.NewMatrices(x, y)
	if err != nil {
		return usagef("%s and %s: %v (layout %s)", f.inputs, f.targets, err, f.layout)
	}
	f.user = um
	return f.adoptUser()
}

// adoptUser takes d and p from the user's files.
func (f *instanceFlags) adoptUser() error {
	if d := f.user.Dim(); f.given("d") && f.d != d {
		return usagef("--d %d disagrees with d=%d of %s (layout %s); leave --d out with --inputs", f.d, d, f.inputs, f.layout)
	}
	f.d = f.user.Dim()
	f.embed = model.User
	// Without --p, the instance is every row of the files: set the command's own
	// --p variable through its flag (not marked as given).
	if f.fs != nil && !f.given("p") {
		if pf := f.fs.Lookup("p"); pf != nil {
			if err := pf.Value.Set(strconv.Itoa(f.user.MaxP())); err != nil {
				return err
			}
		}
	}
	return nil
}

// certInstance names the instance for a certificate: its model and
// embedding, and its seed or the user's files (as absolute paths).
func (f *instanceFlags) certInstance() certificate.Instance {
	ci := certificate.Instance{Model: f.model.String(), Embedding: f.embed.String()}
	if f.user == nil {
		seed := f.seed
		ci.Seed = &seed
		return ci
	}
	abs := func(s string) string {
		if a, err := filepath.Abs(s); err == nil {
			return a
		}
		return s
	}
	ci.Inputs, ci.Targets, ci.Layout = abs(f.inputs), abs(f.targets), f.layout
	if f.vocabUser() {
		ci.Answers = abs(f.answers)
	}
	return ci
}

// fileError turns an error reading a user file into a usage error, except an
// interruption, which stays one.
func fileError(flag string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return usagef("%s: %v", flag, err)
}

// validateP validates the flags and a number of associations.
func (f *instanceFlags) validateP(p int) error {
	if err := f.validate(); err != nil {
		return err
	}
	if f.user != nil && !f.given("p") {
		p = f.user.MaxP() // validate set the command's --p; p is a copy from before
	}
	return f.checkP(p)
}

// seedRange parses A:B; user embeddings define a single instance, so the range
// shrinks to its first seed.
func (f *instanceFlags) seedRange(s string) (int64, int64, error) {
	a, b, err := parseRange(s, "--seeds")
	if f.user != nil {
		b = a
	}
	return a, b, err
}

// checkP validates a number of associations against the source and checks that
// the instance, with its p x p scores, fits the memory budget.
func (f *instanceFlags) checkP(p int) error {
	if minP := f.model.SmallestP(); p < minP {
		return usagef("--p must be at least %d, got %d", minP, p)
	}
	if f.user != nil && p > f.user.MaxP() {
		return usagef("--p %d exceeds the %d associations in %s", p, f.user.MaxP(), f.inputs)
	}
	need := memlimit.Add(model.MemoryBytes(f.d, p, f.model), memlimit.Mul(3*8, int64(p), int64(p)))
	return checkMemory(fmt.Sprintf("d=%d p=%d", f.d, p), need)
}

func (f *instanceFlags) source(seed int64) model.Source {
	if f.user != nil {
		return f.user
	}
	return model.Random{D: f.d, Seed: uint64(seed), Kind: f.model, Embed: f.embed}
}

// solverFlags tune the LP.
type solverFlags struct {
	solver    string
	rows      string
	eps       float64
	timeLimit float64
	initial   int
	add       int
	opts      lp.Options
}

func (f *solverFlags) register(fs *flagSet) {
	fs.StringVar(&f.solver, "solver", "auto", fmt.Sprintf("LP solver: auto (simplex below d=%d, interior point from there), simplex (lamcap's implicit-pricing simplex), ipm (lamcap's structured interior-point method on OpenBLAS) or highs (HiGHS constraint generation); an answer that does not certify falls to the next solver", lp.IPMFromD))
	fs.StringVar(&f.rows, "rows", "implicit", "row form: implicit (lamcap's own solvers price every row implicitly), dense (HiGHS, d^2 nonzeros per row) or lifted (HiGHS, u = W x variables, d nonzeros per row); dense or lifted with --solver auto means HiGHS")
	fs.IntVar(&f.initial, "initial-rows", lp.DefaultInitialPerMu, "rows per association in the first round (worst Hebbian competitors)")
	fs.IntVar(&f.add, "add-rows", lp.DefaultAddPerMu, "most violated rows added per association per round")
	fs.Float64Var(&f.eps, "eps", lp.DefaultEps, "not-storable tolerance: certified when no W with |W_ij| <= 1 has all margins above eps")
	fs.Float64Var(&f.timeLimit, "time-limit", 0, "time limit per solve in seconds, for every solver (0: none); a solve that hits it goes to the next solver, and in the end is undecided")
}

func (f *solverFlags) validate() error {
	r, err := lp.ParseRows(f.rows)
	if err != nil {
		return usagef("--rows: %v", err)
	}
	method, err := lp.ParseMethod(f.solver)
	if err != nil {
		return usagef("--solver: %v", err)
	}
	if !(f.eps > 0) || f.eps >= 1 {
		return usagef("--eps must be in (0, 1), got %v", f.eps)
	}
	if !(f.timeLimit >= 0) || math.IsInf(f.timeLimit, 0) {
		return usagef("--time-limit must be a number of seconds >= 0 (0: none), got %v", f.timeLimit)
	}
	if f.initial < 1 || f.add < 1 {
		return usagef("--initial-rows and --add-rows must be >= 1")
	}
	f.opts = lp.Options{Rows: r, Method: method, InitialPerMu: f.initial, AddPerMu: f.add,
		TimeLimit: f.timeLimit, Eps: f.eps}
	return nil
}

// checkMemory refuses, as a usage error, a size whose estimate exceeds the
// memory budget (package memlimit: a fraction of the physical memory, or
// LAMCAP_MEMORY_LIMIT). Every command calls it before it allocates.
func checkMemory(what string, need int64) error {
	if err := memlimit.Check(what, need); err != nil {
		return usagef("%v", err)
	}
	return nil
}

func bytesString(b int64) string { return memlimit.Format(b) }

// lpMemory is the memory estimate of deciding one instance of size p.
func lpMemory(inst instanceFlags, p int, sf solverFlags) int64 {
	return lp.MemoryEstimate(inst.d, p, inst.model, false, sf.opts)
}

// methodFlag is --solver alone, for commands without the LP tuning flags.
type methodFlag struct {
	name   string
	method lp.Method
}

func (m *methodFlag) register(fs *flagSet) {
	fs.StringVar(&m.name, "solver", "auto", fmt.Sprintf("LP solver: auto (simplex below d=%d, interior point from there), simplex, ipm or highs; the max-margin QP runs on the interior-point method where the LP does", lp.IPMFromD))
}

func (m *methodFlag) validate() error {
	var err error
	if m.method, err = lp.ParseMethod(m.name); err != nil {
		return usagef("--solver: %v", err)
	}
	return nil
}
