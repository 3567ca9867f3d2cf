# lamcap: `make run` and `make test` do all set-up on a fresh Debian 12 machine with Go.
SHELL := /bin/bash
GO ?= go
HIGHS_PREFIX ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/lamcap/highs-1.10.0
export LAMCAP_HIGHS_PREFIX := $(HIGHS_PREFIX)
export PKG_CONFIG_PATH := $(HIGHS_PREFIX)/lib/pkgconfig$(if $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
FOUND := internal/highscheck/found.h
BENCHTIME ?= 1x

.PHONY: all highs openblas tools build run test test-short test-cluster bench vet env clean fuzz fuzz-run check-plain-build check-docs

all: build

# HiGHS: found by pkg-config, or built once into $(HIGHS_PREFIX) (about 4 minutes).
highs: $(FOUND)
$(FOUND): scripts/install-highs.sh
	@scripts/install-highs.sh >/dev/null
	@echo '/* written by make highs: HiGHS is installed and pkg-config finds it */' >$@

# OpenBLAS under gonum (Debian's libopenblas-dev), linked through cgo.
OPENBLAS := internal/linalg/.openblas-found
openblas: $(OPENBLAS)
$(OPENBLAS): scripts/install-openblas.sh
	@scripts/install-openblas.sh
	@touch $@

# External solvers the cross-solver tests compare against (Debian packages).
tools:
	@scripts/install-tools.sh

# The revision is stamped in too, for 'lamcap version' where Go's own VCS
# stamping is off (GOFLAGS=-buildvcs=false) or cannot see the repository.
REVISION := $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo ' (modified)')
build: highs openblas
	$(GO) build -trimpath -ldflags "-X 'github.com/lamcap/lamcap/internal/buildinfo.revision=$(REVISION)'" -o bin/lamcap ./cmd/lamcap

run: build
	bin/lamcap capacity

vet: highs openblas
	$(GO) vet ./...
	$(GO) vet -tags noopenblas ./internal/linalg ./lp
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt would change the files above"; exit 1; }

test: highs openblas tools python vet build check-plain-build
	$(GO) test -count=1 -timeout 20m ./...
	# The pure-Go BLAS fallback, built without OpenBLAS.
	$(GO) test -count=1 -tags noopenblas -run 'TestCholesky|TestIPM(Matches|Backends|Limits)' -short ./internal/linalg ./lp
	$(MAKE) fuzz-run
	$(MAKE) test-python

# The Python package (python/): Debian's Python packages, installed when missing
# (scripts/install-python.sh; used through Debian's $(PYTHON), not a python3 that
# PATH may put first); the wheel with bin/lamcap inside, built offline into dist/;
# the package's tests and the example notebook, executed, against bin/lamcap,
# which uses one BLAS thread there (a second only busy-waits on their sizes:
# 53 -> 45 CPU-s, issue #19).
.PHONY: python wheel test-python
PYTHON := /usr/bin/python3
PYENV := LAMCAP_BIN=$(CURDIR)/bin/lamcap PYTHONPATH=$(CURDIR)/python/src LAMCAP_BLAS_THREADS=1
python:
	@scripts/install-python.sh

wheel: python build
	rm -rf python/build dist/lamcap-*.whl
	LAMCAP_BIN=$(CURDIR)/bin/lamcap $(PYTHON) -m pip wheel --no-build-isolation --no-deps --no-index -q -w dist ./python
	@ls dist/lamcap-*.whl

test-python: python build
	cd python && $(PYENV) $(PYTHON) -m pytest -q -p no:cacheprovider tests
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	  $(PYENV) PYDEVD_DISABLE_FILE_VALIDATION=1 jupyter-nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
	    --output-dir "$$out" docs/notebooks/quickstart.ipynb

# Go's native fuzzing, one target per run: `make test` runs each for FUZZTIME
# (10000 inputs, 1-5 s), `make fuzz` for a minute (FUZZTIME=10m make fuzz for
# longer). make test counts inputs, not seconds: a duration races Go 1.26's
# fuzz coordinator at its deadline (golang/go#75804, fixed in Go 1.27), which
# on a busy machine fails a target with a bare "context deadline exceeded"
# and no failing input (it failed the fifth of five loaded make test runs).
FUZZTIME ?= 10000x
FUZZ_TARGETS := ./experiment:FuzzParseRecords ./cmd/lamcap:FuzzParseDims ./cmd/lamcap:FuzzParseSeeds \
	./cmd/lamcap:FuzzParseShard ./model:FuzzDecodeNPY ./certificate:FuzzParseCertificate ./certificate:FuzzVerifyCertificate
fuzz-run: highs openblas
	@for t in $(FUZZ_TARGETS); do \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) $${t%%:*} || exit 1; \
	done
fuzz:
	$(MAKE) fuzz-run FUZZTIME=60s

# The library's core (lp, model, theory) builds in a fresh clone of the
# committed tree with plain `go build`: no `make highs`, no generated found.h,
# no pkg-config path for HiGHS (package lp/highs holds HiGHS). A few seconds.
check-plain-build:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  git clone -q . "$$tmp/lamcap" && cd "$$tmp/lamcap" && \
	  test ! -e $(FOUND) && \
	  env -u PKG_CONFIG_PATH -u LAMCAP_HIGHS_PREFIX $(GO) build ./lp ./model ./theory && \
	  echo "lp, model and theory build in a fresh clone without make"

test-short: highs openblas
	$(GO) test -short ./...

# docs/clusters.md's sbatch array on a single-node Slurm cluster brought up on this machine
# (root: installs slurm-wlm and munge when missing); about 3 minutes.
test-cluster: build
	scripts/cluster/test-cluster.sh

# The documentation checks too long for make test: docs/mechanism.md's mechanism
# and two-layer runs and the README's main-job table, rerun and compared.
check-docs: highs openblas
	LAMCAP_CHECK_DOCS=1 LAMCAP_CHECK_README_CAPACITY=1 $(GO) test -count=1 -timeout 60m -run 'DocMatches|READMECapacity' ./cmd/lamcap

bench: build
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 120m ./...

# Prints the line that lets plain `go build` and `go test` find HiGHS.
env: highs openblas
	@echo "export PKG_CONFIG_PATH=$(PKG_CONFIG_PATH)"

clean:
	rm -rf bin dist python/build $(FOUND) $(OPENBLAS)

# A bundle for clusters (scripts/cluster/dist.sh): dist/lamcap with bin/lamcap and
# the shared libraries glibc does not provide (OpenBLAS, gfortran, quadmath) found
# through an rpath of $ORIGIN/../lib, and dist/lamcap-linux-ARCH.tar.gz. It needs
# only glibc (the version in dist/lamcap/GLIBC). test-dist runs it in a minimal
# Debian chroot (root; debootstrap, once).
.PHONY: dist test-dist
dist: highs openblas
	scripts/cluster/dist.sh

test-dist: dist
	scripts/cluster/test-dist.sh
