"""The functions of the package, one per lamcap command, in the CLI's names."""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from numbers import Integral
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

import numpy as np

from . import _cli
from ._results import Instance, Margin, Solve, Sweep, Theory, Threshold, Verification, Version, _from_record

__all__ = ["solve", "threshold", "sweep", "merge", "read_records", "theory", "instance", "verify", "margin", "version"]

PathLike = Union[str, os.PathLike]


def _flags(**kw) -> list[str]:
    """CLI flags for the arguments given (None: left to lamcap's default)."""
    out: list[str] = []
    for k, v in kw.items():
        if v is None:
            continue
        out += ["--" + k.replace("_", "-"), _value(v)]
    return out


def _value(v) -> str:
    if isinstance(v, bool):
        raise ValueError(f"a flag value cannot be a bool ({v})")
    if isinstance(v, np.ndarray):  # np.arange(6, 13, 2) as d: a list, not "[ 6  8 10 12]"
        v = v.tolist()
    if isinstance(v, (list, tuple, range)):
        return ",".join(map(_value, v))
    return str(v)


def _user_files(tmp: str, inputs, targets, layout) -> list[str]:
    """Saves the user's arrays as .npy (as they are: float32 or float64, C or
    Fortran order; lamcap refuses anything else with a one-line message)."""
    if inputs is None and targets is None:
        return []
    if inputs is None or targets is None:
        raise ValueError("inputs and targets go together")
    files = []
    for name, a in (("inputs", inputs), ("targets", targets)):
        a = np.asanyarray(a)
        if isinstance(a, np.ma.MaskedArray):  # np.save raised NotImplementedError
            raise ValueError(f"{name}: a masked array; fill it (a.filled(...)) or drop the masked rows first")
        if a.dtype == object:
            raise ValueError(f"{name}: an array of numbers is needed (float32 or float64), got dtype object")
        path = os.path.join(tmp, name + ".npy")
        np.save(path, a, allow_pickle=False)
        files += ["--" + name, path]
    return files + _flags(layout=layout)


def _seed_runs(seeds) -> list[tuple[int, int]]:
    """seeds as runs of consecutive integers: an int is one seed, else an iterable."""
    if isinstance(seeds, Integral):
        seeds = [int(seeds)]
    runs = _cli.contiguous_runs(seeds)
    if not runs:
        raise ValueError("seeds: no seeds given")
    return runs


def _vocab_flags(tmp: str, vocab, answers) -> list[str]:
    """--vocab and --answers of a vocabulary model: answers is a law ('uniform',
    'balanced', 'zipf:S') or, with the user's inputs and words, an array of p
    answer indices (saved as .npy)."""
    out = _flags(vocab=vocab)
    if answers is None:
        return out
    if isinstance(answers, str):
        return out + ["--answers", answers]
    a = np.asarray(answers)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"answers: a law ('uniform', 'balanced', 'zipf:S') or an array of integer "
                         f"answer indices, got dtype {a.dtype}")
    path = os.path.join(tmp, "answers.npy")
    np.save(path, a.astype(np.int64), allow_pickle=False)
    return out + ["--answers", path]


def _solver_flags(solver, eps, time_limit, rows=None) -> list[str]:
    return _flags(solver=solver, rows=rows, eps=eps, time_limit=time_limit)


def solve(d: Optional[int] = None, p: Optional[int] = None, seed: Optional[int] = None, *,
          model: Optional[str] = None, embedding: Optional[str] = None,
          inputs=None, targets=None, layout: Optional[str] = None,
          vocab: Optional[int] = None, answers=None,
          formulation: Optional[str] = None, solver: Optional[str] = None, rows: Optional[str] = None,
          eps: Optional[float] = None, time_limit: Optional[float] = None,
          certificate: Optional[PathLike] = None) -> Solve:
    """Decide whether one instance is storable, with a certificate checked outside the solver.

    Parameters
    ----------
    d, p, seed : int
        The random instance: dimension, number of associations, seed.
    model : {'coupled', 'decoupled', 'vocabulary-V-ANSWERS'}, optional
        (``'vocabulary-4-uniform'``: V = 4 shared answers drawn uniformly.)
    embedding : {'gaussian', 'sphere', 'correlated:RHO'}, optional
    inputs, targets : array_like, optional
        Your own embedding instead (float32 or float64, C or Fortran order),
        p x d (``layout='rows'``, the default) or d x p (``layout='columns'``).
        ``p`` then defaults to all the rows; ``d`` is taken from the arrays.
    vocab : int, optional
        With ``model='vocabulary'``: the number V >= 2 of shared answers
        (words); a full name such as ``'vocabulary-4-uniform'`` needs none.
    answers : str or array_like of int, optional
        With ``model='vocabulary'``: the answer law (``'uniform'``,
        ``'balanced'``, ``'zipf:S'``), or, with your ``inputs``, the p answer
        indices into ``targets``, which then holds the V words.
    formulation : {'margin', 'feasibility'}, optional
    solver : {'auto', 'simplex', 'ipm', 'highs'}, optional
    rows : {'implicit', 'dense', 'lifted'}, optional
    eps : float, optional
        Not-storable tolerance (lamcap's default 1e-6).
    time_limit : float, optional
        Seconds per solve (0: none).
    certificate : path, optional
        Also save the certificate there (for ``lamcap verify`` or :func:`verify`).

    Returns
    -------
    Solve
        The verdict, t*, W (storable) or lambda (not-storable), the solver,
        the seconds and the certificate.

    Raises
    ------
    ValueError
        Bad input (lamcap's exit status 2), with lamcap's one-line message.
    RuntimeError
        A failure (exit status 1).

    Examples
    --------
    >>> r = lamcap.solve(d=10, p=32, seed=1)
    >>> r.verdict, r.W.shape
    ('storable', (10, 10))
    """
    with tempfile.TemporaryDirectory(prefix="lamcap-") as tmp:
        args = ["solve", "--json", "--arrays", os.path.join(tmp, "arrays")]
        args += _flags(d=d, p=p, seed=seed, model=model, embedding=embedding, formulation=formulation)
        args += _user_files(tmp, inputs, targets, layout) + _vocab_flags(tmp, vocab, answers)
        args += _solver_flags(solver, eps, time_limit, rows)
        if certificate is not None:
            args += ["--certificate", os.fspath(certificate)]
        _, out, _ = _cli.run(args)
        rec = json.loads(out.splitlines()[0])
        res = _from_record(Solve, rec)
        if inputs is not None:
            res.seed = None
            ans = None if answers is None or isinstance(answers, str) else np.array(answers)
            res._user = (np.array(inputs), np.array(targets), layout, ans)
        a = Path(tmp, "arrays")
        if (a / "W.npy").exists():
            res.W = np.load(a / "W.npy")
        if (a / "lambda.npy").exists():
            lam = np.load(a / "lambda.npy")
            res.lambda_rows = lam[:, :2].astype(np.int64)
            res.lambda_weights = lam[:, 2].copy()
        if (a / "certificate.json").exists():
            res.certificate = json.loads((a / "certificate.json").read_text())
    return res


def threshold(d: Optional[int] = None, seeds: Union[int, Iterable[int]] = 1, *,
              model: Optional[str] = None, embedding: Optional[str] = None,
              inputs=None, targets=None, layout: Optional[str] = None,
              vocab: Optional[int] = None, answers=None,
              start: Optional[int] = None, solver: Optional[str] = None, rows: Optional[str] = None,
              eps: Optional[float] = None, time_limit: Optional[float] = None,
              progress=True) -> list[Threshold]:
    """The exact critical size p* of each seed's instance.

    Parameters
    ----------
    d : int
    seeds : int or iterable of int
        One seed, or several (``range(1, 5)`` is seeds 1..4). An int N is
        seed N alone, not seeds 1..N as in :func:`sweep` (and ``lamcap sweep
        --seeds N``).
    model, embedding, solver, rows, eps, time_limit : optional
        As for :func:`solve`.
    inputs, targets, layout : optional
        Your own embedding (one instance; its prefixes are the nested instances).
    vocab, answers : optional
        A vocabulary model's, as for :func:`solve`.
    start : int, optional
        First p tried (default: from the finite-size prediction).
    progress : bool or callable
        True: a tqdm bar over the seeds when tqdm is installed, else a line
        per seed on stderr; False: nothing; a callable ``f(done, total)``.

    Returns
    -------
    list of Threshold
        One per seed, in order: p*, whether it is certified, the solver's
        margin at p* (``margin_at_p_star``, not certified; the certified
        smallest margin is ``storable_min_margin``), solves, seconds.

    Examples
    --------
    >>> [t.p_star for t in lamcap.threshold(d=10, seeds=range(1, 5))]
    [33, 30, 35, 30]
    """
    runs = _seed_runs(seeds)
    if inputs is not None:
        runs = runs[:1]
    total = 1 if inputs is not None else sum(b - a + 1 for a, b in runs)
    bar = _cli.Progress(progress, "lamcap threshold " + ("(your arrays)" if inputs is not None else f"d={d}"), total)
    results: list[Threshold] = []
    try:
        with tempfile.TemporaryDirectory(prefix="lamcap-") as tmp:
            user = _user_files(tmp, inputs, targets, layout) + _vocab_flags(tmp, vocab, answers)
            for a, b in runs:
                args = ["threshold", "--json", "--seeds", f"{a}:{b}"] + _flags(
                    d=d, model=model, embedding=embedding, start=start) + user
                args += _solver_flags(solver, eps, time_limit, rows)

                def line(s):
                    if s.strip():
                        results.append(_from_record(Threshold, json.loads(s)))
                        if inputs is not None:  # the user's arrays have no seed (as in solve)
                            results[-1].seed = None
                        bar.update(len(results), total)

                _cli.run(args, on_stdout=line)
    finally:
        bar.close()
    return results


def sweep(d, seeds: Union[int, range, Sequence[int]] = 20, models=None, out: PathLike = "lamcap-out/sweep", *,
          embedding: Optional[str] = None, kappa: Optional[float] = None, workers: Optional[int] = None,
          shard: Optional[str] = None, at=None, vocab=None, answers=None,
          solver: Optional[str] = None, rows: Optional[str] = None,
          eps: Optional[float] = None, time_limit: Optional[float] = None, progress=True) -> Sweep:
    """Critical sizes over a grid of d, models and seeds, saved in a resumable directory.

    With ``at``, a verdict sweep instead: one certified verdict per (d, model,
    seed) at a p fixed per model (``lamcap sweep --at``), no p* search.

    Every finished instance is appended to ``out/records.jsonl`` the moment it
    finishes. Calling ``sweep`` again with the same grid resumes: finished
    instances are skipped. A KeyboardInterrupt stops lamcap cleanly (finished
    work is kept) and is raised again.

    Parameters
    ----------
    d : int, sequence of int (NumPy array too), or str
        Dimensions (``[6, 8, 10]``, ``range(6, 13, 2)``, ``np.arange(6, 13, 2)``
        or lamcap's ``'6:12:2'``).
    seeds : int, range or sequence of consecutive int
        N means seeds 1..N, as ``lamcap sweep --seeds N`` (unlike
        :func:`threshold` and :func:`margin`, where an int N is seed N alone).
    models : str or sequence of str, optional
        ``'coupled'``, ``'decoupled'`` or both (lamcap's default: both), or a
        vocabulary model's full name (``'vocabulary-4-uniform'``).
    out : path
        The sweep directory.
    at : dict or str, optional
        A verdict sweep: the p of each model, ``{'coupled': 30, 'decoupled': 28}``
        (at every d), or per d with ``(d, model)`` keys, ``{(8, 'coupled'): 22}``;
        or lamcap's ``'coupled=30,decoupled=28'``. The models default to the
        keys' models. A resume must give the same points.
    vocab : int, sequence of int or str, optional
        With ``'vocabulary'`` in ``models``: the numbers V of shared answers
        (one model per V and answer law, named ``vocabulary-V-ANSWERS``).
    answers : str or sequence of str, optional
        With ``'vocabulary'`` in ``models``: the answer laws (``'uniform'``,
        ``'balanced'``, ``'zipf:S'``; lamcap's default uniform).
    embedding, kappa, workers, shard, solver, rows, eps, time_limit : optional
        As ``lamcap sweep``'s flags (``shard='K/N'``: one slice of the grid,
        combined by :func:`merge`).
    progress : bool or callable
        True: a tqdm bar over the grid's units when tqdm is installed, else a
        line per finished unit on stderr; False: nothing; a callable
        ``f(done, total)`` (called at the start and after every unit).

    Returns
    -------
    Sweep
        The directory, its ``summary.json`` and its records. A verdict sweep
        has no summary.json: its ``verdicts`` count the verdicts per (d,
        model), and its records have ``p`` and ``verdict`` (``'storable'``,
        ``'not-storable'`` or ``'undecided'``) columns.

    Examples
    --------
    >>> sw = lamcap.sweep(d=6, seeds=6, at={'coupled': 15, 'decoupled': 13}, out='v')
    >>> [(g['model'], g['p'], g['storable'], g['not_storable']) for g in sw.verdicts]
    [('coupled', 15, 4, 2), ('decoupled', 13, 4, 2)]
    """
    if isinstance(seeds, Integral):
        seed_arg = str(int(seeds))
    else:
        runs = _seed_runs(seeds)
        if len(runs) != 1:
            raise ValueError("seeds: a sweep takes consecutive seeds (a range)")
        seed_arg = f"{runs[0][0]}:{runs[0][1]}"
    if isinstance(models, str):
        models = [models]
    if isinstance(d, range):
        d = list(d)
    if isinstance(vocab, range):
        vocab = list(vocab)
    at_arg = _at_flag(at)
    if at_arg is not None and models is None and isinstance(at, dict):
        models = list(dict.fromkeys(k[1] if isinstance(k, tuple) else k for k in at))
    args = ["sweep", "--json", "--out", os.fspath(out), "--seeds", seed_arg]
    args += _flags(d=d, model=models, embedding=embedding, kappa=kappa, workers=workers, shard=shard, at=at_arg,
                   vocab=vocab, answers=answers)
    args += _solver_flags(solver, eps, time_limit, rows)
    if not progress:
        args.append("--quiet")
    bar = _cli.Progress(progress, f"lamcap sweep {os.path.basename(os.fspath(out))}")
    try:
        _, stdout, _ = _cli.run(args, on_stderr=bar.stderr_line, env={"LAMCAP_PROGRESS": "lines"})
    finally:
        bar.close()
    return _sweep_result(out, stdout)


def _at_flag(at) -> Optional[str]:
    """sweep's at as lamcap's --at: MODEL=P or D:MODEL=P, comma separated."""
    if at is None or isinstance(at, str):
        return at
    if not isinstance(at, dict) or not at:
        raise ValueError("at: a dict of model -> p (or (d, model) -> p), or lamcap's 'MODEL=P,...'")
    parts = []
    for k, p in at.items():
        if isinstance(k, tuple):
            if len(k) != 2:
                raise ValueError(f"at: key {k!r} is not (d, model)")
            k = f"{int(k[0])}:{k[1]}"
        if isinstance(p, bool) or not isinstance(p, Integral):
            raise ValueError(f"at: p for {k} must be an int, got {p!r}")
        parts.append(f"{k}={int(p)}")
    return ",".join(parts)


def _sweep_result(out: PathLike, stdout: str) -> Sweep:
    """The Sweep of a directory from the JSON lamcap sweep or merge printed:
    summary.json, or a verdict sweep's verdict counts (a list)."""
    printed = json.loads(stdout)
    if isinstance(printed, list):
        return Sweep(out=Path(out), summary={}, records=read_records(out), verdicts=printed)
    return Sweep(out=Path(out), summary=printed, records=read_records(out))


def merge(shards: Sequence[PathLike], out: PathLike = "lamcap-out/merged") -> Sweep:
    """Combine sweep directories of one grid (its shards, or partial runs) into one.

    ``lamcap merge``: the records and summaries a single run of the grid would
    have produced are written into ``out``; the shards are read, never changed.

    Parameters
    ----------
    shards : sequence of paths
        Sweep directories of the same grid (``sweep(..., shard='1/2')``, ...).
    out : path
        The merged directory (not one of the shards).

    Returns
    -------
    Sweep
        As :func:`sweep` returns it for the whole grid.

    Raises
    ------
    ValueError
        Directories of different grids, records of one unit that disagree, or
        ``out`` among the shards (lamcap's one-line message).
    """
    if isinstance(shards, (str, os.PathLike)):
        shards = [shards]
    shards = [os.fspath(s) for s in shards]
    if not shards:
        raise ValueError("shards: no sweep directories given")
    _, stdout, _ = _cli.run(["merge", "--json", "--out", os.fspath(out), *shards])
    return _sweep_result(out, stdout)


def _grid(path: Path) -> dict:
    """A directory's grid.json; empty when there is no readable grid."""
    try:
        g = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return g if isinstance(g, dict) else {}


def _grid_settings(g: dict) -> dict:
    """The settings an older record leaves to its directory's grid.json: kappa
    (absent in a grid means 0) and eps. Empty when there is no readable grid."""
    if not g:
        return {}
    fill = {"kappa": float(g.get("kappa", 0.0))}
    if "eps" in g:
        fill["eps"] = g["eps"]
    return fill


def read_records(dirs: Union[PathLike, Sequence[PathLike]]):
    """The records of one or several sweep directories.

    Parameters
    ----------
    dirs : path or sequence of paths
        Sweep directories (their ``records.jsonl``), or records files.

    Returns
    -------
    pandas.DataFrame or numpy structured array
        One row per finished instance, columns as in records.jsonl (d, model,
        seed, embedding, p_star, certified, lower, upper, margin_at_p_star,
        ...), plus ``source`` (the directory). The records of a verdict sweep
        (``sweep(at=...)``, p_star = -1) also have ``p`` and ``verdict``:
        ``'storable'`` (lower = p), ``'not-storable'`` (upper = p) or
        ``'undecided'``. A DataFrame when pandas is installed.
    """
    if isinstance(dirs, (str, os.PathLike)):
        dirs = [dirs]
    recs: list[dict] = []
    for d in dirs:
        path = Path(d)
        if path.is_dir():
            path = path / "records.jsonl"
        if not path.exists():
            raise ValueError(f"{path}: no such records file (is {d} a sweep directory?)")
        grid = _grid(path.parent / "grid.json")
        fill = _grid_settings(grid)
        # A verdict sweep's points: the p of each (d, model).
        at = {(a.get("d"), a.get("model")): a.get("p") for a in grid.get("verdict_at") or [] if isinstance(a, dict)}
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                r = None
            if not isinstance(r, dict):
                # lamcap moves such lines (one torn by a kill) aside on its next run.
                warnings.warn(f"{path} line {n}: not a whole record; skipped")
                continue
            # A record of an older lamcap has no kappa or eps: it was decided
            # with its directory's grid.json settings, as lamcap itself reads it.
            for k, v in fill.items():
                r.setdefault(k, v)
            if at:
                _add_verdict(r, at)
            r["source"] = str(Path(d))
            recs.append(r)
    cols: list[str] = []
    for r in recs:
        cols += [k for k in r if k not in cols]
    try:
        import pandas as pd
    except ImportError:
        return _structured(recs, cols)
    return pd.DataFrame.from_records(recs, columns=cols)


def _add_verdict(r: dict, at: dict) -> None:
    """A verdict sweep's record gets its p and its verdict, read as lamcap
    reads it: storable when lower = p, not storable when upper = p, else
    undecided."""
    p = at.get((r.get("d"), r.get("model")))
    if p is None:
        return
    r["p"] = p
    if r.get("lower") == p:
        r["verdict"] = "storable"
    elif r.get("upper") == p:
        r["verdict"] = "not-storable"
    else:
        r["verdict"] = "undecided"


def _structured(recs: list[dict], cols: list[str]) -> np.ndarray:
    """Records as a NumPy structured array (pandas is not installed)."""
    dtypes = []
    for c in cols:
        vals = [r[c] for r in recs if c in r and r[c] is not None]
        if vals and all(isinstance(v, bool) for v in vals):
            dt = np.bool_
        elif vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals) and \
                all(c in r for r in recs):
            dt = np.int64
        elif vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            dt = np.float64
        else:
            dt = object
        dtypes.append((c, dt))
    arr = np.zeros(len(recs), dtype=dtypes)
    for i, r in enumerate(recs):
        for c, dt in dtypes:
            v = r.get(c)
            if v is None:
                v = np.nan if dt == np.float64 else ("" if dt is object else 0)
            arr[c][i] = v
    return arr


def theory(d: Union[int, Sequence[int]] = (8, 16, 32, 64, 128), kappa: Optional[float] = None, *,
           hidden: Optional[int] = None):
    """The finite-size theory of the critical size (the Gaussian surrogate).

    Parameters
    ----------
    d : int or sequence of int
    kappa : float, optional
        Margin (0 by default).
    hidden : int, optional
        Hidden width h of a two-layer network with one layer fixed.

    Returns
    -------
    Theory or list of Theory
        One per d (a single one when d is an int): ``p_c_finite``,
        ``p_c_asymptotic``, ``alpha_c``, ``p_c_hebbian``, ...
    """
    single = isinstance(d, Integral)
    ds = [int(d)] if single else list(d)
    if not ds:
        raise ValueError("d: no dimensions given")
    _, out, _ = _cli.run(["theory", "--json"] + _flags(d=ds, kappa=kappa, hidden=hidden))
    res = [_from_record(Theory, r) for r in _cli.json_lines(out)]
    return res[0] if single else res


def instance(d: Optional[int] = None, p: Optional[int] = None, seed: Optional[int] = None, *,
             model: Optional[str] = None, embedding: Optional[str] = None,
             vocab: Optional[int] = None, answers: Optional[str] = None) -> Instance:
    """The vectors of one instance, exactly those lamcap solves.

    ``vocab`` and ``answers`` (a law) are a vocabulary model's, as for :func:`solve`.

    Returns
    -------
    Instance
        ``X``, ``Y`` (p x d, float64) and ``competitors`` (p x p x d:
        ``competitors[mu, v]`` = c_(mu,v)), with lamcap's metadata (seed,
        model, sha256). Unpacks as ``X, Y, competitors``. A vocabulary
        model (``model='vocabulary-4-uniform'``) adds ``words`` and ``answers``.

    Examples
    --------
    >>> X, Y, C = lamcap.instance(d=10, p=32, seed=1)
    >>> lamcap.solve(inputs=X, targets=Y).verdict
    'storable'
    """
    with tempfile.TemporaryDirectory(prefix="lamcap-") as tmp:
        out = os.path.join(tmp, "instance")
        _cli.run(["instance", "-o", out] + _flags(d=d, p=p, seed=seed, model=model, embedding=embedding,
                                                  vocab=vocab, answers=answers))
        X = np.load(os.path.join(out, "X.npy"))
        Y = np.load(os.path.join(out, "Y.npy"))
        meta = json.loads(Path(out, "metadata.json").read_text())
        cpath = os.path.join(out, "competitors.npy")
        apath = os.path.join(out, "answers.npy")
        if os.path.exists(apath):  # vocabulary: Y.npy holds the V x d words
            words, answers = Y, np.load(apath)
            Y = words[answers]
            C = np.broadcast_to(words, (X.shape[0],) + words.shape)
            return Instance(X=X, Y=Y, competitors=C, metadata=meta, words=words, answers=answers)
        if os.path.exists(cpath):
            C = np.load(cpath)
        else:  # coupled: the competitors of every input are the targets
            C = np.broadcast_to(Y, (Y.shape[0],) + Y.shape)
    return Instance(X=X, Y=Y, competitors=C, metadata=meta)


def verify(certificate: Union[PathLike, dict, Solve], *, eps: Optional[float] = None,
           inputs=None, targets=None, answers=None) -> Verification:
    """Re-check a certificate from the instance data, without a solver.

    Parameters
    ----------
    certificate : path, dict or Solve
        A certificate file, its contents, or the result of :func:`solve`.
    eps : float, optional
        Tolerance a not-storable certificate is held to (lamcap's default
        1e-6; never a value from the certificate).
    inputs, targets : array_like, optional
        The user's arrays of a certificate made with ``solve(inputs=, targets=)``
        (taken from the Solve result when one is given), in the layout the
        certificate names.
    answers : array_like of int, optional
        The answer indices of a vocabulary certificate made with
        ``solve(inputs=, targets=, answers=)`` (taken from the Solve result
        when one is given); lamcap checks them against the certificate's SHA-256.

    Returns
    -------
    Verification
        ``holds`` (also its truth value) and lamcap's one-line message.

    Raises
    ------
    ValueError
        Not a certificate, or one for other data.
    """
    if isinstance(certificate, Solve):
        if certificate.certificate is None:
            raise ValueError(f"the verdict is {certificate.verdict}: it has no certificate to verify")
        if certificate._user is not None and inputs is None:
            inputs, targets, _, user_answers = certificate._user
            if answers is None:
                answers = user_answers
        certificate = certificate.certificate
    with tempfile.TemporaryDirectory(prefix="lamcap-") as tmp:
        if isinstance(answers, str):
            raise ValueError("answers: verify takes the answer indices (an array), not a law")
        if answers is not None:
            # lamcap verify has no --answers: the certificate names the answers
            # file by path, so a copy of it names the saved answers instead.
            if not isinstance(certificate, dict):
                try:
                    certificate = json.loads(Path(certificate).read_text())
                except (OSError, ValueError) as e:
                    raise ValueError(f"{certificate}: not a readable certificate ({e})") from None
            inst = certificate.get("instance") if isinstance(certificate, dict) else None
            if not isinstance(inst, dict) or "answers" not in inst:
                raise ValueError("answers: the certificate is not one of the user's vocabulary arrays")
            certificate = dict(certificate, instance=dict(inst, answers=_vocab_flags(tmp, None, answers)[-1]))
        if isinstance(certificate, dict):
            path = os.path.join(tmp, "certificate.json")
            Path(path).write_text(json.dumps(certificate))
        else:
            path = os.fspath(certificate)
        # No --layout: verify takes it from the certificate (and has no such flag).
        args = ["verify"] + _flags(eps=eps) + _user_files(tmp, inputs, targets, None) + [path]
        code, out, err = _cli.run(args, check=False)
        if code == 2:
            raise ValueError(_cli._message(err, code))
        if code not in (0, 1):
            raise RuntimeError(_cli._message(err, code))
        try:
            verdict = json.loads(Path(path).read_text()).get("verdict", "")
        except (OSError, ValueError):
            verdict = ""
    msg = out.strip() if code == 0 else _cli._message(err, code)
    return Verification(holds=code == 0, message=msg, verdict=verdict,
                        eps=eps if eps is not None else _eps_of(msg))


def _eps_of(msg: str) -> Optional[float]:
    """The eps lamcap verify says it used."""
    m = re.search(r"eps ([0-9.eE+-]+)", msg)
    return float(m.group(1)) if m else None


def margin(d: Optional[int] = None, p: Optional[int] = None, seeds: Union[int, Iterable[int]] = 1, *,
           model: Optional[str] = None, embedding: Optional[str] = None,
           inputs=None, targets=None, layout: Optional[str] = None,
           vocab: Optional[int] = None, answers=None,
           solver: Optional[str] = None, eps: Optional[float] = None):
    """The max-margin memory's kappa* = d / |W*|_F (minimum-norm QP), certified.

    Parameters
    ----------
    d, p : int
    seeds : int or iterable of int
        One seed (a single Margin is returned) or several (a list). An int N
        is seed N alone, not seeds 1..N as in :func:`sweep`.
    model, embedding, inputs, targets, layout, vocab, answers, solver : optional
        As for :func:`solve`.
    eps : float, optional

    Returns
    -------
    Margin or list of Margin
        kappa* with its certified interval [kappa_lower, kappa_upper].
    """
    single = isinstance(seeds, Integral) or inputs is not None
    runs = _seed_runs(seeds)[:1] if inputs is not None else _seed_runs(seeds)
    res: list[Margin] = []
    with tempfile.TemporaryDirectory(prefix="lamcap-") as tmp:
        user = _user_files(tmp, inputs, targets, layout) + _vocab_flags(tmp, vocab, answers)
        for a, b in runs:
            args = ["margin", "--json", "--seeds", f"{a}:{b}"] + _flags(
                d=d, p=p, model=model, embedding=embedding, solver=solver, eps=eps) + user
            _, out, _ = _cli.run(args)
            res += [_from_record(Margin, r) for r in _cli.json_lines(out)]
    if inputs is not None:  # the user's arrays have no seed (as in solve)
        for m in res:
            m.seed = None
    return res[0] if single else res


def version() -> Version:
    """The versions of the lamcap binary the package runs: module, VCS revision, HiGHS, BLAS."""
    _, out, _ = _cli.run(["version"])
    lines = out.splitlines()
    get = lambda prefix: next((l[len(prefix):].strip() for l in lines if l.startswith(prefix)), "")
    return Version(lamcap=lines[0].strip() if lines else "", revision=get("revision"), highs=get("HiGHS"),
                   blas=get("BLAS"), binary=_cli.binary())
