// One lidar point as the tiles pipeline moves and processes it.
//
// A fixed-size, trivially copyable record, so points travel between ranks as
// bytes (MPI_Alltoallv of a contiguous type) and a tile's points can be
// handed to the KD-tree as strided doubles (x, y, z come first).
#pragma once

#include <cstdint>
#include <type_traits>

#include "tessera/io/las_point_record.hpp"

namespace tessera::tiles {

struct TilePoint {
  double x = 0, y = 0, z = 0;
  double gps_time = 0;
  std::uint64_t id = 0;    ///< record index in its input file: the global order
  std::int32_t tile = -1;  ///< destination tile while moving between ranks
  std::uint16_t intensity = 0;
  std::uint8_t classification = 0;
  std::uint8_t returns = 0x11;  ///< return number (low 4 bits) | number of returns (high 4)
};

static_assert(std::is_trivially_copyable_v<TilePoint>);
static_assert(sizeof(TilePoint) == 48);
/// Doubles per TilePoint, the stride for KdTree.
inline constexpr std::size_t kTilePointStride = sizeof(TilePoint) / sizeof(double);

/// Orders points by tile, then by global id (the order every output uses).
inline bool tile_then_id(const TilePoint& a, const TilePoint& b) {
  return a.tile != b.tile ? a.tile < b.tile : a.id < b.id;
}

/// Every field of `p` but `tile` (left to the caller) from one record.
inline void decode_point(const io::LasPointDecoder& dec, const std::uint8_t* rec, std::uint64_t id,
                         TilePoint& p) {
  p.x = dec.x(rec);
  p.y = dec.y(rec);
  p.z = dec.z(rec);
  p.id = id;
  p.intensity = dec.intensity(rec);
  p.classification = dec.class_of(rec);
  p.returns = dec.returns(rec);
  p.gps_time = dec.gps_time(rec);
}

/// `p` as a format-6 record (30 bytes) with `h`'s scale and offset.
inline void encode_point6(const TilePoint& p, const io::LasHeader& h, std::uint8_t* rec) {
  io::encode_point6({p.x, p.y, p.z, p.intensity, p.returns, p.classification, p.gps_time}, h, rec);
}

}  // namespace tessera::tiles
