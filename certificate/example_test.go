package certificate_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/lamcap/lamcap/certificate"
	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// A verdict saved as a certificate file and verified from the file alone: the
// instance is rebuilt from its seed, its hash compared, and the evidence
// re-checked without a solver.
func ExampleCertificate_Verify() {
	ctx := context.Background()
	seed := int64(2)
	in, err := model.NewInstance(model.Random{D: 10, Seed: uint64(seed), Kind: model.Coupled}, 32)
	if err != nil {
		log.Fatal(err)
	}
	v, err := feasibility.Decide(ctx, lp.NewSolver(in, lp.Options{}), feasibility.DefaultEps)
	if err != nil {
		log.Fatal(err)
	}
	ci := certificate.Instance{Model: "coupled", Embedding: "gaussian", Seed: &seed}
	c, err := certificate.New(ci, in, feasibility.DefaultEps, v)
	if err != nil {
		log.Fatal(err)
	}
	var file bytes.Buffer
	if err := c.Encode(&file); err != nil {
		log.Fatal(err)
	}

	// Later, from the file alone:
	back, err := certificate.Parse(file.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	src, err := back.Instance.Source(ctx, "", "")
	if err != nil {
		log.Fatal(err)
	}
	again, err := model.NewInstance(src, back.Instance.P)
	if err != nil {
		log.Fatal(err)
	}
	chk, err := back.Verify(again, feasibility.DefaultEps)
	fmt.Printf("%s certificate for %s: holds %v, residual below 1e-9: %v\n",
		back.Verdict, back.Instance.Describe(), err == nil, chk.Residual < 1e-9)
	// Output:
	// not-storable certificate for d=10 p=32 seed=2 model=coupled embedding=gaussian: holds true, residual below 1e-9: true
}

// The reader is strict where encoding/json is lenient: a key given twice (the
// last would win), a key in another case, an unknown key or text after the
// object is refused, and the message names it.
func ExampleParse() {
	for _, s := range []string{
		`{"format":"lamcap-certificate/2","verdict":"storable","verdict":"not-storable"}`,
		`{"format":"lamcap-certificate/2","VERDICT":"storable"}`,
		`{"format":"lamcap-certificate/2","eps":1}`,
		`{"format":"lamcap-certificate/2"} {}`,
	} {
		_, err := certificate.Parse([]byte(s))
		fmt.Println(err)
	}
	// Output:
	// not a lamcap certificate (key "verdict" occurs twice)
	// not a lamcap certificate (key "VERDICT": keys are case-sensitive, want "verdict")
	// not a lamcap certificate (unknown field "eps")
	// not a lamcap certificate (text after the JSON object)
}
