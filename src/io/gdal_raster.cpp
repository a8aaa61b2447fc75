// RAII over GDAL raster datasets; see include/tessera/io/gdal_raster.hpp.
#include "tessera/io/gdal_raster.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_frmts.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "tessera/core/error.hpp"
#include "tessera/io/tiff_tiles.hpp"

namespace tessera::io {

void gdal_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Keep GDAL's own error printing off stderr: errors reach the user
    // through tessera::Error with the same text.
    CPLSetErrorHandler(CPLQuietErrorHandler);
  });
}

void gdal_register_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    gdal_init_once();
    GDALAllRegister();
  });
}

namespace {

// The GeoTIFF driver alone (GDALRegister_GTiff is idempotent).
void gdal_register_geotiff_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    gdal_init_once();
    GDALRegister_GTiff();
  });
}

}  // namespace

std::string gdal_message(const std::string& message) {
  const char* msg = CPLGetLastErrorMsg();
  if (msg == nullptr || *msg == '\0')
    return message;
  return message + ": " + msg;
}

GdalRaster::~GdalRaster() {
  if (ds_ != nullptr)
    GDALClose(ds_);
}

GdalRaster::GdalRaster(GdalRaster&& other) noexcept
    : ds_(std::exchange(other.ds_, nullptr)), path_(std::move(other.path_)) {}

GdalRaster& GdalRaster::operator=(GdalRaster&& other) noexcept {
  if (this != &other) {
    if (ds_ != nullptr)
      GDALClose(ds_);
    ds_ = std::exchange(other.ds_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

GdalRaster GdalRaster::open(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError("no such file", path.string());
  gdal_register_geotiff_once();
  const char* const geotiff[] = {"GTiff", nullptr};
  CPLErrorReset();
  GDALDatasetH ds =
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, geotiff, nullptr, nullptr);
  if (ds == nullptr) {
    gdal_register_once();
    CPLErrorReset();
    ds = GDALOpen(path.c_str(), GA_ReadOnly);
  }
  if (ds == nullptr) {
    throw FormatError(gdal_message("not a raster GDAL can open"), path.string());
  }
  if (GDALGetRasterCount(ds) < 1) {
    GDALClose(ds);
    throw FormatError("dataset has no raster band", path.string());
  }
  return GdalRaster(ds, path);
}

GdalRaster GdalRaster::open_any(const std::string& name) {
  gdal_register_once();
  CPLErrorReset();
  GDALDatasetH ds =
      GDALOpenEx(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  if (ds == nullptr) {
    std::error_code ec;
    if (name.find(':') == std::string::npos && !std::filesystem::exists(name, ec))
      throw IoError("no such file", name);
    // GDAL 3.6's netCDF driver does not recognise CDF-5 (NC_64BIT_DATA)
    // files, which PnetCDF writes; say so rather than "not a raster".
    char magic[4] = {0, 0, 0, 0};
    if (std::FILE* f = std::fopen(name.c_str(), "rb")) {
      const std::size_t got = std::fread(magic, 1, 4, f);
      std::fclose(f);
      if (got == 4 && magic[0] == 'C' && magic[1] == 'D' && magic[2] == 'F' && magic[3] == 5) {
        throw FormatError(
            gdal_message("a CDF-5 (64-bit data) NetCDF file, which this GDAL does not open "
                         "(Tessera's own grids are read with --grids)"),
            name);
      }
    }
    throw FormatError(gdal_message("not a raster GDAL can open"), name);
  }
  return GdalRaster(ds, name);
}

GdalRaster GdalRaster::open_update(const std::filesystem::path& path) {
  gdal_register_once();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError("no such file", path.string());
  CPLErrorReset();
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_Update);
  if (ds == nullptr) {
    throw IoError(gdal_message("cannot open raster for update"), path.string());
  }
  return GdalRaster(ds, path);
}

GdalRaster GdalRaster::create_geotiff(const std::filesystem::path& path, int width, int height,
                                      int bands, GDALDataType type, const GeoTransform& transform,
                                      const std::string& crs_wkt, double nodata,
                                      GeoTiffLayout layout) {
  gdal_register_once();
  if (width <= 0 || height <= 0 || bands <= 0) {
    throw UsageError("raster size must be positive (width " + std::to_string(width) + ", height " +
                         std::to_string(height) + ", bands " + std::to_string(bands) + ")",
                     path.string());
  }
  GDALDriverH drv = GDALGetDriverByName("GTiff");
  if (drv == nullptr)
    throw IoError("GDAL has no GTiff driver", path.string());
  char** opts = nullptr;
  if (layout == GeoTiffLayout::kDeflateTilesLater) {
    // The tiles' size is the one the appender's tiles have; SPARSE_OK keeps
    // GDAL from writing nodata tiles at close (it leaves their offsets 0).
    const std::string tile = std::to_string(kGeoTiffTile);
    opts = CSLSetNameValue(opts, "COMPRESS", "DEFLATE");
    opts = CSLSetNameValue(opts, "TILED", "YES");
    opts = CSLSetNameValue(opts, "BLOCKXSIZE", tile.c_str());
    opts = CSLSetNameValue(opts, "BLOCKYSIZE", tile.c_str());
    opts = CSLSetNameValue(opts, "SPARSE_OK", "TRUE");
  } else {
    opts = CSLSetNameValue(opts, "COMPRESS", "LZW");
    if (static_cast<long long>(width) * height > 1024LL * 1024LL)
      opts = CSLSetNameValue(opts, "TILED", "YES");
  }
  opts = CSLSetNameValue(opts, "BIGTIFF", "IF_SAFER");
  CPLErrorReset();
  GDALDatasetH ds = GDALCreate(drv, path.c_str(), width, height, bands, type, opts);
  CSLDestroy(opts);
  if (ds == nullptr)
    throw IoError(gdal_message("cannot create GeoTIFF"), path.string());
  GdalRaster out(ds, path);
  double gt[6] = {transform.x0, transform.dx, transform.rx,
                  transform.y0, transform.ry, transform.dy};
  if (GDALSetGeoTransform(ds, gt) != CE_None) {
    throw IoError(gdal_message("cannot set geotransform"), path.string());
  }
  if (!crs_wkt.empty() && GDALSetProjection(ds, crs_wkt.c_str()) != CE_None) {
    throw FormatError(gdal_message("cannot set CRS from WKT"), path.string());
  }
  const bool integer_type = GDALDataTypeIsInteger(type) != 0;
  if (!(std::isnan(nodata) && integer_type)) {
    for (int b = 1; b <= bands; ++b) {
      if (GDALSetRasterNoDataValue(GDALGetRasterBand(ds, b), nodata) != CE_None) {
        throw IoError(gdal_message("cannot set nodata value"), path.string(),
                      "band " + std::to_string(b));
      }
    }
  }
  return out;
}

GDALRasterBandH GdalRaster::band_handle(int band) const {
  if (ds_ == nullptr)
    throw IoError("raster is closed", path_.string());
  if (band < 1 || band > GDALGetRasterCount(ds_)) {
    throw FormatError("no band " + std::to_string(band) + " (the file has " +
                          std::to_string(GDALGetRasterCount(ds_)) + ")",
                      path_.string());
  }
  return GDALGetRasterBand(ds_, band);
}

int GdalRaster::width() const {
  return ds_ ? GDALGetRasterXSize(ds_) : 0;
}
int GdalRaster::height() const {
  return ds_ ? GDALGetRasterYSize(ds_) : 0;
}
int GdalRaster::band_count() const {
  return ds_ ? GDALGetRasterCount(ds_) : 0;
}

GeoTransform GdalRaster::transform() const {
  if (ds_ == nullptr)
    throw IoError("raster is closed", path_.string());
  double gt[6];
  if (GDALGetGeoTransform(ds_, gt) != CE_None) {
    throw FormatError("raster has no geotransform", path_.string());
  }
  return GeoTransform{gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]};
}

std::string GdalRaster::crs_wkt() const {
  if (ds_ == nullptr)
    return {};
  const char* wkt = GDALGetProjectionRef(ds_);
  return wkt ? std::string(wkt) : std::string();
}

int GdalRaster::epsg() const {
  const std::string wkt = crs_wkt();
  if (wkt.empty())
    return 0;
  OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt.c_str());
  if (srs == nullptr)
    return 0;
  int code = 0;
  // AutoIdentify fills in an authority code PROJ can infer when the WKT lacks one.
  OSRAutoIdentifyEPSG(srs);
  const char* auth = OSRGetAuthorityName(srs, nullptr);
  const char* c = OSRGetAuthorityCode(srs, nullptr);
  if (auth && c && std::string(auth) == "EPSG")
    code = std::atoi(c);
  OSRDestroySpatialReference(srs);
  return code;
}

bool GdalRaster::has_nodata(int band) const {
  int ok = 0;
  GDALGetRasterNoDataValue(band_handle(band), &ok);
  return ok != 0;
}

double GdalRaster::nodata(int band) const {
  int ok = 0;
  const double v = GDALGetRasterNoDataValue(band_handle(band), &ok);
  return ok ? v : std::nan("");
}

GDALDataType GdalRaster::band_type(int band) const {
  return GDALGetRasterDataType(band_handle(band));
}

void GdalRaster::write_band(int band, const float* data) {
  GDALRasterBandH h = band_handle(band);
  CPLErrorReset();
  if (GDALRasterIO(h, GF_Write, 0, 0, width(), height(), const_cast<float*>(data), width(),
                   height(), GDT_Float32, 0, 0) != CE_None) {
    throw IoError(gdal_message("cannot write band"), path_.string(),
                  "band " + std::to_string(band));
  }
}

std::vector<float> GdalRaster::read_window(int band, int col0, int row0, int ncols,
                                           int nrows) const {
  GDALRasterBandH h = band_handle(band);
  std::vector<float> out(static_cast<size_t>(ncols) * static_cast<size_t>(nrows));
  CPLErrorReset();
  if (GDALRasterIO(h, GF_Read, col0, row0, ncols, nrows, out.data(), ncols, nrows, GDT_Float32, 0,
                   0) != CE_None) {
    throw IoError(gdal_message("cannot read band"), path_.string(), "band " + std::to_string(band));
  }
  return out;
}

std::vector<float> GdalRaster::read_band(int band) const {
  return read_window(band, 0, 0, width(), height());
}

std::vector<int> GdalRaster::read_band_int(int band) const {
  GDALRasterBandH h = band_handle(band);
  std::vector<int> out(static_cast<size_t>(width()) * static_cast<size_t>(height()));
  CPLErrorReset();
  if (GDALRasterIO(h, GF_Read, 0, 0, width(), height(), out.data(), width(), height(), GDT_Int32, 0,
                   0) != CE_None) {
    throw IoError(gdal_message("cannot read band"), path_.string(), "band " + std::to_string(band));
  }
  return out;
}

void GdalRaster::read_bands(int first_band, int nbands, int row0, int nrows, float* out) const {
  if (nbands <= 0 || nrows <= 0)
    return;
  band_handle(first_band);
  band_handle(first_band + nbands - 1);
  std::vector<int> bands(static_cast<std::size_t>(nbands));
  for (int k = 0; k < nbands; ++k)
    bands[static_cast<std::size_t>(k)] = first_band + k;
  const int w = width();
  const GSpacing pixel = sizeof(float);
  const GSpacing line = pixel * w;
  const GSpacing band = line * nrows;
  CPLErrorReset();
  if (GDALDatasetRasterIOEx(ds_, GF_Read, 0, row0, w, nrows, out, w, nrows, GDT_Float32, nbands,
                            bands.data(), pixel, line, band, nullptr) != CE_None) {
    throw IoError(gdal_message("cannot read bands"), path_.string(),
                  "bands " + std::to_string(first_band) + ".." +
                      std::to_string(first_band + nbands - 1) + ", rows " + std::to_string(row0) +
                      ".." + std::to_string(row0 + nrows - 1));
  }
}

double GdalRaster::scale(int band) const {
  int ok = 0;
  const double v = GDALGetRasterScale(band_handle(band), &ok);
  return ok ? v : 1.0;
}

double GdalRaster::offset(int band) const {
  int ok = 0;
  const double v = GDALGetRasterOffset(band_handle(band), &ok);
  return ok ? v : 0.0;
}

std::string GdalRaster::band_description(int band) const {
  const char* d = GDALGetDescription(band_handle(band));
  return d ? std::string(d) : std::string();
}

std::string GdalRaster::band_metadata(int band, const std::string& key) const {
  const char* v = GDALGetMetadataItem(band_handle(band), key.c_str(), nullptr);
  return v ? std::string(v) : std::string();
}

std::string GdalRaster::metadata(const std::string& key) const {
  if (ds_ == nullptr)
    return {};
  const char* v = GDALGetMetadataItem(ds_, key.c_str(), nullptr);
  return v ? std::string(v) : std::string();
}

std::vector<std::pair<std::string, std::string>> GdalRaster::subdatasets() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (ds_ == nullptr)
    return out;
  // GDAL lists them as SUBDATASET_<n>_NAME / SUBDATASET_<n>_DESC, n from 1.
  char** md = GDALGetMetadata(ds_, "SUBDATASETS");
  for (int n = 1;; ++n) {
    const std::string key = "SUBDATASET_" + std::to_string(n) + "_";
    const char* name = CSLFetchNameValue(md, (key + "NAME").c_str());
    if (name == nullptr)
      break;
    const char* desc = CSLFetchNameValue(md, (key + "DESC").c_str());
    out.emplace_back(name, desc ? desc : "");
  }
  return out;
}

std::vector<std::filesystem::path> GdalRaster::file_list() const {
  std::vector<std::filesystem::path> out;
  if (ds_ == nullptr)
    return out;
  char** files = GDALGetFileList(ds_);
  for (char** f = files; f != nullptr && *f != nullptr; ++f)
    out.emplace_back(*f);
  CSLDestroy(files);
  return out;
}

void GdalRaster::close() {
  if (ds_ == nullptr)
    return;
  GDALDatasetH ds = std::exchange(ds_, nullptr);
  CPLErrorReset();
  GDALFlushCache(ds);
  const bool flush_failed = CPLGetLastErrorType() >= CE_Failure;
  const std::string msg = gdal_message("cannot flush raster");
  GDALClose(ds);
  if (flush_failed)
    throw IoError(msg, path_.string());
}

}  // namespace tessera::io
