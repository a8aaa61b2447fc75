"""Minimal uncompressed LAS reader for the tiles reference scripts (numpy only;
laspy is not packaged in Debian). Returns x, y, z as float64 and the class."""
import struct

import numpy as np


def read_las(path):
    with open(path, "rb") as f:
        head = f.read(375)
        minor = head[25]
        off = struct.unpack_from("<I", head, 96)[0]
        fmt = head[104] & 0x3F
        reclen = struct.unpack_from("<H", head, 105)[0]
        n = struct.unpack_from("<I", head, 107)[0]
        if minor >= 4:
            n = struct.unpack_from("<Q", head, 247)[0] or n
        scale = struct.unpack_from("<3d", head, 131)
        offset = struct.unpack_from("<3d", head, 155)
        f.seek(off)
        raw = np.fromfile(f, dtype=np.uint8, count=n * reclen)
    cls_at = 16 if fmt >= 6 else 15
    dt = np.dtype({"names": ["X", "Y", "Z", "c"], "formats": ["<i4", "<i4", "<i4", "u1"],
                   "offsets": [0, 4, 8, cls_at], "itemsize": reclen})
    rec = raw.view(dt)
    xyz = np.empty((n, 3))
    for i, k in enumerate("XYZ"):
        xyz[:, i] = rec[k] * scale[i] + offset[i]
    c = rec["c"] if fmt >= 6 else rec["c"] & 0x1F
    return xyz, c
