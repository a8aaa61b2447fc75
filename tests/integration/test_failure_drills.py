"""Timeouts and collective failures end every rank quickly with the right
exit code and message; nothing hangs (each run has its own time limit)."""
import subprocess
import time

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("failure drills")
scratch("drills")


def timed(ranks, args, limit=60):
    start = time.monotonic()
    try:
        r = mpirun_tessera(ranks, args, timeout=limit)
    except subprocess.TimeoutExpired:
        return None, limit
    return r, time.monotonic() - start


for ranks in (1, 2, 4):
    r, took = timed(ranks, ["check", "sleep", "--seconds", "60", "--timeout", "1.5"])
    t.check(r is not None and r.returncode == 124, f"{ranks} rank(s): sleeping past --timeout exits 124", r)
    t.check(r is not None and "check.sleep/sleep" in r.stderr,
            f"{ranks} rank(s): the timeout message names the region", r)
    t.check(took < 30, f"{ranks} rank(s): the timeout ends the job promptly ({took:.1f}s)")

for ranks in (2, 4):
    bad = ranks - 1
    r, took = timed(ranks, ["check", "fail", "--rank", str(bad)])
    t.check(r is not None and r.returncode == 3, f"{ranks} ranks: a rank throwing mid-phase -> exit 3", r)
    t.check(r is not None and f"injected failure on rank {bad}" in r.stderr,
            f"{ranks} ranks: the failing rank's message is printed", r)
    t.check(took < 30, f"{ranks} ranks: every rank ended within seconds ({took:.1f}s)")
    r, took = timed(ranks, ["check", "fail", "--rank", str(bad), "--mode", "abort"])
    t.check(r is not None and r.returncode != 0 and "injected abort" in r.stderr,
            f"{ranks} ranks: MPI_Abort from one rank ends the job with its reason", r)
    t.check(took < 30, f"{ranks} ranks: the abort ends the job promptly ({took:.1f}s)")

r, _ = timed(2, ["check", "fail", "--rank", "1", "--mode", "item"])
t.check(r is not None and r.returncode == 1 and "item 1" in r.stderr,
        "a per-item failure exits 1 and is listed in the summary", r)
t.done()
