"""solve, instance, verify and margin against the CLI and independent NumPy checks."""

import json

import numpy as np
import pytest

import lamcap
from conftest import cli, cli_json

EPS = 1e-6  # lamcap's default not-storable tolerance


def margins(X, Y, C, W):
    """Every margin y_mu^T W x_mu - c^T W x_mu (c over the competitors, c != y_mu), in NumPy."""
    p = X.shape[0]
    WX = X @ W.T  # row mu: W x_mu
    own = np.einsum("md,md->m", Y, WX)
    comp = np.einsum("mvd,md->mv", C, WX)
    off = ~np.eye(p, dtype=bool)
    return (own[:, None] - comp)[off]


def residual(X, Y, C, rows, weights):
    """|A^T lambda|_1 / sum(lambda): row (mu, v) of A is (y_mu - c_(mu,v)) x_mu^T."""
    mu, v = rows[:, 0], rows[:, 1]
    G = np.einsum("k,ki,kj->ij", weights, Y[mu] - C[mu, v], X[mu])
    return np.abs(G).sum() / weights.sum()


def test_solve_storable_matches_cli_and_numpy():
    r = lamcap.solve(d=10, p=32, seed=1)
    ref = cli_json("solve", "--d", 10, "--p", 32, "--seed", 1)[0]
    assert r.verdict == ref["verdict"] == "storable"
    assert r.certified and r.margin == ref["margin"] and r.t_star == r.margin
    for k in ("rows", "iterations", "attempts", "solver", "model", "embedding", "seed"):
        assert getattr(r, k) == ref[k], k
    assert r.W.shape == (10, 10) and r.W.dtype == np.float64
    assert np.abs(r.W).max() <= 1 + 1e-12  # the box
    assert np.array_equal(r.W, np.array(r.certificate["w"]))
    X, Y, C = lamcap.instance(d=10, p=32, seed=1)
    m = margins(X, Y, C, r.W)
    assert m.shape == (32 * 31,) and m.min() > 0
    assert m.min() == pytest.approx(ref["certificate"]["w_min_margin"], rel=1e-9)
    assert r.lambda_rows is None
    assert "verdict='storable'" in repr(r) and "W=<10x10 float64>" in repr(r)


def test_solve_not_storable_lambda_certifies():
    r = lamcap.solve(d=10, p=32, seed=2)
    assert r.verdict == "not-storable" and r.certified and r.W is None
    k = len(r.certificate["lambda"])
    assert r.lambda_rows.shape == (k, 2) and r.lambda_rows.dtype == np.int64 and r.lambda_weights.shape == (k,)
    assert [[l["mu"], l["v"]] for l in r.certificate["lambda"]] == r.lambda_rows.tolist()
    assert (r.lambda_weights >= 0).all()
    X, Y, C = lamcap.instance(d=10, p=32, seed=2)
    assert residual(X, Y, C, r.lambda_rows, r.lambda_weights) <= EPS
    # The same weights on shuffled rows do not certify: the check could fail.
    assert residual(X, Y, C, r.lambda_rows[::-1], r.lambda_weights) > EPS


def test_user_arrays_give_the_same_verdict_and_W():
    X, Y, C = lamcap.instance(d=10, p=32, seed=1)
    a = lamcap.solve(d=10, p=32, seed=1)
    b = lamcap.solve(inputs=X, targets=Y)
    assert (b.verdict, b.d, b.p, b.embedding) == (a.verdict, 10, 32, "user")
    assert np.array_equal(a.W, b.W) and b.seed is None
    c = lamcap.solve(inputs=np.asfortranarray(X), targets=np.asfortranarray(Y))
    assert np.array_equal(a.W, c.W)
    t = lamcap.solve(inputs=X.T.copy(), targets=Y.T.copy(), layout="columns")
    assert np.array_equal(a.W, t.W)
    # float32, C or Fortran order: the same rounded numbers, the same W.
    f = lamcap.solve(inputs=X.astype(np.float32), targets=Y.astype(np.float32))
    g = lamcap.solve(inputs=np.asfortranarray(X.astype(np.float32)), targets=np.asfortranarray(Y.astype(np.float32)))
    assert f.verdict == "storable" and np.array_equal(f.W, g.W)
    # p selects a prefix: the nested instance of the seed.
    h = lamcap.solve(inputs=X, targets=Y, p=20)
    assert np.array_equal(h.W, lamcap.solve(d=10, p=20, seed=1).W)


def test_instance_matches_cli_files(tmp_path):
    inst = lamcap.instance(d=6, p=9, seed=4)
    cli("instance", "--d", 6, "--p", 9, "--seed", 4, "-o", tmp_path / "c")
    assert np.array_equal(inst.X, np.load(tmp_path / "c" / "X.npy"))
    assert np.array_equal(inst.Y, np.load(tmp_path / "c" / "Y.npy"))
    assert inst.metadata == json.loads((tmp_path / "c" / "metadata.json").read_text())
    X, Y, C = inst
    assert C.shape == (9, 9, 6) and all(np.array_equal(C[mu], Y) for mu in range(9))
    assert (inst.d, inst.p) == (6, 9) and "seed=4" in repr(inst)
    dec = lamcap.instance(d=6, p=9, seed=4, model="decoupled")
    cli("instance", "--d", 6, "--p", 9, "--seed", 4, "--model", "decoupled", "-o", tmp_path / "d")
    assert np.array_equal(dec.competitors, np.load(tmp_path / "d" / "competitors.npy"))
    assert all(np.array_equal(dec.competitors[mu, mu], dec.Y[mu]) for mu in range(9))
    assert not np.array_equal(dec.competitors[0, 1], dec.Y[1])  # fresh draws
    # A decoupled verdict's W satisfies the decoupled margins.
    r = lamcap.solve(d=6, p=9, seed=4, model="decoupled")
    assert r.verdict == "storable" and margins(dec.X, dec.Y, dec.competitors, r.W).min() > 0


def test_instance_vocabulary(tmp_path):
    # Y.npy holds the V x d words and answers.npy the p answers: Y was the
    # 4 x d words and competitors a 4 x 4 x d broadcast, answers ignored.
    v = lamcap.instance(d=8, p=20, seed=1, model="vocabulary-4-uniform")
    cli("instance", "--d", 8, "--p", 20, "--seed", 1, "--model", "vocabulary", "--vocab", 4, "-o", tmp_path / "v")
    words, answers = np.load(tmp_path / "v" / "Y.npy"), np.load(tmp_path / "v" / "answers.npy")
    assert np.array_equal(v.words, words) and np.array_equal(v.answers, answers)
    assert v.X.shape == v.Y.shape == (20, 8) and v.competitors.shape == (20, 4, 8)
    assert np.array_equal(v.Y, words[answers]) and np.array_equal(v.competitors[7], words)
    # The certified W stores it: y_mu scores above the V - 1 other words.
    r = lamcap.solve(d=8, p=20, seed=1, model="vocabulary-4-uniform")
    scores = np.einsum("mvd,md->mv", v.competitors, v.X @ r.W.T)
    own = scores[np.arange(20), answers]
    other = np.ones_like(scores, dtype=bool)
    other[np.arange(20), answers] = False
    assert r.verdict == "storable" and (own[:, None] - scores)[other].min() > 0


def test_verify(tmp_path):
    a = lamcap.solve(d=10, p=32, seed=1, certificate=tmp_path / "c.json")
    assert json.loads((tmp_path / "c.json").read_text()) == a.certificate
    for cert in (a, a.certificate, tmp_path / "c.json", str(tmp_path / "c.json")):
        v = lamcap.verify(cert)
        assert v and v.holds and v.verdict == "storable" and "certificate holds" in v.message
    n = lamcap.verify(lamcap.solve(d=10, p=32, seed=2), eps=1e-9)
    assert n.holds and n.verdict == "not-storable" and n.eps == 1e-9
    X, Y, _ = lamcap.instance(d=10, p=32, seed=1)
    u = lamcap.solve(inputs=X, targets=Y)
    assert lamcap.verify(u).holds  # the user's arrays travel with the result
    # d x p arrays: the certificate names the layout (verify passed --layout,
    # which lamcap verify does not take, and raised ValueError).
    c = lamcap.solve(inputs=X.T.copy(), targets=Y.T.copy(), layout="columns")
    assert lamcap.verify(c).holds
    assert lamcap.verify(c.certificate, inputs=X.T.copy(), targets=Y.T.copy()).holds
    # A W that does not store the instance: verify says so (no exception).
    bad = dict(a.certificate, w=(-np.array(a.certificate["w"])).tolist())
    v = lamcap.verify(bad)
    assert not v and not v.holds and v.message.startswith("lamcap verify: error:")
    # A certificate naming another instance is rejected; not a certificate at all is bad input.
    other = dict(a.certificate, instance=dict(a.certificate["instance"], seed=2))
    v = lamcap.verify(other)
    assert not v.holds and "sha256" in v.message
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match="not a lamcap certificate|format"):
        lamcap.verify(tmp_path / "x.json")
    with pytest.raises(ValueError, match="no certificate"):
        lamcap.verify(lamcap.Solve(d=2, p=2, verdict="undecided", certified=False, margin=0.0))


def test_margin_matches_cli():
    one = lamcap.margin(d=10, p=24, seeds=1)
    ref = cli_json("margin", "--d", 10, "--p", 24, "--seeds", "1:2")
    drop = lambda r: {k: v for k, v in r.items() if k != "seconds"}
    assert isinstance(one, lamcap.Margin) and drop(one.record) == drop(ref[0])
    assert one.kappa_lower <= one.kappa <= one.kappa_upper and one.certified
    two = lamcap.margin(d=10, p=24, seeds=range(1, 3))
    assert [drop(m.record) for m in two] == [drop(r) for r in ref]
    # kappa* bounds every memory's margin: the LP's W, scaled to |W|_F = d, does no better.
    r = lamcap.solve(d=10, p=24, seed=1)
    X, Y, C = lamcap.instance(d=10, p=24, seed=1)
    W = r.W * 10 / np.linalg.norm(r.W)
    assert margins(X, Y, C, W).min() <= one.kappa_upper * (1 + 1e-9)
    X, Y, _ = lamcap.instance(d=10, p=24, seed=1)
    u = lamcap.margin(inputs=X, targets=Y)
    assert u.kappa == pytest.approx(one.kappa, rel=1e-9)


def test_theory_and_version_match_cli():
    t = lamcap.theory(d=10)
    ref = cli_json("theory", "--d", "8,10")
    assert isinstance(t, lamcap.Theory) and t.record == ref[1] and t.p_c_finite == ref[1]["p_c_finite"]
    ts = lamcap.theory(d=[8, 10])
    assert [x.record for x in ts] == ref
    k = lamcap.theory(d=8, kappa=0.3)
    assert k.kappa == 0.3 and k.p_c_finite < ts[0].p_c_finite  # a margin lowers the capacity
    h = lamcap.theory(d=8, hidden=4)
    assert h.n_unknowns == 32 and h.hidden == 4
    v = lamcap.version()
    out = cli("version").stdout
    assert v.lamcap == out.splitlines()[0] and v.revision in out and v.highs.startswith("1.")
    assert v.binary == lamcap.binary()
