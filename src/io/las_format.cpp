// LAS header, VLR and extra-bytes coding; see include/tessera/io/las_format.hpp.
#include "tessera/io/las_format.hpp"

#include <algorithm>

#include "tessera/core/error.hpp"

namespace tessera::io {

namespace {

template <typename T>
void put(std::vector<std::uint8_t>& out, std::size_t at, T v) {
  std::memcpy(out.data() + at, &v, sizeof v);
}

void put_text(std::vector<std::uint8_t>& out, std::size_t at, const std::string& s,
              std::size_t width) {
  std::memcpy(out.data() + at, s.data(), std::min(s.size(), width));
}

std::string text_of(const std::uint8_t* p, std::size_t width) {
  std::size_t n = 0;
  while (n < width && p[n] != 0)
    ++n;
  return std::string(reinterpret_cast<const char*>(p), n);
}

constexpr std::size_t kDescriptorSize = 192;

}  // namespace

int las_standard_record_length(int format) {
  switch (format) {
    case 0:
      return 20;
    case 1:
      return 28;
    case 2:
      return 26;
    case 3:
      return 34;
    case 4:  // format 1 + a 29-byte wave packet descriptor (Table 11)
      return 57;
    case 5:  // format 3 + wave packet (Table 12)
      return 63;
    case 6:
      return 30;
    case 7:
      return 36;
    case 8:
      return 38;
    case 9:  // format 6 + wave packet (Table 16)
      return 59;
    case 10:  // format 8 + wave packet (Table 17)
      return 67;
    default:
      return 0;
  }
}

bool las_format_supported(int format) {
  return las_standard_record_length(format) > 0;
}

int las_extra_type_size(std::uint8_t t) {
  switch (t) {
    case 1:
    case 2:
      return 1;
    case 3:
    case 4:
      return 2;
    case 5:
    case 6:
    case 9:
      return 4;
    case 7:
    case 8:
    case 10:
      return 8;
    default:
      return 0;
  }
}

std::vector<LasExtraBytes> las_decode_extra_bytes(const std::vector<std::uint8_t>& data,
                                                  const std::string& file) {
  if (data.size() % kDescriptorSize != 0) {
    throw FormatError("extra-bytes VLR payload of " + std::to_string(data.size()) +
                          " bytes is not a multiple of 192",
                      file, "VLR LASF_Spec/4");
  }
  std::vector<LasExtraBytes> dims;
  for (std::size_t at = 0; at < data.size(); at += kDescriptorSize) {
    const std::uint8_t* d = data.data() + at;
    LasExtraBytes e;
    e.data_type = d[2];
    e.options = d[3];
    e.name = text_of(d + 4, 32);
    // Values are stored in the first of three 8-byte slots (the others are
    // for the deprecated multi-element types 11–30).
    std::memcpy(&e.no_data, d + 40, 8);
    std::memcpy(&e.min, d + 64, 8);
    std::memcpy(&e.max, d + 88, 8);
    std::memcpy(&e.scale, d + 112, 8);
    std::memcpy(&e.offset, d + 136, 8);
    e.description = text_of(d + 160, 32);
    dims.push_back(std::move(e));
  }
  return dims;
}

LasVlr las_extra_bytes_vlr(const std::vector<LasExtraBytes>& dims) {
  LasVlr v;
  v.user_id = "LASF_Spec";
  v.record_id = 4;
  v.description = "Extra Bytes Record";
  v.data.assign(dims.size() * kDescriptorSize, 0);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const LasExtraBytes& e = dims[i];
    std::size_t at = i * kDescriptorSize;
    v.data[at + 2] = e.data_type;
    v.data[at + 3] = e.options;
    put_text(v.data, at + 4, e.name, 32);
    put(v.data, at + 40, e.no_data);
    put(v.data, at + 64, e.min);
    put(v.data, at + 88, e.max);
    put(v.data, at + 112, e.scale);
    put(v.data, at + 136, e.offset);
    put_text(v.data, at + 160, e.description, 32);
  }
  return v;
}

std::uint16_t LasHeader::required_header_size(int minor) {
  if (minor >= 4)
    return 375;
  if (minor == 3)
    return 235;
  return 227;
}

int LasHeader::extra_bytes_per_record() const {
  return record_length - las_standard_record_length(point_format);
}

std::vector<LasExtraBytes> LasHeader::extra_dimensions() const {
  for (const LasVlr& v : vlrs) {
    if (v.is("LASF_Spec", 4))
      return las_decode_extra_bytes(v.data);
  }
  return {};
}

std::string LasHeader::crs() const {
  for (const LasVlr& v : vlrs) {
    if (v.is("LASF_Projection", 2112))
      return text_of(v.data.data(), v.data.size());
  }
  for (const LasVlr& v : vlrs) {
    if (!v.is("LASF_Projection", 34735) || v.data.size() < 8)
      continue;
    // GeoKeyDirectory: u16 header {version, revision, minor, count}, then
    // `count` entries {key, location, count, value}; location 0 = inline value.
    auto u16 = [&](std::size_t i) {
      std::uint16_t x;
      std::memcpy(&x, v.data.data() + 2 * i, 2);
      return x;
    };
    std::size_t n = u16(3);
    int projected = 0, geographic = 0;
    for (std::size_t k = 0; k < n && 4 * (k + 2) <= v.data.size() / 2; ++k) {
      std::uint16_t key = u16(4 + 4 * k), loc = u16(5 + 4 * k), val = u16(7 + 4 * k);
      if (loc != 0)
        continue;
      if (key == 3072)
        projected = val;
      if (key == 2048)
        geographic = val;
    }
    int code = projected > 0 && projected != 32767 ? projected : geographic;
    if (code > 0 && code != 32767)
      return "EPSG:" + std::to_string(code);
  }
  return {};
}

std::vector<LasVlr> LasHeader::crs_vlrs() const {
  std::vector<LasVlr> out;
  for (const LasVlr& v : vlrs) {
    if (v.user_id == "LASF_Projection")
      out.push_back(v);
  }
  return out;
}

std::uint32_t las_points_offset(const LasHeader& h) {
  std::size_t n = LasHeader::required_header_size(h.version_minor);
  for (const LasVlr& v : h.vlrs)
    n += 54 + v.data.size();
  return static_cast<std::uint32_t>(n);
}

std::vector<std::uint8_t> las_encode_header(const LasHeader& h) {
  const std::uint16_t hsize = LasHeader::required_header_size(h.version_minor);
  const std::uint32_t offset = las_points_offset(h);
  std::vector<std::uint8_t> out(offset, 0);
  std::memcpy(out.data(), "LASF", 4);
  put(out, 4, h.file_source_id);
  put(out, 6, h.global_encoding);
  std::memcpy(out.data() + 8, h.guid.data(), 16);
  out[24] = h.version_major;
  out[25] = h.version_minor;
  put_text(out, 26, h.system_id, 32);
  put_text(out, 58, h.software, 32);
  put(out, 90, h.creation_day);
  put(out, 92, h.creation_year);
  put(out, 94, hsize);
  put(out, 96, offset);
  put(out, 100, static_cast<std::uint32_t>(h.vlrs.size()));
  out[104] = h.point_format;
  put(out, 105, h.record_length);
  // Legacy counts: zero for the 1.4-only formats and for counts that do not
  // fit 32 bits (spec 1.4, Table 3 notes).
  const bool legacy_ok = h.point_format < 6 && h.point_count <= 0xFFFFFFFFull;
  put(out, 107, static_cast<std::uint32_t>(legacy_ok ? h.point_count : 0));
  for (int i = 0; i < 5; ++i) {
    put(out, 111 + 4 * i, static_cast<std::uint32_t>(legacy_ok ? h.points_by_return[i] : 0));
  }
  for (int i = 0; i < 3; ++i) {
    put(out, 131 + 8 * i, h.scale[i]);
    put(out, 155 + 8 * i, h.offset[i]);
    put(out, 179 + 16 * i, h.max[i]);
    put(out, 187 + 16 * i, h.min[i]);
  }
  if (h.version_minor >= 3)
    put(out, 227, h.waveform_start);
  if (h.version_minor >= 4) {
    put(out, 235, h.evlr_start);
    put(out, 243, h.evlr_count);
    put(out, 247, h.point_count);
    for (int i = 0; i < 15; ++i)
      put(out, 255 + 8 * i, h.points_by_return[i]);
  }
  std::size_t at = hsize;
  for (const LasVlr& v : h.vlrs) {
    put(out, at, v.reserved);
    put_text(out, at + 2, v.user_id, 16);
    put(out, at + 18, v.record_id);
    put(out, at + 20, static_cast<std::uint16_t>(v.data.size()));
    put_text(out, at + 22, v.description, 32);
    std::memcpy(out.data() + at + 54, v.data.data(), v.data.size());
    at += 54 + v.data.size();
  }
  return out;
}

LasPointLayout::LasPointLayout(int fmt, int length) : format(fmt), record_length(length) {
  legacy = fmt < 6;
  classification = legacy ? 15 : 16;
  switch (fmt) {
    case 1:
    case 3:
    case 4:
    case 5:
      gps_time = 20;
      break;
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
      gps_time = 22;
      break;
    default:
      gps_time = -1;
  }
  // The wave packet descriptor closes the standard record of formats 4, 5,
  // 9 and 10 (it follows GPS time, RGB or RGB+NIR of the base format).
  switch (fmt) {
    case 4:
      wave_packet = 28;
      break;
    case 5:
      wave_packet = 34;
      break;
    case 9:
      wave_packet = 30;
      break;
    case 10:
      wave_packet = 38;
      break;
    default:
      wave_packet = -1;
  }
  if (record_length == 0)
    record_length = las_standard_record_length(fmt);
}

}  // namespace tessera::io
