// LAZ item RGB12 version 2: the three u16 colour channels of point formats
// 2, 3 and 5. A 128-symbol mask says which bytes changed (bit 6: the colour
// is not grey, so green and blue are coded; else they equal red). The low
// and high bytes are coded separately, green and blue against red's change
// added to their last value (clamped to 0..255), blue also averaging in
// green's change. (LASzip specification, RGB12 v2.)
#pragma once

#include <cstdint>

#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"

namespace tessera::io::laz {

class Rgb12V2Decoder final : public ItemDecoder {
 public:
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  SymbolModel byte_used_{128};
  SymbolModel diff_[6] = {SymbolModel(256), SymbolModel(256), SymbolModel(256),
                          SymbolModel(256), SymbolModel(256), SymbolModel(256)};
  std::uint16_t last_[3] = {};
};

class Rgb12V2Encoder final : public ItemEncoder {
 public:
  void start(const std::uint8_t* first) override;
  void encode(ArithmeticEncoder& enc, const std::uint8_t* item) override;

 private:
  SymbolModel byte_used_{128, false};
  SymbolModel diff_[6] = {SymbolModel(256, false), SymbolModel(256, false),
                          SymbolModel(256, false), SymbolModel(256, false),
                          SymbolModel(256, false), SymbolModel(256, false)};
  std::uint16_t last_[3] = {};
};

}  // namespace tessera::io::laz
