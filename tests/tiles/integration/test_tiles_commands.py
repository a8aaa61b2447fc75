"""The tiles commands end to end on tiny synthetic epochs, checked against the
truth file, scipy's cKDTree, rasterio and gdalinfo; outputs compared byte for
byte across 1, 2 and 4 ranks; bad input gives a clear error and no output."""
import json
import os
import shutil
import struct
import subprocess

import numpy as np
from scipy.spatial import cKDTree

from tessera_test import TestRun, mpirun_tessera, scratch

t = TestRun("tiles commands")
work = scratch("tiles_commands")
ch = os.path.join(work, "changes")
flat = os.path.join(work, "flat")
mis = os.path.join(work, "misaligned")


def run(ranks, args, code=0, what=None):
    r = mpirun_tessera(ranks, args + ["--no-progress"])
    t.check(r.returncode == code, what or f"{' '.join(map(str, args[:2]))} on {ranks} ranks exits {code}",
            r.stderr[-3000:] if r.returncode != code else None)
    return r


def read_las(path, extra=()):
    with open(path, "rb") as f:
        data = f.read()
    off = struct.unpack_from("<I", data, 96)[0]
    reclen = struct.unpack_from("<H", data, 105)[0]
    n = struct.unpack_from("<Q", data, 247)[0]
    scale = np.array(struct.unpack_from("<3d", data, 131))
    offset = np.array(struct.unpack_from("<3d", data, 155))
    names = ["X", "Y", "Z"] + [e[0] for e in extra]
    formats = ["<i4"] * 3 + [e[1] for e in extra]
    offsets = [0, 4, 8] + [e[2] for e in extra]
    dt = np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": reclen})
    rec = np.frombuffer(data, dtype=dt, count=n, offset=off)
    xyz = np.stack([rec["X"] * scale[0] + offset[0], rec["Y"] * scale[1] + offset[1],
                    rec["Z"] * scale[2] + offset[2]], axis=1)
    return xyz, rec


def same_bytes(p, q):
    with open(p, "rb") as f, open(q, "rb") as g:
        return f.read() == g.read()


run(2, ["synth", "tiles", "--out", ch, "--scale", "tiny"])
run(2, ["synth", "tiles", "--out", flat, "--scale", "tiny", "--no-changes"])
run(1, ["synth", "tiles", "--out", mis, "--scale", "tiny", "--no-changes", "--misalign"])
truth = json.load(open(os.path.join(ch, "truth.json")))
A, B = os.path.join(ch, "A.las"), os.path.join(ch, "B.las")
r = run(2, ["tiles", "info", A, B])
t.check("48000 points" in r.stdout and "density" in r.stdout, "info prints counts and density", r.stdout)

# --- C2C: scipy cKDTree, rank and tiling independence ----------------------
C2C = [("d", "<f8", 30), ("beyond", "u1", 38)]
xa, _ = read_las(A)
xb, _ = read_las(B)
ref_d, _ = cKDTree(xa).query(xb, k=1)
outs = {}
for tile in (13, 500):
    for n in (1, 2, 4):
        out = os.path.join(work, f"c2c_t{tile}_n{n}.las")
        run(n, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", tile,
                "--out", out])
        outs[(tile, n)] = out
    t.check(same_bytes(outs[(tile, 1)], outs[(tile, 2)]) and same_bytes(outs[(tile, 1)], outs[(tile, 4)]),
            f"c2c output (tile {tile}) is byte-identical at 1, 2 and 4 ranks")
xyz, rec = read_las(outs[(13, 2)], C2C)
t.check(len(rec) == len(xb), "c2c writes every B point exactly once")
# Match output points back to B by coordinates.
order_out = np.lexsort((xyz[:, 2], xyz[:, 1], xyz[:, 0]))
order_b = np.lexsort((xb[:, 2], xb[:, 1], xb[:, 0]))
t.check(np.allclose(xyz[order_out], xb[order_b], atol=1e-6), "c2c output coordinates are B's")
d_out = rec["d"][order_out]
beyond = rec["beyond"][order_out] == 1
d_ref = ref_d[order_b]
t.check(np.array_equal(beyond, d_ref > 1.0), "c2c flags exactly the points beyond --max-dist",
        f"{beyond.sum()} vs {(d_ref > 1.0).sum()}")
t.check(np.allclose(d_out[~beyond], d_ref[~beyond], rtol=0, atol=1e-9),
        "c2c distances equal scipy cKDTree's", np.abs(d_out[~beyond] - d_ref[~beyond]).max())
xyz5, rec5 = read_las(outs[(500, 1)], C2C)
o5 = np.lexsort((xyz5[:, 2], xyz5[:, 1], xyz5[:, 0]))
t.check(np.array_equal(rec5["d"][o5], rec["d"][order_out]), "c2c distances equal for tile sizes 13 and 500")
summ = json.load(open(outs[(13, 2)] + ".summary.json"))
t.check(summ["beyond"] == int(beyond.sum()) and sum(summ["histogram"]["counts"]) == summ["within"],
        "c2c summary counts beyond points apart from the histogram", summ)

# --- M3C2 ------------------------------------------------------------------
M3 = [("d", "<f8", 30), ("lod", "<f8", 38), ("sig", "u1", 46), ("na", "<u4", 47), ("nb", "<u4", 51)]
m3 = {}
for tile in (11, 500):
    for n in (1, 2, 4):
        out = os.path.join(work, f"m3c2_t{tile}_n{n}.las")
        run(n, ["tiles", "m3c2", "--a", A, "--b", B, "--normal-radius", "1.0", "--cyl-radius", "1.0",
                "--max-depth", "4", "--core-step", "20", "--tile-size", tile, "--out", out])
        m3[(tile, n)] = out
    t.check(same_bytes(m3[(tile, 1)], m3[(tile, 2)]) and same_bytes(m3[(tile, 1)], m3[(tile, 4)]),
            f"m3c2 output (tile {tile}) is byte-identical at 1, 2 and 4 ranks")
xm, rm = read_las(m3[(11, 1)], M3)
xm5, rm5 = read_las(m3[(500, 1)], M3)
k1, k5 = np.lexsort(xm.T[::-1]), np.lexsort(xm5.T[::-1])
t.check(np.array_equal(rm["d"][k1], rm5["d"][k5], equal_nan=True) and
        np.array_equal(rm["lod"][k1], rm5["lod"][k5], equal_nan=True),
        "m3c2 distances and LoD are equal for tile sizes 11 and 500")
mc = np.array([truth["mound"]["x"], truth["mound"]["y"]])
i_top = np.argmin(np.hypot(xm[:, 0] - mc[0], xm[:, 1] - mc[1]))
t.check(abs(rm["d"][i_top] - 2.5) <= 0.05 * 2.5 and rm["sig"][i_top] == 1,
        "m3c2 at the mound centre is 2.5 m within 5% and significant", rm["d"][i_top])
FA, FB = os.path.join(flat, "A.las"), os.path.join(flat, "B.las")
fo = os.path.join(work, "m3c2_flat.las")
# A 1 cm registration error, as users supply: with reg = 0 and pure white
# noise the coverage of LoD95 is ~94%, because sigma is estimated from the ~12
# points of each cylinder (Student-t, not normal).
run(2, ["tiles", "m3c2", "--a", FA, "--b", FB, "--normal-radius", "1.0", "--cyl-radius", "1.0",
        "--max-depth", "4", "--core-step", "20", "--tile-size", "30", "--registration-error", "0.01",
        "--out", fo])
_, rf = read_las(fo, M3)
frac = np.mean(np.abs(rf["d"]) < rf["lod"])
t.check(frac >= 0.95, f"m3c2 on unchanged terrain: |d| < LoD for >= 95% of cores ({frac:.3f})")

# --- DoD -------------------------------------------------------------------
tifs = []
for n in (1, 2, 4):
    out = os.path.join(work, f"dod_n{n}.tif")
    run(n, ["tiles", "dod", "--a", A, "--b", B, "--cell", "1.0", "--out", out])
    tifs.append(out)
import rasterio  # noqa: E402

arrays = []
for p in tifs:
    with rasterio.open(p) as ds:
        arrays.append(ds.read(1))
        tr, crs, shape = ds.transform, ds.crs, ds.shape
t.check(all(np.array_equal(arrays[0], a, equal_nan=True) for a in arrays),
        "dod raster is identical at 1, 2 and 4 ranks")
# Each rank compresses its band's tiles and rank 0 appends them all: the
# file itself, not only its values, must not depend on the rank count, and
# neither may the volumes (summed per tile row, merged in row order).
t.check(all(open(tifs[0], "rb").read() == open(p, "rb").read() for p in tifs[1:]),
        "dod GeoTIFF bytes are identical at 1, 2 and 4 ranks")
vols = [json.load(open(p + ".summary.json")) for p in tifs]
t.check(all(v[k] == vols[0][k] for v in vols for k in ("net_volume", "gain_volume", "loss_volume",
                                                        "area_changed", "cells_empty")),
        "dod volumes are identical at 1, 2 and 4 ranks", [v["net_volume"] for v in vols])
fine = []
for n in (1, 2, 4):  # 0.3 m cells: 334 rows, so two tile rows shared between ranks
    fine.append(os.path.join(work, f"dod_fine_n{n}.tif"))
    run(n, ["tiles", "dod", "--a", A, "--b", B, "--cell", "0.3", "--out", fine[-1]])
t.check(all(open(fine[0], "rb").read() == open(p, "rb").read() for p in fine[1:]),
        "dod GeoTIFF bytes with two tile rows are identical at 1, 2 and 4 ranks")
with rasterio.open(fine[1]) as ds:
    t.check(ds.block_shapes == [(256, 256)] and ds.shape[0] > 256 and ds.compression.name == "deflate",
            "the dod GeoTIFF is DEFLATE in 256 x 256 tiles", (ds.block_shapes, ds.shape))
    t.check(abs(float(np.nanmean(ds.read(1))) - float(np.nanmean(arrays[0]))) < 0.05,
            "the 0.3 m DoD's mean change is the 1 m DoD's", float(np.nanmean(ds.read(1))))
s = json.load(open(tifs[0] + ".summary.json"))
t.check(abs(s["net_volume"] - truth["net_volume"]) <= 0.02 * abs(truth["net_volume"]),
        f"dod net volume {s['net_volume']:.2f} within 2% of truth {truth['net_volume']:.2f}")
x0, y0 = truth["bounds"][0], truth["bounds"][1]
t.check(tr.a == 1.0 and tr.e == -1.0 and tr.b == 0 and tr.d == 0, "dod GeoTIFF is north-up with 1 m cells", tr)
t.check(abs(tr.c - xa[:, 0].min()) < 1e-6 or abs(tr.c - min(xa[:, 0].min(), xb[:, 0].min())) < 1e-3,
        "dod origin x is the western bound", tr)
t.check(crs is not None and crs.to_epsg() == 32611, "dod GeoTIFF carries EPSG:32611", crs)
row = int((tr.f - mc[1]) // 1.0)
col = int((mc[0] - tr.c) // 1.0)
t.check(abs(arrays[0][row, col] - 2.5) < 0.1, "dod pixel at the mound centre (row from the north) is ~2.5 m",
        arrays[0][row, col])
gi = json.loads(subprocess.run(["gdalinfo", "-json", tifs[1]], capture_output=True, text=True).stdout)
t.check(gi["geoTransform"][1] == 1.0 and gi["geoTransform"][5] == -1.0 and
        abs(gi["geoTransform"][3] - (tr.f)) < 1e-9, "gdalinfo reads the same geotransform", gi["geoTransform"])

# --- ICP -------------------------------------------------------------------
MA, MB = os.path.join(mis, "A.las"), os.path.join(mis, "B.las")
al = os.path.join(work, "B_aligned.las")
run(2, ["tiles", "align", "--a", MA, "--b", MB, "--out", al])
s = json.load(open(al + ".summary.json"))
tm = np.array(json.load(open(os.path.join(mis, "truth.json")))["alignment_truth"])
M = np.array(s["transform"])
dR = M[:3, :3] @ tm[:3, :3].T
ang = np.degrees(np.arccos(np.clip((np.trace(dR) - 1) / 2, -1, 1)))
pts = read_las(MB)[0][::500]
err = np.abs((pts @ M[:3, :3].T + M[:3, 3]) - (pts @ tm[:3, :3].T + tm[:3, 3])).max()
t.check(ang <= 0.01 and err <= 0.01, f"align recovers the transform: {ang:.5f} deg, {err*1000:.2f} mm")
xal, _ = read_las(al)
t.check(len(xal) == 48000, "align writes every B point")

# --- resume ----------------------------------------------------------------
r = run(2, ["tiles", "c2c", "--a", A, "--b", B, "--max-dist", "1.0", "--tile-size", "13",
            "--out", outs[(13, 2)]])
t.check("up to date" in r.stderr, "a re-run with unchanged inputs is skipped", r.stderr[-500:])

# --- bad input -------------------------------------------------------------
bad = os.path.join(work, "bad")
os.makedirs(bad, exist_ok=True)
raw = open(A, "rb").read()


def write(name, data):
    p = os.path.join(bad, name)
    open(p, "wb").write(data)
    return p


def patch(data, off, fmt, *vals):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *vals)
    return bytes(b)


cases = [
    ("truncated", write("trunc.las", raw[:-1000]), [], 3, "truncated"),
    ("count mismatch", write("count.las", patch(raw, 247, "<Q", 47000)), [], 3, "header says 47000"),
    ("unknown point format", write("fmt.las", patch(raw, 104, "<B", 11)), [], 3, "unsupported point data format 11"),
    ("LAZ", write("comp.laz", patch(raw, 104, "<B", 6 | 0x80)), [], 3, "LAZ"),
    ("empty epoch", A, ["--classes", "9"], 3, "empty"),
]
off_x = struct.unpack_from("<d", raw, 155)[0]
far = patch(patch(patch(raw, 155, "<d", off_x + 1e4), 179, "<d", struct.unpack_from("<d", raw, 179)[0] + 1e4),
            187, "<d", struct.unpack_from("<d", raw, 187)[0] + 1e4)
cases.append(("non-overlapping epochs", write("far.las", far), [], 2, "do not overlap"))
for what, path, extra, code, text in cases:
    for step, opts, ext in (("c2c", [], ".las"), ("dod", ["--cell", "1"], ".tif")):
        out = os.path.join(bad, f"out_{what.replace(' ', '_')}_{step}{ext}")
        r = run(2, ["tiles", step, "--a", A, "--b", path, "--out", out] + opts + extra, code,
                f"{step} with {what} exits {code}")
        t.check(text in r.stderr, f"{step} with {what} says '{text}'", r.stderr[-800:])
        t.check(not os.path.exists(out), f"{step} with {what} leaves no output")
# An output rank 0 cannot create: every rank stops with the reason, none is
# left waiting for the tiles' writer (the ranks compress their bands).
blocker = os.path.join(bad, "a_file")
open(blocker, "w").close()
r = run(2, ["tiles", "dod", "--a", A, "--b", B, "--cell", "0.3", "--out",
            os.path.join(blocker, "dod.tif")], 3, "dod into a path below a file exits 3")
t.check("a_file" in r.stderr, "the error names the output path", r.stderr[-800:])
left = [f for f in os.listdir(bad) if f.startswith(".")]
t.check(not left, "no temporary files are left behind", left)

t.done()
