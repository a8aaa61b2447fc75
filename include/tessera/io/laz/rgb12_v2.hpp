// LAZ item RGB12 version 2: the three u16 colour channels of point formats
// 2, 3 and 5. A 128-symbol mask says which bytes changed (bit 6: the colour
// is not grey, so green and blue are coded; else they equal red). The low
// and high bytes are coded separately, green and blue against red's change
// added to their last value (clamped to 0..255), blue also averaging in
// green's change. (LASzip specification, RGB12 v2.) RGB14 v3 codes each
// colour the same way (rgb14_v3.hpp), hence the free functions.
#pragma once

#include <cstdint>

#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"

namespace tessera::io::laz {

/// The models of one colour coder.
struct RgbModels {
  explicit RgbModels(bool decoder = true);
  void reset();
  SymbolModel byte_used;
  SymbolModel diff[6];
};

/// The colour after `last` from the coder. Returns the change mask.
std::uint32_t decode_rgb(ArithmeticDecoder& dec, RgbModels& m, const std::uint16_t last[3],
                         std::uint16_t out[3]);
/// Codes colour `c` after `last`. Returns the change mask (0: identical).
std::uint32_t encode_rgb(ArithmeticEncoder& enc, RgbModels& m, const std::uint16_t last[3],
                         const std::uint16_t c[3]);

class Rgb12V2Decoder final : public ItemDecoder {
 public:
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  RgbModels models_{true};
  std::uint16_t last_[3] = {};
};

class Rgb12V2Encoder final : public ItemEncoder {
 public:
  void start(const std::uint8_t* first) override;
  void encode(ArithmeticEncoder& enc, const std::uint8_t* item) override;

 private:
  RgbModels models_{false};
  std::uint16_t last_[3] = {};
};

}  // namespace tessera::io::laz
