"""The built-in workload: every item computed once, the shared HDF5 output
identical at 1, 2 and 4 ranks and equal to an independent recomputation."""
import json
import math
import os

import h5py
import numpy as np

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("check workload")
work = scratch("workload")
N = 300


def llround(x):
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def item_value(i):
    # Same definition as drivers/check/workload.cpp, recomputed independently.
    cost = 200 if i % 17 == 0 else 10 + i % 7
    return sum(llround(1e6 * math.sin(0.001 * (k + i))) for k in range(cost * 200)) * 1e-6


results = {}
for ranks in (1, 2, 4):
    out = os.path.join(work, f"np{ranks}")
    rep = os.path.join(work, f"np{ranks}.json")
    r = mpirun_tessera(ranks, ["check", "workload", "--items", N, "--out", out, "--perf-report", rep],
                       env={"OMP_NUM_THREADS": "2" if ranks == 1 else "1"})
    t.check(r.returncode == 0, f"{ranks} rank(s): workload exits 0", r)
    t.check("write collective" in r.stderr, f"{ranks} rank(s): the HDF5 write was collective", r)
    path = os.path.join(out, "workload.h5")
    if not t.check(os.path.exists(path), f"{ranks} rank(s): workload.h5 exists"):
        continue
    t.check(not [f for f in os.listdir(out) if f.startswith(".")], f"{ranks} rank(s): no temporary files left")
    with h5py.File(path, "r") as f:
        results[ranks] = f["values"][...]
    report = json.load(open(rep))
    items = sum(reg["items"]["total"] for reg in report["regions"] if reg["path"].endswith("/compute"))
    t.check(items == N, f"{ranks} rank(s): the perf report counts {N} items (got {items})")
    t.check(report["run"]["ranks"] == ranks, f"{ranks} rank(s): the report records the rank count")

if 1 in results:
    v = results[1]
    t.check(v.shape == (N,) and v.dtype == np.float64, "values dataset is float64[N]")
    for i in (0, 1, 17, 150, N - 1):
        t.check(abs(v[i] - item_value(i)) < 1e-9, f"item {i} equals the independent recomputation",
                (v[i], item_value(i)))
    for ranks in (2, 4):
        if ranks in results:
            t.check(np.array_equal(results[ranks], v), f"{ranks} ranks: output identical to 1 rank")
t.done()
