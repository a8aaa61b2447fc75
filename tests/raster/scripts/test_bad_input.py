"""Bad input to raster grid, stats and reproject at 2 ranks gives a clear error
naming the file and line or feature (or the option), the exact exit code and
no partial output: FSM files with missing days or ragged rows, a missing or
empty FSM directory, a landform that is missing or not a raster, landform ids
beyond the number of FSM files, a basins layer missing, empty, without the id
field or with an invalid polygon, a grids directory without grids, a
truncated grid (reproject: that variable fails, the others are written),
invalid option values, an output path below a regular file. Recorded for
docs/reliability.md (bad_input.py)."""
import json
import os
import shutil

from bad_input import BadInputs
from raster_common import mpirun_tessera, synth
from tessera_test import TEST_DATA, TestRun

t = TestRun("raster bad input")
b = BadInputs(t, "raster")
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


def grid(what, code, names, says, fsm=os.path.join(inp, "fsm"), landform=lf, out=None, extra=()):
    out = out or os.path.join(d, "out_" + what.replace(" ", "_").replace("/", "_"))
    r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", fsm, "--landform", landform, "--out", out,
                           "--no-progress", *extra])
    b.case("grid", what, r, code, names, says, absent=[os.path.join(out, "*")])


for what, name, edit, words in (
        ("FSM file missing a day (line 8)", "missing_day", drop_day, ["line 8", "consecutive"]),
        ("FSM file with a ragged row (line 4)", "ragged", ragged, ["line 4", "ragged"])):
    fsm, p = broken_fsm(name, edit)
    grid(what, 3, [p, words[0]], words[1], fsm=fsm)

# Landform ids beyond the number of FSM files: remove the last cluster files.
fsm = os.path.join(d, "few")
shutil.copytree(os.path.join(inp, "fsm"), fsm)
files = sorted(os.listdir(fsm))
for f in files[-3:]:
    os.remove(os.path.join(fsm, f))
grid("landform ids beyond the FSM files (3 removed)", 3, [lf, "row"], "cluster id", fsm=fsm)
grid("--fsm-dir does not exist", 3, [os.path.join(d, "fsm_typo")], "does not exist",
     fsm=os.path.join(d, "fsm_typo"))
os.makedirs(os.path.join(d, "fsm_empty"))
grid("--fsm-dir holds no FSM files", 3, [os.path.join(d, "fsm_empty")], "no sim_FSM_pt_XXXX.txt",
     fsm=os.path.join(d, "fsm_empty"))
grid("landform does not exist", 3, [os.path.join(d, "landform_v2.tif")], "no such file",
     landform=os.path.join(d, "landform_v2.tif"))
las = os.path.join(TEST_DATA, "pdal", "100-points.las")
grid("landform is a LAS file", 3, [las], "not a raster GDAL can open", landform=las)
grid("--vars swe,foo (unknown)", 2, ["foo"], "unknown variable", extra=["--vars", "swe,foo"])
blocker = os.path.join(d, "a_file")
open(blocker, "w").close()
grid("--out below a regular file", 3, [blocker], "Not a directory",
     out=os.path.join(blocker, "grids"))

# Stats inputs.
grids = os.path.join(d, "grids")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", os.path.join(inp, "fsm"), "--landform", lf,
                       "--out", grids, "--vars", "swe", "--no-progress"])
t.check(r.returncode == 0, "grid of good inputs exits 0", r)
basins = os.path.join(inp, "basins.geojson")


def stats(what, code, names, says, grids=grids, basins=basins, extra=()):
    out = os.path.join(d, "tables_" + what.replace(" ", "_").replace("/", "_"))
    r = mpirun_tessera(2, ["raster", "stats", "--grids", grids, "--basins", basins, "--out", out,
                           "--no-progress", *extra])
    b.case("stats", what, r, code, names, says, absent=[os.path.join(out, "*")])


stats("--id-field BASIN_ID, absent from the layer", 3, [basins, "BASIN_ID", "CODE"], "BASIN_ID",
      extra=["--id-field", "BASIN_ID"])

gj = json.load(open(basins))
gj["features"][2]["geometry"] = {"type": "Polygon", "coordinates": [[
    [69.0, 41.0], [69.1, 41.1], [69.1, 41.0], [69.0, 41.1], [69.0, 41.0]]]}  # bow-tie
bad = os.path.join(d, "invalid.geojson")
json.dump(gj, open(bad, "w"))
stats("a self-intersecting (bow-tie) polygon", 3, [bad, "CODE=B03"], "invalid polygon",
      basins=bad)
stats("basins file does not exist", 3, [os.path.join(d, "basins_v2.geojson")], "No such file",
      basins=os.path.join(d, "basins_v2.geojson"))
empty = os.path.join(d, "empty.geojson")
open(empty, "w").close()
stats("basins file is empty", 3, [empty], "not a vector layer GDAL can open", basins=empty)
stats("--duplicate-ids keep (unknown)", 2, ["--duplicate-ids", "keep"], "must be error or merge",
      extra=["--duplicate-ids", "keep"])
os.makedirs(os.path.join(d, "no_grids"))
stats("--grids holds no grid files", 3, [os.path.join(d, "no_grids")], "no *_SWE.nc",
      grids=os.path.join(d, "no_grids"))
# A damaged grid among good ones: 4 variables, HS truncated to 5000 bytes.
damaged = os.path.join(d, "grids_damaged")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", os.path.join(inp, "fsm"), "--landform", lf,
                       "--out", damaged, "--no-progress"])
t.check(r.returncode == 0, "grid of the four variables exits 0", r)
hs = os.path.join(damaged, "200510_HS.nc")
with open(hs, "rb") as f:
    head = f.read(5000)
with open(hs, "wb") as f:
    f.write(head)
stats("one grid (HS) truncated", 3, [hs], "truncated or damaged", grids=damaged)


def reproject(what, code, names, says, grids=damaged, extra=(), intact=()):
    out = os.path.join(d, "warped_" + what.replace(" ", "_").replace("/", "_"))
    r = mpirun_tessera(2, ["raster", "reproject", "--grids", grids, "--out", out, "--no-progress",
                           *extra])
    absent = [os.path.join(out, "*")] if not intact else [os.path.join(out, "200510_HS.nc*")]
    b.case("reproject", what, r, code, names, says, absent=absent, dirs=[out],
           intact=[os.path.join(out, p) for p in intact])


reproject("one grid (HS) truncated: the other three are warped", 1, [hs], "truncated or damaged",
          intact=["200510_SWE.nc", "200510_ROF.nc", "200510_GST.nc"])
reproject("--to EPSG:999999 (unknown CRS)", 2, ["--to", "EPSG:999999"], "unrecognised CRS",
          grids=grids, extra=["--to", "EPSG:999999"])
reproject("--resampling fancy (unknown)", 2, ["fancy"], "unknown resampling", grids=grids,
          extra=["--resampling", "fancy"])
reproject("--grids does not exist", 3, [os.path.join(d, "grids_typo")], "no such directory",
          grids=os.path.join(d, "grids_typo"))
# synth raster writes on rank 0 only: an --out below a regular file fails
# every rank (exit 3, the path named), never leaves the others at a barrier.
blocker = os.path.join(d, "synth_blocker")
open(blocker, "w").close()
r = mpirun_tessera(2, ["synth", "raster", "--out", os.path.join(blocker, "in"), "--scale", "tiny",
                       "--no-progress"], timeout=120)
t.check(r.returncode == 3 and "synth_blocker" in r.stderr,
        "synth raster at 2 ranks with an unusable --out exits 3 naming it (no hang)", (r.returncode, r.stderr[-800:]))
b.done()
t.done()
