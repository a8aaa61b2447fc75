// The laszip VLR; see include/tessera/io/laz/laz_vlr.hpp.
#include "tessera/io/laz/laz_vlr.hpp"

#include <cstring>

#include "tessera/core/error.hpp"

namespace tessera::io::laz {

namespace {

template <typename T>
T get(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename T>
void put(std::vector<std::uint8_t>& out, std::size_t& at, T v) {
  std::memcpy(out.data() + at, &v, sizeof v);
  at += sizeof v;
}

constexpr const char* kObject = "VLR laszip encoded/22204";

}  // namespace

std::string item_name(std::uint16_t type) {
  static const char* const names[] = {"BYTE",     "SHORT",        "INT",     "LONG",
                                      "FLOAT",    "DOUBLE",       "POINT10", "GPSTIME11",
                                      "RGB12",    "WAVEPACKET13", "POINT14", "RGB14",
                                      "RGBNIR14", "WAVEPACKET14", "BYTE14"};
  if (type < sizeof names / sizeof names[0])
    return names[type];
  return "type " + std::to_string(type);
}

std::string compressor_name(std::uint16_t compressor) {
  switch (compressor) {
    case 0:
      return "0 (none)";
    case 1:
      return "1 (point-wise)";
    case 2:
      return "2 (point-wise chunked)";
    case 3:
      return "3 (layered chunked)";
    default:
      return std::to_string(compressor) + " (unknown)";
  }
}

int LaszipVlr::record_length() const {
  int n = 0;
  for (const Item& i : items)
    n += i.size;
  return n;
}

LaszipVlr parse_laszip_vlr(const std::vector<std::uint8_t>& data, const std::string& file) {
  if (data.size() < 34) {
    throw FormatError("LAZ: laszip VLR of " + std::to_string(data.size()) +
                          " bytes is too short (34 bytes at least)",
                      file, kObject);
  }
  const std::uint8_t* p = data.data();
  LaszipVlr v;
  v.compressor = get<std::uint16_t>(p);
  v.coder = get<std::uint16_t>(p + 2);
  v.version_major = p[4];
  v.version_minor = p[5];
  v.revision = get<std::uint16_t>(p + 6);
  v.options = get<std::uint32_t>(p + 8);
  v.chunk_size = get<std::uint32_t>(p + 12);
  v.special_evlr_count = get<std::int64_t>(p + 16);
  v.special_evlr_offset = get<std::int64_t>(p + 24);
  const std::uint16_t n = get<std::uint16_t>(p + 32);
  if (data.size() != 34 + 6 * std::size_t{n}) {
    throw FormatError("LAZ: laszip VLR lists " + std::to_string(n) + " items but holds " +
                          std::to_string(data.size()) + " bytes (expected " +
                          std::to_string(34 + 6 * n) + ")",
                      file, kObject);
  }
  for (std::uint16_t i = 0; i < n; ++i) {
    const std::uint8_t* q = p + 34 + 6 * i;
    v.items.push_back(
        {get<std::uint16_t>(q), get<std::uint16_t>(q + 2), get<std::uint16_t>(q + 4)});
  }
  return v;
}

std::vector<std::uint8_t> encode_laszip_vlr(const LaszipVlr& v) {
  std::vector<std::uint8_t> out(34 + 6 * v.items.size());
  std::size_t at = 0;
  put(out, at, v.compressor);
  put(out, at, v.coder);
  put(out, at, v.version_major);
  put(out, at, v.version_minor);
  put(out, at, v.revision);
  put(out, at, v.options);
  put(out, at, v.chunk_size);
  put(out, at, v.special_evlr_count);
  put(out, at, v.special_evlr_offset);
  put(out, at, static_cast<std::uint16_t>(v.items.size()));
  for (const Item& i : v.items) {
    put(out, at, i.type);
    put(out, at, i.size);
    put(out, at, i.version);
  }
  return out;
}

LaszipVlr pointwise_vlr(int format, int extra, std::uint32_t chunk_size) {
  LaszipVlr v;
  v.chunk_size = chunk_size;
  v.items.push_back({static_cast<std::uint16_t>(ItemType::kPoint10), 20, 2});
  if (format == 1 || format >= 3)
    v.items.push_back({static_cast<std::uint16_t>(ItemType::kGpsTime11), 8, 2});
  if (format == 2 || format == 3 || format == 5)
    v.items.push_back({static_cast<std::uint16_t>(ItemType::kRgb12), 6, 2});
  // WAVEPACKET13 has no version 2: LASzip writes version 1 under compressor 2.
  if (format == 4 || format == 5)
    v.items.push_back({static_cast<std::uint16_t>(ItemType::kWavepacket13), 29, 1});
  if (extra > 0)
    v.items.push_back(
        {static_cast<std::uint16_t>(ItemType::kByte), static_cast<std::uint16_t>(extra), 2});
  return v;
}

namespace {

/// What follows a point format's own items: at most one item of `type`,
/// and the item version every item must have.
struct ItemRule {
  ItemType byte_item;
  int version;
  const char* decoded;  ///< "version 2", ... for the message
};

/// The version an item must have: the rule's, but WAVEPACKET13, which has
/// only version 1 (LASzip writes it so beside version-2 items); POINT10 is
/// also decoded in version 1 (LASzip 1.x, compressor 1 files).
bool version_decoded(const Item& it, const ItemRule& rule) {
  if (it.type == static_cast<std::uint16_t>(ItemType::kWavepacket13))
    return it.version == 1;
  if (it.type == static_cast<std::uint16_t>(ItemType::kPoint10) && rule.version == 2)
    return it.version == 1 || it.version == 2;
  return it.version == rule.version;
}

/// The laszip VLR's items are `want` in order, of the standard `sizes`
/// (indexed by item type), then at most one byte item, all of one version.
template <class Refuse, std::size_t N>
void require_items(const LaszipVlr& v, int format, const std::vector<ItemType>& want,
                   const ItemRule& rule, const int (&sizes)[N], const Refuse& refuse) {
  const std::string byte_name = item_name(static_cast<std::uint16_t>(rule.byte_item));
  for (std::size_t i = 0; i < v.items.size(); ++i) {
    const Item& it = v.items[i];
    const std::string name = item_name(it.type) + " version " + std::to_string(it.version);
    const bool standard = i < want.size();
    if (standard && it.type != static_cast<std::uint16_t>(want[i])) {
      refuse("item " + std::to_string(i) + " is " + item_name(it.type) + " where point format " +
             std::to_string(format) + " needs " + item_name(static_cast<std::uint16_t>(want[i])));
    }
    if (!standard && (it.type != static_cast<std::uint16_t>(rule.byte_item) || i != want.size())) {
      refuse("item " + name + " after the point's fields is not supported (one " + byte_name +
             " item is)");
    }
    if (!version_decoded(it, rule)) {
      refuse("item " + name + " is not supported (Tessera decodes " +
             (it.type == static_cast<std::uint16_t>(ItemType::kWavepacket13) ? "version 1"
                                                                             : rule.decoded) +
             ")");
    }
    if (standard && (it.type >= N || it.size != sizes[it.type]))
      refuse("item " + item_name(it.type) + " of " + std::to_string(it.size) + " bytes (expected " +
             std::to_string(it.type < N ? sizes[it.type] : 0) + ")");
    if (!standard && it.size == 0)
      refuse(byte_name + " item of 0 bytes");
  }
  if (v.items.size() < want.size()) {
    refuse("point format " + std::to_string(format) + " needs " + std::to_string(want.size()) +
           " items but the laszip VLR lists " + std::to_string(v.items.size()));
  }
}

/// Compressor 3: POINT14 then RGB14 (format 7) or RGBNIR14 (formats 8, 10),
/// then WAVEPACKET14 (formats 9, 10), then at most one BYTE14, all version 3.
void require_layered(const LaszipVlr& v, int format, const std::string& file) {
  auto refuse = [&](const std::string& what) { throw FormatError("LAZ: " + what, file, kObject); };
  if (format < 6 || format > 10) {
    refuse("point format " + std::to_string(format) +
           " with compressor 3 is not supported (Tessera decodes formats 6-10)");
  }
  std::vector<ItemType> want = {ItemType::kPoint14};
  if (format == 7)
    want.push_back(ItemType::kRgb14);
  if (format == 8 || format == 10)
    want.push_back(ItemType::kRgbNir14);
  if (format == 9 || format == 10)
    want.push_back(ItemType::kWavepacket14);
  // Standard sizes by item type (LASzip's item list, in the LAZ specification).
  static const int sizes[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 6, 8, 29, 0};
  require_items(v, format, want, {ItemType::kByte14, 3, "version 3 with compressor 3"}, sizes,
                refuse);
}

}  // namespace

LaszipVlr layered_vlr(int format, int extra, std::uint32_t chunk_size) {
  LaszipVlr v;
  v.compressor = kCompressorLayeredChunked;
  v.version_major = 3;
  v.version_minor = 4;
  v.revision = 3;
  v.chunk_size = chunk_size;
  v.items.push_back({static_cast<std::uint16_t>(ItemType::kPoint14), 30, 3});
  if (format == 7)
    v.items.push_back({static_cast<std::uint16_t>(ItemType::kRgb14), 6, 3});
  if (format == 8 || format == 10)
    v.items.push_back({static_cast<std::uint16_t>(ItemType::kRgbNir14), 8, 3});
  if (format == 9 || format == 10)
    v.items.push_back({static_cast<std::uint16_t>(ItemType::kWavepacket14), 29, 3});
  if (extra > 0)
    v.items.push_back(
        {static_cast<std::uint16_t>(ItemType::kByte14), static_cast<std::uint16_t>(extra), 3});
  return v;
}

void require_decodable(const LaszipVlr& v, int format, int record_length, const std::string& file) {
  auto refuse = [&](const std::string& what) { throw FormatError("LAZ: " + what, file, kObject); };
  if (v.compressor != kCompressorPointwise && v.compressor != kCompressorPointwiseChunked &&
      v.compressor != kCompressorLayeredChunked) {
    refuse("compressor " + compressor_name(v.compressor) +
           " is not supported (Tessera decodes compressors 1, point-wise, 2, point-wise chunked, "
           "and 3, layered chunked)");
  }
  if (v.coder != 0)
    refuse("coder " + std::to_string(v.coder) + " is not supported (0, arithmetic, is)");
  if (v.chunk_size == 0)
    refuse("chunk size 0");
  if (v.compressor == kCompressorLayeredChunked) {
    require_layered(v, format, file);
    if (v.record_length() != record_length) {
      refuse("items add up to " + std::to_string(v.record_length()) +
             " bytes but the header's record length is " + std::to_string(record_length));
    }
    return;
  }
  if (format < 0 || format > 5) {
    refuse("point format " + std::to_string(format) + " with compressor " +
           std::to_string(v.compressor) + " is not supported (Tessera decodes formats 0-5)");
  }
  // The items each format has, in record order (LAS Tables 7-12).
  std::vector<ItemType> want = {ItemType::kPoint10};
  if (format == 1 || format >= 3)
    want.push_back(ItemType::kGpsTime11);
  if (format == 2 || format == 3 || format == 5)
    want.push_back(ItemType::kRgb12);
  if (format == 4 || format == 5)
    want.push_back(ItemType::kWavepacket13);
  static const int sizes[] = {1, 2, 4, 8, 4, 8, 20, 8, 6, 29};
  require_items(v, format, want, {ItemType::kByte, 2, "version 2"}, sizes, refuse);
  if (v.record_length() != record_length) {
    refuse("items add up to " + std::to_string(v.record_length()) +
           " bytes but the header's record length is " + std::to_string(record_length));
  }
}

}  // namespace tessera::io::laz
