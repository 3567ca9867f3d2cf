#!/usr/bin/env python3
"""bench-scipy.py: one verdict on the full LP with SciPy's linprog (HiGHS), for the
docs/benchmarks.md's comparison with lamcap (issue: one verdict at d = 20, p = 85).

    lamcap instance --d 20 --p 85 --seed 1 -o inst/
    python3 scripts/bench-scipy.py inst/

Builds the bounded-margin LP exactly as lamcap states it (maximise t subject to
a_r . W - t >= 0 for all p(p-1) rows, -1 <= W_ij <= 1, t free) with every row
written out, solves it with linprog(method="highs"), and prints t*, the status and
the seconds spent building and solving. Needs NumPy and SciPy (Debian:
python3-numpy python3-scipy; run with /usr/bin/python3).
"""
import json
import os
import sys
import time

import numpy as np
from scipy.optimize import linprog


def main(path):
    x = np.load(os.path.join(path, "X.npy"))
    y = np.load(os.path.join(path, "Y.npy"))
    comp = None
    if os.path.exists(os.path.join(path, "competitors.npy")):
        comp = np.load(os.path.join(path, "competitors.npy"))
    p, d = x.shape
    t0 = time.perf_counter()
    rows = []
    for mu in range(p):
        for v in range(p):
            if v == mu:
                continue
            c = y[v] if comp is None else comp[mu, v]
            rows.append(np.outer(y[mu] - c, x[mu]).ravel())
    a = np.array(rows)  # p(p-1) x d^2, row r . vec(W) = margin
    # Variables (vec(W), t); minimise -t; -a_r . W + t <= 0.
    a_ub = np.hstack([-a, np.ones((a.shape[0], 1))])
    b_ub = np.zeros(a.shape[0])
    cost = np.zeros(d * d + 1)
    cost[-1] = -1
    bounds = [(-1, 1)] * (d * d) + [(None, None)]
    t1 = time.perf_counter()
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    t2 = time.perf_counter()
    print(json.dumps({"d": d, "p": p, "rows": a.shape[0], "t_star": -res.fun if res.success else None,
                      "status": res.message, "build_s": round(t1 - t0, 3), "solve_s": round(t2 - t1, 3)}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
