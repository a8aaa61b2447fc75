"""tiles on every LAS point format and on real files' quirks (issue 16).

Point formats 4, 5, 9, 10 (wave packets): synthetic files written here by a
numpy writer that follows ASPRS LAS 1.4 R15 (tables 3, 7-17), independent of
Tessera's writer, and laspy's real simple1_3.las (format 4). c2c on pairs of
them equals scipy's cKDTree (so A's x, y, z are decoded right), its records
carry B's fields as numpy reads them (so B's intensity, returns, class and
GPS time are), byte-identical at 1, 2 and 4 ranks; align keeps the wave
packet descriptors of a format-9 B byte for byte; the four formats go to
LAZ (WAVEPACKET13/14) and back byte for byte, and c2c reads the LAZ pair to
the LAS pair's output bytes.

Real files' quirks (tests/data/pdal, tests/data/laspy):
  - points outside the header's bounds (spurious.las; simple1_3.las, whose
    header holds raw integers as bounds): a warning with the count numpy
    finds, the DoD grid covers the points (the outlier's cell is not NaN),
    same bytes at 1, 2 and 4 ranks; c2c writes every point;
  - a placeholder WKT VLR (warsaw_small.las): "no CRS", a warning naming the
    input, the DoD written without a CRS and c2c's output without the VLR;
  - linear units from the CRS: autzen_geo_proj.las (EPSG:2994, ft) gives
    "ft" and "ft³" in the summary, the log and the NetCDF units; test1_4.las
    (ftUS) "US ft";
  - a geographic CRS (epsg_4326.las) refused by dod, c2c, m3c2 and align
    (exit 2, the file named, the option said) unless --assume-metric;
  - m3c2 with --max-depth below --cyl-radius warns that it was raised.
Last, every real LAS file here goes through `tiles dod` against itself:
it works, or it fails with exit 3 naming the file."""
import glob
import json
import os
import struct

import numpy as np
from scipy.spatial import cKDTree

from tessera_test import TEST_DATA, TestRun, mpirun_tessera, scratch, temporaries, tessera

t = TestRun("tiles LAS formats and real-file quirks")
work = scratch("tiles_las_formats_quirks")
LASPY = os.path.join(TEST_DATA, "laspy")
PDAL = os.path.join(TEST_DATA, "pdal")

# --- an independent LAS reader / writer (LAS 1.4 R15) ----------------------
LEGACY = [("X", "<i4"), ("Y", "<i4"), ("Z", "<i4"), ("intensity", "<u2"), ("bits", "u1"),
          ("cls", "u1"), ("angle", "i1"), ("user", "u1"), ("psid", "<u2")]
NEW = [("X", "<i4"), ("Y", "<i4"), ("Z", "<i4"), ("intensity", "<u2"), ("bits", "u1"),
       ("flags", "u1"), ("cls", "u1"), ("user", "u1"), ("angle", "<i2"), ("psid", "<u2"),
       ("gps", "<f8")]
GPS = [("gps", "<f8")]
RGB = [("r", "<u2"), ("g", "<u2"), ("b", "<u2")]
WAVE = [("wdi", "u1"), ("woff", "<u8"), ("wsize", "<u4"), ("wloc", "<f4"), ("xt", "<f4"),
        ("yt", "<f4"), ("zt", "<f4")]
FIELDS = {0: LEGACY, 1: LEGACY + GPS, 2: LEGACY + RGB, 3: LEGACY + GPS + RGB,
          4: LEGACY + GPS + WAVE, 5: LEGACY + GPS + RGB + WAVE, 6: NEW, 7: NEW + RGB,
          8: NEW + RGB + [("nir", "<u2")], 9: NEW + WAVE, 10: NEW + RGB + [("nir", "<u2")] + WAVE}
LENGTH = {0: 20, 1: 28, 2: 26, 3: 34, 4: 57, 5: 63, 6: 30, 7: 36, 8: 38, 9: 59, 10: 67}


def dtype_of(fmt, record_length):
    dt = np.dtype(FIELDS[fmt])
    assert dt.itemsize == LENGTH[fmt], (fmt, dt.itemsize)
    if record_length > dt.itemsize:
        dt = np.dtype(FIELDS[fmt] + [("extra", f"V{record_length - dt.itemsize}")])
    return dt


def header(path):
    d = open(path, "rb").read()
    h = {"data": d, "minor": d[25], "offset_to_points": struct.unpack_from("<I", d, 96)[0],
         "format": d[104] & 0x3F, "record_length": struct.unpack_from("<H", d, 105)[0],
         "count": struct.unpack_from("<I", d, 107)[0],
         "global_encoding": struct.unpack_from("<H", d, 6)[0],
         "scale": np.array(struct.unpack_from("<3d", d, 131)),
         "offset": np.array(struct.unpack_from("<3d", d, 155)),
         "bounds": struct.unpack_from("<6d", d, 179)}  # max x, min x, max y, min y, max z, min z
    if h["minor"] >= 4 and h["count"] == 0:
        h["count"] = struct.unpack_from("<Q", d, 247)[0]
    return h


def records(h):
    return np.frombuffer(h["data"], dtype=dtype_of(h["format"], h["record_length"]),
                         count=h["count"], offset=h["offset_to_points"])


def xyz_of(h, rec=None):
    rec = records(h) if rec is None else rec
    return np.stack([rec[k] * h["scale"][i] + h["offset"][i] for i, k in enumerate("XYZ")], axis=1)


def write_las(path, fmt, rec, scale, offset, extra=0):
    """LAS 1.3 (formats 4, 5) or 1.4 (9, 10) with `rec` (a structured array)."""
    minor = 4 if fmt >= 6 else 3
    hsize = 375 if minor == 4 else 235
    n = len(rec)
    h = bytearray(hsize)
    h[0:4] = b"LASF"
    h[24], h[25] = 1, minor
    h[26:26 + 4] = b"test"
    struct.pack_into("<HHI", h, 94, hsize, hsize, 0)
    h[104] = fmt
    struct.pack_into("<H", h, 105, LENGTH[fmt] + extra)
    struct.pack_into("<I", h, 107, n if fmt < 6 else 0)
    struct.pack_into("<3d", h, 131, *scale)
    struct.pack_into("<3d", h, 155, *offset)
    xyz = np.stack([rec[k] * scale[i] + offset[i] for i, k in enumerate("XYZ")], axis=1)
    lo, hi = xyz.min(axis=0), xyz.max(axis=0)
    struct.pack_into("<6d", h, 179, hi[0], lo[0], hi[1], lo[1], hi[2], lo[2])
    if minor == 4:
        struct.pack_into("<Q", h, 247, n)
    with open(path, "wb") as f:
        f.write(bytes(h) + rec.tobytes())


def synthetic(fmt, n, seed, extra=0):
    """n points on a gentle surface over 100 x 100 m, every field random."""
    rng = np.random.default_rng(seed)
    rec = np.zeros(n, dtype=dtype_of(fmt, LENGTH[fmt] + extra))
    raw = rng.integers(0, 2**31 - 1, size=(n, len(rec.dtype.names) + 8), dtype=np.int64)
    for j, name in enumerate(rec.dtype.names):
        kind = rec.dtype[name]
        if kind.kind in "iu":
            rec[name] = (raw[:, j] % (np.iinfo(kind).max + 1 if kind.kind == "u" else 100)).astype(kind)
        elif kind.kind == "f":
            rec[name] = rng.normal(size=n) * 1000
        elif kind.kind == "V":
            rec[name] = np.frombuffer(rng.bytes(n * kind.itemsize), dtype=kind)
    x = rng.uniform(0, 100, n)
    y = rng.uniform(0, 100, n)
    z = 50 + 0.1 * x + np.sin(y / 7) + rng.normal(0, 0.05, n)
    rec["X"], rec["Y"], rec["Z"] = np.round(x / 0.001), np.round(y / 0.001), np.round(z / 0.001)
    nret = 1 + raw[:, -1] % 3
    ret = 1 + raw[:, -2] % nret
    if fmt < 6:
        rec["bits"] = (ret | (nret << 3) | ((raw[:, -3] % 4) << 6)).astype(np.uint8)
        rec["cls"] = np.where(raw[:, -4] % 5 == 0, 6, 2) | ((raw[:, -5] % 8) << 5)
    else:
        rec["bits"] = (ret | (nret << 4)).astype(np.uint8)
        rec["cls"] = np.where(raw[:, -4] % 5 == 0, 6, 2)
    return rec


SCALE, OFFSET = (0.001, 0.001, 0.001), (500000.0, 4100000.0, 0.0)


def c2c_output(path):
    h = header(path)
    dt = np.dtype({"names": ["X", "Y", "Z", "intensity", "returns", "cls", "gps", "d", "beyond"],
                   "formats": ["<i4", "<i4", "<i4", "<u2", "u1", "u1", "<f8", "<f8", "u1"],
                   "offsets": [0, 4, 8, 12, 14, 16, 22, 30, 38], "itemsize": h["record_length"]})
    rec = np.frombuffer(h["data"], dtype=dt, count=h["count"], offset=h["offset_to_points"])
    return h, rec


def check_c2c(name, a_path, b_path, ranks=(1,), extra_args=()):
    ha, hb = header(a_path), header(b_path)
    ra, rb = records(ha), records(hb)
    legacy_b = hb["format"] < 6
    cls_a = (ra["cls"] & 0x1F) if ha["format"] < 6 else ra["cls"]
    cls_b = (rb["cls"] & 0x1F) if legacy_b else rb["cls"]
    xa, xb = xyz_of(ha, ra)[cls_a == 2], xyz_of(hb, rb)[cls_b == 2]
    keep_b = np.flatnonzero(cls_b == 2)
    outs = []
    for n in ranks:
        out = os.path.join(work, f"{name}_c2c_n{n}.las")
        r = mpirun_tessera(n, ["tiles", "c2c", "--a", a_path, "--b", b_path, "--max-dist", "50",
                               "--tile-size", "30", "--out", out, "--no-progress", *extra_args])
        t.check(r.returncode == 0, f"{name}: c2c exits 0 at {n} ranks", r)
        outs.append((out, r))
    out = outs[0][0]
    if len(outs) > 1:
        t.check(all(os.path.exists(o) and os.path.exists(out) and
                    open(o, "rb").read() == open(out, "rb").read() for o, _ in outs[1:]),
                f"{name}: c2c output byte-identical at {', '.join(map(str, ranks))} ranks")
    if not os.path.exists(out):
        return None
    h, rec = c2c_output(out)
    t.check(h["count"] == len(keep_b), f"{name}: one output record per class-2 B point",
            (h["count"], len(keep_b)))
    if h["count"] != len(keep_b):
        return outs
    # Records are ordered by tile, then record index: match them by position.
    xo = xyz_of(h, rec)
    oo, ob = np.lexsort(xo.T[::-1]), np.lexsort(xb.T[::-1])
    t.check(np.allclose(xo[oo], xb[ob], rtol=0, atol=1e-9), f"{name}: output x, y, z are B's")
    ref, _ = cKDTree(xa).query(xb, k=1)
    t.check(np.allclose(rec["d"][oo], ref[ob], rtol=0, atol=1e-9),
            f"{name}: distances equal cKDTree's on A as numpy decodes it",
            np.abs(rec["d"][oo] - ref[ob]).max())
    src = rb[keep_b][ob]
    got = rec[oo]
    if legacy_b:
        want_returns = (src["bits"] & 0x07) | (((src["bits"] >> 3) & 0x07) << 4)
    else:
        want_returns = src["bits"]
    t.check(np.array_equal(got["intensity"], src["intensity"]) and
            np.array_equal(got["returns"], want_returns) and np.array_equal(got["cls"], cls_b[keep_b][ob]) and
            np.array_equal(got["gps"], src["gps"]),
            f"{name}: intensity, returns, class and GPS time of B (format {hb['format']}) carried over")
    return outs


# --- formats 4, 5, 9, 10: synthetic pairs ----------------------------------
files = {}
for fmt, extra in ((4, 0), (5, 3), (9, 0), (10, 5)):
    path = os.path.join(work, f"f{fmt}.las")
    write_las(path, fmt, synthetic(fmt, 700, 10 + fmt, extra), SCALE, OFFSET, extra)
    files[fmt] = path
    out = os.path.join(work, f"f{fmt}.json")
    r = tessera(["tiles", "info", path, "--json", out, "--no-progress"])
    ok = t.check(r.returncode == 0, f"info reads point format {fmt} (extra bytes {extra})", r)
    if ok:
        info = json.load(open(out))[0]
        rec = records(header(path))
        cls = (rec["cls"] & 0x1F) if fmt < 6 else rec["cls"]
        want = {str(c): int(k) for c, k in zip(*np.unique(cls, return_counts=True))}
        t.check(info["point_format"] == fmt and info["record_length"] == LENGTH[fmt] + extra and
                info["classes"] == want, f"info: format {fmt}'s header and class counts",
                (info["point_format"], info["record_length"], info["classes"], want))
check_c2c("f4_f5", files[4], files[5], ranks=(1, 2, 4))
check_c2c("f9_f10", files[9], files[10])
check_c2c("f10_f4", files[10], files[4])
check_c2c("f5_f9", files[5], files[9])

# align keeps B's format and its records but x, y, z: the wave packets too.
out = os.path.join(work, "f9_aligned.las")
r = tessera(["tiles", "align", "--a", files[10], "--b", files[9], "--classes", "all", "--out", out,
             "--max-correspondence", "5", "--no-progress"])
if t.check(r.returncode == 0, "align with a format-9 B exits 0", r):
    hb, ho = header(files[9]), header(out)
    rb, ro = records(hb), records(ho)
    t.check(ho["format"] == 9 and ho["count"] == hb["count"] and ho["record_length"] == 59,
            "aligned B keeps format 9 and every record")
    same_tail = all(np.array_equal(ro[k], rb[k]) for k in ("wdi", "woff", "wsize", "wloc", "xt", "yt", "zt",
                                                             "gps", "intensity", "bits", "cls"))
    t.check(same_tail, "aligned B: wave packet descriptors, GPS time and the other fields unchanged")
    t.check(ho["global_encoding"] & 0x6 == 0, "aligned B claims no waveform data")

# LAZ of formats 4, 5 (WAVEPACKET13 v1) and 9, 10 (WAVEPACKET14 v3): `tiles
# convert` there gives the same bytes at 1 and 2 ranks, and back every
# record byte for byte (the numpy writer's, wave packets and extra bytes);
# c2c on a LAZ pair writes the LAS pair's bytes.
lazs = {}
for fmt in (4, 5, 9, 10):
    laz = os.path.join(work, f"f{fmt}.laz")
    r = tessera(["tiles", "convert", files[fmt], laz, "--chunk-size", 150, "--no-progress"])
    if not t.check(r.returncode == 0, f"convert format {fmt} -> LAZ", r):
        continue
    lazs[fmt] = laz
    laz2 = os.path.join(work, f"f{fmt}_2ranks.laz")
    r = mpirun_tessera(2, ["tiles", "convert", files[fmt], laz2, "--chunk-size", 150,
                           "--no-progress"])
    t.check(r.returncode == 0 and open(laz2, "rb").read() == open(laz, "rb").read(),
            f"format {fmt} -> LAZ: the same bytes at 2 ranks", r)
    d = open(laz, "rb").read()
    t.check(d[104] == 0x80 | fmt, f"format {fmt} LAZ: compressed format byte", d[104])
    back = os.path.join(work, f"f{fmt}_back.las")
    r = tessera(["tiles", "convert", laz, back, "--no-progress"])
    if t.check(r.returncode == 0, f"convert format {fmt} LAZ -> LAS", r):
        hb, hs = header(back), header(files[fmt])
        t.check(records(hb).tobytes() == records(hs).tobytes(),
                f"format {fmt} through LAZ and back: every record byte for byte")
# A format-4 file holding its waveforms (global encoding bit 1, the
# waveform data packet record after the points): the LAZ keeps every
# descriptor but says no waveform data is in the file.
d = bytearray(open(files[4], "rb").read())
struct.pack_into("<H", d, 6, 0x2)
struct.pack_into("<Q", d, 227, len(d))
waves = os.path.join(work, "f4_internal_waves.las")
open(waves, "wb").write(bytes(d) + bytes(60) + b"\x07" * 500)
laz = os.path.join(work, "f4_internal_waves.laz")
r = tessera(["tiles", "convert", waves, laz, "--no-progress"])
if t.check(r.returncode == 0, "convert a format-4 file with internal waveforms -> LAZ", r):
    d = open(laz, "rb").read()
    t.check(struct.unpack_from("<H", d, 6)[0] & 0x2 == 0 and struct.unpack_from("<Q", d, 227)[0] == 0,
            "its LAZ claims no waveform data in the file (bit 1 clear, waveform start 0)",
            (struct.unpack_from("<H", d, 6)[0], struct.unpack_from("<Q", d, 227)[0]))
    back = os.path.join(work, "f4_internal_waves_back.las")
    r = tessera(["tiles", "convert", laz, back, "--no-progress"])
    t.check(r.returncode == 0 and records(header(back)).tobytes() == records(header(files[4])).tobytes(),
            "and converts back to every record", r)
if 4 in lazs and 10 in lazs:
    out = os.path.join(work, "f10_f4_laz_c2c.las")
    las_out = os.path.join(work, "f10_f4_c2c_n1.las")  # check_c2c's, on the LAS pair
    r = tessera(["tiles", "c2c", "--a", lazs[10], "--b", lazs[4], "--max-dist", "50",
                 "--tile-size", "30", "--out", out, "--no-progress"])
    t.check(r.returncode == 0 and os.path.exists(las_out) and
            open(out, "rb").read() == open(las_out, "rb").read(),
            "c2c on the format-10/format-4 LAZ pair writes the LAS pair's bytes", r)

# laspy's real format-4 file: its header stores raw integers as bounds, so
# every point lies outside them (999 of 999).
S13 = os.path.join(LASPY, "simple1_3.las")
h13 = header(S13)
x13 = xyz_of(h13)
hb = h13["bounds"]
outside = int(np.sum((x13[:, 0] < hb[1]) | (x13[:, 0] > hb[0]) | (x13[:, 1] < hb[3]) |
                     (x13[:, 1] > hb[2])))
out = os.path.join(work, "s13.tif")
r = tessera(["tiles", "dod", "--a", S13, "--b", S13, "--classes", "all", "--cell", "10", "--out", out,
             "--no-progress"])
if t.check(r.returncode == 0, "dod reads the real format-4 simple1_3.las", r):
    s = json.load(open(out + ".summary.json"))
    t.check(f"{outside} point(s) of epoch A lie outside the header's bounds" in r.stderr and
            S13 in r.stderr, f"simple1_3.las: the warning gives the count ({outside}) and the file",
            r.stderr[-1500:])
    lo, hi = x13.min(axis=0), x13.max(axis=0)
    t.check(s["width"] == int(np.floor((hi[0] - lo[0]) / 10)) + 1 and
            s["height"] == int(np.floor((hi[1] - lo[1]) / 10)) + 1,
            "simple1_3.las: the DoD grid is the points' extent, not the header's",
            (s["width"], s["height"]))
    t.check(s["net_volume"] == 0 and s["cells"] > 0, "simple1_3.las against itself: zero change")

# --- points outside the header's bounds: spurious.las -----------------------
SP = os.path.join(PDAL, "spurious.las")
hs = header(SP)
xs = xyz_of(hs)
hb = hs["bounds"]
tol = 0.5 * hs["scale"]
out_mask = ((xs[:, 0] < hb[1] - tol[0]) | (xs[:, 0] > hb[0] + tol[0]) | (xs[:, 1] < hb[3] - tol[1]) |
            (xs[:, 1] > hb[2] + tol[1]))
t.check(out_mask.sum() >= 1, "spurious.las has a point outside its header's bounds (numpy)")
cell = 0.002  # degrees: taken as metres with --assume-metric
dods = []
for n in (1, 2, 4):
    out = os.path.join(work, f"spurious_n{n}.tif")
    r = mpirun_tessera(n, ["tiles", "dod", "--a", SP, "--b", SP, "--classes", "all", "--cell", cell,
                           "--assume-metric", "--out", out, "--no-progress"])
    t.check(r.returncode == 0, f"dod on spurious.las exits 0 at {n} ranks", r)
    dods.append(out)
    if n == 1:
        t.check(f"{int(out_mask.sum())} point(s) of epoch A lie outside the header's bounds" in r.stderr
                and SP in r.stderr, "spurious.las: the warning names the file and the count",
                r.stderr[-1500:])
t.check(all(os.path.exists(d) and open(d, "rb").read() == open(dods[0], "rb").read() for d in dods[1:]),
        "spurious.las DoD byte-identical at 1, 2 and 4 ranks")
if os.path.exists(dods[0]):
    import rasterio
    with rasterio.open(dods[0]) as ds:
        band = ds.read(1)
        gt = ds.transform
        lo, hi = xs.min(axis=0), xs.max(axis=0)
        t.check(ds.width == int(np.floor((hi[0] - lo[0]) / cell)) + 1 and
                ds.height == int(np.floor((hi[1] - lo[1]) / cell)) + 1 and
                abs(gt.c - lo[0]) < 1e-9, "spurious.las: the DoD covers the points' extent",
                (ds.width, ds.height, gt))
        # The outlier's cell has a value (B - A = 0), not NaN: not dropped.
        ok = True
        for x, y in xs[out_mask][:, :2]:
            col = int(np.floor((x - lo[0]) / cell))
            row = ds.height - 1 - int(np.floor((y - lo[1]) / cell))
            ok = ok and band[row, col] == 0
        t.check(ok, "spurious.las: the outlying point's cell is gridded (0, not NaN)")
        # Every occupied cell (numpy) is finite, the others NaN.
        cols = np.floor((xs[:, 0] - lo[0]) / cell).astype(int)
        rows = ds.height - 1 - np.floor((xs[:, 1] - lo[1]) / cell).astype(int)
        occ = np.zeros(band.shape, bool)
        occ[rows, cols] = True
        t.check(np.array_equal(np.isfinite(band), occ), "spurious.las: finite cells = occupied cells")
c2cs = []
for n in (1, 2, 4):
    out = os.path.join(work, f"spurious_c2c_n{n}.las")
    r = mpirun_tessera(n, ["tiles", "c2c", "--a", SP, "--b", SP, "--classes", "all", "--max-dist",
                           "0.01", "--tile-size", "0.005", "--assume-metric", "--out", out, "--no-progress"])
    t.check(r.returncode == 0 and "1 point(s) of epoch B lie outside" in r.stderr,
            f"c2c on spurious.las (tile size 0.005) exits 0 at {n} ranks and warns", r)
    c2cs.append(out)
if os.path.exists(c2cs[0]):
    h, rec = c2c_output(c2cs[0])
    t.check(h["count"] == hs["count"] and np.all(rec["d"] == 0),
            "spurious.las c2c: every point written, each at distance 0 from itself",
            (h["count"], hs["count"]))
    t.check(all(os.path.exists(c) and open(c, "rb").read() == open(c2cs[0], "rb").read()
                for c in c2cs[1:]), "spurious.las c2c byte-identical at 1, 2 and 4 ranks")
# m3c2 (the same skeleton as c2c): the same extent rule, any rank count.
m3s = []
for n in (1, 2, 4):
    out = os.path.join(work, f"spurious_m3c2_n{n}.las")
    r = mpirun_tessera(n, ["tiles", "m3c2", "--a", SP, "--b", SP, "--classes", "all", "--assume-metric",
                           "--normal-radius", "0.001", "--cyl-radius", "0.001", "--max-depth", "0.002",
                           "--tile-size", "0.005", "--out", out, "--no-progress"])
    t.check(r.returncode == 0 and "1 point(s) of epoch A lie outside" in r.stderr,
            f"m3c2 on spurious.las at {n} ranks exits 0 and warns", r)
    m3s.append(out)
if os.path.exists(m3s[0]):
    h, _ = c2c_output(m3s[0])
    t.check(h["count"] == hs["count"] and
            all(os.path.exists(m) and open(m, "rb").read() == open(m3s[0], "rb").read() for m in m3s[1:]),
            "spurious.las m3c2: a record per point, byte-identical at 1, 2 and 4 ranks")
# tiles info shows the count and the points' own extent beside the header's.
for path, xyz, n_out in ((SP, xs, int(out_mask.sum())), (S13, x13, outside)):
    for n in (1, 2):
        js = os.path.join(work, f"info_{os.path.basename(path)}_{n}.json")
        r = mpirun_tessera(n, ["tiles", "info", path, "--json", js, "--no-progress"])
        if t.check(r.returncode == 0, f"info on {os.path.basename(path)} at {n} ranks", r):
            info = json.load(open(js))[0]
            t.check(info.get("outside_header_bounds") == n_out and
                    np.allclose(info.get("points_min", np.nan), xyz.min(axis=0), rtol=0, atol=1e-9) and
                    np.allclose(info.get("points_max", np.nan), xyz.max(axis=0), rtol=0, atol=1e-9) and
                    "outside the header's x-y bounds" in r.stdout,
                    f"info on {os.path.basename(path)} at {n} ranks: {n_out} point(s) outside the "
                    "header's bounds and the points' extent, as numpy finds them",
                    (info.get("outside_header_bounds"), info.get("points_min"), r.stdout[-400:]))

# --- a placeholder WKT VLR: warsaw_small.las --------------------------------
WS = os.path.join(PDAL, "warsaw_small.las")
out = os.path.join(work, "warsaw.tif")
r = tessera(["tiles", "dod", "--a", WS, "--b", WS, "--classes", "all", "--cell", "2", "--out", out,
             "--no-progress"])
if t.check(r.returncode == 0, "dod on warsaw_small.las (placeholder WKT) exits 0", r):
    t.check(WS in r.stderr and "WKT" in r.stderr and "no CRS" in r.stderr and ".tmp" not in r.stderr,
            "warsaw_small.las: the warning names the input, not a temporary output", r.stderr[-1500:])
    import rasterio
    with rasterio.open(out) as ds:
        t.check(ds.crs is None, "warsaw_small.las: the DoD has no CRS", ds.crs)
out = os.path.join(work, "warsaw_c2c.las")
r = tessera(["tiles", "c2c", "--a", WS, "--b", WS, "--classes", "all", "--max-dist", "5", "--out", out,
             "--no-progress"])
if t.check(r.returncode == 0, "c2c on warsaw_small.las exits 0", r):
    d = open(out, "rb").read()
    t.check(b"''" not in d[:2000] and struct.unpack_from("<H", d, 6)[0] & 0x10 == 0,
            "warsaw_small.las c2c output: no placeholder WKT VLR, WKT bit clear")

# --- linear units from the CRS ---------------------------------------------
AZ = os.path.join(LASPY, "autzen_geo_proj.las")  # EPSG:2994, international feet
SIMPLE = os.path.join(LASPY, "simple.las")  # no CRS, the same area
out = os.path.join(work, "autzen.nc")
r = tessera(["tiles", "dod", "--a", AZ, "--b", SIMPLE, "--classes", "all", "--cell", "200", "--out", out,
             "--no-progress"])
if t.check(r.returncode == 0, "dod autzen_geo_proj.las (ft) -> simple.las exits 0", r):
    s = json.load(open(out + ".summary.json"))
    t.check(s.get("unit") == "ft" and s.get("volume_unit") == "ft\u00b3" and s.get("area_unit") == "ft\u00b2",
            "feet stay feet: summary unit ft, volumes in ft³", s)
    t.check("cells of 200 ft" in r.stderr and "ft\u00b3" in r.stderr and " m3" not in r.stderr,
            "the log gives ft and ft³", r.stderr[-800:])
    import netCDF4
    with netCDF4.Dataset(out) as nc:
        t.check(nc["dod"].units == "ft", "the NetCDF dod variable is in ft", nc["dod"].units)
out = os.path.join(work, "autzen_c2c.las")
r = tessera(["tiles", "c2c", "--a", AZ, "--b", SIMPLE, "--classes", "all", "--max-dist", "500",
             "--out", out, "--no-progress"])
if t.check(r.returncode == 0, "c2c autzen_geo_proj.las -> simple.las exits 0", r):
    s = json.load(open(out + ".summary.json"))
    t.check(s.get("unit") == "ft" and "within 500 ft" in r.stderr, "c2c figures in ft", r.stderr[-500:])
    t.check(b"C2C distance to epoch A (ft)" in open(out, "rb").read(4000),
            "c2c output's distance descriptor says ft")
T14 = os.path.join(LASPY, "test1_4.las")  # NAD83(HARN) / New Mexico Central (ftUS)
out = os.path.join(work, "t14.tif")
r = tessera(["tiles", "dod", "--a", T14, "--b", T14, "--classes", "all", "--cell", "50", "--out", out,
             "--no-progress"])
if t.check(r.returncode == 0, "dod on test1_4.las (US survey feet) exits 0", r):
    s = json.load(open(out + ".summary.json"))
    t.check(s.get("unit") == "US ft" and s.get("volume_unit") == "US ft\u00b3", "US survey feet named", s.get("unit"))
out = os.path.join(work, "mix.tif")
r = tessera(["tiles", "dod", "--a", AZ, "--b", T14, "--classes", "all", "--cell", "50", "--out", out,
             "--no-progress"])
t.check(r.returncode == 2 and AZ in r.stderr and T14 in r.stderr and "is in ft" in r.stderr and
        "in US ft" in r.stderr and not os.path.exists(out),
        "epochs in ft and US ft: exit 2 naming both files and units", (r.returncode, r.stderr[-600:]))

# --- geographic CRS: epsg_4326.las ------------------------------------------
GEO = os.path.join(PDAL, "epsg_4326.las")
for step, args in (("dod", ["--cell", "1", "--out", os.path.join(work, "geo.tif")]),
                   ("c2c", ["--max-dist", "1", "--out", os.path.join(work, "geo.las")]),
                   ("m3c2", ["--out", os.path.join(work, "geo_m3c2.las")]),
                   ("align", ["--out", os.path.join(work, "geo_al.las")])):
    r = tessera(["tiles", step, "--a", GEO, "--b", GEO, "--classes", "all", *args, "--no-progress"])
    t.check(r.returncode == 2 and GEO in r.stderr and "geographic" in r.stderr and
            "--assume-metric" in r.stderr and not os.path.exists(args[-1]),
            f"{step} refuses the geographic epsg_4326.las (exit 2, file and option named, no output)",
            (r.returncode, r.stderr[-600:]))
    t.check(temporaries(work) == [], f"{step}: no temporary left")
out = os.path.join(work, "geo_ok.tif")
r = tessera(["tiles", "dod", "--a", GEO, "--b", GEO, "--classes", "all", "--cell", "0.001",
             "--assume-metric", "--out", out, "--no-progress"])
if t.check(r.returncode == 0 and "--assume-metric" in r.stderr,
           "dod on epsg_4326.las with --assume-metric exits 0 and warns", r):
    import rasterio
    with rasterio.open(out) as ds:
        band = ds.read(1)
        t.check(np.isfinite(band).any() and np.nanmax(np.abs(band)) == 0 and ds.crs is None,
                "epsg_4326.las --assume-metric: a DoD with values (0 against itself), no CRS")

# --- m3c2 raises --max-depth to the radius, and says so ---------------------
out = os.path.join(work, "m3c2.las")
r = tessera(["tiles", "m3c2", "--a", SIMPLE, "--b", os.path.join(PDAL, "100-points.las"),
             "--classes", "all", "--cyl-radius", "20", "--normal-radius", "30", "--max-depth", "5",
             "--core-step", "10", "--out", out, "--no-progress"])
t.check(r.returncode == 0 and "--max-depth 5" in r.stderr and "raised to the radius (20" in r.stderr,
        "m3c2 warns that --max-depth 5 is raised to the radius 20", r)
r = tessera(["tiles", "m3c2", "--a", SIMPLE, "--b", os.path.join(PDAL, "100-points.las"),
             "--classes", "all", "--cyl-radius", "2", "--normal-radius", "3", "--max-depth", "5",
             "--core-step", "10", "--out", out, "--no-progress", "--clobber"])
t.check(r.returncode == 0 and "raised" not in r.stderr, "no such warning when --max-depth >= radius", r)

# --- every real LAS file: dod against itself works or names the file --------
for path in sorted(glob.glob(os.path.join(LASPY, "*.las")) + glob.glob(os.path.join(PDAL, "*.las"))):
    name = os.path.relpath(path, TEST_DATA)
    out = os.path.join(work, "every_" + os.path.basename(path) + ".tif")
    args = ["tiles", "dod", "--a", path, "--b", path, "--classes", "all", "--out", out, "--no-progress"]
    r = tessera(args + ["--cell", "25"])
    if r.returncode == 2 and "geographic" in r.stderr:  # degrees: cells of 0.01 taken as metres
        r = tessera(args + ["--cell", "0.01", "--assume-metric"])
    if r.returncode == 0:
        t.check(os.path.exists(out), f"every file: {name} gives a DoD")
    else:
        t.check(r.returncode == 3 and path in r.stderr and not os.path.exists(out),
                f"every file: {name} refused with exit 3 naming it", (r.returncode, r.stderr[-600:]))
t.done()
