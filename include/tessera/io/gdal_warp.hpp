// Warping float grids between CRSs with GDAL's warper (GDALWarpOperation).
//
// suggest_warp_grid() gives the output grid gdalwarp would choose for
// `gdalwarp -t_srs` with no -tr/-te/-ts (GDALSuggestedWarpOutput2 on the same
// transformer). A GridWarper holds in-memory source and destination datasets
// and one warp operation, and warps one band at a time: NaN is the nodata
// value on both sides and the destination starts as nodata, so cells with no
// source stay NaN. One GridWarper per thread.
#pragma once

#include <gdal.h>
#include <gdalwarper.h>

#include <memory>
#include <string>

#include "tessera/io/gdal_raster.hpp"

namespace tessera::io {

struct WarpGrid {
  int width = 0;
  int height = 0;
  GeoTransform transform;
};

/// The grid gdalwarp would produce (GDALSuggestedWarpOutput2).
WarpGrid suggest_warp_grid(const WarpGrid& src, const std::string& src_wkt,
                           const std::string& dst_wkt);

/// "near" | "bilinear" | "cubic" | "average" | "mode" (gdalwarp's -r names).
GDALResampleAlg parse_resampling(const std::string& name);

class GridWarper {
 public:
  GridWarper(const WarpGrid& src, const std::string& src_wkt, const WarpGrid& dst,
             const std::string& dst_wkt, GDALResampleAlg resampling);
  ~GridWarper();
  GridWarper(const GridWarper&) = delete;
  GridWarper& operator=(const GridWarper&) = delete;

  /// Warps src (src.width*src.height, row 0 north) into dst (dst.width*dst.height).
  void warp(const float* src, float* dst);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::io
