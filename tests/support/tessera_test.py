"""Helpers for script tests (tests/*/test_*.py), run under /usr/bin/python3 by CTest.

    from tessera_test import TestRun, tessera, mpirun_tessera, scratch
    t = TestRun("healpix split")
    r = mpirun_tessera(2, ["healpix", "split", "--catalog", cat, "--out", out])
    t.check(r.returncode == 0, "split exits 0", r)
    ...
    t.done()          # prints "N passed, N failed" and exits non-zero on failure

The environment (set by tessera_script_test in tests/CMakeLists.txt) gives
TESSERA_EXE, MPIEXEC, TESSERA_SOURCE_DIR and TESSERA_TEST_DATA (tests/data).
"""
import os
import shutil
import subprocess
import sys
import tempfile

EXE = os.environ.get("TESSERA_EXE", "tessera")
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
SOURCE_DIR = os.environ.get("TESSERA_SOURCE_DIR", ".")
TEST_DATA = os.environ.get("TESSERA_TEST_DATA", os.path.join(SOURCE_DIR, "tests", "data"))

_ENV = dict(os.environ)
_ENV.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
_ENV.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
_ENV.setdefault("OMP_NUM_THREADS", "1")
_ENV.setdefault("OMPI_MCA_pml", "ob1")  # single node: skip UCX's start-up probe


def scratch(name):
    """A fresh empty directory for one test (under the CTest working directory)."""
    path = os.path.join(os.getcwd(), "scratch", name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def tessera(args, timeout=300, env=None, **kw):
    """Runs the tessera executable on one process (MPI singleton)."""
    e = dict(_ENV)
    if env:
        e.update(env)
    return subprocess.run([EXE] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, env=e, **kw)


def mpirun_tessera(ranks, args, timeout=300, env=None, **kw):
    """Runs tessera under mpiexec with `ranks` processes (oversubscribed if needed)."""
    e = dict(_ENV)
    if env:
        e.update(env)
    cmd = [MPIEXEC, "-n", str(ranks), "--oversubscribe", EXE] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e, **kw)


def synth_tiny(t, work, kind, *args):
    """`tessera synth KIND --scale tiny` into WORK/data/KIND, checked on t; returns the directory."""
    d = os.path.join(work, "data", kind)
    r = tessera(["synth", kind, "--out", d, "--scale", "tiny", "--no-progress", *args])
    t.check(r.returncode == 0, f"synth {kind}", r)
    return d


def temporaries(d):
    """Hidden or *.tmp* files left in directory d (an interrupted atomic write)."""
    return [f for f in os.listdir(d) if f.startswith(".") or ".tmp" in f] if os.path.isdir(d) else []


class TestRun:
    """Counts checks and prints a closing 'N passed, N failed' line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, condition, what, detail=None):
        if condition:
            self.passed += 1
            print(f"  ok   {what}")
        else:
            self.failed += 1
            print(f"  FAIL {what}")
            if detail is not None:
                if isinstance(detail, subprocess.CompletedProcess):
                    print(f"       exit {detail.returncode}\n       stdout: {detail.stdout[-2000:]}"
                          f"\n       stderr: {detail.stderr[-2000:]}")
                else:
                    print(f"       {detail}")
        return condition

    def done(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(0 if self.failed == 0 and self.passed > 0 else 1)
