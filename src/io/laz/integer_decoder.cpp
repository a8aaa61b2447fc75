// LASzip's integer decoding; see include/tessera/io/laz/integer_decoder.hpp.
#include "tessera/io/laz/integer_decoder.hpp"

#include <climits>

namespace tessera::io::laz {

IntegerDecoder::IntegerDecoder(unsigned bits, unsigned contexts, unsigned bits_high)
    : bits_high_(bits_high) {
  if (bits > 0 && bits < 32) {
    corr_bits_ = bits;
    corr_range_ = 1u << bits;
    corr_min_ = -static_cast<std::int32_t>(corr_range_ / 2);
  } else {
    corr_bits_ = 32;
    corr_range_ = 0;
    corr_min_ = INT32_MIN;
  }
  bits_.reserve(contexts);
  for (unsigned i = 0; i < contexts; ++i)
    bits_.emplace_back(corr_bits_ + 1);
  corrector_.reserve(corr_bits_);
  for (unsigned i = 1; i <= corr_bits_; ++i)
    corrector_.emplace_back(i <= bits_high_ ? 1u << i : 1u << bits_high_);
}

void IntegerDecoder::reset() {
  for (SymbolModel& m : bits_)
    m.reset();
  corrector0_.reset();
  for (SymbolModel& m : corrector_)
    m.reset();
  k_ = 0;
}

std::int32_t IntegerDecoder::corrector(ArithmeticDecoder& dec, SymbolModel& bits) {
  k_ = dec.decode_symbol(bits);
  if (k_ == 0)
    return static_cast<std::int32_t>(dec.decode_bit(corrector0_));
  if (k_ >= 32)
    return corr_min_;
  std::int64_t c = dec.decode_symbol(corrector_[k_ - 1]);
  if (k_ > bits_high_) {
    const unsigned low = k_ - bits_high_;
    c = (c << low) | dec.read_bits(low);
  }
  // c in [0, 2^k): the upper half are the positive differences 2^(k-1)..2^k,
  // the lower half the negative ones -(2^k - 1)..-2^(k-1).
  if (c >= (std::int64_t{1} << (k_ - 1)))
    c += 1;
  else
    c -= (std::int64_t{1} << k_) - 1;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(c));
}

std::int32_t IntegerDecoder::decode(ArithmeticDecoder& dec, std::int32_t prediction,
                                    unsigned context) {
  std::uint32_t real = static_cast<std::uint32_t>(prediction) +
                       static_cast<std::uint32_t>(corrector(dec, bits_[context]));
  if (corr_range_ != 0) {
    if (static_cast<std::int32_t>(real) < 0)
      real += corr_range_;
    else if (real >= corr_range_)
      real -= corr_range_;
  }
  return static_cast<std::int32_t>(real);
}

}  // namespace tessera::io::laz
