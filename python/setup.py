"""Builds the lamcap wheel with the lamcap binary inside.

The binary is LAMCAP_BIN if set, else ../bin/lamcap (what `make build` writes).
It goes to lamcap/bin/lamcap in the wheel, which is tagged for this platform
(py3-none-linux_x86_64 here): the Python code is pure, the binary is not.
"""

import os
import shutil
import stat
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # no wheel package: sdists and in-place use only
    bdist_wheel = None

HERE = Path(__file__).resolve().parent


def lamcap_binary() -> Path:
    env = os.environ.get("LAMCAP_BIN")
    path = Path(env) if env else HERE.parent / "bin" / "lamcap"
    if not path.is_file():
        sys.exit(f"lamcap: no binary at {path}: run 'make build' first, or set LAMCAP_BIN")
    return path


class BuildPy(build_py):
    """build_py that also copies the lamcap binary into the package."""

    def run(self):
        super().run()
        dest = Path(self.build_lib) / "lamcap" / "bin" / "lamcap"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lamcap_binary(), dest)
        dest.chmod(dest.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class BinaryDistribution(Distribution):
    """A distribution with a platform part (the binary): installed to platlib."""

    def has_ext_modules(self):
        return True


cmdclass = {"build_py": BuildPy}

if bdist_wheel is not None:

    class BdistWheel(bdist_wheel):
        """A platform wheel (the binary), for any Python 3 (the code)."""

        def get_tag(self):
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = BdistWheel

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
