"""srun --mpi=pmix launches Tessera as mpiexec does: `check workload` and each
pipeline's main step at 4 ranks under srun give outputs identical to the same
step under mpiexec (values compared with h5py, astropy, netCDF4; LAS point
records byte for byte)."""
import glob
import os
import subprocess

import h5py
import netCDF4
import numpy as np
from astropy.io import fits

from tessera_test import EXE, TestRun, _ENV, mpirun_tessera, scratch, tessera

t = TestRun("srun launching")
work = scratch("slurm-srun")
SRUN = os.environ.get("SRUN", "srun")


def srun_tessera(ranks, args, timeout=300):
    cmd = [SRUN, "--mpi=pmix", "-n", str(ranks), "--cpus-per-task=1", EXE] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=dict(_ENV))


def files(root, pattern):
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, pattern), recursive=True))


def same_h5(a, b):
    diffs = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                if name not in fb or not np.array_equal(obj[()], fb[name][()]):
                    diffs.append(name)
        fa.visititems(visit)
    return diffs


def same_fits(a, b):
    diffs = []
    with fits.open(a) as fa, fits.open(b) as fb:
        if len(fa) != len(fb):
            return ["HDU count"]
        for i, (ha, hb) in enumerate(zip(fa, fb)):
            if ha.data is None and hb.data is None:
                continue
            if ha.data is None or hb.data is None or ha.data.tobytes() != hb.data.tobytes():
                diffs.append(f"HDU {i}")
    return diffs


def same_nc(a, b):
    diffs = []
    with netCDF4.Dataset(a) as fa, netCDF4.Dataset(b) as fb:
        for name, v in fa.variables.items():
            if name not in fb.variables or not np.array_equal(v[...], fb.variables[name][...],
                                                              equal_nan=True):
                diffs.append(name)
    return diffs


def same_las(a, b):
    # Everything but the header's creation day and year (bytes 90-93).
    da, db = open(a, "rb").read(), open(b, "rb").read()
    return [] if len(da) == len(db) and da[:90] == db[:90] and da[94:] == db[94:] else ["bytes"]


def compare(step, root_m, root_s, pattern, same):
    fm, fs = files(root_m, pattern), files(root_s, pattern)
    if not t.check(fm and fm == fs, f"{step}: srun and mpiexec write the same files ({len(fm)})",
                   (fm, fs)):
        return
    bad = {f: d for f in fm if (d := same(os.path.join(root_m, f), os.path.join(root_s, f)))}
    t.check(not bad, f"{step}: every output identical under srun and mpiexec", bad)


def both(step, args_for, pattern, same):
    """Runs a step at 4 ranks with each launcher into out-mpiexec/ and out-srun/."""
    outs = {}
    for launcher, run in (("mpiexec", lambda a: mpirun_tessera(4, a)), ("srun", lambda a: srun_tessera(4, a))):
        out = os.path.join(work, step.replace(" ", "-"), launcher)
        r = run(args_for(out))
        t.check(r.returncode == 0, f"{step} under {launcher}: exit 0", r)
        outs[launcher] = out
    compare(step, outs["mpiexec"], outs["srun"], pattern, same)


def synth(kind, *args):
    d = os.path.join(work, "data", kind)
    r = tessera(["synth", kind, "--out", d, "--scale", "tiny", "--no-progress", *args])
    t.check(r.returncode == 0, f"synth {kind}", r)
    return d


both("check workload", lambda o: ["check", "workload", "--items", 400, "--out", o, "--no-progress"],
     "*.h5", same_h5)
hp = synth("healpix")
both("healpix split", lambda o: ["healpix", "split", "--catalog", f"{hp}/QSO_cat.fits", "--out", o,
                                 "--no-progress"], "**/*.fits", same_fits)
sb = synth("subband", "--groups", "1")
both("subband convert", lambda o: ["subband", "convert", "--in", sb, "--out", o, "--ranks-per-group",
                                   4, "--no-progress"], "*.uvh5", same_h5)
ra = synth("raster")
both("raster grid", lambda o: ["raster", "grid", "--fsm-dir", f"{ra}/fsm", "--landform",
                               f"{ra}/landform.tif", "--out", o, "--no-progress"], "*.nc", same_nc)
ti = synth("tiles")
both("tiles c2c", lambda o: ["tiles", "c2c", "--a", f"{ti}/A.las", "--b", f"{ti}/B.las",
                             "--max-dist", 10, "--out", f"{o}/c2c.las", "--no-progress"],
     "*.las", same_las)
t.done()
