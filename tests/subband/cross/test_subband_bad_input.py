"""Bad subband input: each case is a clear error naming the file (or the
documented partial policy) and never a partial output; a bad group does not
sink a good one in the same run. convert runs at 2 ranks; validate (serial)
at 1. Recorded for docs/reliability.md (bad_input.py)."""
import glob
import os
import shutil

import h5py
import numpy as np

from bad_input import BadInputs
from tessera_test import TEST_DATA, mpirun_tessera, TestRun, scratch, tessera

t = TestRun("subband bad input")
b = BadInputs(t, "subband")
d = scratch("subband_bad")
base = os.path.join(d, "base")
r = tessera(["synth", "subband", "--out", base, "--scale", "tiny", "--groups", "2", "--no-progress"])
t.check(r.returncode == 0, "synth 2 tiny groups", r)
files = sorted(glob.glob(os.path.join(base, "*_sb??.hdf5")))
stamps = sorted({os.path.basename(p)[:19] for p in files})
g1 = sorted(p for p in files if os.path.basename(p)[:19] <= "2022-06-01T03:00:04")
g2 = [p for p in files if p not in g1]
t.check(len(g1) == 16 and len(g2) == 16, "two groups of 16 files", (len(g1), len(g2)))


def sb(paths, n):
    return [p for p in paths if p.endswith(f"_sb{n:02d}.hdf5")][0]


def case(name, mutate, expect, partial=False, env=None, what=None):
    cdir = os.path.join(d, name)
    shutil.copytree(base, os.path.join(cdir, "in"))
    inp, out = os.path.join(cdir, "in"), os.path.join(cdir, "out")
    g1c = [os.path.join(inp, os.path.basename(p)) for p in g1]
    bad_file = mutate(g1c)
    args = ["subband", "convert", "--in", inp, "--out", out, "--no-progress"]
    if partial:
        args.append("--allow-partial")
    r = mpirun_tessera(2, args, env=env)
    # The bad group's output would start with its timestamp; the good group's
    # (the second) must be there.
    b.case("convert", what or name, r, 1, [os.path.basename(bad_file)] if bad_file else [], expect,
           absent=[os.path.join(out, stamps[0][:16] + "*")], dirs=[out],
           intact=[os.path.join(out, stamps[-1][:16] + "*.uvh5")])
    return r


def other_antennas(g):
    p = sb(g, 3)
    with h5py.File(p, "r+") as f:
        f["Header/antenna_positions"][1, 0] += 1.0
    return p


def other_times(g):
    p = sb(g, 4)
    with h5py.File(p, "r+") as f:
        f["Header/time_array"][...] += 1e-4
    return p


def truncated(g):
    p = sb(g, 5)
    size = os.path.getsize(p)
    with open(p, "r+b") as f:
        f.truncate(size // 2)
    return p


def missing_header(g):
    p = sb(g, 6)
    with h5py.File(p, "r+") as f:
        f.move("Header", "Hdr")
    return p


def empty_times(g):
    p = sb(g, 9)
    with h5py.File(p, "r+") as f:
        del f["Header/time_array"]
        f.create_dataset("Header/time_array", shape=(0,), dtype="f8")
    return p


def duplicate(g):
    p = sb(g, 7)
    dup = p.replace(os.path.basename(p)[:19], stamps[0][:17] + "09")
    shutil.copy(p, dup)
    return None


def fifteen(g):
    os.remove(sb(g, 8))
    return None


def mixed_phase_types(g):
    # One subband phased (sidereal, the old pyuvdata header) among drift ones.
    p = sb(g, 10)
    with h5py.File(p, "r+") as f:
        H = f["Header"]
        del H["phase_type"]
        H["phase_type"] = np.bytes_("phased")
        H["phase_center_ra"] = 1.0
        H["phase_center_dec"] = 0.5
        H["phase_center_epoch"] = 2000.0
        H["phase_center_frame"] = np.bytes_("icrs")
    return p


def unsupported_phase_type(g):
    for p in g:
        with h5py.File(p, "r+") as f:
            del f["Header/phase_type"]
            f["Header/phase_type"] = np.bytes_("ephem")
    return sb(g, 15)  # the group's first file (lowest frequency)


def lzf_flags(g):
    # What pyuvdata writes: flags and nsamples LZF-compressed (filter 32000).
    p = sb(g, 11)
    with h5py.File(p, "r+") as f:
        for name in ("flags", "nsamples"):
            data = f["Data/" + name][()]
            del f["Data/" + name]
            f.create_dataset("Data/" + name, data=data, compression="lzf", chunks=True)
    return p


case("mixed_phase_types", mixed_phase_types, "must be phased alike",
     what="one subband phased (sidereal) among drift ones")
case("unsupported_phase_type", unsupported_phase_type,
     "only drift (meridian or zenith) and sidereal", what="phase_type 'ephem' (unsupported)")
# HDF5 without the LZF plugin (an empty plugin path): the filter is named.
empty_plugins = os.path.join(d, "no_plugins")
os.makedirs(empty_plugins)
r = case("missing_lzf_filter", lzf_flags, "HDF5 filter 32000 (LZF)",
         env={"HDF5_PLUGIN_PATH": empty_plugins},
         what="flags LZF-compressed, no LZF plugin found")
t.check("hdf5-plugin-lzf" in r.stderr, "missing_lzf_filter: says which package provides it",
        r.stderr[-800:])
r = mpirun_tessera(2, ["subband", "convert", "--in", os.path.join(d, "missing_lzf_filter", "in"),
                       "--out", os.path.join(d, "missing_lzf_filter", "out_with_plugin"),
                       "--no-progress"])
t.check(r.returncode == 0, "the same LZF files convert when the plugin is found", r)
case("other_antennas", other_antennas, "antennas", what="one subband's antenna positions differ")
case("other_times", other_times, "times", what="one subband's times differ (+1e-4 d)")
case("truncated", truncated, "truncated or damaged", what="one subband file truncated to half")
case("missing_header", missing_header, "no Header group", what="Header group renamed (missing)")
case("empty_time_array", empty_times, "time_array is empty", what="time_array of length 0")
case("duplicate_subband", duplicate, "duplicate subband sb07",
     what="sb07 twice in one group (two timestamps)")
case("fifteen_of_sixteen", fifteen, "incomplete group: 15 of 16 subbands (missing sb08)",
     what="15 of 16 subbands (sb08 missing)")

# Documented partial policy: --allow-partial converts the 15 subbands that are there.
cdir = os.path.join(d, "partial_allowed")
shutil.copytree(base, os.path.join(cdir, "in"))
os.remove(sb([os.path.join(cdir, "in", os.path.basename(p)) for p in g1], 8))
r = tessera(["subband", "convert", "--in", os.path.join(cdir, "in"), "--out",
             os.path.join(cdir, "out"), "--allow-partial", "--no-progress"])
t.check(r.returncode == 0, "--allow-partial converts 15 of 16", r)
outs = sorted(glob.glob(os.path.join(cdir, "out", "*.uvh5")))
if outs:
    with h5py.File(outs[0], "r") as f:
        nf = int(f["Header/Nfreqs"][()])
        freq = f["Header/freq_array"][()]
    t.check(nf == 15 * 4 and np.all(np.diff(freq) > 0), "partial output has 15 subbands ascending",
            nf)

# validate: one line per file, BAD for the broken ones, exit 1.
bad = os.path.join(d, "truncated", "in", os.path.basename(sb(g1, 5)))
good = os.path.join(d, "truncated", "in", os.path.basename(sb(g1, 0)))
r = tessera(["subband", "validate", good, bad, "--no-progress"])
lines = r.stdout.strip().splitlines()
t.check(r.returncode == 1 and len(lines) == 2 and lines[0].startswith("OK") and
        lines[1].startswith("BAD"), "validate: OK line, BAD line, exit 1", r)
# validate, one run: a good file, then four that are not subband files.
empty = os.path.join(d, "empty_sb03.hdf5")
open(empty, "w").close()
a_dir = os.path.join(d, "dir_sb04.hdf5")
os.makedirs(a_dir)
fits = os.path.join(TEST_DATA, "desi", "targets.fits")
absent_file = os.path.join(d, "2022-06-01T03:00:00_sb99.hdf5")
r = tessera(["subband", "validate", good, empty, a_dir, fits, absent_file, "--no-progress"])
lines = r.stdout.strip().splitlines()
t.check(len(lines) == 5 and lines[0].startswith("OK") and
        all(x.startswith("BAD") for x in lines[1:]), "validate: the good file OK, four BAD", r)
for what, path, says in (("an empty file", empty, "empty file (0 bytes)"),
                         ("a directory", a_dir, "is a directory"),
                         ("a FITS file", fits, "not an HDF5 file (no HDF5 signature)"),
                         ("a file that does not exist", absent_file, "file does not exist")):
    b.case("validate", what + " (one run with a good file)", r, 1, [path], says, ranks=1)
# convert's options: refused before anything is read.
for what, extra, names, says in (
        ("--in does not exist", ["--in", os.path.join(d, "incoming_typo")],
         [os.path.join(d, "incoming_typo")], "not a directory"),
        ("--phase-center moon", ["--phase-center", "moon"], ["--phase-center", "moon"],
         "must be 'meridian' or 'RA,DEC'"),
        ("--tolerance -1", ["--tolerance", "-1"], ["--tolerance"], "must be a number of seconds"),
        ("--group 2022-13-01T00:00:00 (month 13)", ["--group", "2022-13-01T00:00:00"],
         ["--group", "2022-13-01T00:00:00"], "must be YYYY-MM-DDTHH:MM:SS")):
    out = os.path.join(d, "out_" + what.split()[0].strip("-"))
    args = ["subband", "convert", "--out", out, "--no-progress"]
    r = mpirun_tessera(2, args + (extra if "--in" in extra else ["--in", base] + extra))
    b.case("convert", what, r, 2, names, says, absent=[os.path.join(out, "*")])
r = tessera(["subband", "groups", "--in", os.path.join(d, "fifteen_of_sixteen", "in"),
             "--no-progress"])
t.check("15/16  incomplete missing sb08" in r.stdout and "16/16  complete" in r.stdout,
        "groups lists complete and incomplete groups", r)
# The stream daemon's queue lives on rank 0: a --state it cannot open (below a
# regular file) fails every rank with a message naming it, never a hang.
blocker = os.path.join(d, "not_a_dir")
open(blocker, "w").close()
state = os.path.join(blocker, "queue.sqlite")
r = mpirun_tessera(2, ["subband", "stream", "--watch", os.path.join(d, "truncated", "in"), "--out",
                       os.path.join(d, "stream_out"), "--state", state, "--exit-when-idle", "1",
                       "--no-progress"], timeout=120)
t.check(r.returncode == 3 and "not_a_dir" in r.stderr,
        "stream at 2 ranks with an unusable --state exits 3 naming it (no hang)", (r.returncode, r.stderr[-800:]))
b.done()
t.done()
