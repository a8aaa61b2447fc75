"""One rank failing between collective calls (TESSERA_FAULT injects it) ends
the step on every rank with a clear error, no hang and no partial output,
and a re-run completes with outputs identical to a clean run.

- raster reproject: rank 2 fails warping its days in a round whose reads and
  write is collective (nc.wait_all: before the fix, the other ranks waited in
  it for rank 2 forever).
- subband convert: world rank 3's part of a collective write fails; its
  group fails alone (exit 1), the other group is converted, a re-run
  converts the missing one."""
import glob
import os

from same_outputs import compare_trees, same_h5, same_nc
from tessera_test import TestRun, mpirun_tessera, scratch, tessera, synth_tiny, temporaries

t = TestRun("faults inside collective phases")
work = scratch("fault-phases")


def synth(kind, *args):
    return synth_tiny(t, work, kind, *args)




# --- raster reproject ------------------------------------------------------------------
ra = synth("raster")
grids = os.path.join(work, "grids")
r = mpirun_tessera(4, ["raster", "grid", "--fsm-dir", f"{ra}/fsm", "--landform", f"{ra}/landform.tif",
                       "--out", grids, "--no-progress"])
t.check(r.returncode == 0, "grid at 4 ranks", r)
clean, faulty = os.path.join(work, "wgs84-clean"), os.path.join(work, "wgs84")
reproject = ["raster", "reproject", "--grids", grids, "--to", "EPSG:4326", "--block-mb", "1",
             "--no-progress"]
r = mpirun_tessera(4, reproject + ["--out", clean])
t.check(r.returncode == 0, "clean reproject at 4 ranks", r)
r = mpirun_tessera(4, reproject + ["--out", faulty], timeout=120,
                   env={"TESSERA_FAULT": "raster.reproject.warp@2"})
t.check(r.returncode not in (0, 124) and r.returncode is not None,
        "a fault on rank 2 mid-round ends the step with an error, not a hang", r)
t.check("injected fault at raster.reproject.warp" in r.stderr, "the error gives the reason", r.stderr[-800:])
t.check(not glob.glob(os.path.join(faulty, "*.nc")), "no output under a final name",
        os.listdir(faulty) if os.path.isdir(faulty) else None)
t.check(not temporaries(faulty), "no temporary file left", temporaries(faulty))
r = mpirun_tessera(4, reproject + ["--out", faulty])
t.check(r.returncode == 0, "the re-run succeeds", r)
compare_trees(t, "reproject re-run vs clean run", clean, faulty, "*.nc", same_nc)

# --- subband convert -------------------------------------------------------------------
sb = synth("subband", "--groups", "2")
clean, faulty = os.path.join(work, "uvh5-clean"), os.path.join(work, "uvh5")
convert = ["subband", "convert", "--in", sb, "--ranks-per-group", "2", "--no-progress"]
r = mpirun_tessera(4, convert + ["--out", clean])
t.check(r.returncode == 0 and len(glob.glob(f"{clean}/*.uvh5")) == 2, "clean convert: 2 groups", r)
r = mpirun_tessera(4, convert + ["--out", faulty], timeout=120, env={"TESSERA_FAULT": "subband.write@3"})
t.check(r.returncode == 1, "a fault in one group's collective write: exit 1 (some items failed)", r)
t.check("injected fault at subband.write" in r.stderr, "the failure gives the reason", r.stderr[-800:])
got = glob.glob(f"{faulty}/*.uvh5")
t.check(len(got) == 1, "the other group is converted; the failed one leaves no file", got)
t.check(not temporaries(faulty), "no temporary file left", temporaries(faulty))
r = mpirun_tessera(4, convert + ["--out", faulty])
t.check(r.returncode == 0 and len(glob.glob(f"{faulty}/*.uvh5")) == 2, "the re-run converts the rest", r)
compare_trees(t, "convert re-run vs clean run", clean, faulty, "*.uvh5", same_h5)
t.done()
