package certificate

import (
	"math"

	"github.com/lamcap/lamcap/feasibility"
)

// VerdictRecord is the JSON form of a verdict on one instance (lamcap solve
// --json).
type VerdictRecord struct {
	D           int            `json:"d"`
	P           int            `json:"p"`
	Seed        int64          `json:"seed"`
	Model       string         `json:"model"`
	Embedding   string         `json:"embedding"`
	Formulation string         `json:"formulation"`
	Verdict     string         `json:"verdict"`
	Margin      float64        `json:"margin"`
	Certified   bool           `json:"certified"`
	Certificate map[string]any `json:"certificate"`
	Rows        int            `json:"rows"`
	Rounds      int            `json:"rounds"`
	Iterations  int            `json:"iterations"`
	Attempts    int            `json:"attempts"`
	Solver      string         `json:"solver"`
	Seconds     float64        `json:"seconds"`
	Note        string         `json:"note,omitempty"`
	// Disagreement names solvers that certified different answers (the
	// storable one is kept: feasibility.Decide).
	Disagreement string `json:"disagreement,omitempty"`
}

// NewVerdictRecord is the record of verdict v on the instance (d, p, seed,
// model, embedding) under the LP formulation.
func NewVerdictRecord(d, p int, seed int64, model, embedding, formulation string, v feasibility.Verdict) VerdictRecord {
	return VerdictRecord{D: d, P: p, Seed: seed, Model: model, Embedding: embedding,
		Formulation: formulation, Verdict: string(v.Status), Margin: v.Margin, Certified: v.Certified,
		Certificate: certificateSummary(v), Rows: v.Rows, Rounds: v.Rounds, Iterations: v.Iterations,
		Attempts: v.Attempts, Solver: string(v.Solver), Seconds: round(v.Seconds, 4), Note: v.Note,
		Disagreement: v.Disagreement}
}

// MarginRecord is the JSON form of a max-margin answer on one instance
// (lamcap margin --json); an unbounded upper end is null, and so is kappa
// when it is not certified (the interval is then the answer).
type MarginRecord struct {
	D         int     `json:"d"`
	P         int     `json:"p"`
	Seed      int64   `json:"seed"`
	Model     string  `json:"model"`
	Embedding string  `json:"embedding"`
	Storable  bool    `json:"storable"`
	Kappa     any     `json:"kappa"`
	Lower     float64 `json:"kappa_lower"`
	Upper     any     `json:"kappa_upper"`
	Certified bool    `json:"certified"`
	Rows      int     `json:"rows"`
	Rounds    int     `json:"rounds"`
	Seconds   float64 `json:"seconds"`
	Note      string  `json:"note,omitempty"`
}

// NewMarginRecord is the record of the max-margin answer mm on the instance.
func NewMarginRecord(d, p int, seed int64, model, embedding string, mm feasibility.MaxMargin) MarginRecord {
	var kappa any
	if mm.Certified {
		kappa = mm.Kappa
	}
	return MarginRecord{D: d, P: p, Seed: seed, Model: model, Embedding: embedding,
		Storable: mm.Storable, Kappa: kappa, Lower: mm.Lower, Upper: finiteOrNil(mm.Upper), Certified: mm.Certified,
		Rows: mm.Rows, Rounds: mm.Rounds, Seconds: round(mm.Seconds, 4), Note: mm.Note}
}

func certificateSummary(v feasibility.Verdict) map[string]any {
	c := map[string]any{}
	if s := v.WCheck; s != nil {
		c["w_min_margin"] = s.MinMargin
		c["w_min_slack"] = s.MinSlack
		c["w_kappa"] = s.Kappa
	}
	if n := v.LambdaCheck; n != nil {
		c["lambda_support"] = len(v.Lambda)
		c["lambda_residual_l1"] = finiteOrNil(n.Residual)
		c["lambda_kappa_bound"] = finiteOrNil(n.KappaBound)
		c["eps"] = n.Eps
		c["scale"] = n.Scale         // the scale of lambda's rows eps is relative to (lp.NotStorableCheck)
		c["tolerance"] = n.Tolerance // eps x scale, what the residual is held to
	}
	switch v.Status {
	case feasibility.Storable:
		c["kind"] = "W"
	case feasibility.NotStorable:
		c["kind"] = "lambda"
	default:
		c["kind"] = "none"
	}
	return c
}

func finiteOrNil(x float64) any {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return x
}

func round(x float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(x*f) / f
}
