"""Submitting to the test cluster (tools/slurm-local.sh) and waiting for jobs."""
import os
import re
import subprocess
import time


def submit(args, cwd, env):
    """sbatch --parsable ARGS; returns the job id (str)."""
    r = subprocess.run(["sbatch", "--parsable"] + args, cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"sbatch {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip().split(";")[0]


def job_state(job):
    """(JobState, exit code) from scontrol; the record stays for MinJobAge."""
    r = subprocess.run(["scontrol", "show", "job", job], capture_output=True, text=True, timeout=30)
    state = re.search(r"JobState=(\S+)", r.stdout)
    code = re.search(r"ExitCode=(\d+):(\d+)", r.stdout)
    return (state.group(1) if state else "UNKNOWN", int(code.group(1)) if code else -1)


def wait(jobs, timeout):
    """Waits for every job to end; returns {job: (state, exit code)}."""
    done = {}
    deadline = time.time() + timeout
    while len(done) < len(jobs) and time.time() < deadline:
        for j in jobs:
            if j not in done:
                state, code = job_state(j)
                if state not in ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "UNKNOWN"):
                    done[j] = (state, code)
        time.sleep(1)
    for j in jobs:
        if j not in done:
            subprocess.run(["scancel", j], timeout=30)
            done[j] = ("TIMEOUT(test)", -1)
    return done


def env_for_jobs(**extra):
    e = dict(os.environ)
    e.update({k: str(v) for k, v in extra.items()})
    return e
