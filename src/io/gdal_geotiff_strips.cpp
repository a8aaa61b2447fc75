// Direct strip reads of uncompressed GeoTIFFs; see include/tessera/io/gdal_geotiff_strips.hpp.
#include <cpl_string.h>
#include <fcntl.h>
#include <gdal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/io/gdal_geotiff_strips.hpp"

namespace tessera::io {

namespace {

/// A "TIFF" metadata item of a band as an integer (-1 if absent).
long long tiff_item(GDALRasterBandH band, const std::string& key) {
  const char* v = GDALGetMetadataItem(band, key.c_str(), "TIFF");
  return v != nullptr ? std::strtoll(v, nullptr, 10) : -1;
}

}  // namespace

GeoTiffStrips::GeoTiffStrips(const GdalRaster& ds) : ds_(ds) {
  GDALDatasetH h = ds.handle();
  if (h == nullptr || ds.band_count() < 1)
    return;
  GDALDriverH drv = GDALGetDatasetDriver(h);
  if (drv == nullptr || std::strcmp(GDALGetDriverShortName(drv), "GTiff") != 0)
    return;
  if (GDALGetMetadataItem(h, "COMPRESSION", "IMAGE_STRUCTURE") != nullptr)
    return;
  const char* interleave = GDALGetMetadataItem(h, "INTERLEAVE", "IMAGE_STRUCTURE");
  if (ds.band_count() > 1 && (interleave == nullptr || std::strcmp(interleave, "BAND") != 0))
    return;
  for (int b = 1; b <= ds.band_count(); ++b) {
    GDALRasterBandH band = GDALGetRasterBand(h, b);
    int bx = 0, by = 0;
    GDALGetBlockSize(band, &bx, &by);
    if (GDALGetRasterDataType(band) != GDT_Float32 || bx != ds.width() ||
        (rows_per_strip_ != 0 && by != rows_per_strip_))
      return;
    rows_per_strip_ = by;
  }
  const int fd = ::open(GDALGetDescription(h), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  // Little-endian TIFF ("II") on a little-endian host: floats as stored.
  char order[2] = {0, 0};
  const std::uint16_t one = 1;
  const bool host_little = *reinterpret_cast<const unsigned char*>(&one) == 1;
  if (::pread(fd, order, 2, 0) != 2 || order[0] != 'I' || order[1] != 'I' || !host_little) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

GeoTiffStrips::~GeoTiffStrips() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool GeoTiffStrips::read_rows(int band, int row0, int nrows, float* out) const {
  if (fd_ < 0 || nrows <= 0)
    return nrows <= 0;
  GDALRasterBandH h = GDALGetRasterBand(ds_.handle(), band);
  const long long row_bytes = static_cast<long long>(ds_.width()) * 4;
  const int s0 = row0 / rows_per_strip_, s1 = (row0 + nrows - 1) / rows_per_strip_;
  // Where each strip's part of the window is; strips that follow each other
  // in the file are merged into one read (writers need not store a band's
  // strips in order: GDAL writing band by band interleaves them).
  struct Run {
    long long pos, bytes;
    char* dst;
  };
  std::vector<Run> runs;
  auto* base = reinterpret_cast<char*>(out);
  for (int s = s0; s <= s1; ++s) {
    const std::string k = "0_" + std::to_string(s);
    const long long off = tiff_item(h, "BLOCK_OFFSET_" + k);
    const long long size = tiff_item(h, "BLOCK_SIZE_" + k);
    const int first = s * rows_per_strip_;
    const int rows = std::min(rows_per_strip_, ds_.height() - first);
    if (off <= 0 || size != rows * row_bytes)
      return false;  // sparse (never written) or not the plain layout
    const int r0 = std::max(row0, first), r1 = std::min(row0 + nrows, first + rows);
    const Run run{off + (r0 - first) * row_bytes, (r1 - r0) * row_bytes,
                  base + (r0 - row0) * row_bytes};
    if (!runs.empty() && runs.back().pos + runs.back().bytes == run.pos)
      runs.back().bytes += run.bytes;
    else
      runs.push_back(run);
  }
  for (const Run& run : runs) {
    char* dst = run.dst;
    long long pos = run.pos, left = run.bytes;
    while (left > 0) {
      const ssize_t got = ::pread(fd_, dst, static_cast<std::size_t>(left), pos);
      if (got <= 0) {
        throw IoError(got == 0 ? std::string("unexpected end of file") : std::strerror(errno),
                      ds_.path().string(), "band " + std::to_string(band));
      }
      dst += got;
      pos += got;
      left -= got;
    }
  }
  return true;
}

}  // namespace tessera::io
