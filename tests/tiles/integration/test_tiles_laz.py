"""tiles on LAZ: `tiles convert` LAS -> LAZ -> LAS gives back the records
bit for bit (and the same LAZ bytes at 1 and 2 ranks); c2c, m3c2 and dod on
a LAZ pair write the same bytes as on its LAS pair, at 1, 2 and 4 ranks
(ranks take chunk ranges, so each rank decodes only its own chunks)."""
import json
import os
import struct

import numpy as np

from tessera_test import TestRun, mpirun_tessera, scratch, temporaries

t = TestRun("tiles LAZ")
work = scratch("tiles_laz")


def write_las(path, xyz, gps, intensity, seed):
    """LAS 1.2, point format 1 (28-byte records), class 2, returns 1 of 1..2."""
    rng = np.random.default_rng(seed)
    n = len(xyz)
    scale, offset = 0.001, np.array([500000.0, 4000000.0, 0.0])
    raw = np.round((xyz - offset) / scale).astype("<i4")
    dt = np.dtype([("X", "<i4"), ("Y", "<i4"), ("Z", "<i4"), ("i", "<u2"), ("ret", "u1"),
                   ("cls", "u1"), ("ang", "i1"), ("ud", "u1"), ("src", "<u2"), ("t", "<f8")])
    rec = np.zeros(n, dt)
    rec["X"], rec["Y"], rec["Z"] = raw[:, 0], raw[:, 1], raw[:, 2]
    rec["i"] = intensity
    nret = rng.integers(1, 3, n)
    rec["ret"] = (np.minimum(rng.integers(1, 3, n), nret) | (nret << 3)).astype("u1")
    rec["cls"] = 2
    rec["ang"] = rng.integers(-20, 20, n)
    rec["src"] = 7
    rec["t"] = gps
    lo, hi = raw.min(axis=0) * scale + offset, raw.max(axis=0) * scale + offset
    h = bytearray(227)
    h[0:4] = b"LASF"
    h[24], h[25] = 1, 2
    h[26:26 + 7] = b"TESSERA"
    struct.pack_into("<HIIBHI", h, 94, 227, 227, 0, 1, 28, n)
    struct.pack_into("<5I", h, 111, n, 0, 0, 0, 0)
    struct.pack_into("<3d3d", h, 131, scale, scale, scale, *offset)
    struct.pack_into("<6d", h, 179, hi[0], lo[0], hi[1], lo[1], hi[2], lo[2])
    with open(path, "wb") as f:
        f.write(bytes(h) + rec.tobytes())


rng = np.random.default_rng(16)
N = 30000
xy = rng.uniform(0, 120, (N, 2)) + [500000.0, 4000000.0]
z = 100 + 0.05 * (xy[:, 0] - 500000) + rng.normal(0, 0.02, N)
gps = 1000 + np.cumsum(rng.exponential(1e-4, N))
A_las = os.path.join(work, "a.las")
write_las(A_las, np.column_stack([xy, z]), gps, rng.integers(0, 4000, N), 1)
xy2 = rng.uniform(0, 120, (N, 2)) + [500000.0, 4000000.0]
r2 = np.hypot(xy2[:, 0] - 500060, xy2[:, 1] - 4000060)
z2 = 100 + 0.05 * (xy2[:, 0] - 500000) + 2.0 * np.exp(-(r2 / 15) ** 2) + rng.normal(0, 0.02, N)
B_las = os.path.join(work, "b.las")
write_las(B_las, np.column_stack([xy2, z2]), gps + 50, rng.integers(0, 4000, N), 2)


def run(n, args):
    r = mpirun_tessera(n, args + ["--no-progress"])
    t.check(r.returncode == 0, f"{' '.join(map(str, args[:2]))} at {n} ranks exits 0",
            r if r.returncode else None)
    return r


def records(path):
    d = open(path, "rb").read()
    off, n = struct.unpack_from("<I", d, 96)[0], struct.unpack_from("<I", d, 107)[0]
    return d[off:off + n * struct.unpack_from("<H", d, 105)[0]]


# --- convert: LAS -> LAZ (chunks of 4000 points, 8 chunks) -> LAS ----------
laz = {}
for name, src in (("a", A_las), ("b", B_las)):
    outs = []
    for n in (1, 2):
        out = os.path.join(work, f"{name}_n{n}.laz")
        run(n, ["tiles", "convert", src, out, "--chunk-size", "4000"])
        outs.append(out)
    t.check(open(outs[0], "rb").read() == open(outs[1], "rb").read(),
            f"convert {name}.las -> LAZ writes the same bytes at 1 and 2 ranks")
    laz[name] = outs[1]
    size_las, size_laz = os.path.getsize(src), os.path.getsize(outs[1])
    t.check(size_laz < size_las / 2, f"{name}.laz is < half its LAS ({size_laz} of {size_las} bytes)")
    back = os.path.join(work, f"{name}_back.las")
    run(2, ["tiles", "convert", outs[1], back])
    t.check(records(back) == records(src), f"{name}.las -> LAZ -> LAS gives back every record bit for bit")
    hb, hs = open(back, "rb").read(), open(src, "rb").read()
    t.check(hb[131:227] == hs[131:227], f"{name}: scale, offset and bounds survive the round trip")
t.check(not temporaries(work), "no temporary files left by convert", temporaries(work))

# --- tiles info on a LAZ: the same facts as on its LAS, plus the chunks --------
info_las, info_laz = os.path.join(work, "a_las.json"), os.path.join(work, "a_laz.json")
run(2, ["tiles", "info", A_las, "--json", info_las])
r = run(2, ["tiles", "info", laz["a"], "--json", info_laz])
ja, jz = json.load(open(info_las))[0], json.load(open(info_laz))[0]
t.check(ja["classes"] == jz["classes"] and ja["points"] == jz["points"] and ja["min"] == jz["min"],
        "tiles info on the LAZ counts the LAS's classes and points", (ja, jz))
t.check(jz.get("laz", {}).get("chunks") == 8 and "LAZ compressor 2, 8 chunks" in r.stdout,
        "tiles info reports the LAZ's 8 chunks", jz.get("laz"))

# --- the steps on LAZ and on LAS: the same bytes at 1, 2 and 4 ranks -------
steps = [
    ("c2c", ".las", ["--max-dist", "5", "--tile-size", "40"]),
    ("m3c2", ".las", ["--normal-radius", "1.5", "--cyl-radius", "1.5", "--max-depth", "4",
                      "--core-step", "7", "--tile-size", "40"]),
    ("dod", ".tif", ["--cell", "2", "--tile-size", "40"]),
]
for step, ext, opts in steps:
    ref = os.path.join(work, f"{step}_las{ext}")
    run(1, ["tiles", step, "--a", A_las, "--b", B_las, "--out", ref] + opts)
    same = True
    for n in (1, 2, 4):
        out = os.path.join(work, f"{step}_laz_n{n}{ext}")
        run(n, ["tiles", step, "--a", laz["a"], "--b", laz["b"], "--out", out] + opts)
        same = same and os.path.exists(out) and open(out, "rb").read() == open(ref, "rb").read()
    t.check(same, f"{step} on the LAZ pair writes the LAS pair's bytes at 1, 2 and 4 ranks")

# --- a LAZ input that cannot be decoded fails the step, no output ----------
bad = bytearray(open(laz["b"], "rb").read())
table = struct.unpack_from("<q", bad, struct.unpack_from("<I", bad, 96)[0])[0]
struct.pack_into("<I", bad, table + 4, 99)  # the chunk table lists 99 chunks
bad_path = os.path.join(work, "bad.laz")
open(bad_path, "wb").write(bad)
out = os.path.join(work, "c2c_bad.las")
r = mpirun_tessera(2, ["tiles", "c2c", "--a", laz["a"], "--b", bad_path, "--out", out, "--no-progress"])
t.check(r.returncode == 3 and "bad.laz" in r.stderr and "chunk table" in r.stderr,
        "c2c refuses a corrupt chunk table naming the file (exit 3)", r)
t.check(not os.path.exists(out), "no output for the corrupt LAZ")

t.done()
