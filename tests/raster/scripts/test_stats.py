"""raster stats: coverage-weighted means equal a brute-force computation with
shapely's exact polygon ∩ cell areas and the grids read back with netCDF4;
REGION values are area-weighted over the union (not a mean of means); the wide
and long CSV layouts; identical tables at 1, 2 and 4 ranks."""
import csv
import filecmp
import json
import os

import netCDF4
import numpy as np
from rasterio.warp import transform_geom
from shapely.geometry import box, shape
from shapely.ops import unary_union

from raster_common import grid_file, mpirun_tessera, synth
from tessera_test import TestRun

t = TestRun("raster stats")
d, inp = synth("raster_stats")
grids = os.path.join(d, "grids")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", os.path.join(inp, "fsm"), "--landform",
                       os.path.join(inp, "landform.tif"), "--out", grids, "--no-progress"])
t.check(r.returncode == 0, "grid exits 0", r)
basins = os.path.join(inp, "basins.geojson")

tables = {}
for n in (1, 2, 4):
    out = os.path.join(d, f"tables{n}")
    r = mpirun_tessera(n, ["raster", "stats", "--grids", grids, "--basins", basins, "--id-field",
                           "CODE", "--group-field", "REGION", "--out", out, "--block-mb", "1",
                           "--no-progress"])
    t.check(r.returncode == 0, f"stats exits 0 at {n} ranks", r)
    tables[n] = out
for n in (2, 4):
    same = all(filecmp.cmp(os.path.join(tables[1], f), os.path.join(tables[n], f), shallow=False)
               for f in os.listdir(tables[1]) if f.endswith(".csv"))
    t.check(same, f"tables at {n} ranks are identical to 1 rank")

expected_files = {f"{v}_mean_values_table.csv" for v in ("swe", "snd", "rof", "gst")} | \
    {f"{v}_basin_mean_values_table.csv" for v in ("swe", "snd", "rof", "gst")} | {"statistics.csv"}
t.check(expected_files <= set(os.listdir(tables[1])), "every table is written",
        sorted(os.listdir(tables[1])))

# Brute force: exact shapely coverage in the grid's CRS.
with netCDF4.Dataset(grid_file(grids, "swe")) as nc:
    gt = [float(s) for s in nc.variables["crs"].GeoTransform.split()]
    wkt = nc.variables["crs"].crs_wkt
    grid = {}
    for v in ("swe", "rof"):
        with netCDF4.Dataset(grid_file(grids, v)) as g:
            var = g.variables[v]
            var.set_auto_mask(False)
            grid[v] = var[:].astype(np.float64)
H, W = grid["swe"].shape[1:]
x0, dx, _, y0, _, dy = gt
gj = json.load(open(basins))
feats = [(f["properties"]["CODE"], f["properties"]["REGION"],
          shape(transform_geom("EPSG:4326", "EPSG:32642", f["geometry"]))) for f in gj["features"]]


def coverage(geom):
    minx, miny, maxx, maxy = geom.bounds
    c0, c1 = max(0, int((minx - x0) // dx)), min(W - 1, int((maxx - x0) // dx))
    r0, r1 = max(0, int((maxy - y0) // dy)), min(H - 1, int((miny - y0) // dy))
    cov = np.zeros((H, W))
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            cell = box(x0 + c * dx, y0 + (r + 1) * dy, x0 + (c + 1) * dx, y0 + r * dy)
            cov[r, c] = geom.intersection(cell).area / abs(dx * dy)
    return cov


def weighted_mean(cov, day):
    ok = ~np.isnan(day) & (cov > 0)
    return (cov[ok] * day[ok]).sum() / cov[ok].sum()


def read_wide(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], {row[0]: [float(x) for x in row[1:]] for row in rows[1:]}


covs = {code: coverage(g) for code, _, g in feats}
hdr, wide = read_wide(os.path.join(tables[1], "swe_mean_values_table.csv"))
t.check(hdr == ["Date", "B01", "B02", "B03", "B04"], "wide table: Date + one column per CODE", hdr)
dates = sorted(wide)
t.check(dates[0] == "2005-10-01" and len(dates) == grid["swe"].shape[0], "one row per day")
worst = 0.0
for k, date in enumerate(dates):
    for j, (code, _, _) in enumerate(feats):
        bf = weighted_mean(covs[code], grid["swe"][k])
        worst = max(worst, abs(wide[date][j] - bf) / max(1.0, abs(bf)))
t.check(worst < 1e-7, f"basin means equal the brute force (worst rel. diff {worst:.2e})")

hdr, gwide = read_wide(os.path.join(tables[1], "swe_basin_mean_values_table.csv"))
t.check(hdr == ["Date", "North", "South"], "group table: Date + one column per REGION", hdr)
worst, differs = 0.0, False
for region_idx, region in enumerate(("North", "South")):
    union = unary_union([g for _, reg, g in feats if reg == region])
    ucov = coverage(union)
    members = [j for j, (_, reg, _) in enumerate(feats) if reg == region]
    for k, date in enumerate(dates):
        bf = weighted_mean(ucov, grid["swe"][k])
        worst = max(worst, abs(gwide[date][region_idx] - bf) / max(1.0, abs(bf)))
        mom = np.mean([wide[date][j] for j in members])
        if abs(mom - bf) > 1e-3 * max(1.0, abs(bf)):
            differs = True
t.check(worst < 1e-7, f"REGION means equal the area-weighted union (worst {worst:.2e})")
t.check(differs, "REGION means differ from the mean of the basins' means")

with open(os.path.join(tables[1], "statistics.csv")) as f:
    rows = list(csv.DictReader(f))
t.check(list(rows[0].keys()) == ["date", "zone_type", "zone", "variable", "mean", "sum", "min",
                                  "max", "covered_area", "snow_covered_fraction"],
        "long table columns", list(rows[0].keys()))
t.check(len(rows) == len(dates) * (4 + 2) * 4, "long table: one row per day, zone and variable")
k = len(dates) // 2
row = next(r for r in rows if r["date"] == dates[k] and r["zone"] == "B03" and r["variable"] == "rof")
cov, day = covs["B03"], grid["rof"][k]
ok = ~np.isnan(day) & (cov > 0)
t.check(abs(float(row["sum"]) - (cov[ok] * day[ok]).sum()) < 1e-6 * max(1, abs((cov[ok] * day[ok]).sum())),
        "long table: coverage-weighted sum")
t.check(abs(float(row["min"]) - day[ok].min()) < 1e-6 * max(1, abs(day[ok].min())) and
        abs(float(row["max"]) - day[ok].max()) < 1e-6 * max(1, abs(day[ok].max())), "min and max",
        (row["min"], day[ok].min(), row["max"], day[ok].max()))
t.check(abs(float(row["covered_area"]) - cov[ok].sum() * abs(dx * dy)) < 1e-3, "covered area (m2)")
swe = grid["swe"][k]
oks = ~np.isnan(swe) & (cov > 0)
scf = cov[oks & (swe > 1.0)].sum() / cov[oks].sum()
t.check(abs(float(row["snow_covered_fraction"]) - scf) < 1e-9, "snow-covered fraction")
t.done()
