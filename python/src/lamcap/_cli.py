"""Running the lamcap binary: where it is, its errors, its progress, Ctrl-C.

Everything the package computes comes from the binary; this module starts it,
streams its output, turns its exit status into Python exceptions and forwards
a KeyboardInterrupt to it as SIGINT.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

__all__ = ["binary", "run"]

#: Seconds the child is given to stop after SIGINT (it saves finished work and
#: exits at once; a solve interrupted mid-factorisation needs a moment) before
#: it is killed. A sweep stays resumable even then: records are fsynced as
#: they finish.
INTERRUPT_GRACE = 60.0

_BUNDLED = Path(__file__).resolve().parent / "bin" / "lamcap"


def binary() -> str:
    """The lamcap binary the package runs.

    ``LAMCAP_BIN`` if set, else the binary bundled in the wheel, else
    ``lamcap`` on ``PATH``.

    Raises
    ------
    RuntimeError
        If none is found, or ``LAMCAP_BIN`` names no executable file.
    """
    env = os.environ.get("LAMCAP_BIN")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise RuntimeError(f"LAMCAP_BIN={env!r} is not an executable file")
        return env
    if _BUNDLED.is_file() and os.access(_BUNDLED, os.X_OK):
        return str(_BUNDLED)
    found = shutil.which("lamcap")
    if found:
        return found
    raise RuntimeError(
        "no lamcap binary: this installation bundles none; set LAMCAP_BIN to bin/lamcap "
        "(built by 'make build') or install the wheel built by 'make wheel'"
    )


def _message(stderr_lines: Sequence[str], code: int) -> str:
    """lamcap's one-line error: the last line it wrote on stderr."""
    for line in reversed(stderr_lines):
        if line.strip():
            return line.strip()
    return f"lamcap exited with status {code} and no message"


def _raise_for(code: int, stderr_lines: Sequence[str]) -> None:
    if code == 0:
        return
    msg = _message(stderr_lines, code)
    if code == 2:
        raise ValueError(msg)
    raise RuntimeError(msg)


def run(
    args: Sequence[str],
    *,
    on_stdout: Callable[[str], None] | None = None,
    on_stderr: Callable[[str], None] | None = None,
    env: dict | None = None,
    check: bool = True,
) -> tuple[int, str, list[str]]:
    """Run ``lamcap ARGS`` and return its exit status, stdout and stderr lines.

    Lines are handed to ``on_stdout`` and ``on_stderr`` as they come, in the
    calling thread (so a callback may raise, KeyboardInterrupt included).

    A KeyboardInterrupt (Ctrl-C, or a Jupyter interrupt) while the child runs
    sends it SIGINT and waits for it to exit (lamcap saves finished work and
    stops), then is raised again. Any other exception stops the child the same
    way.

    Raises
    ------
    ValueError
        Exit status 2 (bad input), with lamcap's one-line message.
    RuntimeError
        Exit status 1 (a failure), with lamcap's one-line message; any other
        non-zero status too, unless ``check`` is false.
    """
    cmd = [binary(), *map(str, args)]
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    # A session of its own: a terminal's Ctrl-C reaches Python only, and
    # Python forwards exactly one SIGINT.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=full_env,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
        start_new_session=True,
    )
    q: queue.Queue = queue.Queue()

    def pump(stream, name):
        try:
            for line in stream:
                q.put((name, line))
        finally:
            q.put((name, None))

    threads = [
        threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True),
    ]
    for t in threads:
        t.start()
    out: list[str] = []
    err: list[str] = []
    open_streams = 2
    try:
        while open_streams:
            try:
                name, line = q.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
                continue
            if name == "out":
                out.append(line)
                if on_stdout:
                    on_stdout(line.rstrip("\n"))
            else:
                err.append(line.rstrip("\n"))
                if on_stderr:
                    on_stderr(line.rstrip("\n"))
        code = proc.wait()
    except BaseException:
        _stop(proc)
        raise
    finally:
        for t in threads:
            t.join(timeout=1)
        proc.stdout.close()
        proc.stderr.close()
    if code == 130:  # interrupted from outside Python (SIGINT to the child alone)
        raise KeyboardInterrupt(_message(err, code))
    if check:
        _raise_for(code, err)
    return code, "".join(out), err


def _stop(proc: subprocess.Popen) -> None:
    """Interrupt the child like Ctrl-C and wait for it; kill it if it hangs."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=INTERRUPT_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except KeyboardInterrupt:  # a second Ctrl-C: stop at once
        proc.kill()
        proc.wait()
        raise


def json_lines(text: str) -> list[dict]:
    """The JSON objects of a --json output, one per line."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


_UNITS = re.compile(r": (\d+)/(\d+) units done")


class Progress:
    """Reports units done: a tqdm bar when tqdm is installed, else a line per update.

    ``how`` is True (tqdm or lines), False (nothing), or a callable
    ``f(done, total)`` called on every update.
    """

    def __init__(self, how, desc: str, total: int | None = None):
        self.how, self.desc, self.bar, self.done, self.total = how, desc, None, 0, total
        if how is True:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self.bar = tqdm(total=total, desc=desc, unit="unit", file=sys.stderr)

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if callable(self.how):
            self.how(done, total)
        elif self.bar is not None:
            if self.bar.total != total:
                self.bar.total = total
            self.bar.n = done
            self.bar.refresh()
        elif self.how:
            print(f"{self.desc}: {done}/{total} done", file=sys.stderr, flush=True)

    def stderr_line(self, line: str) -> None:
        """Feed one stderr line of a sweep (LAMCAP_PROGRESS=lines)."""
        m = _UNITS.search(line)
        if m:
            self.update(int(m.group(1)), int(m.group(2)))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def contiguous_runs(seeds: Iterable[int]) -> list[tuple[int, int]]:
    """Seeds as inclusive (first, last) runs of consecutive integers, in order."""
    runs: list[tuple[int, int]] = []
    for s in seeds:
        s = int(s)
        if runs and s == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], s)
        else:
            runs.append((s, s))
    return runs
