"""Verdict sweeps (sweep(at=...)), merge, and the documented seeds and margin semantics."""

import json

import numpy as np
import pytest

import lamcap
from conftest import cli


def rows(records):
    """Records (DataFrame or structured array) as a list of dicts."""
    if hasattr(records, "to_dict"):
        return records.to_dict("records")
    return [{k: r[k].item() if hasattr(r[k], "item") else r[k] for k in records.dtype.names} for r in records]


def key(r):
    return (int(r["d"]), r["model"], int(r["seed"]))


# p0 per (d, model): inside the seeds' p* range, so both verdicts occur.
AT = {(6, "coupled"): 15, (6, "decoupled"): 13, (8, "coupled"): 22, (8, "decoupled"): 21}


def test_verdict_sweep_agrees_with_threshold(tmp_path, monkeypatch):
    sw = lamcap.sweep(d=[6, 8], seeds=6, at=AT, out=tmp_path / "v", workers=1, progress=False)
    recs = rows(sw.records)
    # Without pandas, the structured array has the same verdicts.
    with monkeypatch.context() as m:
        m.setitem(__import__("sys").modules, "pandas", None)
        st = lamcap.read_records(tmp_path / "v")
    assert isinstance(st, np.ndarray) and st.dtype["p"] == np.int64
    assert sorted(map(key, rows(st))) == sorted(map(key, recs))
    assert {key(r): r["verdict"] for r in rows(st)} == {key(r): r["verdict"] for r in recs}
    assert len(recs) == 24 and sw.summary == {} and sw.groups is sw.verdicts
    # The independent check: each instance's full p* search. Storable at p0
    # exactly when p* >= p0 (the instances at p are nested prefixes).
    want = {}
    for (d, model), p0 in AT.items():
        for t in lamcap.threshold(d=d, seeds=range(1, 7), model=model, progress=False):
            assert t.certified
            want[(d, model, t.seed)] = "storable" if t.p_star >= p0 else "not-storable"
    got = {key(r): r["verdict"] for r in recs}
    assert got == want
    for r in recs:
        assert r["p"] == AT[(r["d"], r["model"])] and r["p_star"] == -1
        assert (r["lower"], r["upper"]) == ((r["p"], 0) if r["verdict"] == "storable" else (0, r["p"]))
    # Both verdicts occur in every group, and the counts are the records'.
    for g in sw.verdicts:
        mine = [v for k, v in got.items() if k[:2] == (g["d"], g["model"])]
        assert g["p"] == AT[(g["d"], g["model"])]
        assert (g["storable"], g["not_storable"], g["undecided"]) == (
            mine.count("storable"), mine.count("not-storable"), 0)
        assert g["storable"] > 0 and g["not_storable"] > 0
    # The same as lamcap sweep --at (string form too), and a resume recomputes nothing.
    ref = json.loads(cli("sweep", "--d", "6,8", "--seeds", 6, "--out", tmp_path / "ref", "--quiet", "--json", "--at",
                         "6:coupled=15,6:decoupled=13,8:coupled=22,8:decoupled=21").stdout)
    strip = lambda gs: [{k: v for k, v in g.items() if not k.startswith("mean_")} for g in gs]
    assert strip(ref) == strip(sw.verdicts)
    calls = []
    again = lamcap.sweep(d=[6, 8], seeds=6, at=AT, out=tmp_path / "v", progress=lambda *a: calls.append(a))
    assert calls == [(24, 24)] and strip(again.verdicts) == strip(sw.verdicts)


def test_verdict_sweep_at_forms(tmp_path):
    # MODEL=P at every d; the models default to the dict's keys.
    sw = lamcap.sweep(d=6, seeds=range(3, 5), at={"coupled": 12}, out=tmp_path / "a", progress=False)
    assert sorted((r["model"], r["seed"], r["verdict"]) for r in rows(sw.records)) == [
        ("coupled", 3, "storable"), ("coupled", 4, "storable")]  # p* = 12, 13 (threshold)
    # lamcap's own string, with models given.
    sw = lamcap.sweep(d=6, seeds=2, models="decoupled", at="decoupled=15", out=tmp_path / "b", progress=False)
    assert sorted(r["verdict"] for r in rows(sw.records)) == ["not-storable", "storable"]  # p* = 13, 15
    for bad in ({}, {"coupled": 1.5}, {"coupled": True}, {(6,): 12}, [("coupled", 12)]):
        with pytest.raises(ValueError, match="at"):
            lamcap.sweep(d=6, seeds=2, at=bad, out=tmp_path / "bad", progress=False)
    with pytest.raises(ValueError, match="no verdict point"):  # lamcap's message
        lamcap.sweep(d=6, seeds=2, models=["coupled", "decoupled"], at={"coupled": 12}, out=tmp_path / "c",
                     progress=False)


def _same_records(a, b):
    fields = ("d", "model", "seed", "p_star", "certified", "lower", "upper")
    pick = lambda recs: sorted(tuple(r[f] for f in fields) for r in rows(recs))
    assert pick(a) == pick(b)


def test_merge_two_shards_equals_one_run(tmp_path):
    grid = dict(d=6, seeds=4, models="coupled", workers=1, progress=False)  # p* sweeps plot: one d
    one = lamcap.sweep(**grid, out=tmp_path / "one")
    assert "verdict" not in rows(one.records)[0] and one.verdicts is None and one.groups == one.summary["groups"]
    s1 = lamcap.sweep(**grid, shard="1/2", out=tmp_path / "s1")
    s2 = lamcap.sweep(**grid, shard="2/2", out=tmp_path / "s2")
    assert len(s1.records) == len(s2.records) == 2
    m = lamcap.merge([tmp_path / "s1", str(tmp_path / "s2")], out=tmp_path / "m")
    assert m.out == tmp_path / "m" and len(m.records) == 4 and m.verdicts is None
    _same_records(m.records, one.records)
    timing = lambda gs: [{k: v for k, v in g.items() if "seconds" not in k and "iterations" not in k} for g in gs]
    assert timing(m.groups) == timing(one.groups) and m.summary["groups"]
    assert m.summary == json.loads((tmp_path / "m" / "summary.json").read_text())
    # A verdict sweep's shards merge to its single run too.
    vgrid = dict(d=6, seeds=6, at={"coupled": 15, "decoupled": 13}, workers=1, progress=False)
    vone = lamcap.sweep(**vgrid, out=tmp_path / "vone")
    for k in (1, 2):
        lamcap.sweep(**vgrid, shard=f"{k}/2", out=tmp_path / f"v{k}")
    vm = lamcap.merge([tmp_path / "v1", tmp_path / "v2"], out=tmp_path / "vm")
    assert timing(vm.verdicts) == timing(vone.verdicts) and vm.summary == {}
    assert sorted((key(r), r["verdict"]) for r in rows(vm.records)) == sorted(
        (key(r), r["verdict"]) for r in rows(vone.records))
    # Shards of different grids, or out among the inputs: lamcap's ValueError.
    with pytest.raises(ValueError):
        lamcap.merge([tmp_path / "s1", tmp_path / "v1"], out=tmp_path / "bad")
    with pytest.raises(ValueError):
        lamcap.merge([tmp_path / "s1", tmp_path / "s2"], out=tmp_path / "s1")
    with pytest.raises(ValueError, match="no sweep directories"):
        lamcap.merge([], out=tmp_path / "none")


def test_seeds_semantics_and_margin_docs(tmp_path):
    """seeds=N is seed N alone for threshold and margin, seeds 1..N for sweep
    (as the CLI); the docs say so, and margin_at_p_star is not called t*."""
    (t,) = lamcap.threshold(d=6, seeds=3, progress=False)
    assert t.seed == 3 and lamcap.margin(d=6, p=8, seeds=3).seed == 3
    sw = lamcap.sweep(d=6, seeds=3, models="coupled", out=tmp_path / "s", progress=False)
    assert sorted(int(s) for s in sw.records["seed"]) == [1, 2, 3]
    for f in (lamcap.threshold, lamcap.margin):
        assert "seed N alone" in " ".join(f.__doc__.split())
    assert "seeds 1..N" in lamcap.sweep.__doc__
    assert "t* at p*" not in lamcap.threshold.__doc__
    assert "not a certified" in " ".join(lamcap.Threshold.__doc__.split())
    # The certified smallest margin is a field, the record's.
    assert t.storable_min_margin == t.record["storable_min_margin"] > 0


def test_vocabulary_parameters(tmp_path):
    """vocab= and answers= reach lamcap: model='vocabulary' with vocab=4 is the
    model 'vocabulary-4-uniform', and the user's words with answer indices
    (answers=array) give the seeded instance's p*, kappa and verdict."""
    ref = lamcap.threshold(d=6, seeds=range(1, 4), model="vocabulary-4-uniform", progress=False)
    got = lamcap.threshold(d=6, seeds=range(1, 4), model="vocabulary", vocab=4, answers="uniform", progress=False)
    assert [t.p_star for t in got] == [t.p_star for t in ref] and {t.model for t in got} == {"vocabulary-4-uniform"}
    inst = lamcap.instance(d=6, p=40, seed=1, model="vocabulary", vocab=4)
    assert inst.metadata["model"] == "vocabulary-4-uniform" and inst.words.shape == (4, 6)
    (t,) = lamcap.threshold(inputs=inst.X, targets=inst.words, answers=inst.answers, model="vocabulary", progress=False)
    assert t.certified and t.p_star == ref[0].p_star and t.seed is None
    p = t.p_star
    m = lamcap.margin(inputs=inst.X[:p], targets=inst.words, answers=inst.answers[:p], model="vocabulary")
    assert m.kappa_lower == lamcap.margin(d=6, p=p, seeds=1, model="vocabulary-4-uniform").kappa_lower
    s = lamcap.solve(inputs=inst.X[:p + 1], targets=inst.words, answers=inst.answers[:p + 1], model="vocabulary")
    assert s.verdict == "not-storable" and s.certified
    # verify finds the answers again (lamcap verify has no --answers flag).
    assert lamcap.verify(s).holds
    kw = dict(inputs=inst.X[:p + 1], targets=inst.words)
    assert lamcap.verify(s.certificate, answers=inst.answers[:p + 1], **kw).holds
    wrong = inst.answers[:p + 1].copy()
    wrong[0] = (wrong[0] + 1) % 4
    bad = lamcap.verify(s.certificate, answers=wrong, **kw)  # not the certificate's instance
    assert not bad.holds and "sha256" in bad.message
    with pytest.raises(ValueError, match="integer"):
        lamcap.threshold(inputs=inst.X, targets=inst.words, answers=inst.answers * 1.0, model="vocabulary")
    sw = lamcap.sweep(d=6, seeds=2, models="vocabulary", vocab=[4, 8], answers=["uniform", "zipf:1"],
                      out=tmp_path / "voc", workers=1, progress=False)
    assert {g["model"] for g in sw.groups} == {"vocabulary-4-uniform", "vocabulary-4-zipf1",
                                               "vocabulary-8-uniform", "vocabulary-8-zipf1"}
