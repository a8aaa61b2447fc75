"""Perf report end to end: a 2-rank run writes --perf-report JSON that validates
against docs/perf-report.schema.json, and `tessera report` prints it, compares
it with a baseline (exit 1 naming only the slower region) and rejects bad
options (exit 2) and unreadable reports (exit 3), each naming the culprit.

Reports come from `tessera check workload` and from the MPI test binary
tests/mpi/mpi_test_perf_reduce (which adds a region entered on rank 1 only).
"""
import copy
import json
import os
import subprocess

import jsonschema

from tessera_test import MPIEXEC, SOURCE_DIR, TestRun, _ENV, mpirun_tessera, scratch, tessera

t = TestRun("perf report")
work = scratch("perf_report")
schema = json.load(open(os.path.join(SOURCE_DIR, "docs", "perf-report.schema.json")))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)


def check_report(report, label):
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    t.check(not errors, f"{label}: validates against the schema",
            "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
    bad = [r["path"] for r in report["regions"]
           if not r["seconds"]["min"] <= r["seconds"]["avg"] <= r["seconds"]["max"]]
    t.check(report["regions"] and not bad, f"{label}: min <= avg <= max seconds in every region",
            bad)
    bad = [r["path"] for r in report["regions"]
           if abs(r["imbalance"] - max(1.0, r["seconds"]["max"] / r["seconds"]["avg"])) > 1e-9
           and r["seconds"]["avg"] > 0]
    t.check(not bad, f"{label}: imbalance is max/avg", bad)
    t.check(report["run"]["ranks"] == 2, f"{label}: records 2 ranks", report["run"]["ranks"])
    paths = [r["path"] for r in report["regions"]]
    orphans = [p for p in paths if "/" in p and p.rsplit("/", 1)[0] not in paths[:paths.index(p)]]
    t.check(not orphans, f"{label}: every region comes after its parent", orphans)


# 1. A report from a real step.
run_json = os.path.join(work, "run.json")
r = mpirun_tessera(2, ["check", "workload", "--items", "300", "--out", os.path.join(work, "out"),
                       "--no-progress", "--perf-report", run_json])
t.check(r.returncode == 0 and os.path.exists(run_json), "check workload writes a perf report", r)
reports = {}
if os.path.exists(run_json):
    reports["check workload"] = run_json
    check_report(json.load(open(run_json)), "check workload")

# 1b. Idle ranks are visible at the top level: 2 items on 4 ranks leave at
# least 2 ranks without work, while the step's own time imbalance stays ~1.
idle_json = os.path.join(work, "idle.json")
r = mpirun_tessera(4, ["check", "workload", "--items", "2", "--out", os.path.join(work, "idle"),
                       "--no-progress", "--perf-report", idle_json])
if t.check(r.returncode == 0 and os.path.exists(idle_json), "workload with 2 items on 4 ranks", r):
    top = json.load(open(idle_json))["regions"][0]
    w = top.get("work", {})
    per_rank = [w.get("min"), w.get("max")]
    t.check(top["depth"] == 0 and w.get("total") == 2 and w.get("idle_ranks", 0) >= 2,
            "the top-level region's work counts 2 items and >= 2 idle ranks", w)
    t.check(w.get("imbalance", 0) >= 2.0, "... and an item imbalance >= 2 (max/avg)", per_rank)
    out = r.stdout + r.stderr
    t.check(f"work in {top['path']}:" in out and "idle" in out,
            "the printed table says how many ranks were idle", out[-800:])

# 2. The constructed uneven workload of the MPI test (rank-1-only region).
mpi_test = os.path.join(os.getcwd(), "..", "mpi", "mpi_test_perf_reduce")
uneven_json = os.path.join(work, "uneven.json")
if t.check(os.path.exists(mpi_test), "the MPI perf test binary is built", mpi_test):
    env = dict(_ENV, TESSERA_PERF_JSON_OUT=uneven_json)
    r = subprocess.run([MPIEXEC, "-n", "2", "--oversubscribe", mpi_test], capture_output=True,
                       text=True, timeout=120, env=env)
    t.check(r.returncode == 0 and os.path.exists(uneven_json), "the MPI perf test writes a report",
            r)
    if os.path.exists(uneven_json):
        reports["uneven"] = uneven_json
        uneven = json.load(open(uneven_json))
        check_report(uneven, "uneven")
        t.check(any(x["path"] == "step/rank1.only" for x in uneven["regions"]),
                "a region entered on rank 1 only is in the report")

# 3. tessera report on each: exit 0, one table row per region.
for label, path in reports.items():
    report = json.load(open(path))
    r = tessera(["report", path])
    t.check(r.returncode == 0, f"tessera report {label} exits 0", r)
    lines = r.stdout.splitlines()
    header = next((i for i, l in enumerate(lines) if l.startswith("region ")), None)
    footer = next((i for i, l in enumerate(lines) if l.startswith("peak RSS")), None)
    rows = lines[header + 1:footer] if header is not None and footer is not None else []
    expected = ["  " * x["depth"] + x["name"] for x in report["regions"]]
    got = [" " * (len(row) - len(row.lstrip())) + row.lstrip().split(" ")[0] for row in rows]
    t.check(got == expected, f"tessera report {label} prints one indented row per region",
            f"rows {got}, expected {expected}")

# 4. Baseline comparison: one region made 2x slower than its baseline, one 1.05x.
if "uneven" in reports:
    source = reports["uneven"]
else:
    source = reports.get("check workload")
if t.check(source is not None, "a report to compare exists"):
    run = json.load(open(source))
    by_time = sorted(run["regions"], key=lambda x: -x["seconds"]["max"])
    slow, mild = by_time[0], by_time[1]
    t.check(mild["seconds"]["max"] >= 0.002, "the compared regions last longer than min-seconds",
            mild)
    base = copy.deepcopy(run)
    for region in base["regions"]:
        scale = {slow["path"]: 0.5, mild["path"]: 1 / 1.05}.get(region["path"], 1.0)
        for k in ("min", "avg", "max"):
            region["seconds"][k] *= scale
    base_json = os.path.join(work, "base.json")
    json.dump(base, open(base_json, "w"), indent=1)
    r = tessera(["report", source, "--baseline", base_json, "--threshold", "1.2"])
    t.check(r.returncode == 1, "a 2x slower region makes tessera report exit 1", r)
    flagged = [l for l in r.stdout.splitlines() if l.rstrip().endswith("SLOWER")]
    t.check(len(flagged) == 1 and flagged[0].strip().startswith(slow["name"] + " "),
            f"only the 2x region ({slow['path']}) is flagged", r.stdout)
    summary = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    t.check(slow["path"] in summary and mild["path"] not in summary.replace(slow["path"], ""),
            "the closing line names the 2x region and not the 1.05x one", summary)

    r = tessera(["report", source, "--baseline", source])
    t.check(r.returncode == 0 and "SLOWER" not in r.stdout, "a run matches itself: exit 0", r)

    # 5. Bad options: exit 2 naming the option.
    r = tessera(["report", source, "--bogus-option"])
    t.check(r.returncode == 2 and "bogus-option" in r.stderr, "an unknown option exits 2 naming it",
            r)
    r = tessera(["report", source, "--threshold", "-1"])
    t.check(r.returncode == 2 and "threshold" in r.stderr, "a negative threshold exits 2 naming it",
            r)
    r = tessera(["report", source, "--min-seconds", "soon"])
    t.check(r.returncode == 2 and "min-seconds" in r.stderr, "a non-numeric min-seconds exits 2", r)
    r = tessera(["report"])
    t.check(r.returncode == 2, "a missing report argument exits 2", r)

# 6. Unreadable or invalid reports: exit 3 naming the file.
not_json = os.path.join(work, "not-a-report.txt")
with open(not_json, "w") as f:
    f.write("this is not JSON\n")
r = tessera(["report", not_json])
t.check(r.returncode == 3 and not_json in r.stderr, "a non-JSON file exits 3 naming it", r)

wrong_json = os.path.join(work, "wrong.json")
json.dump({"schema_version": 1, "regions": []}, open(wrong_json, "w"))
r = tessera(["report", wrong_json])
t.check(r.returncode == 3 and wrong_json in r.stderr and "run" in r.stderr,
        "a JSON file that is not a report exits 3 naming the file and the field", r)

missing = os.path.join(work, "missing.json")
r = tessera(["report", missing])
t.check(r.returncode == 3 and missing in r.stderr, "a missing file exits 3 naming it", r)

if source is not None:
    r = tessera(["report", source, "--baseline", not_json])
    t.check(r.returncode == 3 and not_json in r.stderr, "a non-JSON baseline exits 3 naming it", r)

t.done()
