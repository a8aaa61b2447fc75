// Tiles of a float32 GeoTIFF compressed apart from the file, then appended.
//
// GDAL compresses and writes a GeoTIFF's blocks in one process. A raster
// formed in bands on many ranks can instead be compressed where each band
// is, in parallel, and only the compressed tiles sent to the one writer:
//   1. GDAL creates the file — geotransform, CRS, nodata, 256 x 256 tiles,
//      DEFLATE — with no tile written (GeoTiffLayout::kDeflateTilesLater);
//   2. each band of whole tile rows is cut into tiles and compressed
//      (deflate_float32_tiles);
//   3. TiffTileAppender opens the file with libtiff and appends the tiles'
//      bytes in tile order (TIFFWriteRawTile), which fills the TileOffsets
//      and TileByteCounts GDAL left at zero.
// The bytes depend only on the raster, never on how it was banded: each
// tile is compressed alone, and the tiles are appended in the same order.
//
// Format facts (TIFF 6.0 §15 "Tiled images"; Adobe's TIFF technical note 2
// for Compression = 8 "Adobe Deflate": the tile is a zlib stream, RFC 1950
// around RFC 1951 DEFLATE). Tiles at the right and bottom edges are full
// tiles; the part outside the image is padding, which readers ignore.
// Tile t covers tile row t / tiles_across, tile column t % tiles_across.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

struct tiff;  // libtiff's TIFF

namespace tessera::io {

/// The tile edge of GeoTIFFs whose tiles are compressed apart (pixels).
inline constexpr int kGeoTiffTile = 256;

/// Tiles across a raster `width` pixels wide.
inline int tiles_across(int width) {
  return (width + kGeoTiffTile - 1) / kGeoTiffTile;
}

/// Compressed tiles, in tile order: tile k is bytes[offset(k), offset(k) + sizes[k]).
struct CompressedTiles {
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint64_t> sizes;
};

/// Cuts `rows` (row-major doubles, `width` per row; a whole number of tile
/// rows, or the raster's last tile row, which may be shorter) into 256 x 256
/// tiles of float32 in the host's byte order, padded with `fill`, and
/// compresses each with libdeflate at level 1 into a zlib stream (TIFF
/// compression 8). Level 1: GDAL's own DEFLATE at ZLEVEL=1 uses the same
/// library and level, so the tiles are what GDAL would write; zlib's level
/// 1 took 3 times as long on the medium DoD for an 8 % larger file. Tiles
/// are compressed on the calling rank's OpenMP threads (the bytes do not
/// depend on the thread count). Throws IoError when libdeflate fails.
CompressedTiles deflate_float32_tiles(std::span<const double> rows, int width, float fill);

/// Appends compressed tiles to a tiled GeoTIFF that has none yet. Opening
/// checks what the tiles assume — 256 x 256 tiles, one float32 sample per
/// pixel, compression 8 without a predictor, the host's byte order — and
/// throws FormatError naming the file otherwise.
class TiffTileAppender {
 public:
  explicit TiffTileAppender(const std::filesystem::path& path);
  ~TiffTileAppender();
  TiffTileAppender(const TiffTileAppender&) = delete;
  TiffTileAppender& operator=(const TiffTileAppender&) = delete;

  /// The number of tiles in the file.
  std::uint32_t tile_count() const noexcept { return tiles_; }
  /// Appends tile `tile`'s compressed bytes. Throws IoError (e.g. disk full).
  void write(std::uint32_t tile, const std::uint8_t* bytes, std::size_t size);
  /// Appends `tiles` as tiles first_tile, first_tile + 1, ...
  void write(std::uint32_t first_tile, const CompressedTiles& tiles);
  /// Writes the directory and closes; throws IoError. Idempotent.
  void close();

 private:
  [[noreturn]] void fail(const std::string& what) const;
  tiff* tif_ = nullptr;
  std::filesystem::path path_;
  std::uint32_t tiles_ = 0;
  std::string error_;  ///< libtiff's last error message for this file
};

}  // namespace tessera::io
