"""tiles on layered LAZ (compressor 3, point formats 6-8): `tiles convert`
LAS -> LAZ writes the same bytes at 1 and 2 ranks and LAZ -> LAS gives back
every record; c2c, m3c2 and dod on a format-6 LAZ pair write the same bytes
as on its LAS pair at 1, 2 and 4 ranks; c2c, m3c2 and align write LAZ
(`--out x.laz`) that holds exactly the records of their LAS output, the same
bytes at 1 and 2 ranks; a damaged layered chunk fails the step naming the
file and the chunk, with no output."""
import os
import struct

import numpy as np

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("tiles layered LAZ")
work = scratch("tiles_laz_layered")


def write_las6(path, xyz, gps, intensity, seed):
    """LAS 1.4, point format 6 (30-byte records), class 2, two scanner channels."""
    rng = np.random.default_rng(seed)
    n = len(xyz)
    scale, offset = 0.001, np.array([500000.0, 4000000.0, 0.0])
    raw = np.round((xyz - offset) / scale).astype("<i4")
    dt = np.dtype([("X", "<i4"), ("Y", "<i4"), ("Z", "<i4"), ("i", "<u2"), ("ret", "u1"),
                   ("flags", "u1"), ("cls", "u1"), ("ud", "u1"), ("ang", "<i2"), ("src", "<u2"),
                   ("t", "<f8")])
    rec = np.zeros(n, dt)
    rec["X"], rec["Y"], rec["Z"] = raw[:, 0], raw[:, 1], raw[:, 2]
    rec["i"] = intensity
    nret = rng.integers(1, 4, n)
    rec["ret"] = (np.minimum(rng.integers(1, 4, n), nret) | (nret << 4)).astype("u1")
    channel = (np.arange(n) // 700) % 2
    rec["flags"] = (channel << 4) | (rng.integers(0, 2, n) << 6)
    rec["cls"] = 2
    rec["ud"] = rng.integers(0, 3, n)
    rec["ang"] = rng.integers(-3000, 3000, n)
    rec["src"] = 7 + channel
    rec["t"] = gps
    lo, hi = raw.min(axis=0) * scale + offset, raw.max(axis=0) * scale + offset
    h = bytearray(375)
    h[0:4] = b"LASF"
    h[24], h[25] = 1, 4
    h[26:26 + 7] = b"TESSERA"
    struct.pack_into("<HIIBHI", h, 94, 375, 375, 0, 6, 30, 0)
    struct.pack_into("<3d3d", h, 131, scale, scale, scale, *offset)
    struct.pack_into("<6d", h, 179, hi[0], lo[0], hi[1], lo[1], hi[2], lo[2])
    struct.pack_into("<Q", h, 247, n)
    with open(path, "wb") as f:
        f.write(bytes(h) + rec.tobytes())


rng = np.random.default_rng(61)
N = 30000
xy = rng.uniform(0, 120, (N, 2)) + [500000.0, 4000000.0]
z = 100 + 0.05 * (xy[:, 0] - 500000) + rng.normal(0, 0.02, N)
gps = 1000 + np.cumsum(rng.exponential(1e-4, N))
A_las = os.path.join(work, "a.las")
write_las6(A_las, np.column_stack([xy, z]), gps, rng.integers(0, 4000, N), 1)
xy2 = rng.uniform(0, 120, (N, 2)) + [500000.0, 4000000.0]
r2 = np.hypot(xy2[:, 0] - 500060, xy2[:, 1] - 4000060)
z2 = 100 + 0.05 * (xy2[:, 0] - 500000) + 2.0 * np.exp(-(r2 / 15) ** 2) + rng.normal(0, 0.02, N)
B_las = os.path.join(work, "b.las")
write_las6(B_las, np.column_stack([xy2, z2]), gps + 50, rng.integers(0, 4000, N), 2)


def run(n, args):
    r = mpirun_tessera(n, args + ["--no-progress"])
    t.check(r.returncode == 0, f"{' '.join(map(str, args[:2]))} {os.path.basename(args[-1])} "
            f"at {n} ranks exits 0", r if r.returncode else None)
    return r


def records(path):
    d = open(path, "rb").read()
    off, length = struct.unpack_from("<I", d, 96)[0], struct.unpack_from("<H", d, 105)[0]
    n = struct.unpack_from("<Q", d, 247)[0] if d[25] >= 4 else struct.unpack_from("<I", d, 107)[0]
    return d[off:off + n * length]


def read(path):
    return open(path, "rb").read() if os.path.exists(path) else None


# --- convert: LAS -> layered LAZ (chunks of 4000 points) -> LAS ------------
laz = {}
for name, src in (("a", A_las), ("b", B_las)):
    outs = {}
    for n in (1, 2):
        out = os.path.join(work, f"{name}_n{n}.laz")
        run(n, ["tiles", "convert", src, out, "--chunk-size", "4000"])
        outs[n] = out
    t.check(read(outs[1]) == read(outs[2]) is not None,
            f"convert {name}.las -> layered LAZ writes the same bytes at 1 and 2 ranks")
    d = read(outs[1])
    t.check(d is not None and d[104] == 0x86, f"{name}.laz is point format 6 with the LAZ bit")
    laz[name] = outs[1]
    # Random x, y and intensity: little to compress, but still well below the LAS.
    t.check(os.path.getsize(outs[1]) < 0.6 * os.path.getsize(src),
            f"{name}.laz is < 0.6 of its LAS ({os.path.getsize(outs[1])} of {os.path.getsize(src)} bytes)")
    back = os.path.join(work, f"{name}_back.las")
    run(2, ["tiles", "convert", outs[1], back])
    t.check(records(back) == records(src), f"{name}.las -> LAZ -> LAS gives back every record")

# --- the steps on the LAZ pair and on the LAS pair: the same bytes ---------
steps = [
    ("c2c", ".las", ["--max-dist", "5", "--tile-size", "40"]),
    ("m3c2", ".las", ["--normal-radius", "1.5", "--cyl-radius", "1.5", "--max-depth", "4",
                      "--core-step", "7", "--tile-size", "40"]),
    ("dod", ".tif", ["--cell", "2", "--tile-size", "40"]),
]
refs = {}
for step, ext, opts in steps:
    ref = os.path.join(work, f"{step}_las{ext}")
    run(1, ["tiles", step, "--a", A_las, "--b", B_las, "--out", ref] + opts)
    refs[step] = ref
    same = True
    for n in (1, 2, 4):
        out = os.path.join(work, f"{step}_laz_n{n}{ext}")
        run(n, ["tiles", step, "--a", laz["a"], "--b", laz["b"], "--out", out] + opts)
        same = same and read(out) is not None and read(out) == read(ref)
    t.check(same, f"{step} on the layered LAZ pair writes the LAS pair's bytes at 1, 2 and 4 ranks")

# --- LAZ outputs: c2c, m3c2 (format 6 + extra bytes) and align -------------
for step, ext, opts in steps[:2] + [("align", ".las", ["--max-correspondence", "2"])]:
    ref = refs.get(step)
    if ref is None:
        ref = os.path.join(work, f"{step}_las.las")
        run(1, ["tiles", step, "--a", A_las, "--b", B_las, "--out", ref] + opts)
    outs = {}
    for n in (1, 2):
        outs[n] = os.path.join(work, f"{step}_out_n{n}.laz")
        run(n, ["tiles", step, "--a", laz["a"], "--b", laz["b"], "--out", outs[n]] + opts)
    t.check(read(outs[1]) is not None and read(outs[1]) == read(outs[2]),
            f"{step} --out x.laz writes the same bytes at 1 and 2 ranks")
    back = os.path.join(work, f"{step}_out_back.las")
    run(1, ["tiles", "convert", outs[1], back])
    t.check(records(back) == records(ref),
            f"{step} --out x.laz holds exactly the records of its LAS output")
    t.check(not any(f.endswith(".records.las") or ".tmp." in f for f in os.listdir(work)),
            f"{step} --out x.laz leaves no staged or temporary file")

# --- a damaged layered chunk fails the step, naming file and chunk ----------
bad = bytearray(read(laz["b"]))
chunk0 = struct.unpack_from("<I", bad, 96)[0] + 8
struct.pack_into("<I", bad, chunk0 + 30, 3999)  # the chunk's own point count
bad_path = os.path.join(work, "bad.laz")
open(bad_path, "wb").write(bad)
out = os.path.join(work, "c2c_bad.las")
r = mpirun_tessera(2, ["tiles", "c2c", "--a", laz["a"], "--b", bad_path, "--out", out,
                       "--max-dist", "5", "--no-progress"])
t.check(r.returncode == 3 and "bad.laz" in r.stderr and "chunk 0" in r.stderr,
        "c2c refuses a layered chunk whose point count disagrees, naming file and chunk (exit 3)", r)
t.check(not os.path.exists(out), "no output for the damaged LAZ")
t.done()
