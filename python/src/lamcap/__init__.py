"""lamcap: exact, certified storage capacities of linear associative memories.

A NumPy front end to the lamcap command line: every number comes from the
lamcap binary (bundled in the wheel, or named by ``LAMCAP_BIN``), through its
JSON and .npy interfaces.

>>> import lamcap
>>> [t.p_star for t in lamcap.threshold(d=10, seeds=range(1, 5))]
[33, 30, 35, 30]
>>> X, Y, C = lamcap.instance(d=10, p=32, seed=1)
>>> lamcap.solve(inputs=X, targets=Y).verdict
'storable'

Errors: ValueError for bad input (lamcap's exit status 2), RuntimeError for
failures (exit status 1), each with lamcap's one-line message.
"""

from ._api import instance, margin, merge, read_records, solve, sweep, theory, threshold, verify, version
from ._cli import binary
from ._results import Instance, Margin, Solve, Sweep, Theory, Threshold, Verification, Version

__version__ = "0.1.0"

__all__ = [
    "solve", "threshold", "sweep", "merge", "read_records", "theory", "instance", "verify", "margin", "version",
    "binary", "Solve", "Threshold", "Sweep", "Theory", "Instance", "Verification", "Margin", "Version",
]
