// LAZ item POINT14 version 3 (compressor 3): the 30 bytes of LAS point
// format 6 (x, y, z int32; intensity u16; return number and number of
// returns 4 bits each; classification flags 4 bits, scanner channel 2,
// scan direction, edge of flight line; classification; user data; scan
// angle int16; point source id u16; GPS time f64), in nine layers:
//
//   0 XY          a 7-bit change mask (scanner channel, point source, GPS
//                 time, scan angle, number of returns changed; return number
//                 same / +1 / -1 / other), the channel, the return counts,
//                 then x and y as differences against the median of the last
//                 five of the same return map and GPS-change state;
//   1 Z           against the last z of the same return level;
//   2 class       a symbol in the context of the last class and "single
//                 return"; 3 flags  a 6-bit symbol after the last flags;
//   4 intensity   against the last intensity of the same return context
//                 and GPS-change state; 5 scan angle (when changed);
//   6 user data   after the last user data / 4; 7 point source (when
//                 changed); 8 GPS time (when changed, as GPSTIME11 v2).
//
// Everything is predicted from the last point of the same scanner channel;
// a channel first seen in a chunk starts from the last point of the channel
// before it. (LASzip specification for LAS 1.4, layered compression; the
// return map and level tables are the specification's
// number_return_map_6ctx and number_return_level_8ctx.)
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tessera/io/laz/layered_item.hpp"

namespace tessera::io::laz {

/// The fields of a format-6 record as POINT14 codes them.
struct Point14 {
  std::int32_t x = 0, y = 0, z = 0;
  std::uint16_t intensity = 0;
  std::uint8_t return_number = 0, returns = 0;  ///< 4 bits each
  std::uint8_t flags = 0;    ///< edge << 5 | scan direction << 4 | classification flags
  std::uint8_t channel = 0;  ///< scanner channel 0..3
  std::uint8_t classification = 0, user_data = 0;
  std::int16_t scan_angle = 0;
  std::uint16_t source = 0;
  std::uint64_t gps = 0;     ///< the f64's bits
  bool gps_changed = false;  ///< the point's GPS time differed from its channel's last

  static Point14 unpack(const std::uint8_t* rec);
  void pack(std::uint8_t* rec) const;
};

class Point14V3Decoder final : public LayeredItemDecoder {
 public:
  Point14V3Decoder();
  ~Point14V3Decoder() override;
  std::size_t layers() const override { return 9; }
  std::string layer_name(std::size_t i) const override;
  void start(const std::uint8_t* first, unsigned& context,
             ArithmeticDecoder* const* streams) override;
  void decode(std::uint8_t* item, unsigned& context) override;

  struct Context;

 private:
  Context& open(unsigned channel, const Point14& from);

  std::array<std::unique_ptr<Context>, kScannerChannels> contexts_;
  std::array<bool, kScannerChannels> used_{};
  ArithmeticDecoder* layer_[9] = {};
  unsigned current_ = 0;
};

class Point14V3Encoder final : public LayeredItemEncoder {
 public:
  Point14V3Encoder();
  ~Point14V3Encoder() override;
  std::size_t layers() const override { return 9; }
  void start(const std::uint8_t* first, unsigned& context) override;
  void encode(const std::uint8_t* item, unsigned& context) override;
  void finish() override { out_.finish(0); }
  const std::vector<std::uint8_t>& layer(std::size_t i) const override { return out_.bytes(i); }

  struct Context;

 private:
  Context& open(unsigned channel, const Point14& from);

  std::array<std::unique_ptr<Context>, kScannerChannels> contexts_;
  std::array<bool, kScannerChannels> used_{};
  EncoderLayers out_{9};
  unsigned current_ = 0;
};

}  // namespace tessera::io::laz
