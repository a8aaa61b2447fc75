"""Setup helper of raster-stats-geotiff-medium: writes a `raster grid` NetCDF
variable as a GeoTIFF of one band per day (uncompressed, band-interleaved,
float32, nodata NaN, the grid's transform and CRS), read with netCDF4 and
written with rasterio. (gdal_translate cannot do it here: Debian's GDAL 3.6
does not open CDF-5 files.)

usage: raster_grid_to_geotiff.py GRID.nc VAR OUT.tif
"""
import sys

import netCDF4
import rasterio
from rasterio.transform import Affine


def main(src, var, out):
    with netCDF4.Dataset(src) as nc:
        crs = nc.variables["crs"]
        x0, dx, rx, y0, ry, dy = (float(s) for s in crs.GeoTransform.split())
        v = nc.variables[var]
        v.set_auto_mask(False)
        days, height, width = v.shape
        profile = dict(driver="GTiff", width=width, height=height, count=days, dtype="float32",
                       crs=crs.crs_wkt, transform=Affine(dx, rx, x0, ry, dy, y0),
                       nodata=float("nan"), interleave="band", BIGTIFF="YES")
        with rasterio.open(out, "w", **profile) as dst:
            for t in range(days):
                dst.write(v[t], t + 1)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
