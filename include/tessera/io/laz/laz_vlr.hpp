// The laszip VLR (user "laszip encoded", record 22204) of a LAZ file: how
// its point records are compressed. Layout (LASzip specification, "LASzip
// VLR"), little-endian:
//   u16 compressor (0 none, 1 point-wise, 2 point-wise chunked, 3 layered
//   chunked), u16 coder (0 arithmetic), u8 version major, u8 minor,
//   u16 revision, u32 options, u32 chunk size (points per chunk;
//   0xFFFFFFFF: variable, sizes in the chunk table), i64 number and i64
//   offset of special EVLRs (-1: none), u16 item count, then per item
//   u16 type, u16 size, u16 version.
// A record is the concatenation of its items in order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/io/las_format.hpp"

namespace tessera::io::laz {

enum class ItemType : std::uint16_t {
  kByte = 0,
  kShort = 1,
  kInt = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kPoint10 = 6,
  kGpsTime11 = 7,
  kRgb12 = 8,
  kWavepacket13 = 9,
  kPoint14 = 10,
  kRgb14 = 11,
  kRgbNir14 = 12,
  kWavepacket14 = 13,
  kByte14 = 14,
};
/// "POINT10", "GPSTIME11", ...; "type <n>" when unknown.
std::string item_name(std::uint16_t type);
/// "point-wise chunked" etc.; "<n>" when unknown.
std::string compressor_name(std::uint16_t compressor);

inline constexpr std::uint16_t kCompressorPointwise = 1;
inline constexpr std::uint16_t kCompressorPointwiseChunked = 2;
inline constexpr std::uint16_t kCompressorLayeredChunked = 3;
inline constexpr std::uint32_t kVariableChunks = 0xFFFFFFFFu;
inline constexpr std::uint16_t kLaszipRecordId = 22204;
inline constexpr const char* kLaszipUserId = "laszip encoded";

struct Item {
  std::uint16_t type = 0;
  std::uint16_t size = 0;
  std::uint16_t version = 0;
};

struct LaszipVlr {
  std::uint16_t compressor = kCompressorPointwiseChunked;
  std::uint16_t coder = 0;
  std::uint8_t version_major = 2;
  std::uint8_t version_minor = 2;
  std::uint16_t revision = 0;
  std::uint32_t options = 0;
  std::uint32_t chunk_size = 50000;
  std::int64_t special_evlr_count = -1;
  std::int64_t special_evlr_offset = -1;
  std::vector<Item> items;

  bool variable_chunks() const { return chunk_size == kVariableChunks; }
  /// Bytes of one record: the sum of the item sizes.
  int record_length() const;
};

/// Parses the VLR payload; FormatError naming `file` if it is malformed.
LaszipVlr parse_laszip_vlr(const std::vector<std::uint8_t>& data, const std::string& file);
/// The VLR payload of `v` (for writers).
std::vector<std::uint8_t> encode_laszip_vlr(const LaszipVlr& v);
/// The laszip VLR Tessera writes for point format `format` (0-5) with
/// `extra` extra bytes: compressor 2, items POINT10 [GPSTIME11] [RGB12] v2
/// [WAVEPACKET13 v1] [BYTE v2], as LASzip writes them.
LaszipVlr pointwise_vlr(int format, int extra, std::uint32_t chunk_size);

/// The laszip VLR Tessera writes for point format `format` (6-10) with
/// `extra` extra bytes: compressor 3, items POINT14 [RGB14|RGBNIR14]
/// [WAVEPACKET14] [BYTE14] v3.
LaszipVlr layered_vlr(int format, int extra, std::uint32_t chunk_size);

/// Throws FormatError naming `file` and what is refused unless Tessera can
/// decode the points: the arithmetic coder and either compressor 2 with
/// items POINT10 v2 then GPSTIME11 v2 / RGB12 v2 / WAVEPACKET13 v1 as point
/// format `format` (0-5) has them, then at most one BYTE v2; or compressor
/// 3 with items POINT14 v3 then RGB14 v3 (format 7) or RGBNIR14 v3
/// (formats 8, 10), WAVEPACKET14 v3 (formats 9, 10), then at most one
/// BYTE14 v3 (formats 6-10); the sizes adding up to `record_length`.
void require_decodable(const LaszipVlr& v, int format, int record_length, const std::string& file);

}  // namespace tessera::io::laz
