"""raster grid, reproject and stats with more ranks than days: the work items
are (variable, day) and (zone, day) pairs in groups with their own ranks
(core/group_plan.hpp). A 3-day copy of the tiny run, at 1, 2, 4 and 8 ranks:
NetCDF-4 values and CDF-5 bytes identical to 1 rank, the same statistics
tables, and the perf report's work: at 8 ranks 6 ranks grid (days alone gave
3 of 8); a fault in one group fails the step on every rank. MPI-IO hints
(--mpiio-hint, TESSERA_MPIIO_HINTS) reach PnetCDF: its own nc_var_align_size
hint moves the data to 1 MiB; a malformed hint is a usage error."""
import filecmp
import glob
import json
import os
import shutil

import netCDF4
import numpy as np

from raster_common import VARS, grid_file, mpirun_tessera, synth
from tessera_test import TestRun, temporaries

t = TestRun("raster work split")
d, inp = synth("raster_work_split")
fsm3 = os.path.join(d, "fsm3")
os.makedirs(fsm3, exist_ok=True)
for f in glob.glob(os.path.join(inp, "fsm", "sim_FSM_pt_*.txt")):
    with open(f) as src, open(os.path.join(fsm3, os.path.basename(f)), "w") as dst:
        dst.writelines(src.readlines()[:3])
lf = os.path.join(inp, "landform.tif")
basins = os.path.join(inp, "basins.geojson")


def grid(tag, ranks, extra, env=None):
    out = os.path.join(d, f"grids_{tag}")
    report = os.path.join(d, f"report_{tag}.json")
    r = mpirun_tessera(ranks, ["raster", "grid", "--fsm-dir", fsm3, "--landform", lf, "--out", out,
                               "--no-progress", "--perf-report", report] + extra, env=env)
    t.check(r.returncode == 0, f"grid exits 0 ({tag}, {ranks} ranks)", r)
    return out, report


def values(path, var):
    with netCDF4.Dataset(path) as nc:
        v = nc.variables[var]
        v.set_auto_mask(False)
        return v[:]


outs = {}
for n in (2, 8):
    outs[f"n{n}"] = grid(f"n{n}", n, [])
for n in (1, 4, 8):
    outs[f"c{n}"] = grid(f"c{n}", n, ["--format", "cdf5"])
for var in VARS:
    ref = values(grid_file(outs["c1"][0], var), var)
    t.check(ref.shape[0] == 3, f"{var}: 3 days", ref.shape)
    for n in (4, 8):
        t.check(filecmp.cmp(grid_file(outs["c1"][0], var), grid_file(outs[f"c{n}"][0], var),
                            shallow=False), f"{var}: CDF-5 at {n} ranks byte-identical to 1 rank")
    for n in (2, 8):
        t.check(np.array_equal(values(grid_file(outs[f"n{n}"][0], var), var), ref, equal_nan=True),
                f"{var}: NetCDF-4 at {n} ranks has the values of the CDF-5 file")

# Work at 8 ranks: 2 groups of 2 variables x 4 ranks, 3 days each: 6 ranks
# grid 2 (variable, day) pairs, 2 are idle.
with open(outs["n8"][1]) as f:
    top = [r for r in json.load(f)["regions"] if r["depth"] == 0][0]
work = top["work"]
t.check(work["total"] == 12 and work["idle_ranks"] == 2 and work["max"] == 2,
        "8 ranks, 3 days: 6 of 8 ranks grid 2 (variable, day) pairs each", work)

# Reproject (CDF-5 bytes) and stats (tables) at 8 ranks equal 1 rank.
for n in (1, 8):
    r = mpirun_tessera(n, ["raster", "reproject", "--grids", outs["c1"][0], "--to", "EPSG:4326",
                           "--format", "cdf5", "--out", os.path.join(d, f"wgs{n}"),
                           "--no-progress"])
    t.check(r.returncode == 0, f"reproject exits 0 at {n} ranks", r)
    r = mpirun_tessera(n, ["raster", "stats", "--grids", outs["c1"][0], "--basins", basins,
                           "--id-field", "CODE", "--group-field", "REGION", "--out",
                           os.path.join(d, f"tables{n}"), "--no-progress"])
    t.check(r.returncode == 0, f"stats exits 0 at {n} ranks", r)
for var in VARS:
    t.check(filecmp.cmp(grid_file(os.path.join(d, "wgs1"), var),
                        grid_file(os.path.join(d, "wgs8"), var), shallow=False),
            f"{var}: reprojected CDF-5 at 8 ranks byte-identical to 1 rank")
csvs = sorted(f for f in os.listdir(os.path.join(d, "tables1")) if f.endswith(".csv"))
t.check(len(csvs) >= 5 and all(
    filecmp.cmp(os.path.join(d, "tables1", f), os.path.join(d, "tables8", f), shallow=False)
    for f in csvs), "stats tables at 8 ranks identical to 1 rank", csvs)

# A failure in one group (rank 5 warps variables 3-4 with ranks 4-7) ends the
# step on every rank with the reason, not a hang; no temporary is left.
faulty = os.path.join(d, "wgs_fault")
r = mpirun_tessera(8, ["raster", "reproject", "--grids", outs["c1"][0], "--to", "EPSG:4326",
                       "--format", "cdf5", "--out", faulty, "--no-progress"], timeout=180,
                   env={"TESSERA_FAULT": "raster.reproject.warp@5"})
t.check(r.returncode not in (0, 124) and "injected fault at raster.reproject.warp" in r.stderr,
        "a fault in one group of ranks fails the step on every rank with its reason", r)
t.check(not temporaries(faulty), "no temporary file left", temporaries(faulty))

# Hints: PnetCDF takes its own keys from the MPI_Info the option builds.
plain = os.path.getsize(grid_file(outs["c1"][0], "swe"))
out, _ = grid("hint", 2, ["--format", "cdf5", "--vars", "swe", "--mpiio-hint",
                          "nc_var_align_size=1048576", "--mpiio-hint", "cb_buffer_size=4194304"])
aligned = os.path.getsize(grid_file(out, "swe"))
t.check(plain < 1 << 20 <= aligned, "--mpiio-hint nc_var_align_size=1048576 moves the data to 1 MiB",
        (plain, aligned))
t.check(np.array_equal(values(grid_file(out, "swe"), "swe"),
                       values(grid_file(outs["c1"][0], "swe"), "swe"), equal_nan=True),
        "the aligned file holds the same values")
shutil.rmtree(out)
out, _ = grid("hint", 1, ["--format", "cdf5", "--vars", "swe"],
              env={"TESSERA_MPIIO_HINTS": "cb_nodes=1; nc_var_align_size=1048576"})
t.check(os.path.getsize(grid_file(out, "swe")) >= 1 << 20,
        "TESSERA_MPIIO_HINTS reaches PnetCDF too")
r = mpirun_tessera(1, ["raster", "grid", "--fsm-dir", fsm3, "--landform", lf, "--out",
                       os.path.join(d, "bad"), "--mpiio-hint", "striping_factor"])
t.check(r.returncode == 2 and "striping_factor" in r.stderr and "KEY=VALUE" in r.stderr,
        "a hint without a value is a usage error naming it", r)
r = mpirun_tessera(1, ["raster", "grid", "--fsm-dir", fsm3, "--landform", lf, "--out",
                       os.path.join(d, "bad")], env={"TESSERA_MPIIO_HINTS": "=4"})
t.check(r.returncode == 2 and "TESSERA_MPIIO_HINTS" in r.stderr,
        "a malformed TESSERA_MPIIO_HINTS is a usage error naming it", r)
t.done()
