"""The start-up affinity check: it warns when a rank's threads share fewer CPUs
than --threads, and stays quiet when OMP_PROC_BIND/OMP_PLACES spread them
(there the runtime pins the main thread to one place, so its own mask alone
reads 1 CPU: the check must look at the whole team)."""
import os
import subprocess

from tessera_test import EXE, MPIEXEC, TestRun, _ENV, scratch

t = TestRun("affinity check")
work = scratch("affinity")
WARNING = "may run on only"


def run(bind, env):
    e = dict(_ENV)
    e.update(env)
    cmd = [MPIEXEC, "-n", "1", "--bind-to", bind, EXE, "check", "workload", "--items", "20",
           "--threads", "2", "--no-progress", "--out", work, "--clobber"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=e)


if len(os.sched_getaffinity(0)) < 2:
    print("  skip: this machine gives the test fewer than 2 CPUs")
    t.check(True, "skipped on a 1-CPU machine")
else:
    r = run("none", {"OMP_PLACES": "threads", "OMP_PROC_BIND": "spread", "OMP_NUM_THREADS": "2"})
    t.check(r.returncode == 0, "spread threads: the run succeeds", r)
    t.check(WARNING not in r.stderr, "OMP_PROC_BIND=spread over 2 CPUs: no warning", r)
    r = run("none", {"OMP_NUM_THREADS": "2"})
    t.check(r.returncode == 0 and WARNING not in r.stderr, "unbound rank, 2 threads: no warning", r)
    r = run("core", {"OMP_NUM_THREADS": "2"})
    t.check(r.returncode == 0, "rank bound to one core: the run still succeeds", r)
    t.check(WARNING in r.stderr and "only 1 CPU" in r.stderr,
            "rank bound to one core with 2 threads: the warning names 1 CPU", r)
t.done()
