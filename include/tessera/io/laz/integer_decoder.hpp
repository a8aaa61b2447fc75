// LASzip's integer coding: an integer is coded as its difference from a
// prediction. The difference's magnitude class k (it lies in
// [-(2^k - 1), -2^(k-1)] or [2^(k-1), 2^k]) is one symbol of a per-context
// model of bits + 1 symbols; then the offset inside the class, by a model
// per k (classes above `bits_high` put their low k - bits_high bits raw).
// Class 0 is the differences 0 and 1 (a bit model). The result wraps into
// the coded range (2^bits values; all of int32 for 32 bits).
// (LASzip specification, "integer compression"; the class layout is the one
// of M. Isenburg, P. Lindstrom, J. Snoeyink, "Lossless compression of
// predicted floating-point geometry", 2005, applied to integers.)
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/io/laz/arithmetic_decoder.hpp"

namespace tessera::io::laz {

class IntegerDecoder {
 public:
  explicit IntegerDecoder(unsigned bits = 16, unsigned contexts = 1, unsigned bits_high = 8);
  /// The state at the start of a chunk.
  void reset();
  std::int32_t decode(ArithmeticDecoder& dec, std::int32_t prediction, unsigned context = 0);
  /// The magnitude class of the last decoded difference (used as a context
  /// by the point coder).
  unsigned k() const { return k_; }

 private:
  std::int32_t corrector(ArithmeticDecoder& dec, SymbolModel& bits);

  unsigned corr_bits_;
  std::uint32_t corr_range_;  ///< 2^bits, or 0 for 32 bits (plain int32 wrap)
  std::int32_t corr_min_;
  unsigned bits_high_;
  std::vector<SymbolModel> bits_;  ///< per context: the class k
  BitModel corrector0_;
  std::vector<SymbolModel> corrector_;  ///< [k - 1]: the offset inside class k
  unsigned k_ = 0;
};

}  // namespace tessera::io::laz
