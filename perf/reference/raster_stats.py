#!/usr/bin/python3
"""Reference: SnowMapper's basin statistics, as rasterstats computes them.

    raster_stats.py GRIDS_DIR BASINS CODE_FIELD REGION_FIELD OUT_DIR

For every variable, day and basin polygon: rasterise the polygon on the grid
with rasterio.features.rasterize (cell-centre-in-polygon, as rasterstats
does, once per polygon per day), mask the day's array and take the mean of
the covered cells; REGION values from the union of the region's polygons the
same way. Wide CSV tables as the original writes them.
"""
import glob
import json
import os
import sys

import numpy as np
import pandas as pd
import xarray as xr
from rasterio.features import rasterize
from rasterio.transform import Affine
from rasterio.warp import transform_geom
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

TAGS = {"swe": "SWE", "snd": "HS", "rof": "ROF", "gst": "GST"}


def main(grids, basins, code_field, region_field, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    gj = json.load(open(basins))
    for var, tag in TAGS.items():
        hits = glob.glob(os.path.join(grids, f"*_{tag}.nc"))
        if not hits:
            continue
        ds = xr.open_dataset(hits[0])
        gt = [float(s) for s in ds["crs"].attrs["GeoTransform"].split()]
        transform = Affine.from_gdal(*gt)
        crs = ds["crs"].attrs["crs_wkt"]
        feats = [(f["properties"][code_field], f["properties"][region_field],
                  shape(transform_geom("EPSG:4326", crs, f["geometry"]))) for f in gj["features"]]
        regions = {}
        for _, reg, g in feats:
            regions.setdefault(reg, []).append(g)
        zones = [(c, g) for c, _, g in feats]
        groups = [(r, unary_union(gs)) for r, gs in regions.items()]
        data = ds[var]
        shape_hw = data.shape[1:]
        rows, grows = [], []
        for t in range(data.shape[0]):
            arr = data[t].values
            row, grow = {"Date": str(data.time.values[t])[:10]}, {"Date": str(data.time.values[t])[:10]}
            for target, zs in ((row, zones), (grow, groups)):
                for name, g in zs:
                    mask = rasterize([(mapping(g), 1)], out_shape=shape_hw, transform=transform,
                                     fill=0, dtype="uint8").astype(bool)
                    vals = np.ma.masked_invalid(arr[mask])
                    target[name] = float(vals.mean()) if vals.count() else np.nan
            rows.append(row)
            grows.append(grow)
        pd.DataFrame(rows).to_csv(os.path.join(out_dir, f"{var}_mean_values_table.csv"), index=False)
        pd.DataFrame(grows).to_csv(os.path.join(out_dir, f"{var}_basin_mean_values_table.csv"),
                                   index=False)
        ds.close()


if __name__ == "__main__":
    main(*sys.argv[1:6])
