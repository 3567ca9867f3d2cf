package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lamcap/lamcap/certificate"
)

// TestCertificateToStdout: --certificate - prints the certificate, alone, on
// stdout, and it verifies once saved; a file named "-" is never made.
func TestCertificateToStdout(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	code, out, errs := runCLI("solve", "--d", "6", "--p", "5", "--seed", "3", "--certificate", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	c, err := certificate.Parse([]byte(out))
	if err != nil || c.Verdict != "storable" {
		t.Fatalf("stdout is not a storable certificate: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Errorf("a file named - was written")
	}
	p := filepath.Join(dir, "c.json")
	os.WriteFile(p, []byte(out), 0o644)
	if code, out, errs := runCLI("verify", p); code != 0 || !strings.HasPrefix(out, "certificate holds: storable") {
		t.Errorf("verify: exit %d, %q, %q", code, out, errs)
	}
}
