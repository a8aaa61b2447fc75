"""subband stream: groups arrive while the daemon is SIGKILLed at random
moments and restarted (at least 20 kills while groups arrive; more with
TESSERA_STREAM_KILLS=N); every complete group is converted exactly once, none
lost, none twice, each output equal to a clean `subband convert` of its
group; an incomplete group fails by the partial policy; inputs are never
deleted."""
import glob
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import threading
import time

import h5py

from same_outputs import same_h5
from tessera_test import EXE, TestRun, _ENV, scratch, tessera

t = TestRun("subband stream kill/restart")
d = scratch("subband_stream")
staging, watch, out = (os.path.join(d, x) for x in ("staging", "watch", "out"))
state = os.path.join(d, "state.sqlite")
os.makedirs(watch)
NGROUPS = 6
KILLS = int(os.environ.get("TESSERA_STREAM_KILLS", "20"))
r = tessera(["synth", "subband", "--out", staging, "--scale", "tiny", "--groups", str(NGROUPS + 1),
             "--no-progress"])
t.check(r.returncode == 0, "synth 7 tiny groups", r)
files = sorted(glob.glob(os.path.join(staging, "*_sb??.hdf5")), key=os.path.basename)
stamps = sorted({os.path.basename(p)[:19] for p in files})
by_group = [files[16 * g:16 * (g + 1)] for g in range(NGROUPS + 1)]
last_group = by_group[-1]
drop = last_group[3]  # the last group arrives without one subband

cmd = [EXE, "subband", "stream", "--watch", watch, "--out", out, "--state", state, "--interval",
       "0.1", "--partial-timeout", "3", "--partial-policy", "fail", "--exit-when-idle", "2",
       "--min-free-gb", "0", "--no-progress", "--log-level", "warn"]
logf = open(os.path.join(d, "daemon.log"), "w")
proc = {"p": None}
lock = threading.Lock()


def start():
    proc["p"] = subprocess.Popen(cmd, stdout=logf, stderr=logf, env=_ENV)


def deliver():
    # Like the correlator: write under "_incomplete", then rename.
    rng = random.Random(5)
    for g in by_group:
        if g is last_group:
            # Paced for about KILLS kills while groups arrive; on a slow
            # machine the last group waits until that many were made.
            deadline = time.monotonic() + 120
            while counts["arriving"] < KILLS and time.monotonic() < deadline:
                time.sleep(0.05)
        for p in g:
            if p == drop:
                continue
            name = os.path.basename(p)
            tmp = os.path.join(watch, name.replace(".hdf5", "_incomplete.hdf5"))
            shutil.copy(p, tmp)
            os.rename(tmp, os.path.join(watch, name))
            time.sleep(rng.uniform(0.0, 0.9 * KILLS / (16 * (NGROUPS + 1))))


rng = random.Random(11)
counts = {"arriving": 0}  # kills made while the feeder is still delivering
kills = 0
start()
feeder = threading.Thread(target=deliver)
feeder.start()
while feeder.is_alive() or kills < KILLS:
    time.sleep(rng.uniform(0.1, 0.9))
    with lock:
        p = proc["p"]
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
            counts["arriving"] += feeder.is_alive()
        start()
    if kills > 3 * KILLS:
        break
arriving = counts["arriving"]
feeder.join()
# Let the last daemon finish: it exits when idle with no open group.
try:
    rc = proc["p"].wait(timeout=120)
except subprocess.TimeoutExpired:
    proc["p"].kill()
    rc = -1
logf.close()
t.check(arriving >= KILLS, f"daemon SIGKILLed {kills} times, {arriving} of them while groups arrived")
t.check(rc == 0, "the last daemon exits 0 when idle", open(os.path.join(d, "daemon.log")).read()[-2000:])

outputs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "*.uvh5")))
db = sqlite3.connect(state)
conv = db.execute("SELECT stamp, COUNT(*) FROM conversions GROUP BY stamp").fetchall()
states = dict(db.execute("SELECT stamp, state FROM groups").fetchall())
# Groups whose output a killed daemon had committed and the next found up to date.
resumed = db.execute("SELECT COUNT(*) FROM conversions WHERE skipped=1").fetchone()[0]
print(f"  figures: {kills} kills ({arriving} while groups arrived), {len(outputs)} groups converted, "
      f"{resumed} found up to date after a kill")
t.check(len(outputs) == NGROUPS, f"{NGROUPS} outputs for {NGROUPS} complete groups", outputs)
t.check(len(conv) == NGROUPS and all(c == 1 for _, c in conv),
        "each complete group recorded converted exactly once", conv)
t.check(sum(1 for s in states.values() if s == "completed") == NGROUPS,
        "complete groups are in state completed", states)
last = max(states) if states else ""  # the latest group is the 15-subband one
t.check(states.get(last) == "failed", "the 15-subband group failed by the partial policy",
        states)
t.check(last != "" and not any(o.startswith(last) for o in outputs), "no output for the partial group")
t.check(len(glob.glob(os.path.join(watch, "*_sb??.hdf5"))) == 16 * (NGROUPS + 1) - 1,
        "inputs never deleted")
ok = True
for o in outputs:
    with h5py.File(os.path.join(out, o), "r") as f:
        ok = ok and f["Data/visdata"].shape[1] == 64
t.check(ok, "every output readable by h5py with 64 channels")
# The same groups converted once, without kills: equal values.
clean = os.path.join(d, "clean")
r = tessera(["subband", "convert", "--in", staging, "--out", clean, "--no-progress"])
t.check(r.returncode == 0, "a clean convert of the staged groups", r)
# The daemon names a group after the first of its files it saw (arrival and
# scan order), convert after the earliest: the i-th output of each, in time
# order, is the same group.
ref = sorted(os.path.basename(p) for p in glob.glob(os.path.join(clean, "*.uvh5")))[:NGROUPS]
differ = {o: x for o, c in zip(outputs, ref)
          if (x := same_h5(os.path.join(clean, c), os.path.join(out, o)))}
t.check(len(outputs) == len(ref) and not differ,
        "every output equals the clean convert's of its group (values)", differ)
t.done()
