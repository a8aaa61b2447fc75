"""The benchmark harness (perf/bench.py) measures, summarises and compares correctly.

Checks the harness itself, never the speed of tessera: the commands are small
Python programs whose relative cost is known by construction (a sum over 10^7
numbers against one over 10^5, a process that touches 200 MiB), so every
assertion is about ordering and bookkeeping, not about wall-clock limits.
"""
import copy
import glob
import json
import os
import subprocess

from tessera_test import SOURCE_DIR, TestRun, scratch

BENCH = os.path.join(SOURCE_DIR, "perf", "bench.py")
PYTHON = "/usr/bin/python3"
MIB = 1024 * 1024

t = TestRun("bench harness")
work = scratch("bench_harness")
results = os.path.join(work, "results")
cases_file = os.path.join(work, "cases.json")

cases = [
    {
        "name": "small-sum",
        "description": "sum of 10^5 integers against a reference summing 10^7",
        "command": ["{python}", "-c", "sum(range(10**5))"],
        "reference": {"command": ["{python}", "-c", "sum(range(10**7))"], "cores": 1},
        "setup": [["{python}", "-c", "open('{work}/input.bin', 'wb').write(b'x' * 3000000)"]],
        "creates": "{work}/input.bin",
        "bytes": ["{work}/input.bin"],
    },
    {
        # Each of the 2 ranks holds 200 MiB: the per-process peak is ~200 MiB, the sum ~400.
        "name": "two-ranks-200mib",
        "command": ["{python}", "-c", "b = b'x' * (200 * 2**20); print({'rank': len(b)})"],
        "ranks": 2,
        "repeat": 1,
        "warmup": 0,
    },
]
# A stand-in for tessera that writes a version 1 --perf-report (docs/perf-report.schema.json).
FAKE_REPORT = {
    "schema_version": 1,
    "run": {"wall_seconds": 0.75},
    "memory": {"peak_rss_bytes": {"min": 1000, "avg": 2000, "max": 123456789}, "max_rank": 1},
    "totals": {"items": 1000, "bytes_read": 0, "bytes_written": 0},
    "regions": [
        {"path": "check.claims", "seconds": {"min": 0.6, "avg": 0.65, "max": 0.7}},
        {"path": "check.claims/claims", "seconds": {"min": 0.4, "avg": 0.45, "max": 0.5}},
    ],
}
cases.append({
    "name": "fake-report",
    "command": ["{python}", "-c", "import json, sys; json.dump(%r, open(sys.argv[1], 'w'))"
                % FAKE_REPORT, "{perf_report}"],
    "items": 1000,
    "items_region": "claims",
    "repeat": 2,
    "warmup": 0,
})
with open(cases_file, "w") as f:
    json.dump(cases, f)


def bench(*args):
    return subprocess.run([PYTHON, BENCH, *args], capture_output=True, text=True, timeout=120)


common = ["--cases", cases_file, "--work", os.path.join(work, "w"), "--results", results]

r = bench("list", "--cases", cases_file)
t.check(r.returncode == 0 and "small-sum" in r.stdout and "two-ranks-200mib" in r.stdout,
        "list shows both cases of an explicit case file", r)

r = bench("run", "small-sum", "--repeat", "3", "--warmup", "1", *common)
t.check(r.returncode == 0, "run exits 0", r)
jsons = glob.glob(os.path.join(results, "small-sum-*.json"))
t.check(len(jsons) == 1, "one JSON result written as <case>-<timestamp>.json", jsons)
mds = glob.glob(os.path.join(results, "small-sum-*.md"))
t.check(len(mds) == 1, "one markdown result written beside it", mds)
if len(jsons) != 1 or len(mds) != 1:
    t.done()

with open(jsons[0]) as f:
    result = json.load(f)
case = result["cases"][0]
t.check(case["name"] == "small-sum" and len(case["runs"]) == 3, "3 counted runs of the case",
        case.get("runs"))
t.check(len(case["reference"]["runs"]) == 3, "3 counted runs of the reference")
for label, summary in (("case", case["summary"]), ("reference", case["reference"]["summary"])):
    s = summary["seconds"]
    t.check(s["min"] <= s["median"] <= s["max"], f"{label} median lies between min and max", s)
    runs = case["runs"] if label == "case" else case["reference"]["runs"]
    times = sorted(r_["seconds"] for r_ in runs)
    t.check(abs(s["median"] - times[1]) < 1e-12, f"{label} median is the middle of 3 runs", times)
t.check(case["speedup"] > 1, "speed-up (reference / case) > 1: the reference is slower",
        case.get("speedup"))
t.check(case["equal_cores"] and "equal cores" in case["cores_note"],
        "equal cores noted for 1 core against 1 core", case.get("cores_note"))
t.check(case["bytes"] == 3000000, "bytes sums the sizes of the listed paths (setup made it)",
        case.get("bytes"))
t.check(case["summary"]["gb_per_s"] > 0, "GB/s reported when bytes are given")
t.check(all(r_["peak_rss_bytes"] > MIB for r_ in case["runs"]),
        "every run has a peak RSS (a Python process is more than 1 MiB)")
with open(mds[0]) as f:
    md = f.read()
t.check("| case | ranks x threads |" in md and "| small-sum | 1 x 1 | 3 |" in md,
        "markdown table has a header and the case row", md)

# --- peak RSS through mpiexec is per process, not summed over ranks
r = bench("run", "two-ranks-200mib", *common)
t.check(r.returncode == 0, "an mpiexec-launched case runs", r)
files = glob.glob(os.path.join(results, "two-ranks-200mib-*.json"))
if t.check(len(files) == 1, "its result is written", files):
    with open(files[0]) as f:
        rss = json.load(f)["cases"][0]["summary"]["peak_rss_bytes"]["median"]
    t.check(200 * MIB <= rss < 380 * MIB,
            "peak RSS under mpiexec is the largest rank's (~200 MiB), not the sum (~400)",
            f"{rss / MIB:.0f} MiB")

# --- a --perf-report written through {perf_report} is read back
r = bench("run", "fake-report", *common)
t.check(r.returncode == 0, "a case writing a perf report runs", r)
files = glob.glob(os.path.join(results, "fake-report-*.json"))
if t.check(len(files) == 1, "its result is written", files):
    with open(files[0]) as f:
        c = json.load(f)["cases"][0]
    s = c["summary"]
    t.check(all(os.path.exists(r_.get("perf_report", "")) for r_ in c["runs"]),
            "each run has its own perf report file", c["runs"])
    t.check(s.get("report_peak_rss_bytes", {}).get("median") == 123456789,
            "peak RSS taken as the max over ranks of the report", s)
    t.check(s.get("regions", {}).get("check.claims/claims", {}).get("median") == 0.5,
            "region times are the max over ranks per region path", s.get("regions"))
    t.check(s.get("per_item", {}).get("basis") == "region claims"
            and abs(s["per_item"]["seconds"] - 0.5e-3) < 1e-12,
            "per-item cost from the named region: 0.5 s / 1000 items", s.get("per_item"))

# --- scaling: efficiency is T1 / (n * Tn) from the medians
r = bench("scaling", "--command", "{python} -c pass", "--name", "noop", "--ranks", "1,2",
          "--repeat", "1", "--warmup", "0", *common)
t.check(r.returncode == 0, "scaling of an ad-hoc command runs", r)
files = glob.glob(os.path.join(results, "noop-strong-*.json"))
if t.check(len(files) == 1, "scaling result written as <case>-strong-<timestamp>.json", files):
    with open(files[0]) as f:
        points = json.load(f)["scaling"]["points"]
    t.check([p["ranks"] for p in points] == [1, 2], "one point per rank count", points)
    if len(points) == 2:
        expected = points[0]["median"] / (2 * points[1]["median"])
        t.check(abs(points[1]["efficiency"] - expected) < 1e-9 and points[0]["efficiency"] == 1,
                "parallel efficiency = T1 / (n * Tn)", points)


# --- compare flags a 2x slower result and not a 1.05x one
def fake(factor):
    slowed = copy.deepcopy(result)
    for stat in slowed["cases"][0]["summary"]["seconds"]:
        slowed["cases"][0]["summary"]["seconds"][stat] *= factor
    path = os.path.join(work, f"fake-{factor}.json")
    with open(path, "w") as f:
        json.dump(slowed, f)
    return path


r = bench("compare", fake(2.0), jsons[0], "--threshold", "1.2")
t.check(r.returncode == 1 and "SLOWER" in r.stdout, "compare flags a 2x slower median (exit 1)", r)
r = bench("compare", fake(1.05), jsons[0], "--threshold", "1.2")
t.check(r.returncode == 0 and "SLOWER" not in r.stdout,
        "compare does not flag a 1.05x slower median (exit 0)", r)

# --- bad input: a clear message, exit 2
r = bench("run", "no-such-case", *common)
t.check(r.returncode == 2 and "no-such-case" in r.stderr, "an unknown case is a usage error", r)
bad = os.path.join(work, "bad.json")
with open(bad, "w") as f:
    f.write('[{"name": "x"}]')
r = bench("list", "--cases", bad)
t.check(r.returncode == 2 and "bad.json" in r.stderr and "command" in r.stderr,
        "a case without a command names the file and the missing field", r)
fail_case = os.path.join(work, "fail.json")
with open(fail_case, "w") as f:
    json.dump([{"name": "fails", "command": ["{python}", "-c", "raise SystemExit(7)"]}], f)
r = bench("run", "fails", "--cases", fail_case, "--work", os.path.join(work, "w"),
          "--results", results, "--repeat", "1", "--warmup", "0")
t.check(r.returncode == 2 and "exit code 7" in r.stderr, "a failing command stops the case", r)

t.done()
