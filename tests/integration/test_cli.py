"""CLI contract: --help exits 0 at every level, bad input exits 2 naming it,
config files apply and the command line overrides them."""
import json
import os

from tessera_test import TestRun, tessera, scratch

t = TestRun("cli")
work = scratch("cli")

r = tessera(["--help"])
t.check(r.returncode == 0 and "tessera" in r.stdout, "top-level --help exits 0 and lists commands", r)
t.check("check workload" in r.stdout and "demo" in r.stdout, "the overview lists check and demo", r)
r = tessera(["check", "--help"])
t.check(r.returncode == 0 and "workload" in r.stdout, "pipeline --help exits 0 and lists steps", r)
r = tessera(["check", "workload", "--help"])
t.check(r.returncode == 0 and "--items" in r.stdout and "--timeout" in r.stdout,
        "step --help exits 0 and shows step and common options", r)

r = tessera([])
t.check(r.returncode == 2, "no arguments exits 2", r)
r = tessera(["nosuchpipeline"])
t.check(r.returncode == 2 and "nosuchpipeline" in r.stderr, "an unknown command exits 2 naming it", r)
r = tessera(["check", "nosuchstep"])
t.check(r.returncode == 2 and "nosuchstep" in r.stderr, "an unknown step exits 2 naming it", r)
r = tessera(["check", "workload", "--frobnicate", "3"])
t.check(r.returncode == 2 and "frobnicate" in r.stderr, "an unknown option exits 2 naming it", r)
r = tessera(["check", "workload", "--items", "lots"])
t.check(r.returncode == 2 and "items" in r.stderr, "a bad option value exits 2 naming the option", r)
r = tessera(["check", "workload", "--log-level", "loud"])
t.check(r.returncode == 2 and "log-level" in r.stderr, "a bad log level exits 2 naming it", r)

ini = os.path.join(work, "run.ini")
with open(ini, "w") as f:
    f.write("[common]\nlog-level = warn\n[check.workload]\nitems = 37\nout = %s\n" % os.path.join(work, "out"))
report = os.path.join(work, "cfg.json")
r = tessera(["check", "workload", "--config", ini, "--perf-report", report])
t.check(r.returncode == 0, "a run configured from a file succeeds", r)
if os.path.exists(report):
    opts = json.load(open(report))["run"]["options"]
    t.check(opts.get("items") == "37", "the file's value applies (items = 37)", opts)
    t.check(opts.get("log-level") == "warn", "the [common] section applies", opts)
r = tessera(["check", "workload", "--config", ini, "--items", "41", "--perf-report", report])
if r.returncode == 0 and os.path.exists(report):
    opts = json.load(open(report))["run"]["options"]
    t.check(opts.get("items") == "41", "the command line overrides the file (items = 41)", opts)
else:
    t.check(False, "override run succeeds", r)

with open(ini, "w") as f:
    f.write("[check.workload]\nitemz = 3\n")
r = tessera(["check", "workload", "--config", ini])
t.check(r.returncode == 2 and "itemz" in r.stderr and "run.ini" in r.stderr,
        "an unknown key in the config exits 2 naming file and key", r)

r = tessera(["check", "workload", "--dry-run", "--out", os.path.join(work, "dry")])
t.check(r.returncode == 0 and not os.path.exists(os.path.join(work, "dry", "workload.h5")),
        "--dry-run plans and writes nothing", r)
# More OpenMP threads than the CPUs a rank may use (a launcher's binding,
# here taskset) is warned about with the fix; a matching count is not.
import shutil
import subprocess
from tessera_test import EXE, _ENV
if shutil.which("taskset"):
    args = [EXE, "check", "workload", "--items", "20", "--no-progress", "--out",
            os.path.join(work, "bound")]
    e = dict(_ENV, OMP_NUM_THREADS="2")
    r = subprocess.run(["taskset", "-c", "0"] + args, capture_output=True, text=True,
                       timeout=120, env=e)
    t.check(r.returncode == 0 and "2 OpenMP threads per rank" in r.stderr
            and "--bind-to none" in r.stderr, "threads beyond the rank's CPUs are warned about", r)
    e["OMP_NUM_THREADS"] = "1"
    r = subprocess.run(["taskset", "-c", "0"] + args + ["--clobber"], capture_output=True,
                       text=True, timeout=120, env=e)
    t.check(r.returncode == 0 and "OpenMP threads per rank" not in r.stderr,
            "one thread on one CPU is not warned about", r)
t.done()
