// LASzip's integer coding, encoding side: the mirror of IntegerDecoder
// (integer_decoder.hpp has the scheme).
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/io/laz/arithmetic_encoder.hpp"

namespace tessera::io::laz {

class IntegerEncoder {
 public:
  explicit IntegerEncoder(unsigned bits = 16, unsigned contexts = 1, unsigned bits_high = 8);
  void reset();
  void encode(ArithmeticEncoder& enc, std::int32_t prediction, std::int32_t real,
              unsigned context = 0);
  /// The magnitude class of the last encoded difference.
  unsigned k() const { return k_; }

 private:
  unsigned corr_bits_;
  std::uint32_t corr_range_;
  std::int32_t corr_min_, corr_max_;
  unsigned bits_high_;
  std::vector<SymbolModel> bits_;
  BitModel corrector0_;
  std::vector<SymbolModel> corrector_;
  unsigned k_ = 0;
};

}  // namespace tessera::io::laz
