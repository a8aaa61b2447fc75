"""srun --mpi=pmix launches Tessera as mpiexec does: `check workload` and each
pipeline's main step at 4 ranks under srun give outputs identical to the same
step under mpiexec (values compared with h5py, astropy, netCDF4; LAS point
records byte for byte)."""
import os
import subprocess

from same_outputs import compare_trees, same_fits, same_h5, same_las, same_nc
from tessera_test import EXE, TestRun, _ENV, mpirun_tessera, scratch, tessera, synth_tiny

t = TestRun("srun launching")
work = scratch("slurm-srun")
SRUN = os.environ.get("SRUN", "srun")


def srun_tessera(ranks, args, timeout=300):
    cmd = [SRUN, "--mpi=pmix", "-n", str(ranks), "--cpus-per-task=1", EXE] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=dict(_ENV))


def both(step, args_for, pattern, same):
    """Runs a step at 4 ranks with each launcher into out-mpiexec/ and out-srun/."""
    outs = {}
    for launcher, run in (("mpiexec", lambda a: mpirun_tessera(4, a)), ("srun", lambda a: srun_tessera(4, a))):
        out = os.path.join(work, step.replace(" ", "-"), launcher)
        r = run(args_for(out))
        t.check(r.returncode == 0, f"{step} under {launcher}: exit 0", r)
        outs[launcher] = out
    compare_trees(t, f"{step}, srun vs mpiexec", outs["mpiexec"], outs["srun"], pattern, same)


def synth(kind, *args):
    return synth_tiny(t, work, kind, *args)


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
