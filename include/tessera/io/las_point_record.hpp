// Decoding and encoding the fields of LAS point records (LAS 1.4 R15,
// tables 7-16): the coordinates scaled by the header, the class, the
// intensity, the return byte and the GPS time, with the per-file choices
// (format family, GPS time offset, scale and offset) fixed once, outside
// the record loops that use them.
#pragma once

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tessera/io/las_format.hpp"

namespace tessera::io {

class LasPointDecoder {
 public:
  LasPointDecoder(const LasHeader& h, const LasPointLayout& layout)
      : sx_(h.scale[0]),
        sy_(h.scale[1]),
        sz_(h.scale[2]),
        ox_(h.offset[0]),
        oy_(h.offset[1]),
        oz_(h.offset[2]),
        class_at_(layout.legacy ? 15 : 16),
        class_mask_(layout.legacy ? 0x1F : 0xFF),
        gps_at_(layout.gps_time),
        legacy_(layout.legacy) {}

  std::uint8_t class_of(const std::uint8_t* rec) const { return rec[class_at_] & class_mask_; }
  double x(const std::uint8_t* rec) const {
    return LasPointLayout::load<std::int32_t>(rec, 0) * sx_ + ox_;
  }
  double y(const std::uint8_t* rec) const {
    return LasPointLayout::load<std::int32_t>(rec, 4) * sy_ + oy_;
  }
  double z(const std::uint8_t* rec) const {
    return LasPointLayout::load<std::int32_t>(rec, 8) * sz_ + oz_;
  }
  std::uint16_t intensity(const std::uint8_t* rec) const {
    return LasPointLayout::load<std::uint16_t>(rec, 12);
  }
  /// The return byte in the 1.4 layout (return number low 4 bits, number of
  /// returns high 4) whatever the format: 0-5 keep 3 bits of each.
  std::uint8_t returns(const std::uint8_t* rec) const {
    return legacy_ ? static_cast<std::uint8_t>((rec[14] & 0x07) | (((rec[14] >> 3) & 0x07) << 4))
                   : rec[14];
  }
  /// 0 for formats without GPS time.
  double gps_time(const std::uint8_t* rec) const {
    return gps_at_ >= 0 ? LasPointLayout::load<double>(rec, gps_at_) : 0.0;
  }

 private:
  double sx_, sy_, sz_, ox_, oy_, oz_;
  int class_at_;
  std::uint8_t class_mask_;
  int gps_at_;
  bool legacy_;
};

/// The fields of a format-6 record (30 bytes): what Tessera writes.
struct LasPoint6 {
  double x = 0, y = 0, z = 0;
  std::uint16_t intensity = 0;
  std::uint8_t returns = 0x11;
  std::uint8_t classification = 0;
  double gps_time = 0;
};

/// Encodes `p` as a format-6 record with `h`'s scale and offset (coordinates
/// rounded to the nearest step, clamped to int32); the other bytes are 0.
inline void encode_point6(const LasPoint6& p, const LasHeader& h, std::uint8_t* r) {
  std::memset(r, 0, 30);
  const double xyz[3] = {p.x, p.y, p.z};
  for (int i = 0; i < 3; ++i) {
    const double v = std::nearbyint((xyz[i] - h.offset[i]) / h.scale[i]);
    const auto raw = static_cast<std::int32_t>(std::clamp(v, double{INT32_MIN}, double{INT32_MAX}));
    LasPointLayout::store(r, 4 * i, raw);
  }
  LasPointLayout::store(r, 12, p.intensity);
  r[14] = p.returns;
  r[16] = p.classification;
  LasPointLayout::store(r, 22, p.gps_time);
}

/// Mask of the wanted classes: `classes` (codes 0-255), or all when empty.
inline std::array<bool, 256> wanted_classes(const std::vector<int>& classes) {
  std::array<bool, 256> wanted;
  wanted.fill(classes.empty());
  for (int c : classes)
    wanted[static_cast<std::size_t>(c)] = true;
  return wanted;
}

}  // namespace tessera::io
