// The encoding side of LASzip's arithmetic coder (arithmetic_models.hpp),
// writing into a byte vector: the exact mirror of ArithmeticDecoder, so a
// chunk it closes is read back to its last byte by the decoder.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/io/laz/arithmetic_models.hpp"

namespace tessera::io::laz {

class ArithmeticEncoder {
 public:
  /// Bytes are appended to `out` (which the caller owns).
  explicit ArithmeticEncoder(std::vector<std::uint8_t>& out) : out_(out) {}

  void encode_bit(BitModel& m, std::uint32_t bit) {
    const std::uint32_t x = m.bit0_prob * (length_ >> kBitLengthShift);
    if (bit == 0) {
      length_ = x;
      ++m.bit0_count;
    } else {
      add(x);
      length_ -= x;
    }
    if (length_ < kMinLength)
      renormalise();
    if (--m.until_update == 0)
      m.update();
  }

  void encode_symbol(SymbolModel& m, std::uint32_t sym) {
    std::uint32_t x;
    if (sym + 1 == m.symbols()) {
      x = m.distribution[sym] * (length_ >> kSymbolLengthShift);
      add(x);
      length_ -= x;
    } else {
      length_ >>= kSymbolLengthShift;
      x = m.distribution[sym] * length_;
      add(x);
      length_ = m.distribution[sym + 1] * length_ - x;
    }
    if (length_ < kMinLength)
      renormalise();
    ++m.count[sym];
    if (--m.until_update == 0)
      m.update();
  }

  /// `bits` (1..32) raw bits of `value`.
  void write_bits(unsigned bits, std::uint32_t value) {
    if (bits > 19) {
      write_short(value & 0xFFFFu);
      value >>= 16;
      bits -= 16;
    }
    length_ >>= bits;
    add(value * length_);
    if (length_ < kMinLength)
      renormalise();
  }
  void write_short(std::uint32_t value) {
    length_ >>= 16;
    add(value * length_);
    if (length_ < kMinLength)
      renormalise();
  }
  void write_int(std::uint32_t value) {
    write_short(value & 0xFFFFu);
    write_short(value >> 16);
  }

  /// Flushes the interval and pads so that the decoder's reads end exactly
  /// at the last byte written.
  void finish();

 private:
  /// base += x, carrying into the bytes already written.
  void add(std::uint32_t x) {
    const std::uint32_t before = base_;
    base_ += x;
    if (base_ < before)
      carry();
  }
  void carry();
  void renormalise() {
    do {
      out_.push_back(static_cast<std::uint8_t>(base_ >> 24));
      base_ <<= 8;
    } while ((length_ <<= 8) < kMinLength);
  }

  std::vector<std::uint8_t>& out_;
  std::uint32_t base_ = 0;
  std::uint32_t length_ = kMaxLength;
};

}  // namespace tessera::io::laz
