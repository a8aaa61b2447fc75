"""`tessera demo` on 2 ranks: every stage succeeds, a summary table and a
perf report are produced, and a second run in the same directory works."""
import json
import os

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("demo")
work = scratch("demo")
r = mpirun_tessera(2, ["demo", "--out", work], timeout=900)
t.check(r.returncode == 0, "demo on 2 ranks exits 0", r)
t.check("pipeline" in r.stdout and "check" in r.stdout and "workload" in r.stdout,
        "the summary table lists the steps", r)
t.check("demo: all steps succeeded" in r.stdout, "the demo reports success", r)
rep = os.path.join(work, "demo-perf.json")
if t.check(os.path.exists(rep), "the demo writes its perf report"):
    report = json.load(open(rep))
    t.check(report["run"]["ranks"] == 2, "the report records 2 ranks")
    t.check(any(reg["path"].startswith("check.workload") for reg in report["regions"]),
            "the report has the workload's regions")
r = mpirun_tessera(2, ["demo", "--out", work], timeout=900)
t.check(r.returncode == 0, "a second demo run in the same directory exits 0", r)
t.done()
