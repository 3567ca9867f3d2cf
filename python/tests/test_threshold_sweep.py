"""threshold, sweep, read_records, progress and Ctrl-C."""

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

import lamcap
from conftest import cli, cli_json


def test_threshold_readme_values_and_cli_agreement():
    ts = lamcap.threshold(d=10, seeds=range(1, 5), progress=False)
    assert [t.p_star for t in ts] == [33, 30, 35, 30]  # README's table
    assert all(t.certified and t.upper == t.p_star + 1 for t in ts)
    ref = cli_json("threshold", "--d", 10, "--seeds", "1:4")
    drop = lambda r: {k: v for k, v in r.items() if k not in ("seconds", "iterations")}
    assert [drop(t.record) for t in ts] == [drop(r) for r in ref]
    assert "p_star=33" in repr(ts[0])
    # Seeds in any order, one seed alone.
    assert [t.seed for t in lamcap.threshold(d=10, seeds=[4, 2], progress=False)] == [4, 2]
    assert lamcap.threshold(d=10, seeds=3, progress=False)[0].p_star == 35


def test_threshold_user_arrays():
    X, Y, _ = lamcap.instance(d=10, p=60, seed=1)
    (t,) = lamcap.threshold(inputs=X, targets=Y, progress=False)
    assert t.p_star == 33 and t.certified
    assert t.seed is None and "seed" not in repr(t)  # was seed 1, lamcap's default
    m = lamcap.margin(inputs=X[:24], targets=Y[:24])
    assert m.seed is None and m.kappa_lower == lamcap.margin(d=10, p=24, seeds=1).kappa_lower


def test_sweep_records_and_resume(tmp_path, no_pandas):
    out = tmp_path / "s"
    calls = []
    sw = lamcap.sweep(d=[6, 8], seeds=3, models="coupled", out=out, workers=1,
                      progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 6) and calls[-1] == (6, 6) and len(calls) == 7
    assert isinstance(sw.records, np.ndarray) and len(sw.records) == 6  # no pandas: structured array
    assert sw.records.dtype["p_star"] == np.int64 and sw.records.dtype["certified"] == np.bool_
    g = {(x["d"], x["model"]): x for x in sw.groups}
    assert set(g) == {(6, "coupled"), (8, "coupled")} and g[(6, "coupled")]["instances"] == 3
    assert sw.summary == json.loads((out / "summary.json").read_text())
    th = lamcap.threshold(d=8, seeds=range(1, 4), progress=False)
    rec8 = sw.records[sw.records["d"] == 8]
    assert sorted(rec8["p_star"]) == sorted(t.p_star for t in th)
    assert np.median(rec8["p_star"]) == g[(8, "coupled")]["p_c"]
    # Re-running resumes: nothing is recomputed.
    calls.clear()
    again = lamcap.sweep(d=[6, 8], seeds=3, models="coupled", out=out, workers=1,
                         progress=lambda done, total: calls.append((done, total)))
    assert calls == [(6, 6)] and again.summary["groups"] == sw.summary["groups"]


def test_read_records_dataframe_and_structured(tmp_path, monkeypatch):
    pd = pytest.importorskip("pandas")
    out = tmp_path / "s"
    lamcap.sweep(d=6, seeds=range(2, 5), models=["coupled", "decoupled"], out=out, workers=1, progress=False)
    df = lamcap.read_records(out)
    assert isinstance(df, pd.DataFrame) and len(df) == 6 and set(df["seed"]) == {2, 3, 4}
    assert list(df.columns[:3]) == ["d", "model", "seed"] and (df["source"] == str(out)).all()
    # A torn last line (a kill mid-write) is skipped with a warning.
    with open(out / "records.jsonl", "a") as f:
        f.write('{"d":6,"model":"coup')
    with pytest.warns(UserWarning, match="line 7"):
        both = lamcap.read_records([out, out])
    assert len(both) == 12
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    with pytest.warns(UserWarning):
        st = lamcap.read_records(out)
    assert isinstance(st, np.ndarray) and list(st["p_star"]) == list(df["p_star"])
    assert list(st["model"]) == list(df["model"])
    with pytest.raises(ValueError, match="no such records file"):
        lamcap.read_records(tmp_path / "nothing")


def test_progress_tqdm_and_lines(tmp_path, capfd, monkeypatch):
    pytest.importorskip("tqdm")
    lamcap.sweep(d=6, seeds=2, models="coupled", out=tmp_path / "a", workers=1, progress=True)
    err = capfd.readouterr().err
    assert "lamcap sweep a" in err and "2/2" in err and "units done" not in err  # a tqdm bar
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)
    lamcap.sweep(d=6, seeds=2, models="coupled", out=tmp_path / "b", workers=1, progress=True)
    lines = capfd.readouterr().err.splitlines()
    assert lines == ["lamcap sweep b: 0/2 done", "lamcap sweep b: 1/2 done", "lamcap sweep b: 2/2 done"]
    lamcap.threshold(d=8, seeds=range(1, 3), progress=True)
    assert capfd.readouterr().err.splitlines() == ["lamcap threshold d=8: 1/2 done", "lamcap threshold d=8: 2/2 done"]
    lamcap.sweep(d=6, seeds=2, models="coupled", out=tmp_path / "c", workers=1, progress=False)
    assert capfd.readouterr().err == ""


def test_keyboard_interrupt_stops_the_sweep_and_it_resumes(tmp_path):
    """Ctrl-C as a terminal or Jupyter delivers it: SIGINT to Python once the first
    instance is recorded (no sleep: the progress line after it triggers it)."""
    out = tmp_path / "s"
    grid = dict(d=12, seeds=8, models="coupled", out=out, workers=1)

    def interrupt(done, total):
        if done >= 1:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        lamcap.sweep(**grid, progress=interrupt)
    kept = [json.loads(l) for l in (out / "records.jsonl").read_text().splitlines()]
    assert 1 <= len(kept) < 8, "the child stopped before the grid was done"
    # The child has exited and released the directory: resuming works at once,
    # starts from what was kept, and recomputes nothing.
    calls = []
    sw = lamcap.sweep(**grid, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (len(kept), 8) and calls[-1] == (8, 8)
    assert len(sw.records) == 8 and sorted(sw.records["seed"]) == list(range(1, 9))
    lines = [json.loads(l) for l in (out / "records.jsonl").read_text().splitlines()]
    assert lines[: len(kept)] == kept
    ref = {t.seed: t.p_star for t in lamcap.threshold(d=12, seeds=range(1, 9), progress=False)}
    assert {int(s): int(p) for s, p in zip(sw.records["seed"], sw.records["p_star"])} == ref


def test_keyboard_interrupt_stops_threshold():
    def interrupt(done, total):
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        lamcap.threshold(d=12, seeds=range(1, 30), progress=interrupt)


def test_read_records_fills_kappa_and_eps_of_older_records(tmp_path):
    """Records written before lamcap named kappa and eps in each line take their
    directory's grid.json, as lamcap reads them: the committed kappa = 1 records
    must not read as kappa = 0 ones once out of their folder."""
    root = Path(__file__).resolve().parents[2] / "docs" / "data" / "kappa"
    st = lamcap.read_records([root / "k1", root / "k0.5"])
    if hasattr(st, "to_records"):
        st = st.to_records(index=False)
    want = {str(root / "k1"): 1.0, str(root / "k0.5"): 0.5}
    assert len(st) > 0 and sorted(set(st["source"])) == sorted(want)
    for src, kappa in want.items():
        rows = st[st["source"] == src]
        assert (rows["kappa"] == kappa).all() and (rows["eps"] == 1e-6).all()
    # A record that names its own kappa keeps it; a directory without grid.json
    # adds nothing.
    d = tmp_path / "s"
    d.mkdir()
    line = json.loads((root / "k1" / "records.jsonl").read_text().splitlines()[0])
    (d / "grid.json").write_text((root / "k1" / "grid.json").read_text())
    (d / "records.jsonl").write_text(json.dumps(dict(line, kappa=0.25)) + "\n")
    assert list(lamcap.read_records(d)["kappa"]) == [0.25]
    (d / "grid.json").unlink()
    (d / "records.jsonl").write_text(json.dumps(line) + "\n")
    r = lamcap.read_records(d)
    assert "kappa" not in (list(r.columns) if hasattr(r, "columns") else list(r.dtype.names))


def test_sweep_takes_numpy_dimensions(tmp_path):
    # d = np.arange(...) was passed to lamcap as "[6 8]" and refused.
    sw = lamcap.sweep(d=np.arange(6, 9, 2), seeds=np.arange(1, 3), models="coupled", out=tmp_path / "s", progress=False)
    assert [(g["d"], g["instances"]) for g in sw.summary["groups"]] == [(6, 2), (8, 2)]
    ref = json.loads(cli("sweep", "--d", "6,8", "--seeds", "1:2", "--model", "coupled", "--out", tmp_path / "ref", "--quiet", "--json").stdout)
    assert [g["p_c"] for g in sw.summary["groups"]] == [g["p_c"] for g in ref["groups"]]
