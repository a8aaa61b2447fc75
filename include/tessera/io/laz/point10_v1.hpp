// LAZ item POINT10 version 1 (LASzip 1.x, found in compressor-1 files): the
// 20 bytes common to LAS point formats 0-5, decoded only (Tessera writes
// version 2, point10_v2.hpp).
//
// Per point: x as a difference against the median of the last three x
// differences; y the same, in a context of the x correction's class k
// (capped at 19); z against the last z, in the context of the mean of the
// x and y classes (capped at 19); then a 64-symbol mask of which other
// fields changed: intensity (32, against the last), flags byte (16),
// classification (8) and user data (2) each a symbol in a model chosen by
// its last value (256 models each, made when first used), scan angle rank
// (4, against the last, context "mean class < 3"), point source id (1,
// against the last). (LASzip specification, POINT10 v1.)
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tessera/io/laz/integer_decoder.hpp"
#include "tessera/io/laz/item_decoder.hpp"

namespace tessera::io::laz {

class Point10V1Decoder final : public ItemDecoder {
 public:
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  using ModelSet = std::array<std::unique_ptr<SymbolModel>, 256>;
  static std::uint8_t decode_by_last(ArithmeticDecoder& dec, ModelSet& set, std::uint8_t last);

  IntegerDecoder dx_{32}, dy_{32, 20}, z_{32, 20};
  IntegerDecoder intensity_{16}, scan_angle_{8, 2}, point_source_{16};
  SymbolModel changed_{64};
  ModelSet flags_, classification_, user_data_;
  std::int32_t last_dx_[3] = {}, last_dy_[3] = {};
  unsigned next_ = 0;  ///< which of last_dx_/last_dy_ the next difference replaces
  std::uint8_t last_[20] = {};
};

}  // namespace tessera::io::laz
