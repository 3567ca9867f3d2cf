package certificate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/feasibility"
	"github.com/lamcap/lamcap/lp"
	"github.com/lamcap/lamcap/model"
)

// FuzzParseCertificate feeds arbitrary bytes to the certificate reader.
// Properties: it never panics; what it accepts is a well-formed claim (a d x d
// W, or lambda rows inside the instance, a 64-digit hash) that re-encodes and
// parses back to the same certificate. Seeds: testdata/fuzz/FuzzParseCertificate.
func FuzzParseCertificate(f *testing.F) {
	f.Add([]byte(`{"format":"lamcap-certificate/2"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			if c != nil {
				t.Fatal("certificate returned with an error")
			}
			return
		}
		ci := c.Instance
		if ci.D < 2 || ci.P < 1 || ci.P < 2 && !strings.HasPrefix(ci.Model, "vocabulary") || len(ci.SHA256) != 64 {
			t.Fatalf("accepted instance %+v", ci)
		}
		switch c.Verdict {
		case "storable":
			if len(c.W) != ci.D || len(c.Lambda) != 0 {
				t.Fatalf("storable with %d W rows, %d lambda rows", len(c.W), len(c.Lambda))
			}
		case "not-storable":
			if len(c.Lambda) == 0 || len(c.W) != 0 {
				t.Fatal("not-storable without lambda")
			}
			for _, l := range c.Lambda {
				if l.Mu < 0 || l.Mu >= ci.P || l.V < 0 || l.V >= ci.P || l.Mu == l.V || !(l.Weight >= 0) {
					t.Fatalf("accepted lambda row %+v", l)
				}
			}
		default:
			t.Fatalf("accepted verdict %q", c.Verdict)
		}
		var buf bytes.Buffer
		if err := c.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := Parse(buf.Bytes())
		if err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip: %v\n%s", err, buf.Bytes())
		}
	})
}

// The committed seed corpus covers both verdicts, both embeddings and the
// refusals; make sure it stays there.
func TestCertificateCorpusPresent(t *testing.T) {
	files, _ := filepath.Glob("testdata/fuzz/FuzzParseCertificate/*")
	if len(files) < 5 {
		t.Fatalf("%d seed files in testdata/fuzz/FuzzParseCertificate", len(files))
	}
	accepted := map[string]bool{"storable": true, "not_storable": true, "user": true}
	for _, f := range files {
		b, err := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if err != nil || len(lines) != 2 || lines[0] != "go test fuzz v1" {
			t.Errorf("%s is not a fuzz corpus file", f)
			continue
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		_, err = Parse([]byte(s))
		if name := filepath.Base(f); (err == nil) != accepted[name] {
			t.Errorf("seed %s: parse error %v", name, err)
		}
	}
}

// The strict reader names what it refuses.
func TestStrictCertificateReader(t *testing.T) {
	const good = `{"format":"lamcap-certificate/2","instance":{"d":2,"p":2,"model":"coupled","embedding":"gaussian","seed":1,"sha256":"eb4575964a800123456789abcdef0123456789abcdef0123456789abcdef0123"},"verdict":"not-storable","lambda":[{"mu":0,"v":1,"weight":1}]}`
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("the well-formed certificate is refused: %v", err)
	}
	for _, c := range []struct{ name, in, want string }{
		{"duplicate verdict", strings.Replace(good, `"verdict":"not-storable"`, `"verdict":"storable","verdict":"not-storable"`, 1), `"verdict" occurs twice`},
		{"duplicate seed", strings.Replace(good, `"seed":1`, `"seed":1,"seed":2`, 1), `"instance.seed" occurs twice`},
		{"case-folded key", strings.Replace(good, `"verdict"`, `"VERDICT"`, 1), `"VERDICT": keys are case-sensitive, want "verdict"`},
		{"case-folded nested key", strings.Replace(good, `"weight"`, `"Weight"`, 1), `"lambda[0].Weight"`},
		{"unknown key", strings.Replace(good, `"verdict"`, `"eps":0.5,"verdict"`, 1), `unknown field "eps"`},
		{"unknown nested key", strings.Replace(good, `"seed":1`, `"seed":1,"shard":3`, 1), `unknown field "instance.shard"`},
		{"trailing brace", good + "}", "text after the JSON object"},
		{"second object", good + "\n{}", "text after the JSON object"},
		{"trailing junk", good + " x", "text after the JSON object"},
		{"truncated", good[:len(good)-1], "unexpected end"},
	} {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error naming %s", c.name, err, c.want)
		}
	}
	// Whitespace after the object is not data.
	if _, err := Parse([]byte(good + "\n\t ")); err != nil {
		t.Errorf("trailing whitespace refused: %v", err)
	}
}

// verifyInstances are the two instances FuzzVerifyCertificate's seeds name:
// a storable one (t* well above eps * scale) and a not-storable one (t* = 0).
var verifyInstances = []struct {
	d, p     int
	seed     int64
	storable bool
}{{4, 5, 7, true}, {2, 8, 3, false}}

// FuzzVerifyCertificate: no certificate for a storable instance verifies as
// not-storable, and no certificate for a not-storable one verifies as
// storable, whatever numbers it holds (subnormal, huge, signed zeros). The
// seeds (testdata/fuzz/FuzzVerifyCertificate) are each instance's own
// certificate and forgeries of the audit's kinds: one subnormal lambda weight
// on a storable instance, a W of multiples of 2^-1074 on a not-storable one.
// The truth of each instance is decided once by the solver and checked here.
func FuzzVerifyCertificate(f *testing.F) {
	truth := verifyTruth(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil || c.Instance.Seed == nil || c.Instance.D > 8 || c.Instance.P > 16 {
			return
		}
		src, err := c.Instance.Source(context.Background(), "", "")
		if err != nil {
			return
		}
		in, err := model.NewInstance(src, c.Instance.P)
		if err != nil {
			return
		}
		chk, err := c.Verify(in, feasibility.DefaultEps)
		if err != nil {
			return
		}
		storable, known := truth[in.Hash()]
		if !known {
			return // a hash the seeds do not name cannot match its instance
		}
		if chk.Storable != storable {
			t.Fatalf("a %s certificate verifies on a %s instance (%s): %+v", c.Verdict, map[bool]string{true: "storable", false: "not-storable"}[storable], c.Instance.Describe(), chk)
		}
	})
}

// verifyTruth decides verifyInstances with the solver and certifies each
// answer, with room: the storable instance's t* must exceed 100 eps times the
// largest row scale |a_r|_1,
// so that no honest not-storable certificate exists for it.
func verifyTruth(tb testing.TB) map[string]bool {
	truth := map[string]bool{}
	for _, vi := range verifyInstances {
		in, err := model.NewInstance(model.Random{D: vi.d, Seed: uint64(vi.seed)}, vi.p)
		if err != nil {
			tb.Fatal(err)
		}
		v, err := feasibility.Decide(context.Background(), lp.NewSolver(in, lp.Options{Method: lp.MethodSimplex}), feasibility.DefaultEps)
		if err != nil || !v.Certified || (v.Status == feasibility.Storable) != vi.storable {
			tb.Fatalf("instance %+v: verdict %s (%v)", vi, v.Status, err)
		}
		// A not-storable certificate holds only if t* <= eps * sum_r lambda_r |a_r|_1
		// <= eps * max_r |a_r|_1.
		var top float64
		for mu := 0; mu < in.P; mu++ {
			for v := 0; v < in.Slots(); v++ {
				if v != in.Own(mu) {
					top = max(top, lp.RowScale(in, lp.Row{Mu: mu, V: v}))
				}
			}
		}
		if vi.storable && !(v.Margin > 100*feasibility.DefaultEps*top) {
			tb.Fatalf("instance %+v: t* = %g is too close to eps * scale", vi, v.Margin)
		}
		truth[in.Hash()] = vi.storable
	}
	return truth
}

// TestWriteVerifySeeds writes FuzzVerifyCertificate's seed corpus when
// LAMCAP_WRITE_SEEDS is set, and otherwise checks the committed corpus: it
// holds a file for every seed verifySeeds makes, every honest certificate in
// it verifies and every forgery is refused. The files are not compared byte
// for byte with what this machine would write: an honest certificate holds
// the simplex's W or lambda (and the scale of lambda's rows), whose last bits
// follow the BLAS kernel's rounding (seen: scale 5.041388851201045 against
// ...046 on an AVX-512 machine, the same instance hash).
func TestWriteVerifySeeds(t *testing.T) {
	seeds := verifySeeds(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzVerifyCertificate")
	const header = "go test fuzz v1\n"
	for name, b := range seeds {
		path := filepath.Join(dir, name)
		if os.Getenv("LAMCAP_WRITE_SEEDS") != "" {
			file := header + "[]byte(" + strconv.Quote(string(b)) + ")\n"
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("seed %s is missing (LAMCAP_WRITE_SEEDS=1 go test -run TestWriteVerifySeeds ./certificate): %v", path, err)
			continue
		}
		body, ok := strings.CutPrefix(string(got), header+"[]byte(")
		body, ok2 := strings.CutSuffix(body, ")\n")
		text, err := strconv.Unquote(body)
		if !ok || !ok2 || err != nil {
			t.Errorf("seed %s is not one []byte in go test fuzz v1 form", path)
			continue
		}
		c, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("seed %s: %v", name, err)
		}
		src, _ := c.Instance.Source(context.Background(), "", "")
		in, _ := model.NewInstance(src, c.Instance.P)
		_, err = c.Verify(in, feasibility.DefaultEps)
		if honest := strings.HasPrefix(name, "honest"); (err == nil) != honest {
			t.Errorf("seed %s: verify says %v", name, err)
		}
	}
}

// verifySeeds are the honest certificates of verifyInstances and forgeries.
func verifySeeds(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	enc := func(c *Certificate) []byte {
		var buf bytes.Buffer
		if err := c.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, vi := range verifyInstances {
		seed := vi.seed
		in, _ := model.NewInstance(model.Random{D: vi.d, Seed: uint64(seed)}, vi.p)
		v, err := feasibility.Decide(context.Background(), lp.NewSolver(in, lp.Options{Method: lp.MethodSimplex}), feasibility.DefaultEps)
		if err != nil {
			t.Fatal(err)
		}
		ci := Instance{Model: "coupled", Embedding: "gaussian", Seed: &seed}
		c, err := New(ci, in, feasibility.DefaultEps, v)
		if err != nil {
			t.Fatal(err)
		}
		kind := map[bool]string{true: "storable", false: "not_storable"}[vi.storable]
		out["honest_"+kind] = enc(c)
		forged := *c
		if vi.storable {
			// One subnormal weight on one row.
			forged.W, forged.Verdict = nil, "not-storable"
			forged.Lambda = []Lambda{{Mu: 1, V: 3, Weight: 5e-324}}
			out["forged_subnormal_lambda"] = enc(&forged)
			forged.Lambda = []Lambda{{Mu: 1, V: 3, Weight: 1}, {Mu: 3, V: 1, Weight: 1}, {Mu: 0, V: 2, Weight: 4e-320}}
			out["forged_pair_lambda"] = enc(&forged)
		} else {
			forged.Lambda, forged.Verdict = nil, "storable"
			forged.W = [][]float64{{0, -2 * 0x1p-1074}, {-0x1p-1074, -2 * 0x1p-1074}}
			out["forged_subnormal_w"] = enc(&forged)
			forged.W = [][]float64{{1, 1e-310}, {-1e-320, 0.5}}
			out["forged_tiny_entries_w"] = enc(&forged)
		}
	}
	return out
}
