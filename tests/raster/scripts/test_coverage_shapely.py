"""Coverage fractions equal shapely's exact polygon ∩ cell area / cell area
within 1e-9 on polygons with holes, multipolygons and cells crossed by
several edges; a polygon's fractions sum to its area / cell area."""
import json
import os
import subprocess
import sys

import numpy as np
from shapely.geometry import MultiPolygon, Polygon, box, mapping

from tessera_test import TestRun, scratch

probe = sys.argv[1]
t = TestRun("raster coverage vs shapely")
d = scratch("raster_coverage")
W, H, x0, dx, y0, dy = 30, 25, 500000.0, 30.0, 4200000.0, -30.0

rng = np.random.default_rng(3)
star = [(500450 + r * np.cos(a), 4199600 + r * np.sin(a))
        for a, r in zip(np.linspace(0, 2 * np.pi, 40, endpoint=False), rng.uniform(60, 300, 40))]
shapes = {
    # exterior with two holes
    "holes": Polygon([(500013.7, 4199987.1), (500411.2, 4199969.3), (500398.4, 4199571.9),
                      (500021.6, 4199590.2)],
                     [[(500100.3, 4199900.1), (500200.9, 4199890.4), (500150.2, 4199801.7)],
                      [(500250.5, 4199750.5), (500350.1, 4199700.2), (500260.7, 4199640.9)]]),
    # multipolygon with a thin sliver crossing many cells and several edges per cell
    "multi": MultiPolygon([
        Polygon([(500500.5, 4199990.5), (500890.1, 4199520.3), (500893.0, 4199518.0),
                 (500503.0, 4199988.0)]),
        Polygon([(500600.0, 4199980.0), (500640.0, 4199900.0), (500680.0, 4199980.0),
                 (500645.0, 4199950.0), (500610.0, 4199990.0)])]),
    "star": Polygon(star),
    # partly outside the grid
    "edge": Polygon([(499950.0, 4199300.0), (500200.0, 4199150.0), (500300.0, 4199350.0),
                     (500100.0, 4199420.0)]),
}
layer = os.path.join(d, "shapes.geojson")
json.dump({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"CODE": k}, "geometry": mapping(g)} for k, g in shapes.items()]},
    open(layer, "w"))
for k, g in shapes.items():
    t.check(g.is_valid, f"{k} is a valid polygon")

r = subprocess.run([probe, layer, "CODE", str(W), str(H), str(x0), str(dx), str(y0), str(dy)],
                   capture_output=True, text=True)
t.check(r.returncode == 0, "probe runs", r)
got = {k: np.zeros((H, W)) for k in shapes}
for line in r.stdout.split("\n"):
    if line:
        code, row, col, f = line.split()
        got[code][int(row), int(col)] = float(f)

grid_box = box(x0, y0 + H * dy, x0 + W * dx, y0)
for k, g in shapes.items():
    want = np.zeros((H, W))
    for row in range(H):
        for col in range(W):
            cell = box(x0 + col * dx, y0 + (row + 1) * dy, x0 + (col + 1) * dx, y0 + row * dy)
            want[row, col] = g.intersection(cell).area / abs(dx * dy)
    err = np.abs(got[k] - want).max()
    t.check(err < 1e-9, f"{k}: fractions equal shapely's within 1e-9 (max diff {err:.1e})")
    partial = ((want > 0) & (want < 1)).sum()
    t.check(partial > 10, f"{k}: {partial} boundary cells checked")
    total = got[k].sum()
    t.check(abs(total - g.intersection(grid_box).area / abs(dx * dy)) < 1e-9 * max(1, total),
            f"{k}: fractions sum to area / cell area")
t.done()
