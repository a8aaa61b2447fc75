"""Every pipeline step reports one StepResult (include/tessera/core/step_result.hpp)
in its --perf-report "result" object and as one summary line, with counts
that match the synthetic inputs (counted here independently: healpy pixels,
coadd files, FSM files, GeoJSON features, subband timestamps) and that do not
depend on the rank count (1, 2, 4). A re-run reports the items as skipped."""
import datetime
import glob
import json
import os

import healpy
import jsonschema
import numpy as np
from astropy.io import fits

from tessera_test import SOURCE_DIR, TestRun, mpirun_tessera, scratch, synth_tiny

t = TestRun("step_results")
work = scratch("step_results")
hp = synth_tiny(t, work, "healpix")
rs = synth_tiny(t, work, "raster")
sb = synth_tiny(t, work, "subband")
tl = synth_tiny(t, work, "tiles")
VALIDATOR = jsonschema.Draft7Validator(
    json.load(open(os.path.join(SOURCE_DIR, "docs", "perf-report.schema.json"))))
KEYS = {"unit", "done", "skipped", "failed", "outputs", "figures"}


def step(ranks, args, name):
    """Runs one step; returns its report's result (None on failure)."""
    rep = os.path.join(work, f"rep-{name}-{ranks}.json")
    r = mpirun_tessera(ranks, args + ["--no-progress", "--perf-report", rep])
    if not t.check(r.returncode == 0 and os.path.exists(rep), f"{name} on {ranks} rank(s) runs", r):
        return None
    report = json.load(open(rep))
    errors = [e.message for e in VALIDATOR.iter_errors(report)]
    t.check(not errors, f"{name}: the report validates against the schema", errors[:3])
    res = report.get("result")
    if not t.check(isinstance(res, dict) and set(res) == KEYS, f"{name}: the result has {sorted(KEYS)}", res):
        return None
    line = (f"{' '.join(args[:2])}: {res['done']} {res['unit']} done, {res['skipped']} skipped, "
            f"{res['failed']} failed, {res['outputs']} output(s)")
    t.check(line in r.stderr, f"{name}: the summary line says what the report says", line)
    return res


# Ground truth, counted without Tessera.
cat = fits.getdata(os.path.join(hp, "QSO_cat.fits"), 1)
pixels = len(set(healpy.ang2pix(64, np.asarray(cat["TARGET_RA"], float),
                                np.asarray(cat["TARGET_DEC"], float), nest=True, lonlat=True)))
coadds = len(glob.glob(os.path.join(hp, "redux", "healpix", "*", "*", "*", "*", "coadd-*.fits")))
clusters = len(glob.glob(os.path.join(rs, "fsm", "sim_FSM_pt_*.txt")))
basins = len(json.load(open(os.path.join(rs, "basins.geojson")))["features"])
# Subband files within 60 s of each other are one group (their stamps jitter).
times = sorted(datetime.datetime.fromisoformat(os.path.basename(f).split("_sb")[0])
               for f in glob.glob(os.path.join(sb, "*_sb*.hdf5")))
groups = sum(1 for i, x in enumerate(times) if i == 0 or (x - times[i - 1]).total_seconds() > 60)

results = {}
AT_1_AND_4 = {"split", "balfind", "grid", "stats", "convert", "c2c"}
for n in (1, 2, 4):
    o = os.path.join(work, f"r{n}")
    altz, cat_out = os.path.join(o, "altz"), os.path.join(o, "cat-bal.fits")
    grids, stats, rep = (os.path.join(o, d) for d in ("grids", "stats", "rep"))
    runs = {
        "split": ["healpix", "split", "--catalog", os.path.join(hp, "QSO_cat.fits"), "--out", altz],
        "balfind": ["healpix", "balfind", "--altzdir", altz, "--redux", os.path.join(hp, "redux"),
                    "--only-with-coadd"],
        "append": ["healpix", "append", "--catalog", os.path.join(hp, "QSO_cat.fits"), "--altzdir",
                   altz, "--out", cat_out],
        "grid": ["raster", "grid", "--fsm-dir", os.path.join(rs, "fsm"), "--landform",
                 os.path.join(rs, "landform.tif"), "--out", grids, "--format", "cdf5"],
        "stats": ["raster", "stats", "--grids", grids, "--basins",
                  os.path.join(rs, "basins.geojson"), "--out", stats],
        "reproject": ["raster", "reproject", "--grids", grids, "--out", rep, "--format", "cdf5"],
        "convert": ["subband", "convert", "--in", sb, "--out", os.path.join(o, "uvh5"),
                    "--ranks-per-group", "2"],
        "dod": ["tiles", "dod", "--a", os.path.join(tl, "A.las"), "--b", os.path.join(tl, "B.las"),
                "--out", os.path.join(o, "dod.tif"), "--tile-size", "50"],
        "c2c": ["tiles", "c2c", "--a", os.path.join(tl, "A.las"), "--b", os.path.join(tl, "B.las"),
                "--out", os.path.join(o, "c2c.las"), "--tile-size", "50"],
    }
    # Every step at 2 ranks; at 1 and 4 the ones whose distribution differs
    # most (row exchange, dynamic claims, gathers, sub-communicators, tiles).
    for name, args in runs.items():
        if n == 2 or name in AT_1_AND_4:
            results[(name, n)] = step(n, args, f"{name}-{n}")
    if n == 2:  # a re-run: everything up to date
        for name in ("split", "grid", "convert", "c2c"):
            again = step(2, runs[name], f"{name}-again")
            first = results[(name, 2)]
            if again and first:
                t.check(again["done"] == 0 and again["skipped"] == first["done"] + first["skipped"]
                        and again["outputs"] == 0, f"{name} re-run: all skipped", again)

truth = {
    "split": dict(unit="pixels", done=pixels, outputs=pixels, figures=dict(catalog_rows=len(cat))),
    # --only-with-coadd: the pixels are those with a coadd.
    "balfind": dict(unit="pixels", done=coadds, outputs=coadds, skipped=0,
                    figures=dict(pixels=coadds)),
    "append": dict(unit="catalogs", done=1, outputs=1, figures=dict(catalog_rows=len(cat))),
    "grid": dict(unit="variables", done=4, outputs=4, figures=dict(clusters=clusters)),
    "stats": dict(unit="days", figures=dict(basins=basins, variables=4)),
    "reproject": dict(unit="variables", done=4, outputs=4),
    "convert": dict(unit="groups", done=groups, outputs=groups, figures=dict(groups=groups)),
    "dod": dict(unit="files", done=1, outputs=1),
    "c2c": dict(unit="files", done=1, outputs=1),
}
for name, want in truth.items():
    res = results.get((name, 2))
    if res is None:
        continue
    for key, value in want.items():
        if key == "figures":
            for k, v in value.items():
                t.check(res["figures"].get(k) == v, f"{name}: figure {k} = {v}", res)
        else:
            t.check(res[key] == value, f"{name}: {key} = {value}", res)
    t.check(res["failed"] == 0, f"{name}: no failures", res)
grid = results.get(("grid", 2))
stats = results.get(("stats", 2))
if grid and stats:
    t.check(stats["done"] == grid["figures"]["days"] > 0, "stats: one item per gridded day", stats)
    tables = glob.glob(os.path.join(work, "r2", "stats", "*.csv"))
    t.check(stats["outputs"] == len(tables) > 1, f"stats: outputs = the {len(tables)} tables", stats)
# Counts and integer figures are the same at 1, 2 and 4 ranks (floating sums
# such as c2c's mean may differ in the last bits with the summation order).
RANK_DEPENDENT = {"rounds", "round_budget_points", "max_round_points", "bytes_read"}
for name in AT_1_AND_4:
    got = [results.get((name, n)) for n in (1, 2, 4)]
    if all(got):
        strip = [{k: v for k, v in g.items() if k != "figures"} |
                 {"figures": {k: v for k, v in g["figures"].items()
                              if k not in RANK_DEPENDENT and isinstance(v, int)}}
                 for g in got]
        t.check(strip[0] == strip[1] == strip[2], f"{name}: same result at 1, 2 and 4 ranks", strip)
t.done()
