// A float32 GeoTIFF written from bands held on every rank (private to
// src/tiles; the DoD's output).
//
// Compression is the costly part of a GeoTIFF write (0.13 s of the medium
// DoD's 0.16 s write on one core), and GDAL does it in the one process
// that writes. Here each rank compresses its own band's tiles
// (io::deflate_float32_tiles) while rank 0 has GDAL create the file —
// geotransform, CRS, NaN nodata, 256 x 256 DEFLATE tiles, none written —
// then rank 0 appends every band's tiles in row order with libtiff
// (io::TiffTileAppender), receiving the other ranks' compressed bytes (a
// third of the floats, an eighth of the doubles that a gather would move).
// The file's bytes are the same at any rank count: tiles are compressed one
// by one and appended in tile order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "tessera/core/mpi.hpp"
#include "tessera/io/gdal_raster.hpp"

namespace tessera::tiles::detail {

/// What rank 0 writes (read on rank 0 only).
struct GeoTiffTarget {
  std::filesystem::path path;  ///< created or overwritten (use a temporary name)
  io::GeoTransform transform;
  std::string crs_wkt;  ///< "" for none
};

/// Collective. Writes a `width` x `height` raster, of which this rank holds
/// rows [first_row, first_row + band.size() / width) as doubles (stored as
/// float32), to `target` on rank 0. Bands start at multiples of 256 rows,
/// may be empty, and together cover every row once (std::logic_error,
/// on every rank, otherwise). Every rank throws the same CollectiveError if
/// any rank fails while the file is made (no rank is left waiting); the
/// file is then incomplete and must not be committed.
void write_banded_geotiff(const Comm& comm, const GeoTiffTarget& target, int width, int height,
                          std::int64_t first_row, std::span<const double> band);

}  // namespace tessera::tiles::detail
