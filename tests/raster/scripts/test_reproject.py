"""raster reproject: the output's georeferencing equals gdalwarp's on the
same grid (gdal-bin), nearest-neighbour values equal gdalwarp's, nodata stays
NaN, 1, 2 and 4 ranks write the same values (NetCDF-4, the default, read
from a NetCDF-4 grid) and byte-identical files (CDF-5, read from a CDF-5
grid), and both formats hold the same values."""
import filecmp
import os
import subprocess

import netCDF4
import numpy as np
import rasterio
from rasterio.transform import Affine

from raster_common import grid_file, mpirun_tessera, synth
from tessera_test import TestRun

t = TestRun("raster reproject")
d, inp = synth("raster_reproject")
grids = os.path.join(d, "grids")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", os.path.join(inp, "fsm"), "--landform",
                       os.path.join(inp, "landform.tif"), "--out", grids, "--vars", "swe,gst",
                       "--no-progress"])
t.check(r.returncode == 0, "grid exits 0", r)
grids5 = os.path.join(d, "grids5")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", os.path.join(inp, "fsm"), "--landform",
                       os.path.join(inp, "landform.tif"), "--out", grids5, "--vars", "swe",
                       "--format", "cdf5", "--no-progress"])
t.check(r.returncode == 0, "grid --format cdf5 exits 0", r)
outs = {}
for n, src, extra in ((1, grids, []), (2, grids, []), (4, grids, []),
                      ("c1", grids5, ["--format", "cdf5"]), ("c2", grids5, ["--format", "cdf5"])):
    out = os.path.join(d, f"wgs{n}")
    ranks = int(str(n)[-1])
    r = mpirun_tessera(ranks, ["raster", "reproject", "--grids", src, "--to", "EPSG:4326", "--out",
                               out, "--no-progress"] + extra)
    t.check(r.returncode == 0, f"reproject exits 0 ({n})", r)
    outs[n] = out


def values(path, var="swe"):
    with netCDF4.Dataset(path) as nc:
        v = nc.variables[var]
        v.set_auto_mask(False)
        return nc.data_model, v[:]


t.check(filecmp.cmp(grid_file(outs["c1"], "swe"), grid_file(outs["c2"], "swe"), shallow=False),
        "CDF-5: identical output at 1 and 2 ranks")
model5, ref = values(grid_file(outs["c1"], "swe"))
t.check(model5 == "NETCDF3_64BIT_DATA", "--format cdf5 writes CDF-5", model5)
for n in (1, 2, 4):
    model, vals = values(grid_file(outs[n], "swe"))
    t.check(model == "NETCDF4" and np.array_equal(vals, ref, equal_nan=True),
            f"NetCDF-4 output at {n} ranks: same values as the CDF-5 one", model)

# The same day as a GeoTIFF, warped by gdalwarp.
with netCDF4.Dataset(grid_file(grids, "swe")) as nc:
    gt = [float(s) for s in nc.variables["crs"].GeoTransform.split()]
    wkt = nc.variables["crs"].crs_wkt
    v = nc.variables["swe"]
    v.set_auto_mask(False)
    day = v[5]
tif = os.path.join(d, "day5.tif")
with rasterio.open(tif, "w", driver="GTiff", width=day.shape[1], height=day.shape[0], count=1,
                   dtype="float32", crs=wkt, transform=Affine.from_gdal(*gt), nodata=np.nan) as dst:
    dst.write(day, 1)
warped = os.path.join(d, "day5_4326.tif")
r = subprocess.run(["gdalwarp", "-q", "-t_srs", "EPSG:4326", "-r", "near", tif, warped],
                   capture_output=True, text=True)
t.check(r.returncode == 0, "gdalwarp runs", r)
with rasterio.open(warped) as w:
    ref = w.read(1)
    ref_gt = w.transform.to_gdal()

with netCDF4.Dataset(grid_file(outs[1], "swe")) as nc:
    x, y = nc.variables["x"][:], nc.variables["y"][:]
    out_gt = [float(s) for s in nc.variables["crs"].GeoTransform.split()]
    v = nc.variables["swe"]
    v.set_auto_mask(False)
    mine = v[5]
    t.check(nc.variables["crs"].grid_mapping_name == "latitude_longitude", "latitude_longitude mapping")
    t.check(nc.variables["x"].units == "degrees_east", "x in degrees_east")
t.check(mine.shape == ref.shape, f"same size as gdalwarp {mine.shape} vs {ref.shape}")
t.check(np.allclose(out_gt, ref_gt, rtol=0, atol=1e-12), f"same geotransform as gdalwarp",
        (out_gt, ref_gt))
t.check(np.allclose(x, ref_gt[0] + (np.arange(len(x)) + 0.5) * ref_gt[1], atol=1e-12) and
        np.allclose(y, ref_gt[3] + (np.arange(len(y)) + 0.5) * ref_gt[5], atol=1e-12),
        "x/y are the cell centres of gdalwarp's grid")
same = np.array_equal(mine, ref, equal_nan=True)
frac = np.mean((mine == ref) | (np.isnan(mine) & np.isnan(ref)))
t.check(frac > 0.999, f"nearest-neighbour values equal gdalwarp's ({frac:.5f} of cells, exact={same})")
t.check(np.isnan(mine).any() and not np.isnan(mine).all(), "nodata stays NaN")
t.done()
