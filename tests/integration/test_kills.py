"""Kills: each pipeline's main steps, at 2 and 4 ranks, are SIGKILLed (one
rank, or the mpirun launcher) at seeded random moments spread over the
measured length of a clean run. After every kill the test asserts that

  1. no file under a final name is partial: every final-named file is absent
     or equal to the clean run's (values for FITS/HDF5/NetCDF, bytes for
     GeoTIFF/CSV, bytes but the creation date for LAS); fingerprint sidecars
     hold one fingerprint; temporaries (hidden `.name.tmp.pid`) may remain;
  2. every rank ends within a bound (none is left hanging); anything still
     alive then is killed and reported (a launcher left waiting with all
     its ranks gone is counted, not failed: that is Open MPI's mpiexec);
  3. a re-run, the same command a user would type again (steps skip what is
     up to date and redo the rest; docs/architecture.md "Resume"), exits 0
     with outputs equal to the clean run's.

The number of moments per step and rank count is TESSERA_KILLS (default 3;
the seed TESSERA_KILLS_SEED, default 18). See docs/reliability.md#kills."""
import atexit
import ctypes
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time

from same_outputs import same_bytes, same_fits, same_h5, same_las, same_nc
from tessera_test import EXE, MPIEXEC, TestRun, _ENV, scratch, synth_tiny, temporaries

t = TestRun("kills")
work = scratch("kills")
MOMENTS = int(os.environ.get("TESSERA_KILLS", "3"))
SEED = int(os.environ.get("TESSERA_KILLS_SEED", "18"))
EXIT_BOUND = 20.0  # seconds every rank of a killed run has to end (about 2 s seen under load)

# Orphaned ranks (the launcher killed) are re-parented to this process, so
# they can be waited for and reaped here (PR_SET_CHILD_SUBREAPER = 36).
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)

# Open MPI's session directories and shared-memory segments of killed jobs
# stay behind; keep them in the test's own folders, removed at the end.
shm_root = "/dev/shm" if os.path.isdir("/dev/shm") else work
shm = os.path.join(shm_root, f"tessera-kills-{os.getpid()}")
os.makedirs(shm, exist_ok=True)
atexit.register(shutil.rmtree, shm, ignore_errors=True)
tmp = os.path.join(work, "tmp")
os.makedirs(tmp)
ENV = dict(_ENV, OMPI_MCA_btl_vader_backing_directory=shm, TMPDIR=tmp)


# --- processes ---------------------------------------------------------------------------
def proc_stat(pid):
    """(comm, state, ppid, session) of a process, None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    f = s[s.rindex(")") + 2:].split()
    return comm, f[0], int(f[1]), int(f[3])


def session_members(sid):
    """Live (not zombie) processes of session sid; reaps our zombie orphans."""
    live = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = proc_stat(int(d))
        if st is None or st[3] != sid:
            continue
        if st[1] == "Z":
            if st[2] == os.getpid():
                try:
                    os.waitpid(int(d), os.WNOHANG)
                except ChildProcessError:
                    pass
            continue
        live.append((int(d), st[0]))
    return live


def ranks_of(launcher):
    return [int(d) for d in os.listdir("/proc") if d.isdigit()
            and (st := proc_stat(int(d))) and st[2] == launcher and st[0] == "tessera"
            and st[1] != "Z"]


def command(ranks, args):
    return [MPIEXEC, "-n", str(ranks), "--oversubscribe", EXE] + [str(a) for a in args] + \
        ["--no-progress"]


def run(ranks, args, log):
    """A whole run; (exit code, seconds)."""
    start = time.monotonic()
    with open(log, "w") as f:
        r = subprocess.run(command(ranks, args), stdout=f, stderr=subprocess.STDOUT, env=ENV,
                           timeout=600, start_new_session=True)
    return r.returncode, time.monotonic() - start


def run_killed(ranks, args, delay, victim, rng, log):
    """Starts the run, SIGKILLs `victim` ("rank" or "launcher") after `delay`
    seconds. Returns (what was killed or None if the run ended first,
    survivors after EXIT_BOUND: [(pid, comm)], seconds from the kill until
    every process had ended)."""
    with open(log, "w") as f:
        p = subprocess.Popen(command(ranks, args), stdout=f, stderr=subprocess.STDOUT, env=ENV,
                             start_new_session=True)
    killed = None
    start = time.monotonic()
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        pids = ranks_of(p.pid) if victim == "rank" else []
        if pids:
            target = rng.choice(sorted(pids))
            killed = "rank"
        else:
            target, killed = p.pid, "launcher"
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            killed = None
    start = time.monotonic() if killed else start
    end = start + EXIT_BOUND
    try:
        p.wait(timeout=EXIT_BOUND)
    except subprocess.TimeoutExpired:
        pass
    while (alive := session_members(p.pid)) and time.monotonic() < end:
        time.sleep(0.05)
    took = time.monotonic() - start
    if alive:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        time.sleep(0.2)
        session_members(p.pid)  # reap
    return killed, alive, took


# --- outputs -------------------------------------------------------------------------------
SAME = {".fits": same_fits, ".uvh5": same_h5, ".nc": same_nc, ".las": same_las,
        ".tif": same_bytes, ".csv": same_bytes}


def final_files(root):
    """Files under final names (not hidden, not a temporary), relative to root."""
    found = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        for n in names:
            if not n.startswith(".") and ".tmp" not in n:
                found.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(found)


def all_temporaries(root):
    return [os.path.join(d, n) for d, _, _ in os.walk(root) for n in temporaries(d)]


def differs(a, b):
    """Why final-named file a is not a complete copy of the clean run's b ('' if it is)."""
    if a.endswith(".fp"):
        return "" if re.fullmatch(r"[0-9a-f]{16}\n", open(a).read()) else "bad fingerprint"
    if a.endswith(".json"):
        try:
            json.load(open(a))
            return ""
        except ValueError as e:
            return f"unreadable JSON: {e}"
    same = SAME.get(os.path.splitext(a)[1])
    if same is None:
        return "no comparison for this kind of file"
    try:
        d = same(a, b) or same(b, a)
    except Exception as e:  # an unreadable (partial) file
        return f"unreadable: {e}"
    return ", ".join(d)


def partial_files(root, ref):
    """Final-named files under root that are not complete copies of ref's."""
    ref_files = set(final_files(ref))
    bad = {}
    for f in final_files(root):
        if f not in ref_files:
            bad[f] = "not an output of the clean run"
        elif why := differs(os.path.join(root, f), os.path.join(ref, f)):
            bad[f] = why
    return bad


def outputs(root):
    """Final-named outputs (sidecars apart)."""
    return [f for f in final_files(root) if os.path.splitext(f)[1] in SAME]


# --- the campaign --------------------------------------------------------------------------
def synth(kind, *args):
    return synth_tiny(t, work, kind, *args)


hp, sb, ra, ti = synth("healpix"), synth("subband", "--groups", "2"), synth("raster"), synth("tiles")
figures = []  # per step and rank count: kills, rank/launcher, partial, unequal re-runs, ...
rng = random.Random(SEED)


def campaign(name, args, inputs=None):
    """args(o): the step's arguments writing under o; inputs(o): copies what the
    step reads and writes in place (balfind's altz) into o. Returns the clean
    reference directory."""
    base = os.path.join(work, name.replace(" ", "-"))
    logs = os.path.join(base, "logs")
    os.makedirs(logs)

    def fresh(label):
        o = os.path.join(base, label)
        os.makedirs(o)
        if inputs:
            inputs(o)
        return o

    ref = fresh("clean2")
    rc, took = {}, {}
    rc[2], took[2] = run(2, args(ref), os.path.join(logs, "clean2.log"))
    t.check(rc[2] == 0 and outputs(ref), f"{name}: clean run at 2 ranks ({took[2]:.1f} s, "
            f"{len(outputs(ref))} outputs)", open(os.path.join(logs, "clean2.log")).read()[-1500:])
    o4 = fresh("clean4")
    rc[4], took[4] = run(4, args(o4), os.path.join(logs, "clean4.log"))
    bad = partial_files(o4, ref)
    t.check(rc[4] == 0 and not bad and set(outputs(o4)) == set(outputs(ref)),
            f"{name}: clean run at 4 ranks ({took[4]:.1f} s) equals 2 ranks'", bad)
    for ranks in (2, 4):
        fig = {"step": name, "ranks": ranks, "kills": 0, "rank": 0, "launcher": 0,
               "ended first": 0, "partial": 0, "hung": 0, "reruns equal": 0, "reruns": 0,
               "left outputs": 0, "left temporaries": 0, "launcher hung": 0, "slowest end": 0.0}
        for k in range(MOMENTS):
            # Stratified over the clean run: moment k falls in the k-th slice.
            delay = took[ranks] * (0.1 + 0.9 * (k + rng.random()) / MOMENTS)
            victim = "rank" if (k + ranks // 2) % 2 == 0 else "launcher"
            for attempt in range(3):  # a run that ends before its kill is tried earlier
                o = fresh(f"np{ranks}-k{k}-{attempt}")
                log = os.path.join(logs, f"np{ranks}-k{k}-{attempt}.log")
                what, alive, ending = run_killed(ranks, args(o), delay, victim, rng, log)
                tag = f"{name}, {ranks} ranks, {victim} at {delay:.2f} s"
                left = [a for a in alive if a[1] == "tessera"]
                t.check(not left, f"{tag}: every rank ended within {EXIT_BOUND:.0f} s", alive)
                fig["hung"] += bool(left)
                if alive and not left:
                    # Seen with Open MPI 4.1's mpiexec: every rank gone, the
                    # launcher waiting forever (docs/reliability.md#kills).
                    fig["launcher hung"] += 1
                    print(f"  note {tag}: every rank ended but {alive} was still running after "
                          f"{EXIT_BOUND:.0f} s; killed")
                bad = partial_files(o, ref)
                t.check(not bad, f"{tag}: no partial file under a final name", bad)
                fig["partial"] += len(bad)
                if what:
                    break
                fig["ended first"] += 1
                print(f"  note {tag}: the run ended before the kill")
                delay *= 0.5
            if what:
                fig["kills"] += 1
                fig[what] += 1
                if not alive:
                    fig["slowest end"] = max(fig["slowest end"], ending)
            fig["left outputs"] += bool(outputs(o)) and set(outputs(o)) != set(outputs(ref))
            fig["left temporaries"] += bool(all_temporaries(o))
            code, _ = run(ranks, args(o), log + ".rerun")
            bad = partial_files(o, ref)
            same = code == 0 and not bad and set(outputs(o)) == set(outputs(ref))
            t.check(same, f"{tag}: the re-run exits 0, outputs equal the clean run's",
                    {"exit": code, "differ": bad, "log": open(log + ".rerun").read()[-1500:]})
            fig["reruns"] += 1
            fig["reruns equal"] += same
        figures.append(fig)
    # The narrowest window, which random moments rarely hit: killed after an
    # output's rename, before its fingerprint sidecar (and summary) were
    # written. A complete output without its sidecar must be redone.
    sidecars = [f for f in final_files(ref) if f.endswith((".fp", ".summary.json"))]
    if sidecars:
        o = os.path.join(base, "no-sidecars")
        shutil.copytree(ref, o, copy_function=shutil.copy2)
        for f in sidecars:
            os.remove(os.path.join(o, f))
        log = os.path.join(logs, "no-sidecars.log")
        code, _ = run(2, args(o), log)
        bad = partial_files(o, ref)
        t.check(code == 0 and not bad and set(final_files(o)) == set(final_files(ref)),
                f"{name}: outputs without their sidecars (killed between the two renames) are "
                f"redone by the re-run", {"exit": code, "differ": bad, "log": open(log).read()[-1500:]})
    return ref


cat = f"{hp}/QSO_cat.fits"
split_ref = campaign("healpix split", lambda o: ["healpix", "split", "--catalog", cat,
                                                 "--out", f"{o}/altz"])


def altz_copy(o):
    shutil.copytree(f"{split_ref}/altz", f"{o}/altz", copy_function=shutil.copy2)


bal_ref = campaign("healpix balfind", lambda o: ["healpix", "balfind", "--altzdir", f"{o}/altz",
                                                 "--redux", f"{hp}/redux", "--only-with-coadd"],
                   altz_copy)
campaign("healpix append", lambda o: ["healpix", "append", "--catalog", cat, "--altzdir",
                                      f"{bal_ref}/altz", "--out", f"{o}/QSO_cat-altbal.fits"])
campaign("subband convert", lambda o: ["subband", "convert", "--in", sb, "--out", o])
grid_ref = campaign("raster grid", lambda o: ["raster", "grid", "--fsm-dir", f"{ra}/fsm",
                                              "--landform", f"{ra}/landform.tif", "--out",
                                              f"{o}/grids"])
campaign("raster stats", lambda o: ["raster", "stats", "--grids", f"{grid_ref}/grids", "--basins",
                                    f"{ra}/basins.geojson", "--id-field", "CODE", "--group-field",
                                    "REGION", "--out", f"{o}/tables"])
A, B = f"{ti}/A.las", f"{ti}/B.las"
campaign("tiles c2c", lambda o: ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", 10, "--out",
                                 f"{o}/c2c.las"])
campaign("tiles dod", lambda o: ["tiles", "dod", "--a", A, "--b", B, "--cell", "1.0", "--out",
                                 f"{o}/dod.tif"])

cols = ["kills", "rank", "launcher", "ended first", "partial", "hung", "launcher hung",
        "reruns equal", "reruns", "left outputs", "left temporaries"]
print("\n| step | ranks | " + " | ".join(cols) + " | slowest end after a kill |")
for f in figures:
    print(f"| {f['step']} | {f['ranks']} | " + " | ".join(str(int(f[c])) for c in cols) +
          f" | {f['slowest end']:.1f} s |")
total = sum(f["kills"] for f in figures)
cpu = os.times()
print(f"kills: {total} ({MOMENTS} moments per step and rank count, seed {SEED}); "
      f"CPU of all runs {cpu.children_user + cpu.children_system:.0f} s")
t.check(all(f["kills"] for f in figures), f"{total} kills made, at least one per step and rank count")
t.done()
