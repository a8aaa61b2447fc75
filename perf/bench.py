#!/usr/bin/python3
"""Tessera benchmark harness: the one entry point for every performance figure.

    perf/bench.py list
    perf/bench.py run CASE [CASE ...] [--repeat N] [--warmup N] [--no-reference]
    perf/bench.py scaling CASE --ranks 1,2,4 [--weak]
    perf/bench.py scaling --command "{tessera} check workload --items 2000" --ranks 1,2
    perf/bench.py compare RESULT.json BASELINE.json [--threshold 1.2]

Cases live in perf/cases/<pipeline>.json (format in perf/README.md). Every
figure is a median over several counted runs, taken after warm-up runs; when a
case names a reference command, case and reference runs alternate (case,
reference, case, reference, ...) so slow drift of the machine (other jobs,
thermal state, page cache) affects both alike.

How memory is measured. Each command is started with Popen and reaped with
os.wait4(), whose rusage covers that child and every descendant it reaped in
turn. Linux reports ru_maxrss there as the largest single process in that tree,
not a sum. For `mpiexec -n N prog` (mpiexec forks the ranks locally and waits
for them) this is therefore the peak RSS of the biggest rank: a per-process
figure. getrusage(RUSAGE_CHILDREN) cannot be used by difference for memory
because its ru_maxrss is a high-water mark over all children ever reaped; the
CPU seconds recorded here (user + system, summed over the tree) come from the
same wait4 call. Under a remote launcher (srun across nodes) the ranks are not
our descendants, so the figure is only the launcher's own; use the tessera
--perf-report figures ({perf_report} in the command) there.

Only the Python standard library is used (Python 3.6 or later), so this runs under
/usr/bin/python3 anywhere, Perlmutter login and compute nodes included.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_DIR = os.path.join(SOURCE, "perf", "cases")
RESULTS_DIR = os.path.join(SOURCE, "perf", "results")
# {bind}: "--bind-to none" when a rank runs several OpenMP threads. Open MPI
# binds each rank to one core when ranks <= 2, and the threads of a bound rank
# would all share that core.
DEFAULT_LAUNCHER = "{mpiexec} -n {ranks} --oversubscribe {bind}"
RESULT_FORMAT = "tessera-bench/1"
MIB = 1024.0 * 1024.0

# Open MPI refuses to run as root without both of these; harmless otherwise.
ROOT_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
# Single-node Open MPI: the ob1 PML over shared memory instead of UCX, whose
# device probe adds ~0.2 s to every start-up here (docs/install.md). Kept if
# the caller set it; other MPIs ignore it.
LOCAL_MPI_ENV = {"OMPI_MCA_pml": "ob1"}


class BenchError(Exception):
    """A problem with a case file or a failed command; printed without a traceback."""


# --------------------------------------------------------------------------- cases


def load_cases(files):
    """Reads case files (lists of case objects) and returns {name: case}."""
    cases = {}
    for path in files:
        try:
            with open(path) as f:
                entries = json.load(f)
        except (OSError, ValueError) as e:
            raise BenchError(f"{path}: cannot read case file: {e}")
        if not isinstance(entries, list):
            raise BenchError(f"{path}: a case file holds a JSON list of case objects")
        for i, case in enumerate(entries):
            where = f"{path}: case #{i}"
            if not isinstance(case, dict) or "name" not in case or "command" not in case:
                raise BenchError(f"{where}: every case needs 'name' and 'command'")
            if not _is_argv(case["command"]):
                raise BenchError(f"{where} ({case['name']}): 'command' must be a list of strings")
            ref = case.get("reference")
            if ref is not None and (not isinstance(ref, dict) or not _is_argv(ref.get("command"))):
                raise BenchError(f"{where} ({case['name']}): 'reference' needs a 'command' list")
            if case["name"] in cases:
                raise BenchError(f"{where}: case name '{case['name']}' defined twice")
            case = dict(case)
            case["file"] = os.path.relpath(path, SOURCE) if path.startswith(SOURCE) else path
            cases[case["name"]] = case
    return cases


def _is_argv(value):
    return isinstance(value, list) and value and all(isinstance(a, str) for a in value)


def default_case_files():
    if not os.path.isdir(CASES_DIR):
        return []
    return sorted(os.path.join(CASES_DIR, f) for f in os.listdir(CASES_DIR) if f.endswith(".json"))


_VARIABLE = re.compile(
    r"\{(tessera|work|python|source|ranks|threads|perf_report|mpiexec|bind)(?:\*(\d+))?\}")


def expand(text, variables):
    """Replaces the known {variables}; any other braces (Python code) stay as written.
    `{ranks*K}` is the rank count times the integer K (weak scaling: work per rank)."""

    def one(m):
        value = variables[m.group(1)]
        if m.group(2) is None:
            return str(value)
        if not isinstance(value, int):
            raise BenchError(f"{m.group(0)}: only numeric variables can be multiplied")
        return str(value * int(m.group(2)))

    return _VARIABLE.sub(one, text)


# --------------------------------------------------------------------------- running


class Runner:
    """Runs commands for one session: variables, environment, launcher, timeout."""

    def __init__(self, args):
        self.work = os.path.abspath(args.work)
        self.tessera = os.path.abspath(args.tessera) if os.sep in args.tessera else args.tessera
        self.mpiexec = args.mpiexec
        self.launcher = args.launcher
        self.timeout = args.timeout
        self.verbose = args.verbose
        os.makedirs(os.path.join(self.work, "logs"), exist_ok=True)
        os.makedirs(os.path.join(self.work, "reports"), exist_ok=True)

    def variables(self, ranks, threads, perf_report=""):
        return {
            "tessera": self.tessera,
            "work": self.work,
            "python": "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
            "source": SOURCE,
            "ranks": ranks,
            "threads": threads,
            "perf_report": perf_report,
            "mpiexec": self.mpiexec,
            "bind": "--bind-to none" if threads and threads > 1 else "",
        }

    def argv(self, command, ranks, threads, perf_report=""):
        v = self.variables(ranks, threads, perf_report)
        argv = [expand(a, v) for a in command]
        if ranks and ranks > 0:
            argv = shlex.split(expand(self.launcher, v)) + argv
        return argv

    def environment(self, threads, extra):
        env = dict(os.environ)
        env.update(ROOT_ENV)
        for k, val in LOCAL_MPI_ENV.items():
            env.setdefault(k, val)
        env["OMP_NUM_THREADS"] = str(threads)
        for k, val in (extra or {}).items():
            env[k] = expand(str(val), self.variables(0, threads))
        return env

    def execute(self, argv, env, log_name):
        """Runs argv once; returns {seconds, peak_rss_bytes, cpu_seconds, exit_code, log}."""
        log_path = os.path.join(self.work, "logs", log_name + ".log")
        if self.verbose:
            print("  $ " + " ".join(shlex.quote(a) for a in argv), flush=True)
        with open(log_path, "wb") as log:
            start = time.perf_counter()
            try:
                proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True, cwd=self.work)
            except OSError as e:
                raise BenchError(f"cannot start {argv[0]}: {e}")
            timed_out = []
            timer = None
            if self.timeout:
                timer = threading.Timer(self.timeout, _kill_group, (proc.pid, timed_out))
                timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except KeyboardInterrupt:  # the child has its own session: stop it too
                _kill_group(proc.pid, timed_out)
                os.wait4(proc.pid, 0)
                raise
            seconds = time.perf_counter() - start
            if timer:
                timer.cancel()
        # Reaped already: tell Popen. (os.waitstatus_to_exitcode needs Python 3.9; SLES
        # login nodes have 3.6.)
        proc.returncode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
        return {
            "seconds": seconds,
            # ru_maxrss is in KiB on Linux.
            "peak_rss_bytes": int(usage.ru_maxrss) * 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "exit_code": proc.returncode,
            "timed_out": bool(timed_out),
            "log": log_path,
        }


def _kill_group(pid, flag):
    flag.append(True)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _tail(path, lines=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def _check(outcome, what):
    if outcome["timed_out"]:
        raise BenchError(f"{what}: timed out; log {outcome['log']}:\n{_tail(outcome['log'])}")
    if outcome["exit_code"] != 0:
        raise BenchError(f"{what}: exit code {outcome['exit_code']}; log {outcome['log']}:\n"
                         f"{_tail(outcome['log'])}")


def run_setup(runner, case):
    """Runs a case's setup commands once, unless its `creates` path already exists."""
    setup = case.get("setup") or []
    if not setup:
        return
    creates = case.get("creates")
    if creates:
        creates = expand(creates, runner.variables(0, 1))
        if os.path.exists(creates):
            return
    for i, step in enumerate(setup):
        command, ranks = (step.get("command"), step.get("ranks", 0)) if isinstance(step, dict) \
            else (step, 0)
        if not _is_argv(command):
            raise BenchError(f"case {case['name']}: setup step #{i} must be a list of strings")
        argv = runner.argv(command, ranks, 1)
        print(f"  setup: {' '.join(shlex.quote(a) for a in argv)}", flush=True)
        outcome = runner.execute(argv, runner.environment(1, case.get("env")),
                                 f"{case['name']}-setup{i}")
        _check(outcome, f"case {case['name']}: setup step #{i}")


def remove_path(path):
    """Removes a file or a directory tree if it exists."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


class Side:
    """One of the two commands compared in a case: the case itself or its reference."""

    def __init__(self, case, label, spec, ranks, threads, cores):
        self.case = case
        self.label = label  # "case" or "reference"
        self.command = spec["command"]
        self.ranks = ranks
        self.threads = threads
        self.cores = cores
        self.env = spec.get("env", case.get("env"))
        # Outputs removed before every run, untimed: each run then writes a new
        # file, as a conversion of new data does, instead of also timing the
        # file system's replacement of the previous run's output.
        self.fresh = spec.get("fresh", [])
        self.runs = []

    def run_once(self, runner, index, counted):
        tag = f"{self.case['name']}-{self.label}-np{self.ranks}-{index}"
        report = os.path.join(runner.work, "reports", tag + ".json")
        if os.path.exists(report):
            os.remove(report)
        for pattern in self.fresh:
            remove_path(expand(pattern, runner.variables(self.ranks, self.threads)))
        if self.fresh:
            # Let the file system finish the removal (block freeing, discards,
            # metadata write-back) before the clock starts, so it does not
            # compete with the timed run.
            os.sync()
        argv = runner.argv(self.command, self.ranks, self.threads, report)
        outcome = runner.execute(argv, runner.environment(self.threads, self.env), tag)
        _check(outcome, f"case {self.case['name']} ({self.label})")
        if counted:
            run = {k: outcome[k] for k in ("seconds", "peak_rss_bytes", "cpu_seconds")}
            if os.path.exists(report):
                run.update(read_perf_report(report))
                run["perf_report"] = report
            self.runs.append(run)


def run_case(runner, case, repeat, warmup, with_reference, ranks_override=None):
    """Times a case (and its reference, interleaved); returns the result record."""
    ranks = int(ranks_override if ranks_override is not None else case.get("ranks", 0))
    threads = int(case.get("threads", 1))
    repeat = int(repeat if repeat is not None else case.get("repeat", 5))
    warmup = int(warmup if warmup is not None else case.get("warmup", 1))
    if repeat < 1:
        raise BenchError("at least one counted run is needed (--repeat >= 1)")
    uses_tessera = any("{tessera}" in a for a in case["command"]) or any(
        "{tessera}" in a for step in case.get("setup") or []
        for a in (step.get("command", []) if isinstance(step, dict) else step))
    if uses_tessera and os.sep in runner.tessera and not os.access(runner.tessera, os.X_OK):
        raise BenchError(f"case {case['name']}: no tessera executable at {runner.tessera}; "
                         "build it (docs/install.md) or pass --tessera PATH")
    run_setup(runner, case)
    sides = [Side(case, "case", case, ranks, threads, max(ranks, 1) * threads)]
    ref = case.get("reference")
    if ref and with_reference:
        ref_ranks = int(ref.get("ranks", 0))
        ref_threads = int(ref.get("threads", 1))
        sides.append(Side(case, "reference", ref, ref_ranks, ref_threads,
                          int(ref.get("cores", max(ref_ranks, 1) * ref_threads))))
    label = f"{case['name']} at {ranks} ranks" if ranks else case["name"]
    print(f"{label}: {warmup} warm-up + {repeat} counted runs"
          f"{' interleaved with the reference' if len(sides) > 1 else ''}", flush=True)
    for i in range(warmup + repeat):
        for side in sides:
            side.run_once(runner, i, counted=i >= warmup)
    record = {
        "name": case["name"],
        "description": case.get("description", ""),
        "file": case.get("file", ""),
        "ranks": ranks,
        "threads": threads,
        "cores": sides[0].cores,
        "repeat": repeat,
        "warmup": warmup,
        "command": runner.argv(case["command"], ranks, threads, "{perf_report}"),
        "runs": sides[0].runs,
        "summary": summarize(sides[0].runs),
    }
    total_bytes = input_bytes(runner, case)
    if total_bytes is not None:
        record["bytes"] = total_bytes
        record["summary"]["gb_per_s"] = total_bytes / 1e9 / record["summary"]["seconds"]["median"]
    if case.get("items"):
        record["items"] = int(case["items"])
        record["summary"]["per_item"] = per_item(case, sides[0].runs, record["summary"])
    if len(sides) > 1:
        r = sides[1]
        ref_summary = summarize(r.runs)
        ratio = ref_summary["seconds"]["median"] / record["summary"]["seconds"]["median"]
        record["reference"] = {
            "description": ref.get("description", ""),
            "command": runner.argv(r.command, r.ranks, r.threads),
            "ranks": r.ranks,
            "threads": r.threads,
            "cores": r.cores,
            "runs": r.runs,
            "summary": ref_summary,
        }
        record["speedup"] = ratio
        record["speedup_per_core"] = ratio * r.cores / record["cores"]
        record["equal_cores"] = r.cores == record["cores"]
        record["cores_note"] = cores_note(record["cores"], r.cores, ratio)
    return record


def cores_note(case_cores, ref_cores, ratio):
    if case_cores == ref_cores:
        return f"equal cores ({case_cores}): the speed-up {ratio:.2f}x compares like with like"
    return (f"NOT equal cores: case {case_cores}, reference {ref_cores}; the speed-up "
            f"{ratio:.2f}x includes the extra cores, per core it is "
            f"{ratio * ref_cores / case_cores:.2f}x")


def input_bytes(runner, case):
    paths = case.get("bytes")
    if not paths:
        return None
    total = 0
    for p in paths:
        p = expand(p, runner.variables(0, 1))
        if not os.path.exists(p):
            raise BenchError(f"case {case['name']}: 'bytes' path {p} does not exist")
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        else:
            total += os.path.getsize(p)
    return total


def per_item(case, runs, summary):
    """Seconds per item: from a perf-report region when named and present, else wall time."""
    items = int(case["items"])
    region = case.get("items_region")
    if region:
        times = [_region_seconds(run, region) for run in runs]
        times = [t for t in times if t is not None]
        if len(times) == len(runs):
            return {"basis": f"region {region}", "seconds": statistics.median(times) / items}
    return {"basis": "wall time", "seconds": summary["seconds"]["median"] / items}


def _region_seconds(run, region):
    for name, seconds in (run.get("regions") or {}).items():
        if name == region or name.endswith("/" + region):
            return seconds
    return None


def stats(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarize(runs):
    out = {
        "seconds": stats([r["seconds"] for r in runs]),
        "peak_rss_bytes": stats([r["peak_rss_bytes"] for r in runs]),
        "cpu_seconds": stats([r["cpu_seconds"] for r in runs]),
    }
    for key in ("report_peak_rss_bytes", "report_wall_seconds"):
        reported = [r[key] for r in runs if key in r]
        if len(reported) == len(runs):
            out[key] = stats(reported)
    names = set()
    for r in runs:
        names.update((r.get("regions") or {}).keys())
    regions = {}
    for name in sorted(names):
        values = [r["regions"][name] for r in runs if name in (r.get("regions") or {})]
        if len(values) == len(runs):
            regions[name] = stats(values)
    if regions:
        out["regions"] = regions
    return out


# --------------------------------------------------------------------------- perf reports


def read_perf_report(path):
    """The per-rank peak RSS maximum and each region's max-over-ranks seconds from a
    tessera --perf-report JSON (layout: docs/perf-report.schema.json, version 1)."""
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        print(f"  warning: cannot read perf report {path}: {e}", file=sys.stderr)
        return {}
    if not isinstance(report, dict) or report.get("schema_version") != 1:
        print(f"  warning: {path}: not a version 1 perf report; ignored", file=sys.stderr)
        return {}
    out = {}
    try:
        out["report_peak_rss_bytes"] = int(report["memory"]["peak_rss_bytes"]["max"])
        out["report_wall_seconds"] = float(report["run"]["wall_seconds"])
        out["regions"] = {r["path"]: float(r["seconds"]["max"]) for r in report["regions"]}
    except (KeyError, TypeError, ValueError) as e:
        print(f"  warning: {path}: incomplete perf report ({e})", file=sys.stderr)
    return out


# --------------------------------------------------------------------------- output


def metadata(runner):
    meta = {
        "format": RESULT_FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "tessera": runner.tessera,
        "launcher": runner.launcher,
        "slurm_job_id": os.environ.get("SLURM_JOB_ID", ""),
        "git_sha": _git_sha(),
    }
    return meta


def _git_sha():
    try:
        r = subprocess.run(["git", "-C", SOURCE, "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=10)
        return r.stdout.strip() if r.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _s(x):
    return f"{x:.3f}" if x >= 0.1 else f"{x * 1e3:.2f} ms"


def _mib(x):
    return f"{x / MIB:.0f}"


def _codegen(result):
    """The build's code generation (run.codegen) from the first perf report a
    result's runs point to, or None."""
    for case in result.get("cases", []):
        for run in case.get("runs", []):
            path = run.get("perf_report")
            if not isinstance(path, str):
                continue
            try:
                with open(path) as f:
                    codegen = json.load(f).get("run", {}).get("codegen")
            except (OSError, ValueError):
                continue
            if isinstance(codegen, str):
                return codegen
    return None


def markdown_cases(result):
    codegen = _codegen(result)
    lines = [
        f"Host `{result['host']}`, {result['cpus']} CPUs, {result['created']}, "
        f"git `{result['git_sha'][:12] or 'unknown'}`"
        + (f", build code generation `{codegen or '(none)'}`." if codegen is not None else "."),
        "",
        "| case | ranks x threads | runs | median s | min s | max s | peak RSS MiB "
        "(per process, median) | reference median s | speed-up |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for c in result["cases"]:
        s = c["summary"]
        ref_med = speed = ""
        if "reference" in c:
            ref_med = _s(c["reference"]["summary"]["seconds"]["median"])
            speed = f"{c['speedup']:.2f}x" + ("" if c["equal_cores"] else " (unequal cores)")
            notes.append(f"- `{c['name']}`: {c['cores_note']}.")
            rs = c["reference"]["summary"]
            ref_rss, case_rss = rs["peak_rss_bytes"]["median"], s["peak_rss_bytes"]["median"]
            if ref_rss and case_rss:
                notes.append(f"- `{c['name']}`: reference peak RSS {_mib(ref_rss)} MiB, "
                             f"{case_rss / ref_rss:.2f} of it for the case (median of runs; "
                             f"CPU s median: case {_s(s['cpu_seconds']['median'])}, reference "
                             f"{_s(rs['cpu_seconds']['median'])}).")
        lines.append(
            f"| {c['name']} | {max(c['ranks'], 1)} x {c['threads']} | {len(c['runs'])} | "
            f"{_s(s['seconds']['median'])} | {_s(s['seconds']['min'])} | "
            f"{_s(s['seconds']['max'])} | {_mib(s['peak_rss_bytes']['median'])} | {ref_med} | "
            f"{speed} |")
        if "gb_per_s" in s:
            notes.append(f"- `{c['name']}`: {c['bytes'] / 1e9:.3f} GB of input, "
                         f"{s['gb_per_s']:.3f} GB/s at the median.")
        if "per_item" in s:
            notes.append(f"- `{c['name']}`: {s['per_item']['seconds'] * 1e6:.3f} µs per item "
                         f"({c['items']} items, {s['per_item']['basis']}).")
        if "report_peak_rss_bytes" in s:
            notes.append(f"- `{c['name']}`: perf report peak RSS, max over ranks: "
                         f"{_mib(s['report_peak_rss_bytes']['median'])} MiB (median of runs).")
        if "report_wall_seconds" in s:
            notes.append(f"- `{c['name']}`: tessera's own wall time (perf report, without the "
                         f"launcher's start-up): {_s(s['report_wall_seconds']['median'])} median.")
    if notes:
        lines += ["", *notes]
    for c in result["cases"]:
        regions = c["summary"].get("regions")
        if regions:
            lines += ["", f"Regions of `{c['name']}` (max over ranks, seconds):", "",
                      "| region | median | min | max |", "|---|---|---|---|"]
            for name, r in regions.items():
                lines.append(f"| {name} | {_s(r['median'])} | {_s(r['min'])} | {_s(r['max'])} |")
    return "\n".join(lines) + "\n"


def markdown_scaling(result):
    sc = result["scaling"]
    kind = "weak" if sc["weak"] else "strong"
    lines = [
        f"{kind.capitalize()} scaling of `{sc['case']}`; host `{result['host']}`, "
        f"{result['cpus']} CPUs, {result['created']}.",
        "",
        "| ranks | median s | min s | max s | speed-up | parallel efficiency | peak RSS MiB "
        "| tessera wall s | efficiency (tessera wall) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in sc["points"]:
        own = (f"{_s(p['report_median'])} | {p['report_efficiency']:.2f}"
               if "report_median" in p else " | ")
        lines.append(f"| {p['ranks']} | {_s(p['median'])} | {_s(p['min'])} | {_s(p['max'])} | "
                     f"{p['speedup']:.2f} | {p['efficiency']:.2f} | "
                     f"{_mib(p['peak_rss_bytes'])} | {own} |")
    base = sc["points"][0]["ranks"]
    if sc["weak"]:
        lines += ["", f"Efficiency = T({base}) / T(n): the work grows with the ranks."]
    else:
        lines += ["", "Efficiency = T1 / (n·Tn)." if base == 1 else
                  f"Efficiency = {base}·T({base}) / (n·T(n)), relative to {base} ranks."]
    if "report_median" in sc["points"][0]:
        lines.append("The last two columns use the wall time tessera reports itself "
                     "(launcher start-up excluded).")
    if result["cpus"] and sc["points"][-1]["ranks"] > result["cpus"]:
        lines.append(f"Note: {sc['points'][-1]['ranks']} ranks on {result['cpus']} CPUs are "
                     "oversubscribed; efficiency there measures the machine, not the code.")
    return "\n".join(lines) + "\n"


def write_result(result, results_dir, stem):
    os.makedirs(results_dir, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = os.path.join(results_dir, f"{stem}-{stamp}")
    n = 1
    while os.path.exists(base + ".json"):  # two results in the same second
        n += 1
        base = os.path.join(results_dir, f"{stem}-{stamp}-{n}")
    with open(base + ".json", "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    md = result["markdown"]
    with open(base + ".md", "w") as f:
        f.write(md)
    return base + ".json", base + ".md"


# --------------------------------------------------------------------------- commands


def cmd_list(args, cases):
    if not cases:
        print("no cases found")
        return 0
    width = max(len(n) for n in cases)

    def where(c):
        ranks, threads = c.get("ranks", 0), c.get("threads", 1)
        return f"{ranks} ranks x {threads} threads" if ranks else \
            f"1 process x {threads} threads (no launcher)"

    wwidth = max(len(where(c)) for c in cases.values())
    for name, c in cases.items():
        ref = "  +reference" if c.get("reference") else ""
        print(f"{name:<{width}}  {where(c):<{wwidth}}  {c['file']}{ref}")
        if c.get("description"):
            print(textwrap.fill(c["description"], 100, initial_indent=" " * (width + 2),
                                subsequent_indent=" " * (width + 2)))
    return 0


def _select(cases, names):
    missing = [n for n in names if n not in cases]
    if missing:
        raise BenchError(f"unknown case(s): {', '.join(missing)} (see `perf/bench.py list`)")
    return [cases[n] for n in names]


def cmd_run(args, cases):
    runner = Runner(args)
    result = metadata(runner)
    result["cases"] = []
    written = []
    for case in _select(cases, args.names):
        record = run_case(runner, case, args.repeat, args.warmup, not args.no_reference,
                          args.ranks)
        one = dict(result, cases=[record])
        one["markdown"] = markdown_cases(one)
        print(one["markdown"])
        written += write_result(one, args.results, case["name"])
        result["cases"].append(record)
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_scaling(args, cases):
    if args.command:
        case = {"name": args.name, "description": "ad-hoc command (--command)",
                "command": shlex.split(args.command), "threads": args.threads or 1,
                "file": "(command line)"}
        if args.case:
            raise BenchError("give either a CASE or --command, not both")
    elif args.case:
        case = _select(cases, [args.case])[0]
        if args.threads:
            case = dict(case, threads=args.threads)
    else:
        raise BenchError("scaling needs a CASE or --command")
    try:
        ranks = [int(r) for r in args.ranks.split(",") if r.strip()]
    except ValueError:
        raise BenchError(f"--ranks wants a comma-separated list of integers, got {args.ranks}")
    if not ranks or min(ranks) < 1:
        raise BenchError("--ranks needs at least one positive rank count")
    runner = Runner(args)
    records = [run_case(runner, case, args.repeat, args.warmup, False, n) for n in ranks]
    base = records[0]
    t_base = base["summary"]["seconds"]["median"]
    # With perf reports, the same figures from tessera's own wall time: launcher start-up
    # (large for short runs, and growing with the ranks) left out.
    with_report = all("report_wall_seconds" in r["summary"] for r in records)
    points = []
    for rec in records:
        n = rec["ranks"]
        t = rec["summary"]["seconds"]["median"]
        speedup = t_base / t
        efficiency = speedup if args.weak else speedup * base["ranks"] / n
        point = {"ranks": n, "median": t, "min": rec["summary"]["seconds"]["min"],
                 "max": rec["summary"]["seconds"]["max"], "speedup": speedup,
                 "efficiency": efficiency,
                 "peak_rss_bytes": rec["summary"]["peak_rss_bytes"]["median"]}
        if with_report:
            tr = rec["summary"]["report_wall_seconds"]["median"]
            sr = base["summary"]["report_wall_seconds"]["median"] / tr
            point["report_median"] = tr
            point["report_efficiency"] = sr if args.weak else sr * base["ranks"] / n
        points.append(point)
    result = metadata(runner)
    result["cases"] = records
    result["scaling"] = {"case": case["name"], "weak": args.weak, "points": points}
    result["markdown"] = markdown_scaling(result) + "\n" + markdown_cases(result)
    print(result["markdown"])
    for path in write_result(result, args.results, f"{case['name']}-{'weak' if args.weak else 'strong'}"):
        print(f"wrote {path}")
    return 0


def _load_result(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise BenchError(f"{path}: cannot read result: {e}")
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise BenchError(f"{path}: not a perf/bench.py result (no 'cases' list)")
    return data


def compare(result, baseline, threshold):
    """Rows for every case in both files; a row is flagged when the median slowed by more
    than `threshold` (result median / baseline median > threshold)."""
    # A scaling result holds one record per rank count under the same name.
    base = {(c["name"], c.get("ranks"), c.get("threads")): c for c in baseline["cases"]}
    names = {c["name"] for c in baseline["cases"]}
    rows = []
    for c in result["cases"]:
        b = base.get((c["name"], c.get("ranks"), c.get("threads")))
        label = c["name"] if c.get("ranks", 0) <= 1 else f"{c['name']} (np{c['ranks']})"
        if b is None:
            status = "baseline has other ranks/threads" if c["name"] in names else "no baseline"
            rows.append({"name": label, "status": status})
            continue
        now = c["summary"]["seconds"]["median"]
        then = b["summary"]["seconds"]["median"]
        ratio = now / then if then > 0 else float("inf")
        rows.append({"name": label, "median": now, "baseline": then, "ratio": ratio,
                     "status": "SLOWER" if ratio > threshold else "ok"})
    return rows


def cmd_compare(args, _cases):
    result = _load_result(args.result)
    baseline = _load_result(args.baseline)
    if result.get("host") != baseline.get("host"):
        print(f"note: result from host {result.get('host')}, baseline from "
              f"{baseline.get('host')}: timings of different machines are not comparable")
    rows = compare(result, baseline, args.threshold)
    print(f"| case | median s | baseline s | ratio | status (threshold {args.threshold}) |")
    print("|---|---|---|---|---|")
    for r in rows:
        if "ratio" in r:
            print(f"| {r['name']} | {_s(r['median'])} | {_s(r['baseline'])} | "
                  f"{r['ratio']:.2f} | {r['status']} |")
        else:
            print(f"| {r['name']} | | | | {r['status']} |")
    slower = [r["name"] for r in rows if r["status"] == "SLOWER"]
    if slower:
        print(f"slower than the baseline by more than {args.threshold}x: {', '.join(slower)}")
        return 1
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="perf/bench.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", action="append", metavar="FILE",
                   help="load this case file instead of perf/cases/*.json (repeatable)")
    sub = p.add_subparsers(dest="action")
    sub.required = True  # (the keyword form needs Python 3.7)

    def session(sp):
        sp.add_argument("--cases", action="append", metavar="FILE", default=argparse.SUPPRESS,
                        help="load this case file instead of perf/cases/*.json (repeatable)")
        sp.add_argument("--repeat", type=int, help="counted runs (default: the case's, or 5)")
        sp.add_argument("--warmup", type=int, help="warm-up runs (default: the case's, or 1)")
        sp.add_argument("--tessera", default=os.path.join(SOURCE, "build", "tessera"),
                        help="the tessera executable for {tessera} (default build/tessera)")
        sp.add_argument("--work", default="/tmp/tessera-bench",
                        help="work directory for {work}, logs and perf reports")
        sp.add_argument("--results", default=RESULTS_DIR,
                        help="where result .json/.md files go (default perf/results)")
        sp.add_argument("--mpiexec", default=os.environ.get("MPIEXEC", "mpiexec"),
                        help="mpiexec for the default launcher (default $MPIEXEC or mpiexec)")
        sp.add_argument("--launcher",
                        default=os.environ.get("TESSERA_BENCH_LAUNCHER", DEFAULT_LAUNCHER),
                        help="prefix for cases with ranks; {ranks} {threads} {mpiexec} are "
                             "expanded (default '%(default)s'; on Perlmutter e.g. "
                             "'srun -n {ranks} -c 2 --cpu-bind=cores')")
        sp.add_argument("--timeout", type=float, default=3600,
                        help="kill a run after this many seconds (default 3600)")
        sp.add_argument("-v", "--verbose", action="store_true", help="print every command")

    sp = sub.add_parser("list", help="list the known cases")
    sp.add_argument("--cases", action="append", metavar="FILE", default=argparse.SUPPRESS)
    sp = sub.add_parser("run", help="time one or more cases")
    sp.add_argument("names", nargs="+", metavar="CASE")
    sp.add_argument("--no-reference", action="store_true", help="skip reference commands")
    sp.add_argument("--ranks", type=int, help="override the case's rank count")
    session(sp)
    sp = sub.add_parser("scaling", help="time a case at several rank counts")
    sp.add_argument("case", nargs="?", metavar="CASE")
    sp.add_argument("--ranks", required=True, help="comma-separated rank counts, e.g. 1,2,4")
    sp.add_argument("--weak", action="store_true",
                    help="weak scaling (the command grows its work with {ranks})")
    sp.add_argument("--command", help="an ad-hoc command template instead of a CASE")
    sp.add_argument("--name", default="adhoc", help="name of the ad-hoc case")
    sp.add_argument("--threads", type=int, help="OMP_NUM_THREADS per rank")
    session(sp)
    sp = sub.add_parser("compare", help="flag cases slower than a baseline")
    sp.add_argument("result")
    sp.add_argument("baseline")
    sp.add_argument("--threshold", type=float, default=1.2,
                    help="flag when median / baseline median exceeds this (default 1.2)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.action == "compare":
            return cmd_compare(args, {})
        files = [os.path.abspath(f) for f in args.cases] if args.cases else default_case_files()
        cases = load_cases(files)
        if args.action == "list":
            return cmd_list(args, cases)
        if args.action == "run":
            return cmd_run(args, cases)
        return cmd_scaling(args, cases)
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
