"""raster grid: values equal each pixel's cluster series (read back with
netCDF4 and xarray), nodata NaN, cell-centre coordinates from the GeoTIFF
transform, CF attributes, ncdump -h reads the files, the same values at 1, 2
and 4 ranks, the compatibility switch, and resume.

Both formats: NetCDF-4 (the default: the deflate filter, chunks of
one day x a tile, as ncdump -hs and netCDF4 report them; values identical at
every rank count and to the CDF-5 output) and CDF-5 (byte-identical files at
1, 2 and 4 ranks and with either write schedule)."""
import filecmp
import os
import re
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
# NetCDF-4 (default) at 1, 2, 4 ranks, and with 5 x 5 chunk tiles ("2t"), so
# a day spans several chunks and the chunk edges are clipped. CDF-5: the
# staggered independent writes ("c1".."c4") and the collective schedule
# ("c2c", --collective-writes). A small block forces several rounds of writes
# per rank and variable.
RUNS = ((1, []), (2, []), (4, []), ("2t", ["--chunk-tile", "5", "--deflate", "6", "--shuffle"]),
        ("c1", ["--format", "cdf5"]), ("c2", ["--format", "cdf5"]), ("c4", ["--format", "cdf5"]),
        ("c2c", ["--format", "cdf5", "--collective-writes"]))
for n, extra in RUNS:
    out = os.path.join(d, f"grids{n}")
    ranks = int(re.sub(r"\D", "", str(n))[:1])
    r = mpirun_tessera(ranks, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", out,
                               "--block-mb", "1", "--no-progress"] + extra)
    t.check(r.returncode == 0, f"grid exits 0 ({n})", r)
    outs[n] = out


def values(path, var):
    with netCDF4.Dataset(path) as nc:
        v = nc.variables[var]
        v.set_auto_mask(False)
        return v[:]


for var in VARS:
    c1 = grid_file(outs["c1"], var)
    for n in ("c2", "c4", "c2c"):
        t.check(filecmp.cmp(c1, grid_file(outs[n], var), shallow=False),
                f"{var}: CDF-5 file ({n}) is byte-identical to 1 rank")
    with netCDF4.Dataset(c1) as nc:
        t.check(nc.data_model == "NETCDF3_64BIT_DATA", f"{var}: --format cdf5 writes CDF-5",
                nc.data_model)
    ref = values(c1, var)
    for n in (1, 2, 4, "2t"):
        f = grid_file(outs[n], var)
        t.check(np.array_equal(values(f, var), ref, equal_nan=True),
                f"{var}: NetCDF-4 values ({n}) identical to the CDF-5 file")
    with netCDF4.Dataset(grid_file(outs[2], var)) as nc:
        v = nc.variables[var]
        h, w = v.shape[1], v.shape[2]
        t.check(nc.data_model == "NETCDF4", f"{var}: default output is NetCDF-4", nc.data_model)
        filt = v.filters()
        t.check(filt.get("zlib") and not filt.get("shuffle") and filt.get("complevel") == 1,
                f"{var}: deflate level 1, no shuffle filter", filt)
        t.check(v.chunking() == [1, min(512, h), min(512, w)],
                f"{var}: chunks of 1 day x the (clipped) 512 tile", v.chunking())
        t.check(nc.variables["x"].chunking() == "contiguous", "coordinates are contiguous")
    with netCDF4.Dataset(grid_file(outs["2t"], var)) as nc:
        v = nc.variables[var]
        t.check(v.chunking() == [1, 5, 5] and v.filters().get("complevel") == 6
                and v.filters().get("shuffle"),
                f"{var}: --chunk-tile 5 --deflate 6 --shuffle", (v.chunking(), v.filters()))
    t.check(os.path.getsize(grid_file(outs[2], var)) < os.path.getsize(c1),
            f"{var}: the compressed file is smaller than CDF-5",
            (os.path.getsize(grid_file(outs[2], var)), os.path.getsize(c1)))

r = subprocess.run(["ncdump", "-hs", grid_file(outs[4], "swe")], capture_output=True, text=True)
t.check(r.returncode == 0 and '_Format = "netCDF-4"' in r.stdout
        and re.search(r"swe:_DeflateLevel = 1 ;", r.stdout)
        and not re.search(r'swe:_Shuffle = "true" ;', r.stdout)
        and re.search(r"swe:_ChunkSizes = 1, \d+, \d+ ;", r.stdout)
        and re.search(r'swe:_Storage = "chunked" ;', r.stdout),
        "ncdump -hs: netCDF-4, chunked, deflate 1, no shuffle", r.stdout[-1500:])

table, first = read_fsm_table(fsm)
with rasterio.open(lf) as src:
    labels = src.read(1)
    tr = src.transform
    nodata = labels == -1
t.check(nodata.any() and (~nodata).any(), "the synthetic landform has nodata and data pixels")

for var in VARS:
    f1 = grid_file(outs[1], var)
    with netCDF4.Dataset(f1) as nc:
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

# Another format is another output: not skipped, rewritten in that format.
r = mpirun_tessera(2, ["raster", "grid", "--fsm-dir", fsm, "--landform", lf, "--out", outs[1],
                       "--vars", "swe", "--format", "cdf5", "--no-progress"])
with netCDF4.Dataset(grid_file(outs[1], "swe")) as nc:
    model = nc.data_model
t.check(r.returncode == 0 and "is up to date" not in r.stderr and model == "NETCDF3_64BIT_DATA",
        "a re-run with --format cdf5 rewrites the NetCDF-4 output", (model, r))

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
