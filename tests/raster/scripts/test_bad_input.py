"""Bad input gives a clear error naming the file and line or feature, a
non-zero exit and no partial output: FSM files with missing days or ragged
rows, landform ids beyond the number of FSM files, a basins layer without
the id field, an invalid (self-intersecting) polygon."""
import json
import os
import shutil

from raster_common import mpirun_tessera, synth
from tessera_test import TestRun

t = TestRun("raster bad input")
d, inp = synth("raster_bad")
lf = os.path.join(inp, "landform.tif")


def outputs(path):
    if not os.path.isdir(path):
        return []
    return [f for f in os.listdir(path)]


def broken_fsm(name, edit):
    fsm = os.path.join(d, name)
    shutil.copytree(os.path.join(inp, "fsm"), fsm)
    p = os.path.join(fsm, "sim_FSM_pt_0005.txt")
    lines = open(p).read().split("\n")
    edit(lines)
    open(p, "w").write("\n".join(lines))
    return fsm, p


def drop_day(lines):
    del lines[7]


def ragged(lines):
    lines[3] = " ".join(lines[3].split()[:-2])


for name, edit, words in (("missing_day", drop_day, ["line 8", "consecutive"]),
                          ("ragged", ragged, ["line 4", "ragged"])):
    fsm, p = broken_fsm(name, edit)
    out = os.path.join(d, "out_" + name)
    r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", out,
                           "--no-progress"])
    msg = r.stderr
    t.check(r.returncode == 3, f"{name}: exit 3", r)
    t.check("sim_FSM_pt_0005.txt" in msg and all(w in msg for w in words),
            f"{name}: error names the file and line", msg[-800:])
    t.check(outputs(out) == [], f"{name}: no output file", outputs(out))

# Landform ids beyond the number of FSM files: remove the last cluster files.
fsm = os.path.join(d, "few")
shutil.copytree(os.path.join(inp, "fsm"), fsm)
files = sorted(os.listdir(fsm))
for f in files[-3:]:
    os.remove(os.path.join(fsm, f))
out = os.path.join(d, "out_few")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", out,
                       "--no-progress"])
t.check(r.returncode == 3 and "landform.tif" in r.stderr and "cluster id" in r.stderr
        and "row" in r.stderr, "landform ids beyond the FSM files: error names landform and pixel",
        r)
t.check(outputs(out) == [], "no grid written", outputs(out))

# Stats inputs.
grids = os.path.join(d, "grids")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", os.path.join(inp, "fsm"), "--landform", lf,
                       "--out", grids, "--vars", "swe", "--no-progress"])
t.check(r.returncode == 0, "grid of good inputs exits 0", r)
basins = os.path.join(inp, "basins.geojson")
out = os.path.join(d, "tables_nofield")
r = mpirun_tessera(2, ["raster", "stats", "--grids", grids, "--basins", basins, "--id-field",
                       "BASIN_ID", "--out", out, "--no-progress"])
t.check(r.returncode == 3 and "BASIN_ID" in r.stderr and "basins.geojson" in r.stderr
        and "CODE" in r.stderr, "basins without the id field: error names field, file and fields",
        r)
t.check(outputs(out) == [], "no table written", outputs(out))

gj = json.load(open(basins))
gj["features"][2]["geometry"] = {"type": "Polygon", "coordinates": [[
    [69.0, 41.0], [69.1, 41.1], [69.1, 41.0], [69.0, 41.1], [69.0, 41.0]]]}  # bow-tie
bad = os.path.join(d, "invalid.geojson")
json.dump(gj, open(bad, "w"))
out = os.path.join(d, "tables_invalid")
r = mpirun_tessera(2, ["raster", "stats", "--grids", grids, "--basins", bad, "--id-field",
                       "CODE", "--out", out, "--no-progress"])
t.check(r.returncode == 3 and "invalid polygon" in r.stderr and "CODE=B03" in r.stderr
        and "invalid.geojson" in r.stderr, "invalid polygon: error names the feature", r)
t.check(outputs(out) == [], "no table written", outputs(out))
# synth raster writes on rank 0 only: an --out below a regular file fails
# every rank (exit 3, the path named), never leaves the others at a barrier.
blocker = os.path.join(d, "synth_blocker")
open(blocker, "w").close()
r = mpirun_tessera(2, ["synth", "raster", "--out", os.path.join(blocker, "in"), "--scale", "tiny",
                       "--no-progress"], timeout=120)
t.check(r.returncode == 3 and "synth_blocker" in r.stderr,
        "synth raster at 2 ranks with an unusable --out exits 3 naming it (no hang)", (r.returncode, r.stderr[-800:]))
t.done()
