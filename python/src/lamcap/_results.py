"""Typed results: one dataclass per kind of answer lamcap gives.

Each is built from the JSON record the CLI prints (kept whole in ``record``),
with the arrays read from the .npy files it writes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

__all__ = ["Solve", "Threshold", "Margin", "Theory", "Instance", "Verification", "Sweep", "Version"]


def _from_record(cls, rec: dict, **extra):
    """An instance of cls with the record's fields it declares, and the whole record."""
    names = {f.name for f in dataclasses.fields(cls)}
    kw = {k: v for k, v in rec.items() if k in names}
    kw.update(extra)
    return cls(**kw, record=rec)


def _shape(a) -> str:
    return "None" if a is None else "x".join(map(str, np.shape(a))) + f" {np.asarray(a).dtype}"


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v)


def _repr(obj, names, arrays=()) -> str:
    parts = [f"{n}={_short(getattr(obj, n))}" for n in names if getattr(obj, n) not in (None, "")]
    parts += [f"{n}=<{_shape(getattr(obj, n))}>" for n in arrays if getattr(obj, n) is not None]
    return f"{type(obj).__name__}({', '.join(parts)})"


@dataclass(repr=False)
class Solve:
    """The certified verdict on one instance (``lamcap solve``).

    Attributes
    ----------
    verdict : str
        ``'storable'``, ``'not-storable'`` or ``'undecided'``.
    certified : bool
        Whether the verdict's certificate was checked outside the solver.
    margin : float
        The LP's optimal margin t* (box normalisation |W_ij| <= 1); t* > 0 iff storable.
    W : ndarray or None
        The d x d memory of a storable verdict (scores are ``y @ W @ x``).
    lambda_rows : ndarray or None
        k x 2 integer array of the margin rows (mu, v) of a not-storable
        certificate, counted from 0.
    lambda_weights : ndarray or None
        Their k weights (>= 0).
    certificate : dict or None
        The certificate, as ``lamcap solve --certificate`` writes it.
    """

    d: int
    p: int
    verdict: str
    certified: bool
    margin: float
    seed: Optional[int] = None
    model: str = ""
    embedding: str = ""
    formulation: str = ""
    solver: str = ""
    seconds: float = 0.0
    rows: int = 0
    rounds: int = 0
    iterations: int = 0
    attempts: int = 0
    note: str = ""
    W: Optional[np.ndarray] = None
    lambda_rows: Optional[np.ndarray] = None
    lambda_weights: Optional[np.ndarray] = None
    certificate: Optional[dict] = None
    record: dict = field(default_factory=dict)
    # The user's arrays of a solve(inputs=, targets=), for verify.
    _user: Any = None

    @property
    def t_star(self) -> float:
        """The optimal margin t* (the same as ``margin``)."""
        return self.margin

    def __repr__(self):
        return _repr(self, ["verdict", "certified", "margin", "d", "p", "seed", "model", "embedding",
                            "solver", "seconds", "note"], ["W", "lambda_rows", "lambda_weights"])


@dataclass(repr=False)
class Threshold:
    """The exact critical size p* of one instance (``lamcap threshold``).

    ``p_star`` is certified when p* has a certified storable verdict and p*+1
    a certified not-storable one; otherwise ``certified`` is False and
    ``lower``/``upper`` bracket what is known.

    ``margin_at_p_star`` is the solver's margin t at p*, not a certified
    value: the optimal t* for the simplex and HiGHS, but for the
    interior-point method's sign-only verdicts the t of the first certified
    iterate, only a lower bound on t*. The certified smallest margin of the
    storable W at p* is ``storable_min_margin`` (recomputed from the
    certificate, outside the solver).
    """

    d: int
    seed: Optional[int]  # None for the user's arrays
    p_star: int
    certified: bool
    model: str = ""
    embedding: str = ""
    lower: int = 0
    upper: int = 0
    margin_at_p_star: float = float("nan")
    storable_min_margin: float = float("nan")
    residual_at_p_star_plus_1: float = float("nan")
    solves: int = 0
    undecided_verdicts: int = 0
    iterations: int = 0
    seconds: float = 0.0
    solver: str = ""
    note: str = ""
    record: dict = field(default_factory=dict)

    def __repr__(self):
        return _repr(self, ["p_star", "certified", "d", "seed", "model", "embedding", "margin_at_p_star",
                            "solves", "seconds", "solver", "note"])


@dataclass(repr=False)
class Margin:
    """The max-margin memory's kappa* = d / |W*|_F on one instance (``lamcap margin``).

    ``kappa_lower`` and ``kappa_upper`` are its certified interval (the upper
    end is None when the QP's duals gave no bound).
    """

    d: int
    p: int
    seed: Optional[int]  # None for the user's arrays
    storable: bool
    kappa: float
    certified: bool
    model: str = ""
    embedding: str = ""
    kappa_lower: Optional[float] = None
    kappa_upper: Optional[float] = None
    rows: int = 0
    rounds: int = 0
    seconds: float = 0.0
    note: str = ""
    record: dict = field(default_factory=dict)

    def __repr__(self):
        return _repr(self, ["kappa", "certified", "storable", "d", "p", "seed", "model", "kappa_lower",
                            "kappa_upper", "seconds", "note"])


@dataclass(repr=False)
class Theory:
    """The finite-size theory at one d (``lamcap theory``).

    ``p_c_finite`` is the root of p D_kappa(p) = N (N = d^2, or d min(h, d)
    with a hidden layer), ``p_c_asymptotic`` the large-d law, ``p_c_hebbian``
    the Hebbian rule's prediction.
    """

    d: int
    kappa: float
    p_c_finite: float
    p_c_asymptotic: float = float("nan")
    alpha_c: float = float("nan")
    n_unknowns: int = 0
    pc_log_pc_over_d2_finite: float = float("nan")
    p_c_hebbian: float = float("nan")
    pc_log_pc_over_d2_hebbian: float = float("nan")
    d_kappa_at_p_c: float = float("nan")
    hidden: int = 0
    record: dict = field(default_factory=dict)

    def __repr__(self):
        return _repr(self, ["d", "kappa", "p_c_finite", "p_c_asymptotic", "alpha_c", "p_c_hebbian"])


@dataclass(repr=False)
class Instance:
    """The vectors of one instance (``lamcap instance``).

    ``X`` and ``Y`` are p x d (row mu is x_mu, y_mu); ``competitors`` is
    p x p x d with ``competitors[mu, v]`` = c_(mu,v) and
    ``competitors[mu, mu]`` = y_mu. In the coupled model the competitors are
    the other targets (a read-only broadcast view of ``Y``).
    Unpacks as ``X, Y, competitors = lamcap.instance(...)``.

    A vocabulary model (``model='vocabulary-V-ANSWERS'``) has ``words``
    (V x d) and ``answers`` (p indices): ``Y[mu] = words[answers[mu]]`` and
    ``competitors`` is p x V x d, ``competitors[mu, v]`` = word v (a read-only
    broadcast view of ``words``; v = ``answers[mu]`` is y_mu itself, whose
    margin is 0, as c = y_mu in the p x p form).
    """

    X: np.ndarray
    Y: np.ndarray
    competitors: np.ndarray
    metadata: dict = field(default_factory=dict)
    words: Optional[np.ndarray] = None
    answers: Optional[np.ndarray] = None

    @property
    def d(self) -> int:
        return self.X.shape[1]

    @property
    def p(self) -> int:
        return self.X.shape[0]

    def __iter__(self):
        return iter((self.X, self.Y, self.competitors))

    def __repr__(self):
        m = self.metadata
        return (f"Instance(d={self.d}, p={self.p}, seed={m.get('seed')}, model={m.get('model')!r}, "
                f"embedding={m.get('embedding')!r}, X=<{_shape(self.X)}>, Y=<{_shape(self.Y)}>, "
                f"competitors=<{_shape(self.competitors)}>)")


@dataclass(repr=False)
class Verification:
    """The outcome of re-checking a certificate without a solver (``lamcap verify``)."""

    holds: bool
    message: str
    verdict: str = ""
    eps: Optional[float] = None

    def __bool__(self):
        return self.holds

    def __repr__(self):
        return _repr(self, ["holds", "verdict", "eps", "message"])


@dataclass(repr=False)
class Sweep:
    """A sweep directory after a run (``lamcap sweep``).

    Attributes
    ----------
    out : Path
        The directory (re-running the same sweep resumes it).
    summary : dict
        ``summary.json``: per (d, model) group p_c with its interval, the
        feasibility curve, and the grid.
    records : DataFrame or structured ndarray
        One row per finished instance (``read_records(out)``); a verdict
        sweep's have ``p`` and ``verdict`` columns.
    verdicts : list of dict or None
        A verdict sweep's (``sweep(at=...)``) counts per (d, model): p,
        storable, not_storable, undecided, storable_fraction with its exact
        95% interval. None for a p* sweep; a verdict sweep's summary is empty
        (lamcap writes no summary.json for it).
    """

    out: Path
    summary: dict
    records: Any
    verdicts: Optional[list] = None

    @property
    def groups(self) -> list:
        """summary.json's groups, or a verdict sweep's verdict counts."""
        if self.verdicts is not None:
            return self.verdicts
        return self.summary.get("groups", [])

    def __repr__(self):
        return f"Sweep(out={str(self.out)!r}, instances={len(self.records)}, groups={len(self.groups)})"


@dataclass(repr=False)
class Version:
    """The binary's versions (``lamcap version``)."""

    lamcap: str
    revision: str
    highs: str
    blas: str
    binary: str

    def __repr__(self):
        return _repr(self, ["lamcap", "revision", "highs", "blas", "binary"])
