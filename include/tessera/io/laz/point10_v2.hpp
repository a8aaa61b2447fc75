// LAZ item POINT10 version 2: the 20 bytes common to LAS point formats 0-5
// (x, y, z int32; intensity u16; return/flags byte; classification; scan
// angle rank; user data; point source id u16).
//
// Per point, a 64-symbol "changed" mask says which of the flags byte (32),
// intensity (16), classification (8), scan angle (4), user data (2) and
// point source id (1) differ from the last point; those are coded with
// models chosen by the previous value (flags, class, user data: 256 models
// each, made when first used), intensity against the last intensity of the
// same return context. x and y are coded as differences against the median
// of the last five differences of the return context, z against the last z
// of the same return level; contexts of y and z include the classes k of
// the x (and y) corrections. (LASzip specification, POINT10 v2.)
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tessera/io/laz/integer_decoder.hpp"
#include "tessera/io/laz/integer_encoder.hpp"
#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"
#include "tessera/io/laz/streaming_median.hpp"

namespace tessera::io::laz {

class Point10V2Decoder final : public ItemDecoder {
 public:
  Point10V2Decoder();
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  /// The model for previous value `v` in a lazily filled set of 256.
  static SymbolModel& model(std::array<std::unique_ptr<SymbolModel>, 256>& set, std::uint8_t v);

  SymbolModel changed_{64};
  IntegerDecoder intensity_{16, 4};
  SymbolModel scan_angle_[2] = {SymbolModel(256), SymbolModel(256)};
  IntegerDecoder point_source_{16};
  std::array<std::unique_ptr<SymbolModel>, 256> flags_, classification_, user_data_;
  IntegerDecoder dx_{32, 2}, dy_{32, 22}, z_{32, 20};

  StreamingMedian5 x_median_[16], y_median_[16];
  std::uint16_t last_intensity_[16] = {};
  std::int32_t last_height_[8] = {};
  std::uint8_t last_[20] = {};
};

class Point10V2Encoder final : public ItemEncoder {
 public:
  void start(const std::uint8_t* first) override;
  void encode(ArithmeticEncoder& enc, const std::uint8_t* item) override;

 private:
  static SymbolModel& model(std::array<std::unique_ptr<SymbolModel>, 256>& set, std::uint8_t v);

  SymbolModel changed_{64, false};
  IntegerEncoder intensity_{16, 4};
  SymbolModel scan_angle_[2] = {SymbolModel(256, false), SymbolModel(256, false)};
  IntegerEncoder point_source_{16};
  std::array<std::unique_ptr<SymbolModel>, 256> flags_, classification_, user_data_;
  IntegerEncoder dx_{32, 2}, dy_{32, 22}, z_{32, 20};

  StreamingMedian5 x_median_[16], y_median_[16];
  std::uint16_t last_intensity_[16] = {};
  std::int32_t last_height_[8] = {};
  std::uint8_t last_[20] = {};
};

}  // namespace tessera::io::laz
