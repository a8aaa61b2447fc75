// LASzip's integer encoding; see include/tessera/io/laz/integer_encoder.hpp.
#include "tessera/io/laz/integer_encoder.hpp"

#include <climits>

namespace tessera::io::laz {

IntegerEncoder::IntegerEncoder(unsigned bits, unsigned contexts, unsigned bits_high)
    : bits_high_(bits_high) {
  if (bits > 0 && bits < 32) {
    corr_bits_ = bits;
    corr_range_ = 1u << bits;
    corr_min_ = -static_cast<std::int32_t>(corr_range_ / 2);
    corr_max_ = corr_min_ + static_cast<std::int32_t>(corr_range_) - 1;
  } else {
    corr_bits_ = 32;
    corr_range_ = 0;
    corr_min_ = INT32_MIN;
    corr_max_ = INT32_MAX;
  }
  bits_.reserve(contexts);
  for (unsigned i = 0; i < contexts; ++i)
    bits_.emplace_back(corr_bits_ + 1, false);
  corrector_.reserve(corr_bits_);
  for (unsigned i = 1; i <= corr_bits_; ++i)
    corrector_.emplace_back(i <= bits_high_ ? 1u << i : 1u << bits_high_, false);
}

void IntegerEncoder::reset() {
  for (SymbolModel& m : bits_)
    m.reset();
  corrector0_.reset();
  for (SymbolModel& m : corrector_)
    m.reset();
  k_ = 0;
}

void IntegerEncoder::encode(ArithmeticEncoder& enc, std::int32_t prediction, std::int32_t real,
                            unsigned context) {
  // The difference, wrapped into [corr_min, corr_max].
  std::int64_t c = static_cast<std::int32_t>(static_cast<std::uint32_t>(real) -
                                             static_cast<std::uint32_t>(prediction));
  if (corr_range_ != 0) {
    if (c < corr_min_)
      c += corr_range_;
    else if (c > corr_max_)
      c -= corr_range_;
  }
  // Class k: the bits of |c| (c - 1 for positive c).
  std::uint64_t magnitude =
      c <= 0 ? static_cast<std::uint64_t>(-c) : static_cast<std::uint64_t>(c - 1);
  k_ = 0;
  while (magnitude) {
    magnitude >>= 1;
    ++k_;
  }
  enc.encode_symbol(bits_[context], k_);
  if (k_ == 0) {
    enc.encode_bit(corrector0_, static_cast<std::uint32_t>(c));
    return;
  }
  if (k_ >= 32)
    return;
  if (c < 0)
    c += (std::int64_t{1} << k_) - 1;
  else
    c -= 1;
  const auto u = static_cast<std::uint32_t>(c);
  if (k_ <= bits_high_) {
    enc.encode_symbol(corrector_[k_ - 1], u);
  } else {
    const unsigned low = k_ - bits_high_;
    enc.encode_symbol(corrector_[k_ - 1], u >> low);
    enc.write_bits(low, u & ((1u << low) - 1));
  }
}

}  // namespace tessera::io::laz
