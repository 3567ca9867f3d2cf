#!/usr/bin/env bash
# install-python.sh: Debian's Python packages that the lamcap Python package
# (python/), its tests and its example notebook need: NumPy (its one required
# dependency), pip, setuptools, wheel and venv (to build and install the wheel
# offline), pytest, pandas and tqdm (optional dependencies, tested), nbconvert,
# ipykernel and matplotlib (to execute docs/notebooks/quickstart.ipynb).
# Everything comes from apt: no Python package index is needed. Idempotent and
# quiet when everything is present. They are used through Debian's
# /usr/bin/python3 (a python3 earlier on PATH, pyenv's say, does not see them).
set -euo pipefail
py=/usr/bin/python3
# module:package pairs, checked by importing each module with Debian's Python.
pairs=(numpy:python3-numpy pip:python3-pip setuptools:python3-setuptools wheel:python3-wheel
  venv:python3-venv ensurepip:python3-venv pytest:python3-pytest pandas:python3-pandas tqdm:python3-tqdm
  nbconvert:python3-nbconvert ipykernel:python3-ipykernel matplotlib:python3-matplotlib)
need=()
if [ -x "$py" ]; then
  # One interpreter start: find_spec locates each module without importing it.
  mapfile -t need < <("$py" - "${pairs[@]}" <<'PY'
import importlib.util, sys
for pair in sys.argv[1:]:
    mod, pkg = pair.split(":")
    if importlib.util.find_spec(mod) is None:
        print(pkg)
PY
)
else
  need+=(python3)
  for pair in "${pairs[@]}"; do need+=("${pair#*:}"); done
fi
command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert)
[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" != 0 ]; then
  echo "install-python: missing ${need[*]}: run 'sudo apt-get install ${need[*]}' (the Python package's tests and notebook need them)" >&2
  exit 1
fi
echo "install-python: installing ${need[*]} with apt-get" >&2
# Wait for a dpkg lock another apt-get holds (up to 10 minutes) instead of failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
