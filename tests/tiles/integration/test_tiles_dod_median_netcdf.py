"""DoD --aggregate median equals a brute-force numpy median per cell at 1, 2
and 4 ranks (even counts: mean of the two middle values); the NetCDF output
reads back through netCDF4, xarray and gdalinfo with the GeoTIFF's values,
cell-centre coordinates, geotransform and CRS."""
import json
import os
import struct
import subprocess

import numpy as np

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("tiles dod median and netcdf")
work = scratch("tiles_dod_median_netcdf")


def run(ranks, args, code=0, what=None):
    r = mpirun_tessera(ranks, args + ["--no-progress"])
    t.check(r.returncode == code, what or f"{' '.join(map(str, args[:2]))} on {ranks} ranks exits {code}",
            r.stderr[-3000:] if r.returncode != code else None)
    return r


def read_las(path):
    """Raw integer X, Y, Z, classification and the header fields needed."""
    with open(path, "rb") as f:
        data = f.read()
    off = struct.unpack_from("<I", data, 96)[0]
    fmt = data[104] & 0x3F
    reclen = struct.unpack_from("<H", data, 105)[0]
    n = struct.unpack_from("<I", data, 107)[0] or struct.unpack_from("<Q", data, 247)[0]
    scale = np.array(struct.unpack_from("<3d", data, 131))
    offset = np.array(struct.unpack_from("<3d", data, 155))
    hmax = struct.unpack_from("<3d", data, 179)[0::2]
    hmin = struct.unpack_from("<3d", data, 187)[0::2]
    cls_off, mask = (16, 0xFF) if fmt >= 6 else (15, 0x1F)
    dt = np.dtype({"names": ["X", "Y", "Z", "C"], "formats": ["<i4", "<i4", "<i4", "u1"],
                   "offsets": [0, 4, 8, cls_off], "itemsize": reclen})
    rec = np.frombuffer(data, dtype=dt, count=n, offset=off)
    return rec, scale, offset, hmin, hmax, rec["C"] & mask


run(2, ["synth", "tiles", "--out", work, "--scale", "tiny"])
A, B = os.path.join(work, "A.las"), os.path.join(work, "B.las")
CELL = 3.0

# --- brute-force median surface (numpy) ------------------------------------
ra, sa, oa, mina, maxa, ca = read_las(A)
rb, sb, ob, minb, maxb, cb = read_las(B)
x0, y0 = min(mina[0], minb[0]), min(mina[1], minb[1])
nx = int(np.floor((max(maxa[0], maxb[0]) - x0) / CELL)) + 1
ny = int(np.floor((max(maxa[1], maxb[1]) - y0) / CELL)) + 1


def median_surface(rec, scale, offset, cls):
    keep = cls == 2
    x = rec["X"][keep] * scale[0] + offset[0]
    y = rec["Y"][keep] * scale[1] + offset[1]
    z = rec["Z"][keep].astype(np.int64)
    i = np.floor((x - x0) / CELL)
    j = np.floor((y - y0) / CELL)
    ok = (i >= 0) & (i < nx) & (j >= 0) & (j < ny)
    cell = ((ny - 1 - j[ok]) * nx + i[ok]).astype(np.int64)
    z = z[ok]
    out = np.full(nx * ny, np.nan)
    counts = np.bincount(cell, minlength=nx * ny)
    for c in np.nonzero(counts)[0]:
        out[c] = np.median(z[cell == c]) * scale[2] + offset[2]  # exact: integers
    return out.reshape(ny, nx), counts


za, na = median_surface(ra, sa, oa, ca)
zb, nb = median_surface(rb, sb, ob, cb)
want = (zb - za).astype(np.float32)
t.check(((na > 0) & (na % 2 == 0)).any() and ((na > 0) & (na % 2 == 1)).any(),
        "the test pair has cells with even and with odd counts")

import rasterio  # noqa: E402

tifs = []
for n in (1, 2, 4):
    out = os.path.join(work, f"median_n{n}.tif")
    run(n, ["tiles", "dod", "--a", A, "--b", B, "--cell", CELL, "--aggregate", "median", "--out", out])
    with rasterio.open(out) as ds:
        got = ds.read(1)
    t.check(got.shape == want.shape and np.array_equal(got, want, equal_nan=True),
            f"dod median raster at {n} ranks equals numpy's per-cell median",
            f"shape {got.shape} vs {want.shape}; max diff {np.nanmax(np.abs(got - want)) if got.shape == want.shape else '-'}")
    tifs.append(out)
mean_tif = os.path.join(work, "mean.tif")
run(2, ["tiles", "dod", "--a", A, "--b", B, "--cell", CELL, "--aggregate", "mean", "--out", mean_tif])
with rasterio.open(mean_tif) as ds:
    t.check(not np.array_equal(ds.read(1), want, equal_nan=True), "the median raster differs from the mean raster")
t.check(all(open(tifs[0], "rb").read() == open(p, "rb").read() for p in tifs[1:]),
        "dod median GeoTIFF bytes are identical at 1, 2 and 4 ranks")
s = json.load(open(tifs[0] + ".summary.json"))
t.check(s["aggregate"] == "median", "the summary names the aggregate", s.get("aggregate"))

# --- NetCDF ----------------------------------------------------------------
ncs = []
for n in (1, 2, 4):
    out = os.path.join(work, f"dod_n{n}.nc")
    run(n, ["tiles", "dod", "--a", A, "--b", B, "--cell", CELL, "--aggregate", "median", "--out", out])
    ncs.append(out)
import netCDF4  # noqa: E402
import xarray  # noqa: E402

with rasterio.open(tifs[0]) as ds:
    tif = ds.read(1)
    tr = ds.transform
    tif_crs = ds.crs
for n, p in zip((1, 2, 4), ncs):
    with netCDF4.Dataset(p) as nc:
        v = nc.variables["dod"]
        v.set_auto_mask(False)
        vals = v[:]
        xs, ys = nc.variables["x"][:], nc.variables["y"][:]
        gm = nc.variables[v.grid_mapping]
        wkt = getattr(gm, "crs_wkt", "")
        fill = v._FillValue
        conv = nc.Conventions
        model = nc.data_model
    t.check(vals.dtype == np.float32 and np.array_equal(vals, tif, equal_nan=True),
            f"NetCDF at {n} ranks: values equal the GeoTIFF's (row 0 north)")
    t.check(np.isnan(fill), "NetCDF nodata (_FillValue) is NaN", fill)
    t.check(model == "NETCDF4", f"NetCDF at {n} ranks is NetCDF-4 by default", model)
    t.check(conv.startswith("CF-"), "NetCDF follows the CF conventions", conv)
    t.check(np.allclose(xs, tr.c + (np.arange(nx) + 0.5) * CELL, rtol=0, atol=1e-9) and
            np.allclose(ys, tr.f - (np.arange(ny) + 0.5) * CELL, rtol=0, atol=1e-9),
            "NetCDF x/y are cell centres, y decreasing (north-up)", (xs[:3], ys[:3]))
    t.check("32611" in wkt and "UTM zone 11N" in wkt, "NetCDF grid mapping carries the CRS WKT", wkt[:200])
cdf5 = os.path.join(work, "dod_cdf5.nc")
run(2, ["tiles", "dod", "--a", A, "--b", B, "--cell", CELL, "--aggregate", "median", "--out", cdf5,
        "--nc-format", "cdf5"])
with netCDF4.Dataset(cdf5) as nc:
    v = nc.variables["dod"]
    v.set_auto_mask(False)
    t.check(nc.data_model == "NETCDF3_64BIT_DATA" and np.array_equal(v[:], tif, equal_nan=True),
            "--nc-format cdf5 writes CDF-5 with the same values", nc.data_model)
r = run(1, ["tiles", "dod", "--a", A, "--b", B, "--out", os.path.join(work, "bad.nc"),
            "--nc-format", "nc3"], 2, "an unknown --nc-format exits 2")
t.check("nc3" in r.stderr and not os.path.exists(os.path.join(work, "bad.nc")),
        "the error names the value; no output", r.stderr[-500:])
xa = xarray.open_dataset(ncs[1])
t.check(np.array_equal(xa["dod"].values, tif, equal_nan=True) and xa["dod"].dims == ("y", "x"),
        "xarray reads the same values on (y, x)")
t.check(float(xa["y"][0]) > float(xa["y"][-1]), "xarray sees y decreasing from the north")
xa.close()
gi = json.loads(subprocess.run(["gdalinfo", "-json", ncs[2]], capture_output=True, text=True).stdout)
gt = gi["geoTransform"]
t.check(abs(gt[0] - tr.c) < 1e-9 and gt[1] == CELL and gt[2] == 0 and abs(gt[3] - tr.f) < 1e-9 and
        gt[4] == 0 and gt[5] == -CELL, "gdalinfo reads the GeoTIFF's geotransform from the NetCDF", gt)
t.check("32611" in json.dumps(gi.get("coordinateSystem", {})), "gdalinfo reads EPSG:32611 from the NetCDF",
        str(gi.get("coordinateSystem"))[:300])
t.check(tif_crs is not None and tif_crs.to_epsg() == 32611, "the GeoTIFF carries EPSG:32611")
bad = os.path.join(work, "dod.asc")
r = run(1, ["tiles", "dod", "--a", A, "--b", B, "--out", bad], 2, "an unknown raster extension exits 2")
t.check(".nc" in r.stderr and not os.path.exists(bad), "the error lists .tif and .nc; no output", r.stderr[-500:])
t.done()
