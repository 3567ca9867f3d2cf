package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// instanceFlags are the flags that name an instance family.
type instanceFlags struct {
	d         int
	seed      int64
	modelName string
	embedName string
	inputs    string
	targets   string
	layout    string

	model model.Model
	embed model.Embedding
	user  *model.Matrices // set when --inputs and --targets are given
}

func (f *instanceFlags) register(fs *flagSet) {
	fs.IntVarP(&f.d, "d", "d", 8, "embedding dimension d (W is d x d)")
	fs.StringVar(&f.modelName, "model", "coupled", "competitors: coupled (the other targets) or decoupled (fresh draws per input)")
	fs.StringVar(&f.embedName, "embedding", "gaussian", "embedding distribution: gaussian (i.i.d. N(0,1/d)) or sphere (uniform on the unit sphere)")
}

// registerFiles adds --inputs/--targets for user embeddings.
func (f *instanceFlags) registerFiles(fs *flagSet) {
	fs.StringVar(&f.inputs, "inputs", "", "user inputs X as a .npy file (float32 or float64; replaces the random inputs)")
	fs.StringVar(&f.targets, "targets", "", "user targets Y as a .npy file, same shape as --inputs")
	fs.StringVar(&f.layout, "layout", "rows", "layout of --inputs/--targets: rows (p x d, one embedding per row) or columns (d x p)")
}

func (f *instanceFlags) registerSeed(fs *flagSet) {
	fs.Int64Var(&f.seed, "seed", 1, "instance seed (>= 0); the same seed gives the same instance everywhere")
}

func (f *instanceFlags) validate() error {
	if f.d < 2 {
		return usagef("--d must be at least 2, got %d", f.d)
	}
	if f.seed < 0 {
		return usagef("--seed must be >= 0, got %d", f.seed)
	}
	var err error
	if f.model, err = model.ParseModel(f.modelName); err != nil {
		return usagef("--model: %v", err)
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
	if f.model != model.Coupled {
		return usagef("user embeddings define the coupled model only (decoupled competitors need a target distribution)")
	}
	x, err := model.ReadNPY(f.inputs, f.layout == "columns")
	if err != nil {
		return usagef("--inputs: %v", err)
	}
	y, err := model.ReadNPY(f.targets, f.layout == "columns")
	if err != nil {
		return usagef("--targets: %v", err)
	}
	if f.user, err = model.NewMatrices(x, y); err != nil {
		return usagef("%s and %s: %v (layout %s)", f.inputs, f.targets, err, f.layout)
	}
	f.d = f.user.Dim()
	f.embed = model.User
	return nil
}

// validateP validates the flags and a number of associations.
func (f *instanceFlags) validateP(p int) error {
	if err := f.validate(); err != nil {
		return err
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

// checkP validates a number of associations against the source.
func (f *instanceFlags) checkP(p int) error {
	if p < 2 {
		return usagef("--p must be at least 2, got %d", p)
	}
	if f.user != nil && p > f.user.MaxP() {
		return usagef("--p %d exceeds the %d associations in %s", p, f.user.MaxP(), f.inputs)
	}
	return nil
}

func (f *instanceFlags) source(seed int64) model.Source {
	if f.user != nil {
		return f.user
	}
	return model.Random{D: f.d, Seed: uint64(seed), Kind: f.model, Embed: f.embed}
}

// solverFlags tune the LP.
type solverFlags struct {
	rows      string
	eps       float64
	timeLimit float64
	initial   int
	add       int
	opts      lp.Options
}

func (f *solverFlags) register(fs *flagSet) {
	fs.StringVar(&f.rows, "rows", "implicit", "LP solver and row form: implicit (lamcap's simplex on the dual, rows priced implicitly), dense (HiGHS, d^2 nonzeros per row) or lifted (HiGHS, u = W x variables, d nonzeros per row)")
	fs.IntVar(&f.initial, "initial-rows", 2, "rows per association in the first round (worst Hebbian competitors)")
	fs.IntVar(&f.add, "add-rows", 4, "most violated rows added per association per round")
	fs.Float64Var(&f.eps, "eps", 1e-6, "not-storable tolerance: certified when no W with |W_ij| <= 1 has all margins above eps")
	fs.Float64Var(&f.timeLimit, "time-limit", 0, "HiGHS time limit per solve in seconds (0: none); a solve that hits it is undecided")
}

func (f *solverFlags) validate() error {
	r, err := lp.ParseRows(f.rows)
	if err != nil {
		return usagef("--rows: %v", err)
	}
	if !(f.eps > 0) || f.eps >= 1 {
		return usagef("--eps must be in (0, 1), got %v", f.eps)
	}
	if f.timeLimit < 0 {
		return usagef("--time-limit must be >= 0, got %v", f.timeLimit)
	}
	if f.initial < 1 || f.add < 1 {
		return usagef("--initial-rows and --add-rows must be >= 1")
	}
	f.opts = lp.Options{Rows: r, InitialPerMu: f.initial, AddPerMu: f.add,
		Settings: lp.Settings{TimeLimit: f.timeLimit}}
	return nil
}

// checkMemory refuses a size whose estimate exceeds the memory available.
func checkMemory(what string, need int64) error {
	avail := availableMemory()
	if avail > 0 && need > avail {
		return usagef("%s needs about %s of memory, more than the %s available", what, bytesString(need), bytesString(avail))
	}
	return nil
}

// availableMemory reads MemAvailable from /proc/meminfo (0 if unknown).
func availableMemory() int64 {
	if s := os.Getenv("LAMCAP_MEMORY_LIMIT"); s != "" {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return v
		}
	}
	fh, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

func bytesString(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", b>>10)
}

// lpMemory is the memory estimate of deciding one instance of size p.
func lpMemory(inst instanceFlags, p int, sf solverFlags) int64 {
	return lp.MemoryEstimate(inst.d, p, inst.model, false, sf.opts.Rows)
}
