"""Reference M3C2, vectorised numpy + scipy cKDTree (one worker): core points
every k-th A point; normals by PCA of A within the normal radius (batched
eigh); cylinder points found with a sphere query of radius sqrt(r^2 + L^2)
and filtered, means / variances by bincount; LoD95 (Lague 2013 eq. 1).
usage: tiles_m3c2.py A.las B.las NORMAL_R CYL_R MAX_DEPTH CORE_STEP OUT.npy"""
import sys
import time

import numpy as np
from scipy.spatial import cKDTree

from tiles_lasio import read_las

t0 = time.perf_counter()
a, ca = read_las(sys.argv[1])
b, cb = read_las(sys.argv[2])
a, b = a[ca == 2], b[cb == 2]
rn, rc, depth, step = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
L = max(depth, rc)
origin = a.mean(axis=0)
a, b = a - origin, b - origin
cores = a[::step]
ta, tb = cKDTree(a), cKDTree(b)


def flat_neighbours(tree, pts, r):
    lists = tree.query_ball_point(pts, r, workers=1)
    counts = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    idx = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=counts.sum())
    owner = np.repeat(np.arange(len(pts)), counts)
    return owner, idx


# Normals: covariance per core by bincount of outer products.
own, idx = flat_neighbours(ta, cores, rn)
n = np.bincount(own, minlength=len(cores)).astype(float)
mean = np.stack([np.bincount(own, a[idx, k], len(cores)) for k in range(3)], 1) / n[:, None]
d = a[idx] - mean[own]
cov = np.empty((len(cores), 3, 3))
for i in range(3):
    for j in range(3):
        cov[:, i, j] = np.bincount(own, d[:, i] * d[:, j], len(cores)) / n
w, v = np.linalg.eigh(cov)
normal = v[:, :, 0]
normal[normal[:, 2] < 0] *= -1


def cylinder(tree, pts):
    own, idx = flat_neighbours(tree, cores, np.hypot(rc, L))
    rel = pts[idx] - cores[own]
    t = np.einsum("ij,ij->i", rel, normal[own])
    radial2 = np.einsum("ij,ij->i", rel, rel) - t * t
    keep = (np.abs(t) <= L) & (radial2 <= rc * rc)
    own, t = own[keep], t[keep]
    cnt = np.bincount(own, minlength=len(cores)).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.bincount(own, t, len(cores)) / cnt
        var = (np.bincount(own, t * t, len(cores)) - cnt * m * m) / (cnt - 1)
    return cnt, m, var


na, ma, va = cylinder(ta, a)
nb, mb, vb = cylinder(tb, b)
dist = mb - ma
with np.errstate(invalid="ignore", divide="ignore"):
    lod = 1.96 * np.sqrt(va / na + vb / nb)
np.save(sys.argv[7], np.stack([dist, lod], 1))
sig = np.abs(dist) > lod
print(f"m3c2 {len(cores)} cores in {time.perf_counter() - t0:.2f}s, {np.nansum(sig)} significant")
