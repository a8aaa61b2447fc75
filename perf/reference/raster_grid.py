#!/usr/bin/python3
"""Reference: SnowMapper's original gridding approach, for speed-up figures.

    raster_grid.py FSM_DIR LANDFORM.tif OUT_DIR

As the original: pandas reads every FSM output (whitespace-separated), the
landform is read with rasterio, each variable is gridded by looping over the
clusters (out[:, landform == c] = series_c, O(N·T·H·W)), nodata written as 0,
and the whole (time, y, x) cube is written with xarray.to_netcdf with zlib
level 5 (single-threaded), one file per variable. Memory holds the full cube.
"""
import glob
import os
import sys

import numpy as np
import pandas as pd
import rasterio
import xarray as xr

VARS = {"swe": ("SWE", -3), "snd": ("HS", -4), "rof": ("ROF", -5), "gst": ("GST", -2)}


def main(fsm_dir, landform, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    files = sorted(glob.glob(os.path.join(fsm_dir, "sim_FSM_pt_*.txt")))
    frames = [pd.read_csv(f, sep=r"\s+", header=None) for f in files]
    with rasterio.open(landform) as src:
        lf = src.read(1)
        tr = src.transform
    h, w = lf.shape
    # The original: edge-to-edge linspace coordinates.
    x = np.linspace(tr.c, tr.c + w * tr.a, w)
    y = np.linspace(tr.f, tr.f + h * tr.e, h)
    first = frames[0]
    dates = pd.to_datetime(dict(year=first[0], month=first[1], day=first[2]))
    for var, (tag, col) in VARS.items():
        cube = np.zeros((len(dates), h, w), dtype=np.float32)
        for c, df in enumerate(frames):
            mask = lf == c
            series = df.iloc[:, col].to_numpy(dtype=np.float32)
            cube[:, mask] = series[:, None]
        ds = xr.Dataset({var: (("time", "y", "x"), cube)},
                        coords={"time": dates.values, "y": y, "x": x})
        name = f"{dates.iloc[0].year:04d}{dates.iloc[0].month:02d}_{tag}.nc"
        ds.to_netcdf(os.path.join(out_dir, name),
                     encoding={var: {"zlib": True, "complevel": 5}})
        del cube, ds


if __name__ == "__main__":
    main(*sys.argv[1:4])
