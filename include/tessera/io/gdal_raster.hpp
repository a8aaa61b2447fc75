// RAII over a GDAL raster dataset (GeoTIFF and anything else GDAL reads).
//
// A GdalRaster owns one GDALDatasetH; moving nulls the source; the destructor
// closes quietly (close() reports errors, e.g. a failed flush of a GeoTIFF).
// GDALAllRegister() runs once per process, on first use, except that open()
// tries the GeoTIFF driver alone first (see there). Errors become
// tessera::FormatError (the file is not a raster GDAL can read) or
// tessera::IoError (the file cannot be opened/created/written), naming the
// file and carrying CPLGetLastErrorMsg().
//
// Conventions: bands are 1-based as in GDAL; band buffers are row-major with
// row 0 = the first row of the file (north for a north-up transform).
// Thread safety: one GdalRaster must not be used by two threads at once;
// distinct GdalRaster objects may be used concurrently.
#pragma once

#include <gdal.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace tessera::io {

/// The affine map from pixel (col, row) to georeferenced (x, y), in GDAL's
/// order: x = x0 + col*dx + row*rx ; y = y0 + col*ry + row*dy.
/// (x0, y0) is the outer corner of pixel (0, 0), not its centre.
struct GeoTransform {
  double x0 = 0, dx = 1, rx = 0, y0 = 0, ry = 0, dy = -1;

  /// x of the centre of column `col` (for a transform without rotation).
  double col_centre_x(int col) const { return x0 + (col + 0.5) * dx; }
  /// y of the centre of row `row` (for a transform without rotation).
  double row_centre_y(int row) const { return y0 + (row + 0.5) * dy; }
};

/// Initialises GDAL's drivers once (thread-safe); every wrapper calls it.
void gdal_register_once();
/// Sets up GDAL's error handling once (thread-safe) without registering any
/// driver: enough for CRS calls on WKT text, which use PROJ and no driver.
void gdal_init_once();

class GdalRaster {
 public:
  GdalRaster() = default;
  ~GdalRaster();
  GdalRaster(GdalRaster&& other) noexcept;
  GdalRaster& operator=(GdalRaster&& other) noexcept;
  GdalRaster(const GdalRaster&) = delete;
  GdalRaster& operator=(const GdalRaster&) = delete;

  /// Opens an existing raster read-only. A GeoTIFF is opened with only the
  /// GTiff driver registered, which is the driver GDALAllRegister() would pick
  /// for it anyway: registering every driver touches ~7 MiB of GDAL's code
  /// and data, a tenth of `raster grid`'s peak memory. Anything else falls
  /// back to every driver.
  static GdalRaster open(const std::filesystem::path& path);
  /// Opens any raster dataset GDAL's drivers open read-only: a file name, or a
  /// driver-specific name such as NETCDF:"file.nc":var or /vsizip/... .
  /// Unlike open(), every driver is registered first. A container of several
  /// variables (NetCDF, HDF5) opens with no bands and lists subdatasets();
  /// it is returned as it is, for the caller to pick one.
  static GdalRaster open_any(const std::string& name);
  /// Opens an existing raster for update (e.g. to rewrite a band in place).
  static GdalRaster open_update(const std::filesystem::path& path);
  /// How a new GeoTIFF is laid out and who writes its blocks.
  enum class GeoTiffLayout {
    kLzw,                ///< LZW; 256 x 256 tiles above 1 Mpx, else strips;
                         ///< written through write_band
    kDeflateTilesLater,  ///< DEFLATE, always 256 x 256 tiles, none written
                         ///< (SPARSE_OK): close() leaves them for
                         ///< TiffTileAppender (tiff_tiles.hpp)
  };
  /// Creates a compressed GeoTIFF. `crs_wkt` may be empty (no CRS); `nodata`
  /// is set on every band unless it is NaN and the type is an integer type.
  /// Overwrites an existing file.
  static GdalRaster create_geotiff(const std::filesystem::path& path, int width, int height,
                                   int bands, GDALDataType type, const GeoTransform& transform,
                                   const std::string& crs_wkt, double nodata,
                                   GeoTiffLayout layout = GeoTiffLayout::kLzw);

  int width() const;
  int height() const;
  int band_count() const;
  GeoTransform transform() const;
  /// WKT of the dataset's CRS ("" if it has none).
  std::string crs_wkt() const;
  /// EPSG code of the CRS if GDAL/PROJ can identify one, else 0.
  int epsg() const;
  /// The band's nodata value and whether it has one.
  bool has_nodata(int band) const;
  double nodata(int band) const;
  GDALDataType band_type(int band) const;

  /// Writes a whole band from width()*height() floats (converted to the band type).
  void write_band(int band, const float* data);
  /// Reads a whole band as floats (nodata values are returned as stored).
  std::vector<float> read_band(int band) const;
  /// Reads a whole band as 32-bit integers (for label/cluster maps).
  std::vector<int> read_band_int(int band) const;
  /// Reads the window [col0, col0+ncols) x [row0, row0+nrows) as floats.
  std::vector<float> read_window(int band, int col0, int row0, int ncols, int nrows) const;

  /// Reads bands [first_band, first_band + nbands) of the window
  /// [0, width) x [row0, row0 + nrows) as floats in one call (the driver
  /// reads pixel-interleaved files once for all the bands): band k goes to
  /// out + k * width * nrows. Values are as stored (no nodata, scale or offset).
  void read_bands(int first_band, int nbands, int row0, int nrows, float* out) const;
  /// The band's scale and offset (value = stored * scale + offset; 1 and 0
  /// when the file has none), e.g. NetCDF's scale_factor / add_offset.
  double scale(int band) const;
  double offset(int band) const;
  /// The band's description ("" if none) and one metadata item ("" if none).
  std::string band_description(int band) const;
  std::string band_metadata(int band, const std::string& key) const;
  /// One item of the dataset's default metadata domain ("" if none).
  std::string metadata(const std::string& key) const;
  /// Subdatasets as (name to open, description); empty for a plain raster.
  std::vector<std::pair<std::string, std::string>> subdatasets() const;
  /// The files the dataset reads (GDALGetFileList), e.g. the .nc behind a
  /// NETCDF:"file":var name; empty for a purely virtual dataset.
  std::vector<std::filesystem::path> file_list() const;

  /// Flushes and closes; throws IoError if GDAL reports a failure. Idempotent.
  void close();
  bool is_open() const noexcept { return ds_ != nullptr; }
  const std::filesystem::path& path() const noexcept { return path_; }
  /// The raw handle, for GDAL calls this wrapper does not cover (e.g. warping).
  GDALDatasetH handle() const noexcept { return ds_; }

 private:
  GdalRaster(GDALDatasetH ds, std::filesystem::path path) : ds_(ds), path_(std::move(path)) {}
  GDALRasterBandH band_handle(int band) const;
  GDALDatasetH ds_ = nullptr;
  std::filesystem::path path_;
};

/// "message" + ": " + CPLGetLastErrorMsg() (or just message if GDAL has none).
std::string gdal_message(const std::string& message);

}  // namespace tessera::io
