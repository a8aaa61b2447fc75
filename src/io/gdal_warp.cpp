// GDAL warping of float grids; see include/tessera/io/gdal_warp.hpp.
#include "tessera/io/gdal_warp.hpp"

#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdalwarper.h>

#include <cmath>
#include <limits>

#include "tessera/core/error.hpp"

namespace tessera::io {

namespace {

GDALDatasetH make_mem(const WarpGrid& g, const std::string& wkt) {
  gdal_register_once();
  GDALDriverH mem = GDALGetDriverByName("MEM");
  if (mem == nullptr)
    throw IoError("GDAL has no MEM driver");
  GDALDatasetH ds = GDALCreate(mem, "", g.width, g.height, 1, GDT_Float32, nullptr);
  if (ds == nullptr)
    throw IoError(gdal_message("cannot create in-memory raster"));
  double gt[6] = {g.transform.x0, g.transform.dx, g.transform.rx,
                  g.transform.y0, g.transform.ry, g.transform.dy};
  GDALSetGeoTransform(ds, gt);
  if (GDALSetProjection(ds, wkt.c_str()) != CE_None) {
    GDALClose(ds);
    throw FormatError(gdal_message("cannot set CRS"), {}, wkt.substr(0, 60));
  }
  GDALSetRasterNoDataValue(GDALGetRasterBand(ds, 1), std::numeric_limits<double>::quiet_NaN());
  return ds;
}

}  // namespace

WarpGrid suggest_warp_grid(const WarpGrid& src, const std::string& src_wkt,
                           const std::string& dst_wkt) {
  GDALDatasetH ds = make_mem({src.width, src.height, src.transform}, src_wkt);
  char** opts = CSLSetNameValue(nullptr, "DST_SRS", dst_wkt.c_str());
  void* tr = GDALCreateGenImgProjTransformer2(ds, nullptr, opts);
  CSLDestroy(opts);
  if (tr == nullptr) {
    GDALClose(ds);
    throw FormatError(gdal_message("cannot transform between the CRSs"));
  }
  double gt[6];
  int w = 0, h = 0;
  double extent[4];
  const CPLErr err =
      GDALSuggestedWarpOutput2(ds, GDALGenImgProjTransform, tr, gt, &w, &h, extent, 0);
  GDALDestroyGenImgProjTransformer(tr);
  GDALClose(ds);
  if (err != CE_None)
    throw FormatError(gdal_message("cannot suggest a warp output grid"));
  return WarpGrid{w, h, GeoTransform{gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]}};
}

GDALResampleAlg parse_resampling(const std::string& name) {
  if (name == "near" || name == "nearest")
    return GRA_NearestNeighbour;
  if (name == "bilinear")
    return GRA_Bilinear;
  if (name == "cubic")
    return GRA_Cubic;
  if (name == "average")
    return GRA_Average;
  if (name == "mode")
    return GRA_Mode;
  throw UsageError("unknown resampling '" + name + "' (near, bilinear, cubic, average, mode)");
}

struct GridWarper::Impl {
  WarpGrid src, dst;
  GDALDatasetH src_ds = nullptr, dst_ds = nullptr;
  void* transformer = nullptr;
  void* approx = nullptr;
  GDALWarpOptions* options = nullptr;
  GDALWarpOperationH op = nullptr;
  ~Impl() {
    if (op)
      GDALDestroyWarpOperation(op);
    if (options) {
      options->pTransformerArg = nullptr;  // destroyed below
      GDALDestroyWarpOptions(options);
    }
    if (approx)
      GDALDestroyApproxTransformer(approx);
    if (transformer)
      GDALDestroyGenImgProjTransformer(transformer);
    if (dst_ds)
      GDALClose(dst_ds);
    if (src_ds)
      GDALClose(src_ds);
  }
};

GridWarper::GridWarper(const WarpGrid& src, const std::string& src_wkt, const WarpGrid& dst,
                       const std::string& dst_wkt, GDALResampleAlg resampling)
    : impl_(std::make_unique<Impl>()) {
  impl_->src = src;
  impl_->dst = dst;
  impl_->src_ds = make_mem(src, src_wkt);
  impl_->dst_ds = make_mem(dst, dst_wkt);
  impl_->transformer = GDALCreateGenImgProjTransformer2(impl_->src_ds, impl_->dst_ds, nullptr);
  if (impl_->transformer == nullptr)
    throw FormatError(gdal_message("cannot create transformer"));
  GDALWarpOptions* o = GDALCreateWarpOptions();
  impl_->options = o;
  o->hSrcDS = impl_->src_ds;
  o->hDstDS = impl_->dst_ds;
  o->eResampleAlg = resampling;
  o->eWorkingDataType = GDT_Float32;
  o->nBandCount = 1;
  o->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  o->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  o->panSrcBands[0] = 1;
  o->panDstBands[0] = 1;
  o->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
  o->padfDstNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
  o->padfSrcNoDataReal[0] = std::numeric_limits<double>::quiet_NaN();
  o->padfDstNoDataReal[0] = std::numeric_limits<double>::quiet_NaN();
  o->papszWarpOptions = CSLSetNameValue(o->papszWarpOptions, "INIT_DEST", "NO_DATA");
  // gdalwarp's default: the exact transformer behind a linear approximation
  // with a maximum error of 0.125 pixel, so nearest-neighbour picks the same cells.
  impl_->approx = GDALCreateApproxTransformer(GDALGenImgProjTransform, impl_->transformer, 0.125);
  o->pfnTransformer = GDALApproxTransform;
  o->pTransformerArg = impl_->approx;
  impl_->op = GDALCreateWarpOperation(o);
  if (impl_->op == nullptr)
    throw FormatError(gdal_message("cannot set up the warp"));
}

GridWarper::~GridWarper() = default;

void GridWarper::warp(const float* src, float* dst) {
  auto& m = *impl_;
  GDALRasterBandH sb = GDALGetRasterBand(m.src_ds, 1);
  if (GDALRasterIO(sb, GF_Write, 0, 0, m.src.width, m.src.height, const_cast<float*>(src),
                   m.src.width, m.src.height, GDT_Float32, 0, 0) != CE_None) {
    throw IoError(gdal_message("cannot fill the warp source"));
  }
  CPLErrorReset();
  if (GDALChunkAndWarpImage(m.op, 0, 0, m.dst.width, m.dst.height) != CE_None) {
    throw IoError(gdal_message("warp failed"));
  }
  GDALRasterBandH db = GDALGetRasterBand(m.dst_ds, 1);
  if (GDALRasterIO(db, GF_Read, 0, 0, m.dst.width, m.dst.height, dst, m.dst.width, m.dst.height,
                   GDT_Float32, 0, 0) != CE_None) {
    throw IoError(gdal_message("cannot read the warp result"));
  }
}

}  // namespace tessera::io
