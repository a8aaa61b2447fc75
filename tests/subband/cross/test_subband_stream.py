"""subband stream: groups arrive while the daemon is SIGKILLed at random
moments and restarted; every complete group is converted exactly once, none
lost, none twice; an incomplete group fails by the partial policy; inputs
are never deleted."""
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

from tessera_test import EXE, TestRun, _ENV, scratch, tessera

t = TestRun("subband stream kill/restart")
d = scratch("subband_stream")
staging, watch, out = (os.path.join(d, x) for x in ("staging", "watch", "out"))
state = os.path.join(d, "state.sqlite")
os.makedirs(watch)
NGROUPS = 6
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
        for p in g:
            if p == drop:
                continue
            name = os.path.basename(p)
            tmp = os.path.join(watch, name.replace(".hdf5", "_incomplete.hdf5"))
            shutil.copy(p, tmp)
            os.rename(tmp, os.path.join(watch, name))
            time.sleep(rng.uniform(0.0, 0.08))


start()
feeder = threading.Thread(target=deliver)
feeder.start()
rng = random.Random(11)
kills = 0
while feeder.is_alive() or kills < 6:
    time.sleep(rng.uniform(0.2, 1.2))
    with lock:
        p = proc["p"]
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
            kills += 1
        start()
    if kills > 30:
        break
feeder.join()
# Let the last daemon finish: it exits when idle with no open group.
try:
    rc = proc["p"].wait(timeout=120)
except subprocess.TimeoutExpired:
    proc["p"].kill()
    rc = -1
logf.close()
t.check(kills >= 5, f"daemon SIGKILLed {kills} times while groups arrived")
t.check(rc == 0, "the last daemon exits 0 when idle", open(os.path.join(d, "daemon.log")).read()[-2000:])

outputs = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "*.uvh5")))
db = sqlite3.connect(state)
conv = db.execute("SELECT stamp, COUNT(*) FROM conversions GROUP BY stamp").fetchall()
states = dict(db.execute("SELECT stamp, state FROM groups").fetchall())
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
t.done()
