#!/usr/bin/env bash
# install-openblas.sh: make OpenBLAS (Debian's libopenblas-dev) available to the
# Go build, which links it through cgo (internal/linalg). Idempotent: returns at
# once when the library is already there. Without it, build with
# `go build -tags noopenblas` to use gonum's pure-Go BLAS instead (5-15x slower
# on the interior-point method's large products).
set -euo pipefail
have() {
  for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib /usr/local/lib; do
    [ -e "$dir/libopenblas.so" ] && return 0
  done
  ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so '
}
have && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-openblas: libopenblas-dev is missing: run 'sudo apt-get install libopenblas-dev' (or build with -tags noopenblas)" >&2
  exit 1
fi
echo "install-openblas: installing libopenblas-dev with apt-get" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq libopenblas-dev >/dev/null
have || { echo "install-openblas: libopenblas-dev installed but libopenblas.so not found" >&2; exit 1; }
