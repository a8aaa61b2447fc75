// DoD raster formats and the NetCDF writer; see dod_raster.hpp.
#include "dod_raster.hpp"

#include <cpl_string.h>
#include <gdal.h>

#include <limits>
#include <memory>

#include "tessera/core/error.hpp"
#include "tessera/io/gdal_raster.hpp"

namespace tessera::tiles::detail {

namespace {

struct DatasetCloser {
  void operator()(void* ds) const noexcept {
    if (ds != nullptr)
      GDALClose(static_cast<GDALDatasetH>(ds));
  }
};
using Dataset = std::unique_ptr<void, DatasetCloser>;

}  // namespace

void write_dod_netcdf(const std::filesystem::path& path, const CellGrid& grid,
                      const std::vector<float>& dod, const std::string& crs_wkt,
                      const std::string& units) {
  io::gdal_register_once();
  GDALDriverH mem = GDALGetDriverByName("MEM");
  GDALDriverH nc = GDALGetDriverByName("netCDF");
  if (mem == nullptr || nc == nullptr)
    throw IoError("GDAL has no MEM or netCDF driver", path.string());
  CPLErrorReset();
  Dataset src(GDALCreate(mem, "", grid.nx, grid.ny, 1, GDT_Float32, nullptr));
  if (!src)
    throw IoError(io::gdal_message("cannot create the in-memory raster"), path.string());
  const io::GeoTransform t = dod_transform(grid);
  double gt[6] = {t.x0, t.dx, t.rx, t.y0, t.ry, t.dy};
  GDALDatasetH ds = src.get();
  if (GDALSetGeoTransform(ds, gt) != CE_None)
    throw IoError(io::gdal_message("cannot set geotransform"), path.string());
  if (!crs_wkt.empty() && GDALSetProjection(ds, crs_wkt.c_str()) != CE_None)
    throw FormatError(io::gdal_message("cannot set CRS from WKT"), path.string());
  GDALRasterBandH band = GDALGetRasterBand(ds, 1);
  GDALSetMetadataItem(band, "NETCDF_VARNAME", "dod", nullptr);
  GDALSetMetadataItem(band, "long_name", "DEM of difference, epoch B - epoch A", nullptr);
  GDALSetMetadataItem(band, "units", units.c_str(), nullptr);
  if (GDALSetRasterNoDataValue(band, std::numeric_limits<double>::quiet_NaN()) != CE_None)
    throw IoError(io::gdal_message("cannot set nodata value"), path.string());
  if (GDALRasterIO(band, GF_Write, 0, 0, grid.nx, grid.ny, const_cast<float*>(dod.data()), grid.nx,
                   grid.ny, GDT_Float32, 0, 0) != CE_None) {
    throw IoError(io::gdal_message("cannot fill the in-memory raster"), path.string());
  }
  char** opts = nullptr;
  // 64-bit-offset netCDF-3, not netCDF-4: inside the tessera executable,
  // which also loads the MPI build of HDF5 (libhdf5_openmpi, for the other
  // pipelines) beside GDAL's libnetcdf and its serial HDF5, creating a
  // netCDF-4 file failed with no GDAL message (GDAL 3.6.2, Debian 12), while
  // the same call works from Python; most likely the two HDF5 builds clash.
  // netCDF-3 needs no HDF5.
  opts = CSLSetNameValue(opts, "FORMAT", "NC2");
  opts = CSLSetNameValue(opts, "WRITE_BOTTOMUP", "NO");
  opts = CSLSetNameValue(opts, "WRITE_GDAL_HISTORY", "NO");
  opts = CSLSetNameValue(opts, "WRITE_GDAL_VERSION", "NO");
  Dataset out(GDALCreateCopy(nc, path.c_str(), ds, FALSE, opts, nullptr, nullptr));
  CSLDestroy(opts);
  if (!out)
    throw IoError(io::gdal_message("cannot write NetCDF"), path.string());
  // GDALClose flushes; GDAL 3.6's GDALClose returns void, so check the error
  // state it leaves.
  CPLErrorReset();
  out.reset();
  if (CPLGetLastErrorType() >= CE_Failure)
    throw IoError(io::gdal_message("cannot close NetCDF"), path.string());
}

io::GeoTransform dod_transform(const CellGrid& grid) {
  return {grid.x0, grid.cell, 0, grid.north(), 0, -grid.cell};
}

DodFormat dod_format_of(const std::filesystem::path& out) {
  const std::string ext = out.extension().string();
  if (ext == ".tif" || ext == ".tiff")
    return DodFormat::kGeoTiff;
  if (ext == ".nc") {
    io::gdal_register_once();
    if (GDALGetDriverByName("netCDF") == nullptr) {
      throw UsageError("--out " + out.string() +
                       ": this GDAL has no netCDF driver; write a GeoTIFF (.tif)");
    }
    return DodFormat::kNetCdf;
  }
  throw UsageError("--out must end in .tif (GeoTIFF) or .nc (NetCDF): " + out.string());
}

}  // namespace tessera::tiles::detail
