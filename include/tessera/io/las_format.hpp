// The LAS point-cloud format (ASPRS LAS 1.2–1.4): header, VLRs, point record
// layouts and the extra-bytes descriptor. Pure data + byte coding, no files.
//
// Byte positions follow the ASPRS LAS 1.4 R15 specification, Table 3 (public
// header block), Table 5 (VLR header, 54 bytes), Tables 7–17 (point data
// record formats 0–10) and Table 24 (extra-bytes descriptor, 192 bytes).
// All values are little-endian; Tessera only builds on little-endian hosts.
//
// Coordinates are stored as int32 and mean `int * scale + offset`.
// Supported point formats: every one of LAS 1.4, 0–10. Formats 4, 5, 9 and 10
// end in a 29-byte wave packet descriptor (Table 13), kept in the record and
// decodable with LasPointLayout::wave_packet_of; the waveform data it points
// to (EVLR or external file) is not read. Records may be longer
// than the standard size: the surplus bytes are "extra bytes", described by
// the extra-bytes VLR (user "LASF_Spec", record 4) and kept verbatim.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tessera::io {

static_assert(std::endian::native == std::endian::little,
              "LAS coding assumes a little-endian host");

/// Standard record length of a point format, 0 when Tessera does not support it.
int las_standard_record_length(int format);
/// True for formats 0–10.
bool las_format_supported(int format);

/// One variable-length record (or extended VLR of LAS 1.4).
struct LasVlr {
  std::uint16_t reserved = 0;
  std::string user_id;  ///< up to 16 characters ("LASF_Projection")
  std::uint16_t record_id = 0;
  std::string description;  ///< up to 32 characters
  std::vector<std::uint8_t> data;

  bool is(const char* user, std::uint16_t id) const { return user_id == user && record_id == id; }
};

/// Extra-bytes data types (LAS 1.4 Table 25): 1 u8, 2 i8, 3 u16, 4 i16,
/// 5 u32, 6 i32, 7 u64, 8 i64, 9 f32, 10 f64; 0 = undocumented bytes.
enum class LasExtraType : std::uint8_t {
  kU8 = 1,
  kI8 = 2,
  kU16 = 3,
  kI16 = 4,
  kU32 = 5,
  kI32 = 6,
  kU64 = 7,
  kI64 = 8,
  kF32 = 9,
  kF64 = 10,
};
/// Size in bytes of one value of an extra-bytes data type (0 if unknown).
int las_extra_type_size(std::uint8_t data_type);

/// One extra dimension as described by a 192-byte descriptor (Table 24).
struct LasExtraBytes {
  std::uint8_t data_type = 10;
  std::uint8_t options = 0;  ///< bit 0 no_data, 1 min, 2 max, 3 scale, 4 offset valid
  std::string name;          ///< up to 32 characters
  std::string description;   ///< up to 32 characters
  double no_data = 0, min = 0, max = 0, scale = 1, offset = 0;
  int size() const { return las_extra_type_size(data_type); }
};

/// Decodes the descriptors of an extra-bytes VLR; throws FormatError naming
/// `file` if the payload is not a whole number of 192-byte descriptors.
std::vector<LasExtraBytes> las_decode_extra_bytes(const std::vector<std::uint8_t>& data,
                                                  const std::string& file = {});
/// The extra-bytes VLR (user "LASF_Spec", record 4) describing `dims` in order.
LasVlr las_extra_bytes_vlr(const std::vector<LasExtraBytes>& dims);

/// The public header block. Field names follow the specification.
struct LasHeader {
  std::uint16_t file_source_id = 0;
  std::uint16_t global_encoding = 0;  ///< bit 4: CRS is WKT (1.4)
  std::array<std::uint8_t, 16> guid{};
  std::uint8_t version_major = 1;
  std::uint8_t version_minor = 4;
  std::string system_id = "TESSERA";
  std::string software = "tessera";
  std::uint16_t creation_day = 1;
  std::uint16_t creation_year = 2026;
  std::uint16_t header_size = 375;
  std::uint32_t offset_to_points = 375;
  std::uint8_t point_format = 6;  ///< with the compression bits (6–7) masked off
  std::uint8_t format_byte = 6;   ///< byte 104 as stored (compression bits included)
  std::uint16_t record_length = 30;
  std::uint64_t point_count = 0;
  std::array<std::uint64_t, 15> points_by_return{};
  std::array<double, 3> scale{0.01, 0.01, 0.01};
  std::array<double, 3> offset{0, 0, 0};
  std::array<double, 3> max{0, 0, 0};
  std::array<double, 3> min{0, 0, 0};
  std::uint64_t waveform_start = 0;
  std::uint64_t evlr_start = 0;
  std::uint32_t evlr_count = 0;
  std::vector<LasVlr> vlrs;

  /// Header size the version requires: 227 (1.0–1.2), 235 (1.3), 375 (1.4).
  static std::uint16_t required_header_size(int minor);
  /// Bytes of extra data per record beyond the format's standard size.
  int extra_bytes_per_record() const;
  /// Extra dimensions described by the extra-bytes VLR (empty if none).
  std::vector<LasExtraBytes> extra_dimensions() const;
  /// The CRS: WKT from the OGC WKT VLR (2112), else "EPSG:<code>" from the
  /// GeoKey directory (34735: ProjectedCSTypeGeoKey 3072, else
  /// GeographicTypeGeoKey 2048), else "".
  std::string crs() const;
  /// VLRs that carry the CRS (user "LASF_Projection"), to copy to outputs.
  std::vector<LasVlr> crs_vlrs() const;
};

/// Serialises the header and VLRs (the bytes before the point records).
/// header_size, offset_to_points and the VLR count are derived, not taken
/// from `h`. Versions 1.2–1.4 are written; 1.4 headers also get the 64-bit
/// counts, and the legacy counts are 0 for formats 6–10 (spec, Table 3).
std::vector<std::uint8_t> las_encode_header(const LasHeader& h);
/// offset_to_points that las_encode_header() will produce for `h`.
std::uint32_t las_points_offset(const LasHeader& h);

/// A wave packet descriptor (LAS 1.4 R15, Table 13; 29 bytes at the end of
/// the standard record of formats 4, 5, 9, 10).
struct LasWavePacket {
  std::uint8_t descriptor_index = 0;  ///< 0: no waveform; else the VLR 99+index
  std::uint64_t byte_offset = 0;      ///< to the waveform data, from its start
  std::uint32_t packet_size = 0;      ///< bytes
  float return_location = 0;          ///< ps from the first digitised sample
  float xt = 0, yt = 0, zt = 0;       ///< parametric line of the pulse
};

/// Where the fields of a point record lie, per format (Tables 7–17).
struct LasPointLayout {
  int format = 0;
  int record_length = 0;
  int classification = 15;  ///< byte of the classification (low 5 bits in 0–5)
  bool legacy = true;       ///< formats 0–5: class in low 5 bits of byte 15
  int gps_time = -1;        ///< byte of the f64 GPS time, -1 if none
  int wave_packet = -1;     ///< byte of the wave packet descriptor, -1 if none
  explicit LasPointLayout(int fmt = 0, int length = 0);

  std::int32_t raw_x(const std::uint8_t* r) const { return load<std::int32_t>(r, 0); }
  std::int32_t raw_y(const std::uint8_t* r) const { return load<std::int32_t>(r, 4); }
  std::int32_t raw_z(const std::uint8_t* r) const { return load<std::int32_t>(r, 8); }
  std::uint16_t intensity(const std::uint8_t* r) const { return load<std::uint16_t>(r, 12); }
  std::uint8_t class_code(const std::uint8_t* r) const {
    return legacy ? static_cast<std::uint8_t>(r[15] & 0x1F) : r[16];
  }
  /// Return number (1-based; 0 in malformed files).
  int return_number(const std::uint8_t* r) const {
    return legacy ? (r[14] & 0x07) : (r[14] & 0x0F);
  }

  /// The wave packet descriptor of a record of format 4, 5, 9 or 10.
  LasWavePacket wave_packet_of(const std::uint8_t* r) const {
    const std::uint8_t* w = r + wave_packet;
    LasWavePacket p;
    p.descriptor_index = w[0];
    p.byte_offset = load<std::uint64_t>(w, 1);
    p.packet_size = load<std::uint32_t>(w, 9);
    p.return_location = load<float>(w, 13);
    p.xt = load<float>(w, 17);
    p.yt = load<float>(w, 21);
    p.zt = load<float>(w, 25);
    return p;
  }

  template <typename T>
  static T load(const std::uint8_t* r, int at) {
    T v;
    std::memcpy(&v, r + at, sizeof v);
    return v;
  }
  template <typename T>
  static void store(std::uint8_t* r, int at, T v) {
    std::memcpy(r + at, &v, sizeof v);
  }
};

}  // namespace tessera::io
