"""raster stats on rasters GDAL opens (--raster): rasterstats' own test data
(tests/data/rasterstats, BSD-3) and rasters made here from it.

Ground truth is independent of Tessera and of GDAL's vector side: rasterio
reads the raster, the polygons come from the GeoJSON text (json), and
shapely gives every polygon ∩ cell area exactly; the coverage-weighted mean is
Σ f·x / Σ f over the cells with data. Checked: slope.tif with polygons.shp
(the exact means 15.02126922 and 55.61367019, and shapely to 1e-9);
multipolygons.shp (a .prj saying WGS 84 over projected coordinates) and a
GeoJSON without a crs member, refused without --basins-crs and right with it;
slope_nodata.tif (nodata -9999 left out); plain and pixel-interleaved
compressed GeoTIFFs (direct strip reads and GDAL's); a NetCDF variable (as --variable and
as NETCDF:"f":var, its dates, a packed variable, bottom-up rows); one band per
day, one file per day and a VRT give the same numbers; duplicate ids refused
or merged into their union; identical tables at 1, 2 and 4 ranks."""
import csv
import filecmp
import json
import os

import netCDF4
import numpy as np
import rasterio
from shapely.affinity import translate
from shapely.geometry import box, shape
from shapely.ops import unary_union

from tessera_test import TEST_DATA, TestRun, mpirun_tessera, scratch, temporaries

t = TestRun("raster stats on any raster")
RS = os.path.join(TEST_DATA, "rasterstats")
SLOPE = os.path.join(RS, "slope.tif")
SLOPE_ND = os.path.join(RS, "slope_nodata.tif")
# The rasters' Albers Equal Area (slope.tif's .prj parameters, GRS80).
AEA = "+proj=aea +lat_0=34 +lon_0=-120 +lat_1=43 +lat_2=48 +x_0=600000 +y_0=0 +ellps=GRS80 +units=m"
d = scratch("raster_stats_any")

with rasterio.open(SLOPE) as src:
    slope = src.read(1).astype(np.float64)
    gt = src.transform
    profile = src.profile
with rasterio.open(SLOPE_ND) as src:
    slope_nd = src.read(1).astype(np.float64)
    nd_value = src.nodata
H, W = slope.shape
x0, dx, y0, dy = gt.c, gt.a, gt.f, gt.e
polys = [shape(f["geometry"]) for f in
         json.load(open(os.path.join(RS, "featurecollection.geojson")))["features"]]


def coverage(geom):
    """Exact fraction of every cell inside geom (shapely)."""
    cov = np.zeros((H, W))
    minx, miny, maxx, maxy = geom.bounds
    c0, c1 = max(0, int((minx - x0) // dx)), min(W - 1, int((maxx - x0) // dx))
    r0, r1 = max(0, int((maxy - y0) // dy)), min(H - 1, int((miny - y0) // dy))
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            cell = box(x0 + c * dx, y0 + (r + 1) * dy, x0 + (c + 1) * dx, y0 + r * dy)
            cov[r, c] = geom.intersection(cell).area / abs(dx * dy)
    return cov


def exact_mean(cov, grid, nodata=None):
    ok = (cov > 0) & ~np.isnan(grid)
    if nodata is not None:
        ok &= grid != nodata
    return (cov[ok] * grid[ok]).sum() / cov[ok].sum()


covs = [coverage(p) for p in polys]


def stats(name, args, ranks=1):
    out = os.path.join(d, name)
    r = mpirun_tessera(ranks, ["raster", "stats", "--out", out, "--no-progress", *args])
    return r, out


def means(out, var):
    """{column: [values per row]} and the labels of the wide table."""
    with open(os.path.join(out, f"{var}_mean_values_table.csv")) as f:
        rows = list(csv.reader(f))
    cols = {h: [float(row[i]) for row in rows[1:]] for i, h in enumerate(rows[0]) if i > 0}
    return cols, [row[0] for row in rows[1:]]


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


# 1. slope.tif + polygons.shp: the exact means, and shapely.
r, out = stats("slope", ["--raster", SLOPE, "--basins", os.path.join(RS, "polygons.shp"),
                         "--id-field", "id"])
t.check(r.returncode == 0, "slope.tif + polygons.shp exits 0", r)
m, labels = means(out, "value")
sh = [exact_mean(c, slope) for c in covs]
t.check(list(m) == ["1", "2"] and labels == ["1"], "one column per id, one row per band",
        (list(m), labels))
t.check(close(sh[0], 15.02126922, 1e-9 * 1e3) and close(sh[1], 55.61367019, 1e-9 * 1e3),
        f"shapely's exact means are rasterstats' documented ones ({sh[0]:.10f}, {sh[1]:.10f})")
t.check(abs(m["1"][0] - 15.02126922) < 5e-9 and abs(m["2"][0] - 55.61367019) < 5e-9,
        "means equal 15.02126922 and 55.61367019", (m["1"][0], m["2"][0]))
t.check(close(m["1"][0], sh[0]) and close(m["2"][0], sh[1]),
        "means equal shapely's exact computation to 1e-9", (m["1"][0], sh[0], m["2"][0], sh[1]))
with open(os.path.join(out, "statistics.csv")) as f:
    long = {row["zone"]: row for row in csv.DictReader(f)}
ok = covs[0] > 0
t.check(close(float(long["1"]["sum"]), (covs[0] * slope).sum()) and
        close(float(long["1"]["min"]), slope[ok].min()) and
        close(float(long["1"]["max"]), slope[ok].max()) and
        close(float(long["1"]["covered_area"]), covs[0].sum() * abs(dx * dy)),
        "sum, min, max and covered area", long["1"])
t.check(long["1"]["snow_covered_fraction"] == "nan", "no swe variable: no snow-covered fraction")

# 2. multipolygons.shp: its .prj (WGS 84) does not match its coordinates.
multi = os.path.join(RS, "multipolygons.shp")
r, out = stats("multi_refused", ["--raster", SLOPE, "--basins", multi, "--id-field", "id"])
t.check(r.returncode == 3 and "--basins-crs" in r.stderr and "multipolygons.shp" in r.stderr,
        "multipolygons.shp as its .prj says: refused, naming the file and --basins-crs", r)
t.check(not os.path.exists(os.path.join(out, "statistics.csv")), "no table after the refusal")
r, out = stats("multi", ["--raster", SLOPE, "--basins", multi, "--id-field", "id",
                         "--basins-crs", AEA])
t.check(r.returncode == 0, "multipolygons.shp with --basins-crs exits 0", r)
m, _ = means(out, "value")
both = exact_mean(coverage(unary_union(polys)), slope)
t.check(list(m) == ["1"] and close(m["1"][0], both), "multipolygon mean = shapely's over both parts",
        (m, both))

# 3. GeoJSON without a crs member (GDAL reads it as WGS 84).
fc = os.path.join(RS, "featurecollection.geojson")
r, _ = stats("geojson_refused", ["--raster", SLOPE, "--basins", fc, "--id-field", "id"])
t.check(r.returncode == 3 and "--basins-crs" in r.stderr, "projected GeoJSON refused without "
        "--basins-crs", r)
r, out = stats("geojson", ["--raster", SLOPE, "--basins", fc, "--id-field", "id", "--basins-crs",
                           os.path.join(RS, "polygons.prj")])
m, _ = means(out, "value")
t.check(r.returncode == 0 and close(m["1"][0], sh[0]) and close(m["2"][0], sh[1]),
        "GeoJSON with --basins-crs (a .prj file) gives the same means", r if r.returncode else m)
r, _ = stats("badcrs", ["--raster", SLOPE, "--basins", fc, "--id-field", "id", "--basins-crs",
                        "EPSG:notacode"])
t.check(r.returncode == 2 and "--basins-crs" in r.stderr, "an unknown --basins-crs: usage error",
        r)

# 4. A GeoTIFF with nodata (-9999): those cells are left out.
r, out = stats("nodata", ["--raster", SLOPE_ND, "--basins", os.path.join(RS, "polygons.shp"),
                          "--id-field", "id"])
m, _ = means(out, "value")
shn = [exact_mean(c, slope_nd, nd_value) for c in covs]
with open(os.path.join(out, "statistics.csv")) as f:
    long = {row["zone"]: row for row in csv.DictReader(f)}
has_nd = [bool(((c > 0) & (slope_nd == nd_value)).any()) for c in covs]
t.check(nd_value == -9999 and any(has_nd), "slope_nodata.tif has nodata cells under a polygon",
        has_nd)
t.check(r.returncode == 0 and close(m["1"][0], shn[0]) and close(m["2"][0], shn[1]),
        "nodata cells left out of the means (shapely)", (m, shn))
t.check(all(float(long[z]["min"]) > -9999 for z in ("1", "2")), "nodata never the minimum")
k = int(np.argmax(has_nd))
area_nd = (covs[k] * (slope_nd != nd_value)).sum() * abs(dx * dy)
t.check(close(float(long[str(k + 1)]["covered_area"]), area_nd),
        "covered area counts only cells with data")

# 5. A stack of 5 days, as one GeoTIFF of 5 bands, 5 one-band GeoTIFFs and a VRT.
factors = [1.0, 2.0, 0.5, 3.0, 1.5]
days = [np.where(slope_nd == nd_value, nd_value, slope_nd * f).astype(np.float32) for f in factors]
prof = dict(profile, dtype="float32", nodata=nd_value, count=len(days))
stack = os.path.join(d, "stack.tif")
with rasterio.open(stack, "w", **dict(prof, interleave="band")) as dst:
    for b, a in enumerate(days, 1):
        dst.write(a, b)
singles = []
for b, a in enumerate(days):
    p = os.path.join(d, f"day_2021-03-0{b + 1}.tif")
    with rasterio.open(p, "w", **dict(prof, count=1)) as dst:
        dst.write(a, 1)
    singles.append(p)
vrt = os.path.join(d, "stack.vrt")
with open(vrt, "w") as f:
    f.write(f'<VRTDataset rasterXSize="{W}" rasterYSize="{H}">\n'
            f'  <SRS>{AEA}</SRS>\n'
            f'  <GeoTransform>{x0!r}, {dx!r}, 0, {y0!r}, 0, {dy!r}</GeoTransform>\n')
    for b, p in enumerate(singles, 1):
        f.write(f'  <VRTRasterBand dataType="Float32" band="{b}">\n'
                f'    <NoDataValue>{nd_value}</NoDataValue>\n'
                f'    <SimpleSource><SourceFilename relativeToVRT="1">{os.path.basename(p)}'
                f'</SourceFilename><SourceBand>1</SourceBand></SimpleSource>\n'
                f'  </VRTRasterBand>\n')
    f.write('</VRTDataset>\n')
expect = [[exact_mean(c, a.astype(np.float64), nd_value) for a in days] for c in covs]
poly_args = ["--basins", os.path.join(RS, "polygons.shp"), "--id-field", "id"]
outs = {}
for n in (1, 2, 4):
    r, outs[n] = stats(f"stack{n}", ["--raster", stack, *poly_args, "--block-mb", "1"], ranks=n)
    t.check(r.returncode == 0, f"5-band GeoTIFF at {n} ranks exits 0", r)
for n in (2, 4):
    same = all(filecmp.cmp(os.path.join(outs[1], f), os.path.join(outs[n], f), shallow=False)
               for f in os.listdir(outs[1]))
    t.check(same, f"5-band GeoTIFF: tables at {n} ranks identical to 1 rank")
m, labels = means(outs[1], "value")
worst = max(abs(m[str(j + 1)][k] - expect[j][k]) / max(1, abs(expect[j][k]))
            for j in range(2) for k in range(len(days)))
t.check(worst < 1e-9 and labels == ["1", "2", "3", "4", "5"],
        f"one band per day: every day's mean equals shapely's (worst {worst:.1e})", labels)
# The same stack pixel-interleaved and deflate-compressed: read through GDAL,
# not by the direct strip reader that the plain layout above takes.
packed_tif = os.path.join(d, "stack_pixel_deflate.tif")
with rasterio.open(packed_tif, "w", **dict(prof, interleave="pixel", compress="deflate")) as dst:
    for b, a in enumerate(days, 1):
        dst.write(a, b)
r, out = stats("pixel", ["--raster", packed_tif, *poly_args], ranks=2)
mpx, _ = means(out, "value")
t.check(r.returncode == 0 and mpx == m, "pixel-interleaved, compressed GeoTIFF: the same means",
        r if r.returncode else mpx)
r, out = stats("singles", ["--raster", *singles, *poly_args], ranks=2)
ms, labels = means(out, "value")
t.check(r.returncode == 0 and ms == m, "one file per day: the same means", r if r.returncode else ms)
t.check(labels == [f"day_2021-03-0{b}" for b in range(1, 6)], "one file per day: labelled by file",
        labels)
r, out = stats("vrt", ["--raster", vrt, *poly_args, "--variable", "slope"], ranks=2)
mv, _ = means(out, "slope")
t.check(r.returncode == 0 and mv == m, "a VRT of the day files: the same means, named by "
        "--variable", r if r.returncode else mv)

# 6. A NetCDF file with two variables: days since 2020-02-27 (crosses 29 Feb),
# rows stored south to north (y increasing, as many CF files do), slope as float
# with _FillValue, and a packed int16 copy (scale_factor, add_offset).
nc = os.path.join(d, "stack.nc")
fill = np.float32(-1e30)
with netCDF4.Dataset(nc, "w") as ds:
    ds.createDimension("time", len(days))
    ds.createDimension("y", H)
    ds.createDimension("x", W)
    tv = ds.createVariable("time", "f8", ("time",))
    tv.units, tv.calendar = "days since 2020-02-27 00:00:00", "standard"
    tv[:] = np.arange(len(days))
    yv = ds.createVariable("y", "f8", ("y",))
    yv.units, yv.standard_name = "m", "projection_y_coordinate"
    yv[:] = (y0 + (np.arange(H) + 0.5) * dy)[::-1]
    xv = ds.createVariable("x", "f8", ("x",))
    xv.units, xv.standard_name = "m", "projection_x_coordinate"
    xv[:] = x0 + (np.arange(W) + 0.5) * dx
    crs = ds.createVariable("crs", "i4")
    with rasterio.open(SLOPE) as src:
        crs.spatial_ref = src.crs.to_wkt()
    crs.grid_mapping_name = "albers_conical_equal_area"
    sv = ds.createVariable("slope", "f4", ("time", "y", "x"), fill_value=fill)
    sv.grid_mapping = "crs"
    pv = ds.createVariable("packed", "i2", ("time", "y", "x"), fill_value=np.int16(-32768))
    pv.grid_mapping = "crs"
    pv.scale_factor, pv.add_offset = np.float32(0.01), np.float32(5.0)
    pv.set_auto_maskandscale(False)
    packed = []
    for k, a in enumerate(days):
        a64 = a.astype(np.float64)
        sv[k] = np.where(a == nd_value, fill, a)[::-1]
        q = np.round((a64 - 5.0) / 0.01)
        q = np.where((a == nd_value) | (np.abs(q) > 32000), -32768, q).astype(np.int16)
        pv[k] = q[::-1]
        packed.append(np.where(q == -32768, np.nan, q.astype(np.float32) * np.float32(0.01)
                               + np.float32(5.0)))
dates = ["2020-02-27", "2020-02-28", "2020-02-29", "2020-03-01", "2020-03-02"]
r, _ = stats("nc_which", ["--raster", nc, *poly_args])
t.check(r.returncode == 2 and "slope" in r.stderr and "packed" in r.stderr and
        "--variable" in r.stderr, "NetCDF with two variables, none chosen: usage error listing "
        "them", r)
r, _ = stats("nc_missing", ["--raster", nc, *poly_args, "--variable", "swe"])
t.check(r.returncode == 3 and "swe" in r.stderr and "slope" in r.stderr,
        "an absent --variable: refused, listing the variables", r)
nouts = {}
for n in (1, 2, 4):
    r, nouts[n] = stats(f"nc{n}", ["--raster", nc, "--variable", "slope", *poly_args], ranks=n)
    t.check(r.returncode == 0, f"NetCDF --variable slope at {n} ranks exits 0", r)
for n in (2, 4):
    same = all(filecmp.cmp(os.path.join(nouts[1], f), os.path.join(nouts[n], f), shallow=False)
               for f in os.listdir(nouts[1]))
    t.check(same, f"NetCDF variable: tables at {n} ranks identical to 1 rank")
mn, labels = means(nouts[1], "slope")
t.check(labels == dates, "NetCDF days labelled by their CF dates", labels)


def same_means(x, y):
    return list(x) == list(y) and all(close(u, v) for c in x for u, v in zip(x[c], y[c]))


# GDAL derives the NetCDF transform from the x/y coordinates: equal to ~1e-10 m.
t.check(same_means(mn, m), "NetCDF variable (bottom-up rows, _FillValue): the GeoTIFF's means",
        (mn, m))
r, out = stats("nc_sub", ["--raster", f'NETCDF:"{nc}":slope', *poly_args], ranks=2)
ms, _ = means(out, "slope")
t.check(r.returncode == 0 and same_means(ms, mn), "NETCDF:\"file\":var names the same variable",
        r if r.returncode else ms)
r, out = stats("nc_packed", ["--raster", nc, "--variable", "packed", *poly_args], ranks=2)
mp, _ = means(out, "packed")
exp_p = [[exact_mean(c, p.astype(np.float64)) for p in packed] for c in covs]
worst = max(abs(mp[str(j + 1)][k] - exp_p[j][k]) / max(1, abs(exp_p[j][k]))
            for j in range(2) for k in range(len(days))) if r.returncode == 0 else 1
t.check(worst < 1e-6, f"packed int16 variable: scale_factor and add_offset applied "
        f"(worst {worst:.1e})", r if r.returncode else None)

# 7. Duplicate ids: two overlapping features with id 7, one with id 8.
dup = os.path.join(d, "dup.geojson")
a, b = polys[0], translate(polys[0], 60.0, -40.0)
with open(dup, "w") as f:
    json.dump({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 7}, "geometry": a.__geo_interface__},
        {"type": "Feature", "properties": {"id": 8}, "geometry": polys[1].__geo_interface__},
        {"type": "Feature", "properties": {"id": 7}, "geometry": b.__geo_interface__}]}, f)
dup_args = ["--raster", SLOPE, "--basins", dup, "--id-field", "id", "--basins-crs", AEA]
r, out = stats("dup_error", dup_args)
t.check(r.returncode == 3 and "'7'" in r.stderr and "features 1 and 3" in r.stderr and
        "--duplicate-ids" in r.stderr, "duplicate ids refused by default, naming both features", r)
t.check(not os.path.exists(os.path.join(out, "statistics.csv")) and not temporaries(out)
        if os.path.isdir(out) else True, "no table after the refusal")
r, out = stats("dup_merge", dup_args + ["--duplicate-ids", "merge"], ranks=2)
mm, _ = means(out, "value")
union = exact_mean(coverage(unary_union([a, b])), slope)
side_by_side = (exact_mean(coverage(a), slope) * a.area + exact_mean(coverage(b), slope) * b.area) \
    / (a.area + b.area)
t.check(r.returncode == 0 and list(mm) == ["7", "8"], "merge: one column per id", r)
t.check(close(mm["7"][0], union) and abs(union - side_by_side) > 1e-3,
        "merge: id 7 is the mean over the union (not the parts counted twice)",
        (mm.get("7"), union, side_by_side))
r, _ = stats("dup_bad", dup_args + ["--duplicate-ids", "first"])
t.check(r.returncode == 2 and "--duplicate-ids" in r.stderr, "--duplicate-ids first: usage error",
        r)
# 8. Bad rasters: each refused with exit 3 naming the file, no table written.
text = os.path.join(d, "notes.tif")
with open(text, "w") as f:
    f.write("not a raster\n")
shifted = os.path.join(d, "shifted.tif")
with rasterio.open(shifted, "w", **dict(prof, count=1, transform=gt * gt.translation(1, 0))) as dst:
    dst.write(days[0], 1)
cdf5 = os.path.join(d, "cdf5.nc")  # GDAL 3.6 does not open CDF-5: say so
with netCDF4.Dataset(cdf5, "w", format="NETCDF3_64BIT_DATA") as ds:
    ds.createDimension("y", 2)
    ds.createDimension("x", 2)
    ds.createVariable("swe", "f4", ("y", "x"))[:] = np.ones((2, 2))
for what, rasters, needle in (
        ("a text file", [text], "not a raster"),
        ("a CDF-5 NetCDF file", [cdf5], "CDF-5"),
        ("a missing file", [os.path.join(d, "absent.tif")], "no such file"),
        ("files on different grids", [stack, shifted], "differs")):
    r, out = stats("bad", ["--raster", *rasters, *poly_args, "--clobber"], ranks=2)
    t.check(r.returncode == 3 and needle in r.stderr and os.path.basename(rasters[-1]) in r.stderr
            and not os.path.exists(os.path.join(out, "statistics.csv")),
            f"{what}: exit 3 naming the file, no table", r)
r, _ = stats("both", ["--raster", SLOPE, "--grids", d, *poly_args])
t.check(r.returncode == 2 and "--grids" in r.stderr, "--grids and --raster together: usage error",
        r)
t.done()
