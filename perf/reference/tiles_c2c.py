"""Reference C2C (the original's approach): scipy cKDTree on epoch A, one
worker, nearest distance of every B point, capped at max_dist.
usage: tiles_c2c.py A.las B.las MAX_DIST OUT.npy"""
import sys
import time

import numpy as np
from scipy.spatial import cKDTree

from tiles_lasio import read_las

t0 = time.perf_counter()
a, ca = read_las(sys.argv[1])
b, cb = read_las(sys.argv[2])
a, b = a[ca == 2], b[cb == 2]
max_dist = float(sys.argv[3])
t1 = time.perf_counter()
d, _ = cKDTree(a).query(b, k=1, distance_upper_bound=max_dist, workers=1)
beyond = ~np.isfinite(d)
d[beyond] = max_dist
np.save(sys.argv[4], d)
t2 = time.perf_counter()
print(f"read {t1 - t0:.2f}s c2c {t2 - t1:.2f}s: {len(b)} points, {beyond.sum()} beyond, "
      f"mean {d[~beyond].mean():.4f}")
