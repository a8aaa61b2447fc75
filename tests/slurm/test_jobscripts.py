"""Every jobscript submitted with sbatch to a real one-node Slurm, from a
directory outside the checkout, as a user elsewhere would: the Perlmutter
scripts with the documented overrides for another cluster, jobscripts/local
and the scaling studies. Each job must end COMPLETED with exit 0, leave its
outputs, and write perf reports that record its Slurm job id."""
import glob
import json
import os
import shutil

from slurm_jobs import env_for_jobs, submit, wait
from tessera_test import EXE, SOURCE_DIR, TestRun, scratch

t = TestRun("jobscripts under Slurm")
work = scratch("slurm-jobscripts")
runs = os.path.join(work, "runs")
env = env_for_jobs(TESSERA_EXE=EXE, TESSERA_RUN_ROOT=runs, TESSERA_SCALE="tiny")
env.pop("TESSERA_SOURCE", None)
JS = os.path.join(SOURCE_DIR, "jobscripts")
# Documented overrides for a cluster that is not Perlmutter (jobscripts/README.md).
OFF_PERLMUTTER = ["--constraint=", "--nodes=1", "--ntasks-per-node=4", "--cpus-per-task=1"]

jobs = {}
for name in ("core-smoke", "healpix", "raster", "subband", "tiles"):
    jobs[name] = submit(OFF_PERLMUTTER + ["-o", f"{work}/{name}-%j.out",
                                          f"{JS}/perlmutter/{name}.sbatch"], work, env)
wl = os.path.join(work, "local-wl")
jobs["local"] = submit(["-n", "4", "-o", f"{work}/local-%j.out", f"{JS}/local/run.sh", "check",
                        "workload", "--items", "500", "--out", wl, "--no-progress",
                        "--perf-report", f"{wl}.json"], work, env)
for kind, items in (("strong", "2000"), ("weak", "{ranks*500}")):
    jobs[kind] = submit(["-n", "4", "-o", f"{work}/{kind}-%j.out", f"{JS}/scaling/{kind}.sh",
                         "-r", "1,2,4", "-n", "1", "-w", "0", "-e", EXE, "-d", f"{work}/{kind}",
                         "-o", f"{work}/{kind}-results", "--", "{tessera}", "check", "workload",
                         "--items", items, "--out", "{work}/o", "--clobber", "--no-progress"],
                        work, env)
# A copy of a jobscript away from its checkout, with no TESSERA_SOURCE: a clear
# error and exit 2, not "command not found" further on.
lost = os.path.join(work, "elsewhere")
os.makedirs(lost)
shutil.copy(f"{JS}/perlmutter/core-smoke.sbatch", lost)
jobs["lost"] = submit(OFF_PERLMUTTER + ["-o", f"{work}/lost-%j.out", f"{lost}/core-smoke.sbatch"],
                      work, env)

ended = wait(list(jobs.values()), timeout=720)


def log(name):
    files = glob.glob(f"{work}/{name}-{jobs[name]}.out")
    return open(files[0]).read() if files else "(no log)"


def report_ok(path, name, ranks=4):
    if not t.check(os.path.exists(path), f"{name}: perf report {os.path.basename(path)} written"):
        return
    run = json.load(open(path))["run"]
    t.check(str(run.get("slurm_job_id")) == jobs[name],
            f"{name}: {os.path.basename(path)} records Slurm job {jobs[name]}", run.get("slurm_job_id"))
    t.check(run.get("ranks") == ranks, f"{name}: {os.path.basename(path)} ran on {ranks} ranks")


for name, job in jobs.items():
    if name == "lost":
        continue
    state, code = ended[job]
    t.check(state == "COMPLETED" and code == 0, f"{name}: job {job} COMPLETED with exit 0",
            f"{state} exit {code}\n{log(name)[-3000:]}")
    t.check("command not found" not in log(name), f"{name}: no 'command not found' in the log")

state, code = ended[jobs["lost"]]
t.check(state == "FAILED" and code == 2, "a jobscript without its checkout fails with exit 2",
        f"{state} {code}")
t.check("TESSERA_SOURCE" in log("lost") and "command not found" not in log("lost"),
        "... and says to set TESSERA_SOURCE", log("lost")[-1000:])


def run_dir(name):
    dirs = glob.glob(os.path.join(runs, f"tessera-{name}-{jobs[name]}"))
    return dirs[0] if dirs else os.path.join(runs, "missing")


d = run_dir("core-smoke")
t.check(os.path.exists(f"{d}/out/workload.h5"), "core-smoke: workload.h5 written")
report_ok(f"{d}/core-smoke.perf.json", "core-smoke")
d = run_dir("healpix")
t.check(os.path.exists(f"{d}/QSO_cat-altbal.fits"), "healpix: the appended catalog is written")
for step in ("split", "balfind", "append"):
    report_ok(f"{d}/{step}.perf.json", "healpix")
d = run_dir("raster")
for sub, n in (("grids", 4), ("wgs84", 4)):
    got = len(glob.glob(f"{d}/out/{sub}/*.nc"))
    t.check(got == n, f"raster: {n} NetCDF files in {sub}/ (got {got})")
t.check(len(os.listdir(f"{d}/out/tables")) > 0 if os.path.isdir(f"{d}/out/tables") else False,
        "raster: basin tables written")
for step in ("grid", "stats", "reproject"):
    report_ok(f"{d}/{step}.perf.json", "raster")
d = run_dir("subband")
got = len(glob.glob(f"{d}/uvh5/*.uvh5"))
t.check(got == 2, f"subband: 2 merged groups (got {got})")
report_ok(f"{d}/subband.perf.json", "subband")
d = run_dir("tiles")
for f in ("B_aligned.las", "dod.tif", "c2c.las", "m3c2.las"):
    t.check(os.path.exists(f"{d}/out/{f}"), f"tiles: {f} written")
for step in ("align", "dod", "c2c", "m3c2"):
    report_ok(f"{d}/{step}.perf.json", "tiles")
t.check(os.path.exists(f"{wl}/workload.h5"), "local/run.sh: workload.h5 written")
report_ok(f"{wl}.json", "local")
for kind in ("strong", "weak"):
    res = glob.glob(f"{work}/{kind}-results/*.json")
    if t.check(len(res) == 1, f"{kind}: one result file"):
        result = json.load(open(res[0]))
        got = sorted(c["ranks"] for c in result["cases"])
        t.check(got == [1, 2, 4], f"{kind}: results at 1, 2 and 4 ranks (got {got})")
        t.check(result.get("slurm_job_id") == jobs[kind] and "srun --mpi=pmix" in result["launcher"],
                f"{kind}: launched with srun --mpi=pmix inside job {jobs[kind]}", result["launcher"])
    reports = glob.glob(f"{work}/{kind}/reports/*.json")
    t.check(len(reports) == 3, f"{kind}: a perf report per run (got {len(reports)})")
    if reports:
        run = json.load(open(reports[0]))["run"]
        t.check(str(run.get("slurm_job_id")) == jobs[kind], f"{kind}: runs record the Slurm job")
t.done()
