"""The tests run the package in python/src against the real binary:
LAMCAP_BIN if set, else the repository's bin/lamcap (make build)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python" / "src"))

if not os.environ.get("LAMCAP_BIN"):
    os.environ["LAMCAP_BIN"] = str(REPO / "bin" / "lamcap")
if not Path(os.environ["LAMCAP_BIN"]).is_file():
    pytest.exit(f"no lamcap binary at {os.environ['LAMCAP_BIN']}: run 'make build' or set LAMCAP_BIN", 2)


def cli(*args, check=True):
    """Runs the binary directly (the reference the package must agree with)."""
    p = subprocess.run([os.environ["LAMCAP_BIN"], *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"lamcap {' '.join(map(str, args))}: exit {p.returncode}: {p.stderr}")
    return p


def cli_json(*args):
    """The JSON objects a --json command prints, one per line."""
    return [json.loads(l) for l in cli(*args, "--json").stdout.splitlines() if l.strip()]


@pytest.fixture
def no_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)


@pytest.fixture
def no_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)


@pytest.fixture(autouse=True)
def sigint_raises_keyboard_interrupt():
    """Python raises KeyboardInterrupt on SIGINT only if SIGINT was not ignored
    when it started; a runner started in the background (nohup, `cmd &` in a
    script, some CI services) ignores it. The Ctrl-C tests need the terminal's
    behaviour, so each test runs with Python's default handler."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)
