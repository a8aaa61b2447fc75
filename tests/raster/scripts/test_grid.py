"""raster grid: values equal each pixel's cluster series (read back with
netCDF4 and xarray), nodata NaN, cell-centre coordinates from the GeoTIFF
transform, CF attributes, ncdump -h reads the files, identical files at 1, 2
and 4 ranks, the compatibility switch, and resume."""
import filecmp
import os
import subprocess

import netCDF4
import numpy as np
import rasterio
import xarray as xr

from raster_common import VARS, grid_file, mpirun_tessera, read_fsm_table, synth, tessera
from tessera_test import TestRun

t = TestRun("raster grid")
d, inp = synth("raster_grid")
lf = os.path.join(inp, "landform.tif")
fsm = os.path.join(inp, "fsm")

outs = {}
# Default: independent writes staggered over the files; "2c": the collective
# schedule (--collective-writes). A small block forces several rounds of
# writes per rank and variable.
for n, extra in ((1, []), (2, []), (4, []), ("2c", ["--collective-writes"])):
    out = os.path.join(d, f"grids{n}")
    ranks = 2 if n == "2c" else n
    r = mpirun_tessera(ranks, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", out,
                               "--block-mb", "1", "--no-progress"] + extra)
    t.check(r.returncode == 0, f"grid exits 0 at {n} ranks", r)
    outs[n] = out

table, first = read_fsm_table(fsm)
with rasterio.open(lf) as src:
    labels = src.read(1)
    tr = src.transform
    nodata = labels == -1
t.check(nodata.any() and (~nodata).any(), "the synthetic landform has nodata and data pixels")

for var in VARS:
    f1 = grid_file(outs[1], var)
    for n in (2, 4, "2c"):
        t.check(filecmp.cmp(f1, grid_file(outs[n], var), shallow=False),
                f"{var}: file at {n} ranks is byte-identical to 1 rank")
    with netCDF4.Dataset(f1) as nc:
        t.check(nc.data_model == "NETCDF3_64BIT_DATA", f"{var}: CDF-5 file", nc.data_model)
        v = nc.variables[var]
        v.set_auto_mask(False)
        vals = v[:]
        expect = table[var][np.where(nodata, 0, labels)].transpose(2, 0, 1).astype(np.float32)
        expect[:, nodata] = np.nan
        t.check(vals.shape == expect.shape, f"{var}: shape (time, y, x) {vals.shape}")
        t.check(np.array_equal(vals, expect, equal_nan=True),
                f"{var}: every pixel equals its cluster's series")
        t.check(np.isnan(vals[:, nodata]).all(), f"{var}: nodata pixels are NaN")
        t.check(getattr(v, "grid_mapping", None) == "crs", f"{var}: grid_mapping = crs")
        t.check(getattr(v, "units", "") in ("mm", "m", "degC"), f"{var}: units {v.units}")
        t.check(np.isnan(v._FillValue), f"{var}: _FillValue NaN")
        t.check(nc.variables["time"].units.startswith("days since 2005-10-01"),
                f"{var}: time units {nc.variables['time'].units}")
        t.check(nc.Conventions == "CF-1.8", f"{var}: Conventions CF-1.8")
        crs = nc.variables["crs"]
        t.check(crs.grid_mapping_name == "transverse_mercator" and "32642" in crs.epsg_code,
                f"{var}: crs grid mapping transverse_mercator EPSG:32642")
        x, y = nc.variables["x"][:], nc.variables["y"][:]
        cx = tr.c + (np.arange(labels.shape[1]) + 0.5) * tr.a
        cy = tr.f + (np.arange(labels.shape[0]) + 0.5) * tr.e
        t.check(np.allclose(x, cx, rtol=0, atol=1e-6) and np.allclose(y, cy, rtol=0, atol=1e-6),
                f"{var}: x/y are the cell centres of the GeoTIFF transform")

ds = xr.open_dataset(grid_file(outs[2], "swe"))
t.check(str(ds.time.values[0])[:10] == "2005-10-01" and ds.sizes["time"] == table["swe"].shape[1],
        "xarray decodes the time axis", ds.time.values[:2])
t.check(np.isnan(ds.swe.values[0][nodata]).all(), "xarray reads nodata as NaN")
ds.close()

r = subprocess.run(["ncdump", "-h", grid_file(outs[1], "rof")], capture_output=True, text=True)
t.check(r.returncode == 0 and "rof:units = \"mm\"" in r.stdout and "crs_wkt" in r.stdout,
        "ncdump -h reads the file header", r)

# Resume: a second run skips up-to-date files and leaves them untouched.
m0 = os.path.getmtime(grid_file(outs[1], "swe"))
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", outs[1],
                       "--no-progress"])
t.check(r.returncode == 0 and os.path.getmtime(grid_file(outs[1], "swe")) == m0
        and "up to date" in r.stderr, "a re-run skips up-to-date outputs", r)

# Compatibility switch: 0 for nodata and values rounded to 0.1.
out = os.path.join(d, "compat")
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", out,
                       "--vars", "swe", "--original-compat", "--no-progress"])
t.check(r.returncode == 0, "compat grid exits 0", r)
with netCDF4.Dataset(grid_file(out, "swe")) as nc:
    v = nc.variables["swe"]
    v.set_auto_mask(False)
    vals = v[:]
    raw = table["swe"][np.where(nodata, 0, labels)].transpose(2, 0, 1).astype(np.float32)
    # round half away from zero, as the original's C-style rounding (numpy rounds half to even)
    expect = (np.sign(raw) * np.floor(np.abs(raw) * np.float32(10) + np.float32(0.5)) / np.float32(10))
    expect[:, nodata] = 0
    t.check(np.allclose(vals, expect, atol=1e-5), "compat: 0-fill and 0.1 rounding")
t.check(not os.path.exists(os.path.join(out, "200510_HS.nc")), "--vars limits the outputs")
t.done()
