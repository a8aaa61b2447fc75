// GeoTIFF tiles compressed apart and appended; see tiff_tiles.hpp.
#include "tessera/io/tiff_tiles.hpp"

#include <libdeflate.h>
#include <omp.h>
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <memory>

#include "tessera/core/error.hpp"

namespace tessera::io {

namespace {

struct CompressorFree {
  void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
};

/// Compresses tile `k` of a band `width` wide and `nrows` high into `out`,
/// through the thread's `tile` and `scratch` (the compression bound, the
/// size of the raw tile: kept per tile it would hold a raster's worth).
void deflate_tile(libdeflate_compressor* z, std::span<const double> rows, int width, int nrows,
                  int k, float fill, std::vector<float>& tile, std::vector<std::uint8_t>& scratch,
                  std::vector<std::uint8_t>& out) {
  constexpr int kT = kGeoTiffTile;
  const int across = tiles_across(width);
  const int row0 = k / across * kT, col0 = k % across * kT;
  const int h = std::min(kT, nrows - row0), w = std::min(kT, width - col0);
  std::fill(tile.begin(), tile.end(), fill);
  for (int r = 0; r < h; ++r) {
    const double* src = rows.data() + static_cast<std::size_t>(row0 + r) * width + col0;
    float* dst = tile.data() + static_cast<std::size_t>(r) * kT;
    for (int c = 0; c < w; ++c)
      dst[c] = static_cast<float>(src[c]);
  }
  const std::size_t raw = tile.size() * sizeof(float);
  scratch.resize(libdeflate_zlib_compress_bound(z, raw));
  const std::size_t n =
      libdeflate_zlib_compress(z, tile.data(), raw, scratch.data(), scratch.size());
  if (n == 0)
    throw IoError("libdeflate could not compress a GeoTIFF tile (" + std::to_string(raw) +
                  " bytes into " + std::to_string(scratch.size()) + ")");
  out.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
}

// libtiff reports through callbacks; keep the last error for the exception
// and drop warnings (it warns about GDAL's and GeoTIFF's private tags, which
// it keeps and rewrites all the same).
int keep_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  char text[512];
  std::vsnprintf(text, sizeof text, fmt, ap);
  auto* error = static_cast<std::string*>(user);
  *error = (module != nullptr ? std::string(module) + ": " : std::string()) + text;
  return 1;
}
int drop_warning(TIFF*, void*, const char*, const char*, va_list) {
  return 1;
}

}  // namespace

CompressedTiles deflate_float32_tiles(std::span<const double> rows, int width, float fill) {
  if (width <= 0 || rows.size() % static_cast<std::size_t>(width) != 0)
    throw std::logic_error("deflate_float32_tiles: rows are not whole rows of the width");
  const auto nrows = static_cast<int>(rows.size() / static_cast<std::size_t>(width));
  const int across = tiles_across(width);
  const int count = across * ((nrows + kGeoTiffTile - 1) / kGeoTiffTile);
  std::vector<std::vector<std::uint8_t>> each(static_cast<std::size_t>(count));
  std::exception_ptr failed;
#pragma omp parallel
  {
    // Each thread's compressor and tile, made in the loop's try: nothing
    // may throw out of the parallel region.
    std::unique_ptr<libdeflate_compressor, CompressorFree> z;
    std::vector<float> tile;
    std::vector<std::uint8_t> scratch;
#pragma omp for schedule(dynamic)
    for (int k = 0; k < count; ++k) {
      try {
        if (!z)
          z.reset(libdeflate_alloc_compressor(1));
        if (!z)
          throw IoError("libdeflate could not allocate a compressor");
        tile.resize(static_cast<std::size_t>(kGeoTiffTile) * kGeoTiffTile);
        deflate_tile(z.get(), rows, width, nrows, k, fill, tile, scratch,
                     each[static_cast<std::size_t>(k)]);
      } catch (...) {
#pragma omp critical(tessera_deflate_tiles)
        if (!failed)
          failed = std::current_exception();
      }
    }
  }
  if (failed)
    std::rethrow_exception(failed);
  CompressedTiles out;
  std::size_t total = 0;
  for (const auto& t : each)
    total += t.size();
  out.bytes.reserve(total);
  out.sizes.reserve(each.size());
  for (auto& t : each) {
    out.bytes.insert(out.bytes.end(), t.begin(), t.end());
    out.sizes.push_back(t.size());
    std::vector<std::uint8_t>().swap(t);
  }
  return out;
}

TiffTileAppender::TiffTileAppender(const std::filesystem::path& path) : path_(path) {
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  if (opts == nullptr)
    throw IoError("libtiff could not allocate its open options", path.string());
  TIFFOpenOptionsSetErrorHandlerExtR(opts, keep_error, &error_);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, drop_warning, nullptr);
  tif_ = TIFFOpenExt(path.c_str(), "r+", opts);
  TIFFOpenOptionsFree(opts);
  if (tif_ == nullptr)
    fail("cannot open the GeoTIFF to append its tiles");
  std::uint32_t tw = 0, th = 0;
  std::uint16_t bits = 0, samples = 1, format = SAMPLEFORMAT_UINT, compression = 0, predictor = 1;
  std::uint16_t planar = PLANARCONFIG_CONTIG;
  TIFFGetField(tif_, TIFFTAG_TILEWIDTH, &tw);
  TIFFGetField(tif_, TIFFTAG_TILELENGTH, &th);
  TIFFGetFieldDefaulted(tif_, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif_, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif_, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif_, TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tif_, TIFFTAG_PLANARCONFIG, &planar);
  // The predictor tag is the codec's: known only when the codec is.
  TIFFGetField(tif_, TIFFTAG_PREDICTOR, &predictor);
  std::string wrong;
  if (TIFFIsTiled(tif_) == 0 || tw != kGeoTiffTile || th != kGeoTiffTile)
    wrong = "not tiled in 256 x 256 tiles";
  else if (bits != 32 || samples != 1 || format != SAMPLEFORMAT_IEEEFP)
    wrong = "not one float32 sample per pixel";
  else if (compression != COMPRESSION_ADOBE_DEFLATE || predictor != PREDICTOR_NONE)
    wrong = "not DEFLATE (compression 8) without a predictor";
  else if (planar != PLANARCONFIG_CONTIG && samples > 1)
    wrong = "not pixel-interleaved";
  else if (TIFFIsByteSwapped(tif_) != 0)
    wrong = "not in this machine's byte order";
  if (!wrong.empty()) {
    TIFFClose(tif_);
    tif_ = nullptr;
    throw FormatError("cannot append compressed tiles: the file is " + wrong, path.string());
  }
  tiles_ = TIFFNumberOfTiles(tif_);
}

TiffTileAppender::~TiffTileAppender() {
  if (tif_ != nullptr)
    TIFFClose(tif_);
}

void TiffTileAppender::fail(const std::string& what) const {
  throw IoError(error_.empty() ? what : what + ": " + error_, path_.string());
}

void TiffTileAppender::write(std::uint32_t tile, const std::uint8_t* bytes, std::size_t size) {
  if (tif_ == nullptr)
    throw IoError("the GeoTIFF is closed", path_.string());
  if (tile >= tiles_)
    throw std::logic_error("TiffTileAppender: tile " + std::to_string(tile) + " of " +
                           std::to_string(tiles_));
  // libtiff's raw writer takes a non-const buffer but only reads it.
  const auto n = static_cast<tmsize_t>(size);
  if (TIFFWriteRawTile(tif_, tile, const_cast<std::uint8_t*>(bytes), n) != n)
    fail("cannot write tile " + std::to_string(tile));
}

void TiffTileAppender::write(std::uint32_t first_tile, const CompressedTiles& tiles) {
  std::size_t at = 0;
  for (std::size_t k = 0; k < tiles.sizes.size(); ++k) {
    write(first_tile + static_cast<std::uint32_t>(k), tiles.bytes.data() + at, tiles.sizes[k]);
    at += tiles.sizes[k];
  }
}

void TiffTileAppender::close() {
  if (tif_ == nullptr)
    return;
  const int flushed = TIFFFlush(tif_);
  TIFFClose(tif_);
  tif_ = nullptr;
  if (flushed != 1)
    fail("cannot write the GeoTIFF's tile index");
}

}  // namespace tessera::io
