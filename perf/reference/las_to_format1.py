#!/usr/bin/python3
"""Benchmark set-up (not a reference): a copy of a LAS 1.4 point-format-6
file as LAS 1.2 point format 1 (the same x, y, z, intensity, returns,
classification and GPS time), the point format that LAZ compressor 2
holds, so that the LAZ cases compare the same points as LAS and as LAZ.

usage: las_to_format1.py IN.las OUT.las
"""
import struct
import sys

import numpy as np


def main(src, dst):
    d = np.memmap(src, dtype=np.uint8, mode="r")
    head = bytes(d[:375])
    off = struct.unpack_from("<I", head, 96)[0]
    fmt, length = head[104] & 0x3F, struct.unpack_from("<H", head, 105)[0]
    n = struct.unpack_from("<Q", head, 247)[0]
    if fmt not in (6, 7, 8):
        sys.exit(f"{src}: point format {fmt}, expected 6-8")
    rec = d[off:off + n * length].reshape(n, length)
    out = np.zeros((n, 28), np.uint8)
    out[:, 0:14] = rec[:, 0:14]  # x, y, z, intensity
    ret = np.minimum(rec[:, 14] & 0x0F, 7)
    nret = np.minimum(rec[:, 14] >> 4, 7)
    out[:, 14] = ret | (nret << 3) | ((rec[:, 15] >> 6) & 1) << 6 | ((rec[:, 15] >> 7) & 1) << 7
    out[:, 15] = np.minimum(rec[:, 16], 31)
    out[:, 16] = np.clip(rec[:, 18:20].copy().view("<i2")[:, 0] * 0.006, -90, 90).astype(np.int8).view(np.uint8)
    out[:, 17] = rec[:, 17]
    out[:, 18:20] = rec[:, 20:22]
    out[:, 20:28] = rec[:, 22:30]
    h = bytearray(227)
    h[0:4] = b"LASF"
    h[24], h[25] = 1, 2
    h[26:26 + 7] = b"TESSERA"
    struct.pack_into("<HIIBHI", h, 94, 227, 227, 0, 1, 28, n)
    by_return = np.bincount(ret, minlength=8)[1:6]
    struct.pack_into("<5I", h, 111, *[int(v) for v in by_return])
    h[131:227] = head[131:227]  # scale, offset, bounds
    with open(dst, "wb") as f:
        f.write(bytes(h))
        for i in range(0, n, 1 << 20):
            f.write(out[i:i + (1 << 20)].tobytes())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
