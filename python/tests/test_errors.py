"""lamcap's errors become ValueError (exit status 2) and RuntimeError (exit 1)
carrying its one-line message."""

import numpy as np
import pytest

import lamcap


@pytest.mark.parametrize("call, match", [
    (lambda: lamcap.solve(d=1, p=4), r"^lamcap solve: --d must be at least 2"),
    (lambda: lamcap.solve(d=10, p=1), "--p must be at least 2"),
    (lambda: lamcap.solve(d=6, p=8, model="hopfield"), "--model"),
    (lambda: lamcap.solve(d=6, p=8, solver="cplex"), "--solver"),
    (lambda: lamcap.solve(d=6, p=8, eps=2), "--eps"),
    (lambda: lamcap.solve(d=6, p=8, seed=-1), "--seed"),
    (lambda: lamcap.solve(d=6.5, p=8), "invalid argument"),
    (lambda: lamcap.threshold(d=1, seeds=1, progress=False), "--d"),
    (lambda: lamcap.threshold(d=6, seeds=[], progress=False), "no seeds"),
    (lambda: lamcap.theory(d=[]), "no dimensions"),
    (lambda: lamcap.theory(d=8, kappa=-1), "kappa"),
    (lambda: lamcap.margin(d=6, p=1), "--p"),
    (lambda: lamcap.instance(d=0, p=4), "--d"),
    (lambda: lamcap.sweep(d=6, seeds=[1, 3], out="unused", progress=False), "consecutive"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match) as e:
        call()
    assert "\n" not in str(e.value)


def test_bad_arrays():
    X, Y, _ = lamcap.instance(d=6, p=8, seed=1)
    cases = [
        (dict(inputs=X), "go together"),
        (dict(inputs=X.astype(np.int64), targets=Y), "unsupported dtype"),
        (dict(inputs=np.where(X > 1, np.nan, X), targets=Y), "NaN"),
        (dict(inputs=X[:, :5], targets=Y), "must match|shape"),
        (dict(inputs=X[0], targets=Y[0]), "two dimensions"),
        (dict(inputs=np.array([["a"]], dtype=object), targets=Y), "dtype object"),
        (dict(inputs=np.ma.masked_array(X), targets=Y), "masked array"),
        (dict(inputs=X, targets=Y, p=9), "exceeds"),
        (dict(inputs=X, targets=Y, layout="diagonal"), "--layout"),
        (dict(inputs=X, targets=Y, seed=3), "--seed does not apply"),
        (dict(inputs=X, targets=Y, model="decoupled"), "coupled model only"),
    ]
    for kw, match in cases:
        with pytest.raises(ValueError, match=match) as e:
            lamcap.solve(**kw)
        assert "\n" not in str(e.value)


def test_sweep_refuses_foreign_directory(tmp_path):
    (tmp_path / "mine.txt").write_text("not a sweep")
    with pytest.raises(ValueError, match="lamcap sweep"):
        lamcap.sweep(d=6, seeds=2, out=tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]  # nothing written


def test_failures_are_runtime_errors(tmp_path, monkeypatch):
    # The verdict stands but the certificate cannot be written: exit status 1.
    (tmp_path / "f").write_text("a file, not a directory")
    with pytest.raises(RuntimeError, match=r"^lamcap solve: error: .*certificate") as e:
        lamcap.solve(d=6, p=8, seed=1, certificate=tmp_path / "f" / "c.json")
    assert "\n" not in str(e.value)
    monkeypatch.setenv("LAMCAP_BIN", str(tmp_path / "nope"))
    with pytest.raises(RuntimeError, match="LAMCAP_BIN"):
        lamcap.version()
