"""tiles on real lidar files written by laspy and PDAL (tests/data/laspy,
tests/data/pdal): `tiles info` agrees with the headers and with the points
decoded here by numpy; broken files are refused naming the file and what is
wrong; c2c on a real pair equals scipy's cKDTree and is the same file at 1, 2
and 4 ranks."""
import json
import os
import struct

import numpy as np
from scipy.spatial import cKDTree

from tessera_test import TEST_DATA, TestRun, mpirun_tessera, scratch, tessera

t = TestRun("tiles real files")
work = scratch("tiles_real_files")
LASPY = os.path.join(TEST_DATA, "laspy")
PDAL = os.path.join(TEST_DATA, "pdal")


def header(path):
    """The LAS header fields this test needs (ASPRS LAS 1.4 R15, table 3)."""
    with open(path, "rb") as f:
        d = f.read()
    minor = d[25]
    h = {
        "data": d,
        "version": f"{d[24]}.{minor}",
        "offset_to_points": struct.unpack_from("<I", d, 96)[0],
        "format": d[104] & 0x3F,
        "record_length": struct.unpack_from("<H", d, 105)[0],
        "count": struct.unpack_from("<I", d, 107)[0],
        "scale": np.array(struct.unpack_from("<3d", d, 131)),
        "offset": np.array(struct.unpack_from("<3d", d, 155)),
        # max x, min x, max y, min y, max z, min z
        "bounds": struct.unpack_from("<6d", d, 179),
    }
    if minor >= 4 and h["count"] == 0:
        h["count"] = struct.unpack_from("<Q", d, 247)[0]
    return h


def points(h):
    """x, y, z and class of every record, decoded with numpy."""
    dt = np.dtype({"names": ["X", "Y", "Z", "c15", "c16"], "formats": ["<i4"] * 3 + ["u1", "u1"],
                   "offsets": [0, 4, 8, 15, 16], "itemsize": h["record_length"]})
    rec = np.frombuffer(h["data"], dtype=dt, count=h["count"], offset=h["offset_to_points"])
    xyz = np.stack([rec[k] * h["scale"][i] + h["offset"][i] for i, k in enumerate("XYZ")], axis=1)
    cls = rec["c16"] if h["format"] >= 6 else (rec["c15"] & 0x1F)
    return xyz, cls


# --- tiles info on every readable real file --------------------------------
readable = [os.path.join(LASPY, f) for f in ("simple.las", "1_4_w_evlr.las", "extrabytes.las",
                                             "test1_4.las", "autzen_geo_proj.las", "simple1_3.las")]
readable += [os.path.join(PDAL, f) for f in ("100-points.las", "1.2-with-color.las", "gps-time-nan.las",
                                             "lots_of_vlr.las", "spurious.las", "epsg_4326.las",
                                             "warsaw_small.las", "no-points.las")]
for path in readable:
    name = os.path.relpath(path, TEST_DATA)
    out = os.path.join(work, os.path.basename(path) + ".json")
    r = tessera(["tiles", "info", path, "--json", out, "--no-progress"])
    t.check(r.returncode == 0, f"info reads {name}", r.stderr[-2000:] if r.returncode else None)
    if r.returncode != 0:
        continue
    info = json.load(open(out))[0]
    h = header(path)
    xyz, cls = points(h)
    t.check(info["points"] == h["count"] and info["point_format"] == h["format"] and
            info["record_length"] == h["record_length"] and info["version"] == h["version"],
            f"{name}: count, format, record length and version are the header's",
            (info["points"], info["point_format"], info["record_length"], info["version"], h["count"],
             h["format"], h["record_length"], h["version"]))
    want = {str(c): int(n) for c, n in zip(*np.unique(cls, return_counts=True))}
    t.check(info["classes"] == want, f"{name}: class counts equal numpy's", (info["classes"], want))
    if h["count"] > 0:
        hb = h["bounds"]
        t.check(np.allclose(info["min"], [hb[1], hb[3], hb[5]], rtol=0, atol=1e-9) and
                np.allclose(info["max"], [hb[0], hb[2], hb[4]], rtol=0, atol=1e-9),
                f"{name}: bounds are the header's", (info["min"], info["max"], hb))

# --- broken real files: exit 3, the file named, the defect said -----------
broken = {
    os.path.join(PDAL, "1.2-with-color-clipped.las"): "truncated",
    os.path.join(PDAL, "bad_vlr_count.las"): "VLR",
    os.path.join(PDAL, "garbage_nVariableLength.las"): "VLR",
}
for path, words in broken.items():
    out = os.path.join(work, "broken.json")
    r = tessera(["tiles", "info", path, "--json", out, "--no-progress"])
    t.check(r.returncode == 3 and path in r.stderr and words in r.stderr,
            f"info refuses {os.path.basename(path)} with exit 3 naming it ({words})",
            (r.returncode, r.stderr[-800:]))
    t.check(not os.path.exists(out), f"no JSON left for {os.path.basename(path)}")

# --- c2c on a real pair: cKDTree, rank independence ------------------------
A, B = os.path.join(LASPY, "simple.las"), os.path.join(PDAL, "100-points.las")
xa, _ = points(header(A))
xb, _ = points(header(B))
ref, _ = cKDTree(xa).query(xb, k=1)
outs = []
for n in (1, 2, 4):
    out = os.path.join(work, f"c2c_n{n}.las")
    r = mpirun_tessera(n, ["tiles", "c2c", "--a", A, "--b", B, "--classes", "all", "--max-dist", "1000",
                           "--tile-size", "500", "--out", out, "--no-progress"])
    t.check(r.returncode == 0, f"c2c on simple.las -> 100-points.las at {n} ranks exits 0",
            r.stderr[-2000:] if r.returncode else None)
    outs.append(out)
same = all(open(o, "rb").read() == open(outs[0], "rb").read() for o in outs[1:])
t.check(same, "c2c output on real files is byte-identical at 1, 2 and 4 ranks")
h = header(outs[0])
xo, _ = points(h)
d = np.frombuffer(h["data"], dtype=np.dtype({"names": ["d"], "formats": ["<f8"],
                                              "offsets": [h["record_length"] - 9],
                                              "itemsize": h["record_length"]}),
                  count=h["count"], offset=h["offset_to_points"])["d"]
t.check(h["count"] == len(xb), "c2c writes every point of the real B once", (h["count"], len(xb)))
oo, ob = np.lexsort(xo.T[::-1]), np.lexsort(xb.T[::-1])
t.check(np.allclose(xo[oo], xb[ob], atol=1e-6), "c2c output coordinates are the real B's")
t.check(np.allclose(d[oo], ref[ob], rtol=0, atol=1e-9), "c2c distances on real files equal cKDTree's",
        np.abs(d[oo] - ref[ob]).max())
t.done()
