package main

import (
	"os"
	"testing"
)

// TestReadmeShowsTheTestedScript: docs/clusters.md's Slurm example is the sbatch script
// the cluster test submits (make test-cluster), byte for byte.
func TestReadmeShowsTheTestedScript(t *testing.T) {
	readme, err := os.ReadFile("../../../docs/clusters.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("../../slurm/sweep-array.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	if err := ReadmeHas(readme, script); err != nil {
		t.Fatalf("docs/clusters.md and scripts/slurm/sweep-array.sbatch: %v; copy the file into its Slurm section", err)
	}
}

func TestReadmeHas(t *testing.T) {
	file := []byte("#!/bin/bash\necho hi\n")
	for _, c := range []struct {
		readme string
		ok     bool
	}{
		{"x\n```sh\n#!/bin/bash\necho hi\n```\ny\n", true},
		{"```sh\n#!/bin/bash\necho hi \n```\n", false},
		{"```sh\n#!/bin/bash\necho hi\n\n```\n", false},
		{"```sh\n#!/bin/bash\necho hi\n```\n```sh\n#!/bin/bash\necho hi\n```\n", false},
	} {
		if err := ReadmeHas([]byte(c.readme), file); (err == nil) != c.ok {
			t.Errorf("ReadmeHas(%q) = %v, want ok=%v", c.readme, err, c.ok)
		}
	}
}
