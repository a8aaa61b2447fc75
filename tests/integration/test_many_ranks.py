"""Sixteen ranks on two cores (oversubscribed): `check workload` and each
pipeline's main steps finish and write outputs identical to one rank's. At 16
ranks most work lists are shorter than the rank count (tiny inputs), so idle
ranks, single-item ranks and every collective's edge cases are exercised."""
import os

from same_outputs import compare_trees, same_bytes, same_fits, same_h5, same_las, same_nc
from tessera_test import TestRun, mpirun_tessera, scratch, tessera, synth_tiny

t = TestRun("16 ranks")
work = scratch("many-ranks")
MANY = int(os.environ.get("TESSERA_MANY_RANKS", "16"))


def synth(kind, *args):
    return synth_tiny(t, work, kind, *args)


def at(n, what, args):
    r = mpirun_tessera(n, args + ["--no-progress"], timeout=600)
    t.check(r.returncode == 0, f"{what} at {n} rank(s): exit 0", r)


def run_both(what, steps, checks):
    """steps(out) -> list of (label, args); checks: [(pattern, same)]."""
    outs = {}
    for n in (1, MANY):
        out = os.path.join(work, what.replace(" ", "-"), f"np{n}")
        os.makedirs(out, exist_ok=True)
        for label, args in steps(out):
            at(n, label, args)
        outs[n] = out
    for pattern, same in checks:
        compare_trees(t, f"{what}, {MANY} ranks vs 1", outs[1], outs[MANY], pattern, same)


run_both("check workload", lambda o: [("workload", ["check", "workload", "--items", 300, "--out", o])],
         [("*.h5", same_h5)])

hp = synth("healpix")
run_both("healpix", lambda o: [
    ("split", ["healpix", "split", "--catalog", f"{hp}/QSO_cat.fits", "--out", f"{o}/altz"]),
    ("balfind", ["healpix", "balfind", "--altzdir", f"{o}/altz", "--redux", f"{hp}/redux",
                 "--only-with-coadd"]),
    ("append", ["healpix", "append", "--catalog", f"{hp}/QSO_cat.fits", "--altzdir", f"{o}/altz",
                "--out", f"{o}/QSO_cat-altbal.fits"])], [("**/*.fits", same_fits)])

sb = synth("subband", "--groups", "1")
run_both("subband", lambda o: [("convert", ["subband", "convert", "--in", sb, "--out", o,
                                            "--ranks-per-group", MANY])], [("*.uvh5", same_h5)])

ra = synth("raster")
run_both("raster", lambda o: [
    ("grid", ["raster", "grid", "--fsm-dir", f"{ra}/fsm", "--landform", f"{ra}/landform.tif",
              "--out", f"{o}/grids"]),
    ("stats", ["raster", "stats", "--grids", f"{o}/grids", "--basins", f"{ra}/basins.geojson",
               "--id-field", "CODE", "--group-field", "REGION", "--out", f"{o}/tables"])],
    [("grids/*.nc", same_nc), ("tables/*.csv", same_bytes)])

ti = synth("tiles")
A, B = f"{ti}/A.las", f"{ti}/B.las"
run_both("tiles", lambda o: [
    ("dod", ["tiles", "dod", "--a", A, "--b", B, "--cell", "1.0", "--out", f"{o}/dod.tif"]),
    ("dod median", ["tiles", "dod", "--a", A, "--b", B, "--cell", "1.0", "--aggregate", "median",
                    "--out", f"{o}/dod_median.tif"]),
    ("c2c", ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", 10, "--out", f"{o}/c2c.las"]),
    ("m3c2", ["tiles", "m3c2", "--a", A, "--b", B, "--normal-radius", "1,2", "--cyl-radius", 1,
              "--max-depth", 5, "--core-step", 10, "--out", f"{o}/m3c2.las"])],
    [("*.tif", same_bytes), ("*.las", same_las)])
t.done()
