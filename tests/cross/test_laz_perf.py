"""Tessera's LAZ files read by an independent decoder: laz-perf (npm, run
under nodejs) decodes what `tiles convert` wrote -- point formats 0 to 3,
with and without extra bytes, one chunk and many -- to exactly the records
of the LAS files converted. laz-perf is installed by this test into the
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

# And a real file written by LASzip itself, decoded by both.
real = os.path.join(TEST_DATA, "laspy", "simple.laz")
out = os.path.join(work, "simple.records")
r = subprocess.run([NODE, os.path.join(HERE, "laz_perf_decode.cjs"), module, real, out],
                   capture_output=True, text=True, timeout=120)
t.check(r.returncode == 0 and open(out, "rb").read() == records(os.path.join(TEST_DATA, "laspy", "simple.las")),
        "laz-perf decodes laspy's simple.laz to simple.las's records (the reference agrees)")
t.done()
