"""Resource limits: an output file system that fills up, a read-only output
directory and a read-only input directory (small tmpfs mounts made by the
test; needs root, skipped otherwise). Each step must fail with an error that
names the file and the reason, leave nothing partial under a final name and no
temporary files, keep the other items' outputs intact and complete, and
complete on a re-run with room.

Found by this test and fixed: raster grid renamed short NetCDF files into
place (Open MPI 4.1's OMPIO returned success for writes a full tmpfs refused;
commit now checks the length), and subband convert hung closing an HDF5 file
whose collective write ran out of space (a group that cannot fit is now
refused before its file is created)."""
import glob
import os
import shutil
import subprocess

from same_outputs import compare_trees, same_h5, same_nc
from tessera_test import TestRun, mpirun_tessera, scratch, tessera, synth_tiny, temporaries

t = TestRun("resource limits")
work = scratch("resource-limits")
mounts = []


def mount(name, size, *opts):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    o = ",".join([f"size={size}"] + list(opts))
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", o, "tmpfs", d], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    mounts.append(d)
    return d




def synth(kind, *args):
    return synth_tiny(t, work, kind, *args)


probe = mount("probe", "64k") if os.geteuid() == 0 else None
if probe is None:
    print("  skip: needs root and tmpfs mounts")
    t.check(True, "skipped without root")
    t.done()

try:
    # --- tiles c2c onto a full file system -------------------------------------------
    ti = synth("tiles")
    full = mount("tiles-full", "1m")
    r = mpirun_tessera(2, ["tiles", "c2c", "--a", f"{ti}/A.las", "--b", f"{ti}/B.las", "--max-dist",
                           10, "--out", f"{full}/c2c.las", "--no-progress"])
    t.check(r.returncode == 3, "c2c on a full file system: exit 3", r)
    t.check("c2c.las" in r.stderr and "No space left on device" in r.stderr,
            "the error names the output and the reason", r.stderr[-600:])
    t.check(not os.listdir(full), "nothing left on the file system", os.listdir(full))

    # --- raster grid: some variables fit, the others fail; none is short -------------
    # Both formats: CDF-5 (1.75 MB of raw floats here) and NetCDF-4 (the
    # default; ~40 kB a file compressed). NetCDF-4 writes only start with room
    # for their raw size + a metadata margin (~0.4 MB here; grid_writer.cpp
    # says why): 520 kB takes the headers and some of the variables.
    ra = synth("raster")
    for fmt, room_size in (("cdf5", "200k"), ("netcdf4", "520k")):
        grid = ["raster", "grid", "--fsm-dir", f"{ra}/fsm", "--landform", f"{ra}/landform.tif",
                "--format", fmt, "--no-progress"]
        clean = os.path.join(work, f"grids-clean-{fmt}")
        r = mpirun_tessera(2, grid + ["--out", clean])
        t.check(r.returncode == 0, f"{fmt}: grid with room", r)
        size = {f: os.path.getsize(os.path.join(clean, f)) for f in os.listdir(clean)
                if f.endswith(".nc")}
        full = mount(f"grid-full-{fmt}", room_size)
        r = mpirun_tessera(2, grid + ["--out", full], timeout=120)
        t.check(r.returncode == 3, f"{fmt}: grid on a full file system: exit 3 (not a hang)", r)
        t.check("short write" in r.stderr or "No space" in r.stderr
                or "not enough free space" in r.stderr,
                f"{fmt}: the error says the file system refused the data", r.stderr[-800:])
        got = sorted(f for f in os.listdir(full) if f.endswith(".nc"))
        # Ranks write the four variables interleaved, so how many fit varies.
        t.check(len(got) < 4, f"{fmt}: not all variables fit ({len(got)} of 4 did)", got)
        if fmt == "cdf5":
            short = [f for f in got if os.path.getsize(os.path.join(full, f)) != size.get(f)]
            t.check(not short, "every CDF-5 file under its final name is complete (no short file)",
                    short)
        else:
            bad = [f for f in got if same_nc(os.path.join(clean, f), os.path.join(full, f))]
            t.check(not bad, "every NetCDF-4 file under its final name reads back complete", bad)
        t.check(not temporaries(full), f"{fmt}: no temporary files", temporaries(full))
        # Not asserted for CDF-5: the values of a full-length file. Open MPI
        # 4.1's OMPIO can lose a refused write inside a file that another
        # rank's write still took to its full length
        # (docs/reliability.md#resource-limits): such a file is committed. A
        # re-run with room and --clobber redoes everything.
        room = os.path.join(work, f"grids-room-{fmt}")
        shutil.copytree(full, room)
        r = mpirun_tessera(2, grid + ["--out", room, "--clobber"])
        t.check(r.returncode == 0, f"{fmt}: the re-run with room (--clobber) completes", r)
        compare_trees(t, f"{fmt}: grid re-run vs clean", clean, room, "*.nc", same_nc)

    # --- subband: the group that cannot fit is refused, the other converts -----------
    sb = synth("subband", "--groups", "2")
    convert = ["subband", "convert", "--in", sb, "--no-progress"]
    clean = os.path.join(work, "uvh5-clean")
    r = mpirun_tessera(2, convert + ["--out", clean])
    t.check(r.returncode == 0, "convert with room", r)
    full = mount("uvh5-full", "260k")
    r = mpirun_tessera(2, convert + ["--out", full], timeout=120)
    t.check(r.returncode == 1, "convert with room for one group: exit 1 (not a hang)", r)
    t.check("not enough free space" in r.stderr and ".uvh5" in r.stderr,
            "the refused group's output and the reason are named", r.stderr[-800:])
    got = glob.glob(f"{full}/*.uvh5")
    t.check(len(got) == 1, "one group converted", got)
    t.check(not temporaries(full), "no temporary files", temporaries(full))
    for p in got:
        t.check(not same_h5(os.path.join(clean, os.path.basename(p)), p),
                "the converted group equals the clean run's")

    # --- healpix split: pixels that do not fit fail alone ---------------------------
    hp = synth("healpix")
    full = mount("split-full", "100k")
    r = mpirun_tessera(2, ["healpix", "split", "--catalog", f"{hp}/QSO_cat.fits", "--out", full,
                           "--no-progress"])
    t.check(r.returncode == 1, "split on a small file system: exit 1 (some pixels failed)", r)
    t.check("No space left on device" in r.stderr and "pixel" in r.stderr,
            "failed pixels are listed with the reason", r.stderr[-600:])
    tmp = [p for p in glob.glob(f"{full}/**/*", recursive=True) if ".tmp" in os.path.basename(p)]
    t.check(not tmp, "no temporary files", tmp)

    # --- read-only output directory ---------------------------------------------------
    ro = mount("ro-out", "1m", "ro")
    r = mpirun_tessera(2, ["tiles", "c2c", "--a", f"{ti}/A.las", "--b", f"{ti}/B.las", "--max-dist",
                           10, "--out", f"{ro}/c2c.las", "--no-progress"])
    t.check(r.returncode == 3 and ro in r.stderr, "c2c into a read-only directory: exit 3 naming it",
            r)
    r = mpirun_tessera(2, grid + ["--out", ro])
    t.check(r.returncode == 3 and ro in r.stderr, "grid into a read-only directory: exit 3 naming it",
            r)

    # --- read-only input directory ----------------------------------------------------
    ro_in = os.path.join(work, "ro-in")
    os.makedirs(ro_in)
    ok = subprocess.run(["mount", "--bind", "-o", "ro", ti, ro_in]).returncode == 0
    if ok:
        mounts.append(ro_in)
        outs = []
        for src in (ti, ro_in):
            out = os.path.join(work, f"c2c-{os.path.basename(src)}.las")
            r = mpirun_tessera(2, ["tiles", "c2c", "--a", f"{src}/A.las", "--b", f"{src}/B.las",
                                   "--max-dist", 10, "--out", out, "--no-progress"])
            t.check(r.returncode == 0, f"c2c reading from {os.path.basename(src)}: exit 0", r)
            outs.append(out)
        t.check(open(outs[0], "rb").read()[94:] == open(outs[1], "rb").read()[94:],
                "inputs on a read-only mount give the same output")
finally:
    for d in reversed(mounts):
        subprocess.run(["umount", d])
t.done()
