package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
)

// An uncertified max-margin answer is printed as its interval, with no point
// value, in the table and in --json.
func TestMarginPrintsNoUncertifiedPoint(t *testing.T) {
	mm := feasibility.MaxMargin{Storable: true, Lower: 0.0071, Upper: 0.0095, Note: "uncertified"}
	rec := certificate.NewMarginRecord(6, 13, 3901, "coupled", "gaussian", mm)
	var table, js bytes.Buffer
	if err := printMargin(&table, rec, mm, false); err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(table.String()); len(f) < 4 || f[2] != "-" || !strings.Contains(table.String(), "[0.0071, 0.0095]") {
		t.Errorf("table row %q: want kappa* '-' and the interval", table.String())
	}
	if err := printMargin(&js, rec, mm, true); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if k, ok := got["kappa"]; !ok || k != nil || got["kappa_lower"] != 0.0071 || got["kappa_upper"] != 0.0095 {
		t.Errorf("--json %s: want kappa null beside the interval", js.String())
	}
	mm.Certified, mm.Kappa = true, 0.008
	rec = certificate.NewMarginRecord(6, 13, 3901, "coupled", "gaussian", mm)
	js.Reset()
	_ = printMargin(&js, rec, mm, true)
	if !strings.Contains(js.String(), `"kappa":0.008`) {
		t.Errorf("--json %s: a certified kappa is missing", js.String())
	}
}
