"""Reference DoD (the original's approach): numpy gridding of each epoch's
mean elevation per cell, B - A, volumes.
usage: tiles_dod.py A.las B.las CELL OUT.npy"""
import sys
import time

import numpy as np

from tiles_lasio import read_las

t0 = time.perf_counter()
a, ca = read_las(sys.argv[1])
b, cb = read_las(sys.argv[2])
a, b = a[ca == 2], b[cb == 2]
cell = float(sys.argv[3])
x0 = min(a[:, 0].min(), b[:, 0].min())
y0 = min(a[:, 1].min(), b[:, 1].min())
nx = int((max(a[:, 0].max(), b[:, 0].max()) - x0) // cell) + 1
ny = int((max(a[:, 1].max(), b[:, 1].max()) - y0) // cell) + 1


def grid(p):
    i = ((p[:, 0] - x0) // cell).astype(np.int64)
    j = ((p[:, 1] - y0) // cell).astype(np.int64)
    idx = (ny - 1 - j) * nx + i
    s = np.bincount(idx, weights=p[:, 2], minlength=nx * ny)
    n = np.bincount(idx, minlength=nx * ny)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s / n).reshape(ny, nx)


dod = grid(b) - grid(a)
np.save(sys.argv[4], dod)
net = np.nansum(dod) * cell * cell
print(f"dod {nx}x{ny} in {time.perf_counter() - t0:.2f}s, net volume {net:.3f} m3")
