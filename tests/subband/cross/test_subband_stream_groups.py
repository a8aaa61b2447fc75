"""subband stream on sub-communicators: groups converted concurrently, one
per `--ranks-per-group` ranks, give the same outputs as `subband convert` on
one rank, each recorded exactly once; a daemon stopped with a batch in
progress (some outputs committed but not recorded, one not written) converts
on restart only the unwritten one and records each group once."""
import datetime
import glob
import os
import sqlite3

from same_outputs import same_h5
from tessera_test import TestRun, mpirun_tessera, scratch, tessera

t = TestRun("subband stream on sub-communicators")
d = scratch("subband_stream_groups")
inp, ref = os.path.join(d, "in"), os.path.join(d, "ref")
NGROUPS = 5
r = tessera(["synth", "subband", "--out", inp, "--scale", "tiny", "--groups", str(NGROUPS),
             "--no-progress"])
t.check(r.returncode == 0, f"synth {NGROUPS} tiny groups", r)
r = tessera(["subband", "convert", "--in", inp, "--out", ref, "--no-progress"])
t.check(r.returncode == 0, "reference: subband convert on 1 rank", r)
refs = sorted(glob.glob(os.path.join(ref, "*.uvh5")))
t.check(len(refs) == NGROUPS, f"{NGROUPS} reference outputs")


def stream(ranks, per_group, out, state):
    return mpirun_tessera(ranks, ["subband", "stream", "--watch", inp, "--out", out, "--state",
                                  state, "--interval", "0.1", "--exit-when-idle", "1",
                                  "--min-free-gb", "0", "--ranks-per-group", per_group,
                                  "--no-progress"], timeout=240)


def conversions(state):
    db = sqlite3.connect(state)
    rows = db.execute("SELECT stamp, COUNT(*) FROM conversions GROUP BY stamp").fetchall()
    states = dict(db.execute("SELECT stamp, state FROM groups").fetchall())
    db.close()
    return rows, states


def check_outputs(out, label):
    got = sorted(glob.glob(os.path.join(out, "*.uvh5")))
    # The daemon names a group after the first file it saw (directory order),
    # convert after the earliest stamp: the names agree within the tolerance.
    stamp = lambda p: datetime.datetime.fromisoformat(os.path.basename(p)[:19])
    t.check(len(got) == len(refs) and
            all(abs((stamp(a) - stamp(b)).total_seconds()) <= 60 for a, b in zip(refs, got)),
            f"{label}: one output per group", got)
    diffs = {os.path.basename(a): same_h5(a, b) + same_h5(b, a) for a, b in zip(refs, got)}
    t.check(all(not v for v in diffs.values()), f"{label}: outputs identical to 1-rank convert",
            diffs)


for ranks, per_group, concurrent in ((2, 1, 2), (4, 2, 2), (4, 1, 4)):
    label = f"{ranks} ranks, {per_group} per group"
    out, state = os.path.join(d, f"out{ranks}_{per_group}"), os.path.join(d, f"s{ranks}_{per_group}")
    r = stream(ranks, per_group, out, state)
    t.check(r.returncode == 0, f"{label}: the daemon exits 0 when idle", r)
    t.check(f"{concurrent} groups at once on {concurrent} sub-communicators" in r.stderr,
            f"{label}: {concurrent} groups converted concurrently", r.stderr[-3000:])
    check_outputs(out, label)
    rows, states = conversions(state)
    t.check(len(rows) == NGROUPS and all(c == 1 for _, c in rows),
            f"{label}: each group recorded exactly once", rows)
    t.check(sorted(states.values()) == ["completed"] * NGROUPS, f"{label}: all completed", states)

# A stop during a batch of 4 (4 ranks, 1 per group): rank 0 had marked four
# groups in_progress; three outputs were committed but not recorded, one
# was not written. What the database and the directory hold after such a
# kill, made exactly.
out, state = os.path.join(d, "out4_1"), os.path.join(d, "s4_1")
db = sqlite3.connect(state)
stamps = [s for (s,) in db.execute("SELECT stamp FROM groups ORDER BY unix")]
batch = stamps[:4]
db.executemany("UPDATE groups SET state='in_progress' WHERE stamp=?", [(s,) for s in batch])
db.executemany("DELETE FROM conversions WHERE stamp=?", [(s,) for s in batch])
db.commit()
db.close()
lost = os.path.join(out, batch[3] + ".uvh5")
os.remove(lost)
os.remove(lost + ".fp")
kept = {s: os.stat(os.path.join(out, s + ".uvh5")).st_mtime_ns for s in batch[:3]}
r = stream(4, 1, out, state)
t.check(r.returncode == 0, "restart: the daemon exits 0", r)
t.check("4 group(s) were in progress at the last stop" in r.stderr,
        "restart: the in-progress batch is queued again", r.stderr[-3000:])
t.check(r.stderr.count("already converted (up to date)") == 3,
        "restart: the three committed outputs are found up to date", r.stderr[-3000:])
t.check(all(os.stat(os.path.join(out, s + ".uvh5")).st_mtime_ns == m for s, m in kept.items()),
        "restart: committed outputs are not rewritten")
check_outputs(out, "restart")
rows, states = conversions(state)
t.check(len(rows) == NGROUPS and all(c == 1 for _, c in rows),
        "restart: each group recorded exactly once", rows)
t.check(sorted(states.values()) == ["completed"] * NGROUPS, "restart: all completed", states)

# A bad --ranks-per-group is a usage error.
r = tessera(["subband", "stream", "--watch", inp, "--out", os.path.join(d, "x"), "--state",
             os.path.join(d, "x.sqlite"), "--ranks-per-group", "0", "--no-progress"])
t.check(r.returncode == 2 and "--ranks-per-group" in r.stderr, "--ranks-per-group 0 refused", r)
t.done()
