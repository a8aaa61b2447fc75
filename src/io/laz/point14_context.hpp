// The per-scanner-channel state of POINT14 v3, shared by the decoder and
// the encoder (which differ only in the coder types). Private to io/laz.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "tessera/io/laz/gpstime11_v2.hpp"
#include "tessera/io/laz/integer_decoder.hpp"
#include "tessera/io/laz/integer_encoder.hpp"
#include "tessera/io/laz/point14_v3.hpp"
#include "tessera/io/laz/streaming_median.hpp"

namespace tessera::io::laz::point14 {

/// Return map m (6 contexts) and return level l (8 contexts) of a point
/// with n returns and return number r (LASzip specification for LAS 1.4,
/// number_return_map_6ctx and number_return_level_8ctx; rows n, columns r).
inline constexpr std::uint8_t kReturnMap6[16][16] = {
    {0, 1, 2, 3, 4, 5, 3, 4, 4, 5, 5, 5, 5, 5, 5, 5},
    {1, 0, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3},
    {2, 1, 2, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3},
    {3, 3, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4},
    {4, 3, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4},
    {5, 3, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4},
    {3, 3, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4},
    {4, 3, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4, 4},
    {4, 3, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4, 4},
    {5, 3, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4, 4},
    {5, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 4, 4, 4, 4, 4},
    {5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 4, 4, 4},
    {5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 4, 4},
    {5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 4},
    {5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5},
    {5, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5}};

/// l = |n - r|, capped at 7.
inline unsigned return_level(unsigned n, unsigned r) {
  const unsigned d = n > r ? n - r : r - n;
  return d < 7 ? d : 7;
}

/// Context of the point's own returns: 3 single, 2 first, 1 last, 0 other
/// (r == 1 adds 2, r >= n adds 1).
inline unsigned current_return(unsigned n, unsigned r) {
  return (r == 1 ? 2u : 0u) + (r >= n ? 1u : 0u);
}
/// Context of the last point's returns and GPS change (0..7).
inline unsigned last_return(const Point14& p) {
  return (p.return_number == 1 ? 1u : 0u) + (p.return_number >= p.returns ? 2u : 0u) +
         (p.gps_changed ? 4u : 0u);
}

template <bool Decoder>
struct State {
  using Int = std::conditional_t<Decoder, IntegerDecoder, IntegerEncoder>;
  using Gps = std::conditional_t<Decoder, GpsTime11V2Decoder, GpsTime11V2Encoder>;

  /// The state of a channel first seen at point `from`: every model fresh,
  /// the predictions from `from`.
  explicit State(const Point14& from)
      : changed{SymbolModel(128, Decoder), SymbolModel(128, Decoder), SymbolModel(128, Decoder),
                SymbolModel(128, Decoder), SymbolModel(128, Decoder), SymbolModel(128, Decoder),
                SymbolModel(128, Decoder), SymbolModel(128, Decoder)},
        gps(true) {
    last = from;
    last.gps_changed = false;
    for (std::int32_t& h : last_z)
      h = from.z;
    for (std::uint16_t& v : last_intensity)
      v = from.intensity;
    gps.start(reinterpret_cast<const std::uint8_t*>(&from.gps));
  }

  /// A lazily made symbol model (`symbols` each) of a set.
  template <std::size_t N>
  static SymbolModel& lazy(std::array<std::unique_ptr<SymbolModel>, N>& set, std::size_t i,
                           std::uint32_t symbols) {
    std::unique_ptr<SymbolModel>& m = set[i];
    if (!m)
      m = std::make_unique<SymbolModel>(symbols, Decoder);
    return *m;
  }

  Point14 last;
  // XY layer
  SymbolModel changed[8];
  SymbolModel channel{3, Decoder};
  std::array<std::unique_ptr<SymbolModel>, 16> returns, return_number;
  SymbolModel return_gps_same{13, Decoder};
  Int dx{32, 2}, dy{32, 22};
  StreamingMedian5 x_median[12], y_median[12];
  // Z layer
  Int z{32, 20};
  std::int32_t last_z[8] = {};
  // classification, flags, user data layers
  std::array<std::unique_ptr<SymbolModel>, 64> classification, flags, user_data;
  // intensity, scan angle, point source layers
  Int intensity{16, 4};
  std::uint16_t last_intensity[8] = {};
  Int scan_angle{16, 2};
  Int source{16, 1};
  // GPS time layer
  Gps gps;
};

}  // namespace tessera::io::laz::point14
