package theory

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Settings of the Monte Carlo columns of docs/margins.md.
const (
	docRowSamples   = 20000
	docBlockSamples = 20000
	docSeed         = 1
)

var (
	docDims   = []int{12, 16, 20, 24}
	docKappas = []float64{0.5, 1}
)

// TestMarginsTheoryTable prints the theory columns of docs/margins.md (several
// minutes; run with LAMCAP_MARGINS_TABLE=1 go test ./theory -run
// TestMarginsTheoryTable -v -timeout 1h).
func TestMarginsTheoryTable(t *testing.T) {
	if os.Getenv("LAMCAP_MARGINS_TABLE") == "" {
		t.Skip("set LAMCAP_MARGINS_TABLE=1 to compute the table of docs/margins.md")
	}
	fmt.Println("| kappa | d | CriticalP | input norms | row norms (MC) | block, mean (MC) | empty | block, median (MC) | block, median, sphere (MC) |")
	for _, k := range append([]float64{0}, docKappas...) {
		for _, d := range docDims {
			pc, err := CriticalP(float64(d*d), k)
			if err != nil {
				t.Fatal(err)
			}
			in, err := CriticalPInputNorms(d, k)
			if err != nil {
				t.Fatal(err)
			}
			rows := Estimate{Mean: pc}
			if k > 0 {
				if rows, err = CriticalPRowNormsMC(k, NormSampler{D: d}, docRowSamples, docSeed); err != nil {
					t.Fatal(err)
				}
			}
			bg, err := CriticalPBlockMC(k, NormSampler{D: d}, docBlockSamples, docSeed)
			if err != nil {
				t.Fatal(err)
			}
			med, err := CriticalPBlockMedianMC(k, NormSampler{D: d}, docBlockSamples, docSeed)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := CriticalPBlockMedianMC(k, NormSampler{D: d, Sphere: true}, docBlockSamples, docSeed)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("| %g | %d | %.2f | %.2f | %.2f +- %.2f | %.2f +- %.2f | %.1e | %.2f +- %.2f | %.2f +- %.2f |\n",
				k, d, pc, in, rows.Mean, rows.SE, bg.PC.Mean, bg.PC.SE, bg.EmptyFraction, med.Mean, med.SE, ms.Mean, ms.SE)
		}
	}
}

// docTheoryRow is one row of the theory table of docs/margins.md.
type docTheoryRow struct {
	kappa                 float64
	d                     int
	criticalP, inputNorms float64
	rows, block, median   float64
	medianSphere          float64
}

// readDocTheoryTable parses the rows between the markers of the theory table
// of docs/margins.md.
func readDocTheoryTable(t *testing.T) []docTheoryRow {
	t.Helper()
	raw, err := os.ReadFile("../docs/margins.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- theory table begin -->", "<!-- theory table end -->"
	text := string(raw)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("docs/margins.md: no theory table between %q and %q", begin, end)
	}
	var out []docTheoryRow
	for _, line := range strings.Split(text[i+len(begin):j], "\n") {
		f := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(f) != 9 || strings.Contains(line, "---") || strings.Contains(line, "kappa") {
			continue
		}
		num := func(s string) float64 {
			s = strings.TrimSpace(strings.SplitN(s, "+-", 2)[0])
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("docs/margins.md: %q: %v", line, err)
			}
			return v
		}
		out = append(out, docTheoryRow{kappa: num(f[0]), d: int(num(f[1])), criticalP: num(f[2]), inputNorms: num(f[3]),
			rows: num(f[4]), block: num(f[5]), median: num(f[7]), medianSphere: num(f[8])})
	}
	if len(out) != (1+len(docKappas))*len(docDims) {
		t.Fatalf("docs/margins.md: %d theory rows, want %d", len(out), (1+len(docKappas))*len(docDims))
	}
	return out
}

// The deterministic columns of docs/margins.md solve their equations: at the
// printed p, p D(p) - d^2 is within what a rounding of p to two decimals allows
// (the slope of p D(p) is D(1 + O(1/log p)) < 2 D).
func TestMarginsDocDeterministic(t *testing.T) {
	for _, row := range readDocTheoryTable(t) {
		n := float64(row.d * row.d)
		for _, c := range []struct {
			name string
			p    float64
			dim  func(p float64) (float64, error)
		}{
			{"CriticalP", row.criticalP, func(p float64) (float64, error) { return StatDim(p, row.kappa) }},
			{"input norms", row.inputNorms, func(p float64) (float64, error) { return StatDimInputNorms(p, row.kappa, row.d) }},
		} {
			dd, err := c.dim(c.p)
			if err != nil {
				t.Fatal(err)
			}
			if res := c.p*dd - n; math.Abs(res) > 2*0.005*dd {
				t.Errorf("kappa=%v d=%d %s: printed p = %.2f leaves p D(p) - d^2 = %.4f (tolerance %.4f)", row.kappa, row.d, c.name, c.p, res, 2*0.005*dd)
			}
		}
	}
}

// The Monte Carlo columns of docs/margins.md at d = 12 are reproduced exactly
// (same samples and seed).
func TestMarginsDocMonteCarlo(t *testing.T) {
	if testing.Short() {
		t.Skip("several seconds of Monte Carlo")
	}
	for _, row := range readDocTheoryTable(t) {
		if row.d != 12 || row.kappa == 0 {
			continue
		}
		rows, err := CriticalPRowNormsMC(row.kappa, NormSampler{D: row.d}, docRowSamples, docSeed)
		if err != nil {
			t.Fatal(err)
		}
		block, err := CriticalPBlockMC(row.kappa, NormSampler{D: row.d}, docBlockSamples, docSeed)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(rows.Mean-row.rows) > 0.0051 || math.Abs(block.PC.Mean-row.block) > 0.0051 {
			t.Errorf("kappa=%v d=%d: row norms %.3f (doc %.2f), block %.3f (doc %.2f)", row.kappa, row.d, rows.Mean, row.rows, block.PC.Mean, row.block)
		}
	}
}

// The median column of docs/margins.md at d = 12 is reproduced exactly.
func TestMarginsDocMedian(t *testing.T) {
	if testing.Short() {
		t.Skip("several seconds of Monte Carlo")
	}
	for _, row := range readDocTheoryTable(t) {
		if row.d != 12 || row.kappa == 0 {
			continue
		}
		med, err := CriticalPBlockMedianMC(row.kappa, NormSampler{D: row.d}, docBlockSamples, docSeed)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(med.Mean-row.median) > 0.0051 {
			t.Errorf("kappa=%v d=%d: block median %.3f (doc %.2f)", row.kappa, row.d, med.Mean, row.median)
		}
	}
}
