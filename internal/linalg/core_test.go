//go:build cgo && !noopenblas

package linalg

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestCoreChild is the child process of TestReexecForCore: it starts again
// with the kernels CoreFix names, as the lamcap command does, and prints the
// kernels it then runs on.
func TestCoreChild(t *testing.T) {
	if os.Getenv("LAMCAP_CORE_CHILD") == "" {
		t.Skip("the child of TestReexecForCore")
	}
	if err := ReexecForCore(); err != nil {
		t.Fatal(err)
	}
	t.Logf("core=%s", Core())
}

// A process that starts with kernels without AVX on a CPU with AVX2 and FMA
// ends on kernels that use them, and a user's OPENBLAS_CORETYPE is kept:
// Prescott stays Prescott when asked for.
func TestReexecForCore(t *testing.T) {
	child := func(coretype string) string {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCoreChild$", "-test.v")
		env := []string{"LAMCAP_CORE_CHILD=1"}
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "OPENBLAS_CORETYPE=") {
				env = append(env, e)
			}
		}
		if coretype != "" {
			env = append(env, "OPENBLAS_CORETYPE="+coretype)
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		_, core, ok := strings.Cut(string(out), "core=")
		if !ok {
			t.Fatalf("child printed no core:\n%s", out)
		}
		return strings.Fields(core)[0]
	}
	if got := child("Prescott"); got != "Prescott" {
		t.Errorf("OPENBLAS_CORETYPE=Prescott: the child runs on %s", got)
	}
	got := child("")
	preAVX := slices.Contains(preAVXCores, strings.ToLower(got))
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && preAVX {
		t.Errorf("a CPU with AVX2 and FMA runs on %s kernels", got)
	}
	t.Logf("kernels: %s (loaded by this process: %s)", got, loadedCore())
}

// coreFor asks the most of the CPU's vector units.
func TestCoreFor(t *testing.T) {
	for _, c := range []struct {
		avx512, avx2 bool
		want         string
	}{{true, true, "SkylakeX"}, {false, true, "Haswell"}, {false, false, ""}} {
		if got := coreFor(c.avx512, c.avx2); got != c.want {
			t.Errorf("coreFor(%v, %v) = %q, want %q", c.avx512, c.avx2, got, c.want)
		}
	}
}
