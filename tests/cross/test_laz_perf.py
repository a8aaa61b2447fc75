"""Tessera's LAZ files read by an independent decoder: laz-perf (npm, run
under nodejs) decodes what `tiles convert` wrote -- point formats 0 to 3
(compressor 2) and 6 to 8 (compressor 3, layered), with and without extra bytes, one chunk and many,
one scanner channel and several -- to exactly the records of the LAS files
converted; and LASzip's own simple.laz and
1_4_w_evlr.laz to their LAS twins' records. laz-perf is installed by this test into the
build tree (npm install --prefix), once."""
import os
import shutil
import struct
import subprocess

import numpy as np

from tessera_test import TEST_DATA, TestRun, scratch, tessera

t = TestRun("LAZ cross-check with laz-perf")
work = scratch("cross_laz_perf")
HERE = os.path.dirname(os.path.abspath(__file__))
NODE = shutil.which("node") or shutil.which("nodejs")
NPM = shutil.which("npm")
prefix = os.path.join(os.environ.get("TESSERA_BINARY_DIR", os.getcwd()), "npm-laz-perf")
module = os.path.join(prefix, "node_modules", "laz-perf")
if not os.path.isdir(module) and NPM:
    r = subprocess.run([NPM, "install", "--prefix", prefix, "--no-audit", "--no-fund", "laz-perf"],
                       capture_output=True, text=True, timeout=300)
    t.check(r.returncode == 0, "npm install laz-perf", r)
if not t.check(NODE is not None and os.path.isdir(module), "nodejs and laz-perf are available",
               (NODE, module)):
    t.done()


def records(path):
    d = open(path, "rb").read()
    off, length = struct.unpack_from("<I", d, 96)[0], struct.unpack_from("<H", d, 105)[0]
    n = struct.unpack_from("<I", d, 107)[0]
    if d[25] >= 4 and n == 0:
        n = struct.unpack_from("<Q", d, 247)[0]
    return d[off:off + n * length]


def las_of_format(path, fmt, n, extra, seed):
    """A LAS 1.2 file of point format fmt with `extra` extra bytes, varied fields."""
    rng = np.random.default_rng(seed)
    length = {0: 20, 1: 28, 2: 26, 3: 34}[fmt] + extra
    rec = np.zeros((n, length), np.uint8)
    xyz = np.cumsum(rng.integers(-300, 300, (n, 3)), axis=0).astype("<i4")
    rec[:, 0:12] = xyz.view(np.uint8).reshape(n, 12)
    rec[:, 12:14] = rng.integers(0, 65535, n).astype("<u2").view(np.uint8).reshape(n, 2)
    nret = rng.integers(1, 6, n)
    rec[:, 14] = (rng.integers(1, 6, n) % (nret + 1)) | (nret << 3) | (rng.integers(0, 2, n) << 6)
    rec[:, 15] = rng.choice([1, 2, 2, 2, 6], n)
    rec[:, 16] = rng.integers(-90, 90, n).astype(np.int8).view(np.uint8)
    rec[:, 17] = rng.integers(0, 3, n)
    rec[:, 18:20] = (7 + (np.arange(n) // 500)).astype("<u2").view(np.uint8).reshape(n, 2)
    at = 20
    if fmt in (1, 3):
        gps = 3e5 + np.cumsum(rng.choice([1e-5, 1e-5, 2e-5, 0, 7.3], n))
        rec[:, at:at + 8] = gps.astype("<f8").view(np.uint8).reshape(n, 8)
        at += 8
    if fmt in (2, 3):
        grey = rng.integers(0, 65535, n)
        rgb = np.column_stack([grey, grey, rng.integers(0, 65535, n)])
        grey_points = rng.random(n) < 0.5  # r = g = b: the coder's grey case
        rgb[grey_points, 2] = grey[grey_points]
        rec[:, at:at + 6] = rgb.astype("<u2").view(np.uint8).reshape(n, 6)
        at += 6
    if extra:
        rec[:, at:] = rng.integers(0, 256, (n, extra))
        rec[:, at] = np.arange(n) % 7  # a slowly varying byte too
    h = bytearray(227)
    h[0:4] = b"LASF"
    h[24], h[25] = 1, 2
    struct.pack_into("<HIIBHI", h, 94, 227, 227, 0, fmt, length, n)
    struct.pack_into("<3d3d", h, 131, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0)
    lo, hi = xyz.min(axis=0) * 0.01, xyz.max(axis=0) * 0.01
    struct.pack_into("<6d", h, 179, hi[0], lo[0], hi[1], lo[1], hi[2], lo[2])
    open(path, "wb").write(bytes(h) + rec.tobytes())


cases = [(f"fmt{f}_x{e}", f, e) for f in (0, 1, 2, 3) for e in (0, 5)]
for name, fmt, extra in cases:
    las = os.path.join(work, name + ".las")
    las_of_format(las, fmt, 12000, extra, fmt * 10 + extra)
    for chunk in (1000, 50000) if name == "fmt3_x5" else (1000,):
        laz = os.path.join(work, f"{name}_c{chunk}.laz")
        r = tessera(["tiles", "convert", las, laz, "--chunk-size", chunk, "--no-progress"])
        if not t.check(r.returncode == 0, f"convert {name} -> LAZ (chunks of {chunk})", r):
            continue
        out = laz + ".records"
        r = subprocess.run([NODE, os.path.join(HERE, "laz_perf_decode.cjs"), module, laz, out],
                           capture_output=True, text=True, timeout=120)
        ok = r.returncode == 0 and open(out, "rb").read() == records(las)
        t.check(ok, f"laz-perf decodes Tessera's {name} (chunks of {chunk}) to the LAS records",
                r.stderr[-1000:] if r.returncode else None)



def las14_of_format(path, fmt, n, extra, seed, channels):
    """A LAS 1.4 file of point format fmt (6-8) with `extra` extra bytes:
    returns up to 15, scanner channels switching, GPS times shared by a
    pulse's returns, colours and NIR, rarely changing fields."""
    rng = np.random.default_rng(seed)
    length = {6: 30, 7: 36, 8: 38}[fmt] + extra
    rec = np.zeros((n, length), np.uint8)
    xyz = np.cumsum(rng.integers(-300, 300, (n, 3)), axis=0).astype("<i4")
    rec[:, 0:12] = xyz.view(np.uint8).reshape(n, 12)
    rec[:, 12:14] = rng.integers(0, 65535, n).astype("<u2").view(np.uint8).reshape(n, 2)
    nret = rng.integers(1, 16, n)
    rec[:, 14] = (rng.integers(0, 16, n) % (nret + 1)) | (nret << 4)
    channel = (np.cumsum(rng.random(n) < 0.05) % channels) if channels > 1 else np.zeros(n, int)
    rec[:, 15] = (rng.integers(0, 16, n) * (rng.random(n) < 0.1)) | (channel << 4) | \
        (rng.integers(0, 2, n) << 6) | ((rng.random(n) < 0.01) << 7)
    rec[:, 16] = rng.choice([1, 2, 2, 2, 6, 200], n)
    rec[:, 17] = np.arange(n) // 3000
    rec[:, 18:20] = rng.integers(-30000, 30000, n).astype("<i2").view(np.uint8).reshape(n, 2)
    rec[:, 20:22] = (7 + channel + (np.arange(n) // 500)).astype("<u2").view(np.uint8).reshape(n, 2)
    gps = 3e5 + np.cumsum(rng.choice([0, 0, 1e-5, 2e-5, 7.3, 1e9], n, p=[.3, .3, .2, .1, .09, .01]))
    rec[:, 22:30] = gps.astype("<f8").view(np.uint8).reshape(n, 8)
    at = 30
    if fmt >= 7:
        k = 4 if fmt == 8 else 3
        col = rng.integers(0, 65535, (n, k))
        grey = rng.random(n) < 0.4
        col[grey, 1] = col[grey, 0]
        col[grey, 2] = col[grey, 0]
        still = rng.random(n) < 0.5  # the colour of the point before
        for i in np.nonzero(still)[0]:
            if i > 0:
                col[i] = col[i - 1]
        rec[:, at:at + 2 * k] = col.astype("<u2").view(np.uint8).reshape(n, 2 * k)
        at += 2 * k
    if extra:
        rec[:, at:] = rng.integers(0, 256, (n, extra))
        rec[:, at] = np.arange(n) % 7
        rec[:, at + 1] = 42  # a byte that never changes: its layer is left out
    h = bytearray(375)
    h[0:4] = b"LASF"
    h[24], h[25] = 1, 4
    struct.pack_into("<HIIBHI", h, 94, 375, 375, 0, fmt, length, 0)
    struct.pack_into("<3d3d", h, 131, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0)
    lo, hi = xyz.min(axis=0) * 0.01, xyz.max(axis=0) * 0.01
    struct.pack_into("<6d", h, 179, hi[0], lo[0], hi[1], lo[1], hi[2], lo[2])
    struct.pack_into("<Q", h, 247, n)
    open(path, "wb").write(bytes(h) + rec.tobytes())


# Layered (compressor 3): formats 6-8, with and without extra bytes, one
# scanner channel and four switching (RGB14/RGBNIR14/BYTE14 follow LASzip's
# per-point channel rule, layered_item.hpp, as laz-perf does); 12001 points
# in chunks of 1000 (the last holds one point).
for fmt in (6, 7, 8):
    for extra in (0, 5):
        for channels in (1, 4):
            name = f"fmt{fmt}_x{extra}_ch{channels}"
            las = os.path.join(work, name + ".las")
            las14_of_format(las, fmt, 12001, extra, fmt * 10 + extra + channels, channels)
            laz = os.path.join(work, name + ".laz")
            r = tessera(["tiles", "convert", las, laz, "--chunk-size", 1000, "--no-progress"])
            if not t.check(r.returncode == 0, f"convert {name} -> layered LAZ", r):
                continue
            out = laz + ".records"
            r = subprocess.run([NODE, os.path.join(HERE, "laz_perf_decode.cjs"), module, laz, out],
                               capture_output=True, text=True, timeout=120)
            ok = r.returncode == 0 and open(out, "rb").read() == records(las)
            t.check(ok, f"laz-perf decodes Tessera's layered {name} to the LAS records",
                    r.stderr[-1000:] if r.returncode else None)

# And real files written by LASzip itself, decoded by both.
real = os.path.join(TEST_DATA, "laspy", "1_4_w_evlr.laz")
out = os.path.join(work, "evlr.records")
r = subprocess.run([NODE, os.path.join(HERE, "laz_perf_decode.cjs"), module, real, out],
                   capture_output=True, text=True, timeout=120)
t.check(r.returncode == 0 and open(out, "rb").read() == records(os.path.join(TEST_DATA, "laspy", "1_4_w_evlr.las")),
        "laz-perf decodes laspy's layered 1_4_w_evlr.laz to 1_4_w_evlr.las's records")
real = os.path.join(TEST_DATA, "laspy", "simple.laz")
out = os.path.join(work, "simple.records")
r = subprocess.run([NODE, os.path.join(HERE, "laz_perf_decode.cjs"), module, real, out],
                   capture_output=True, text=True, timeout=120)
t.check(r.returncode == 0 and open(out, "rb").read() == records(os.path.join(TEST_DATA, "laspy", "simple.las")),
        "laz-perf decodes laspy's simple.laz to simple.las's records (the reference agrees)")
t.done()
