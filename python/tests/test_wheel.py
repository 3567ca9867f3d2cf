"""The wheel: built offline from a copy of python/ with the binary inside,
installed with `pip install --no-index` into a fresh venv that sees Debian's
NumPy, it gives the README's numbers with no LAMCAP_BIN set."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CHECK = """
import numpy as np, lamcap
assert "site-packages" in lamcap.binary(), lamcap.binary()
print([t.p_star for t in lamcap.threshold(d=10, seeds=range(1, 5), progress=False)])
X, Y, C = lamcap.instance(d=10, p=32, seed=1)
a, b = lamcap.solve(d=10, p=32, seed=1), lamcap.solve(inputs=X, targets=Y)
print(a.verdict, b.verdict, np.array_equal(a.W, b.W))
"""


def test_wheel_installs_offline_in_a_fresh_venv(tmp_path):
    py = "/usr/bin/python3"  # Debian's, with setuptools, wheel and NumPy
    if not Path(py).exists():
        pytest.skip("no /usr/bin/python3")
    src = tmp_path / "src"
    shutil.copytree(REPO / "python", src, ignore=shutil.ignore_patterns("build", "*.egg-info", "bin", "tests",
                                                                        "__pycache__", ".pytest_cache"))
    # Without PYTHONPATH: pip would take the source tree's lamcap for an installed one.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run([py, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-q",
                    "-w", str(tmp_path / "dist"), str(src)], check=True, env=env, cwd=tmp_path)
    (whl,) = (tmp_path / "dist").glob("lamcap-*.whl")
    assert whl.name.endswith("-py3-none-linux_x86_64.whl") or "linux" in whl.name
    subprocess.run([py, "-m", "venv", "--system-site-packages", str(tmp_path / "venv")], check=True)
    vpy = str(tmp_path / "venv" / "bin" / "python")
    subprocess.run([vpy, "-m", "pip", "install", "--no-index", "-q", str(whl)], check=True, env=env)
    env.pop("LAMCAP_BIN")
    out = subprocess.run([vpy, "-c", CHECK], check=True, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout.splitlines() == ["[33, 30, 35, 30]", "storable storable True"]
