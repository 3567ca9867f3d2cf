package experiment

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseCertificate feeds arbitrary bytes to the certificate reader.
// Properties: it never panics; what it accepts is a well-formed claim (a d x d
// W, or lambda rows inside the instance, a 64-digit hash) that re-encodes and
// parses back to the same certificate. Seeds: testdata/fuzz/FuzzParseCertificate.
func FuzzParseCertificate(f *testing.F) {
	f.Add([]byte(`{"format":"lamcap-certificate/2"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCertificate(b)
		if err != nil {
			if c != nil {
				t.Fatal("certificate returned with an error")
			}
			return
		}
		ci := c.Instance
		if ci.D < 2 || ci.P < 2 || len(ci.SHA256) != 64 {
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
		back, err := ParseCertificate(buf.Bytes())
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
		_, err = ParseCertificate([]byte(s))
		if name := filepath.Base(f); (err == nil) != accepted[name] {
			t.Errorf("seed %s: parse error %v", name, err)
		}
	}
}
