#!/usr/bin/env bash
# install-tools.sh: the independent LP solvers lamcap's cross-solver tests use,
# from Debian's packages (glpsol from glpk-utils, clp from coinor-clp). Idempotent.
set -euo pipefail
need=()
command -v glpsol >/dev/null 2>&1 || need+=(glpk-utils)
command -v clp >/dev/null 2>&1 || need+=(coinor-clp)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-tools: missing ${need[*]}: run 'sudo apt-get install ${need[*]}' (the cross-solver tests need them)" >&2
  exit 1
fi
echo "install-tools: installing ${need[*]} with apt-get" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
