// The decoding side of LASzip's arithmetic coder (see arithmetic_models.hpp
// for the models and the source of the method), reading from one chunk's
// bytes in memory.
//
// The input is bounded: reading past the end yields zero bytes and counts
// them (overrun()), so a truncated or inconsistent chunk is reported by the
// caller after the chunk instead of reading into the next one. The
// interval never collapses (every model keeps each symbol's share above
// zero), so a corrupt stream gives wrong values, never a hang.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tessera/io/laz/arithmetic_models.hpp"

namespace tessera::io::laz {

class ArithmeticDecoder {
 public:
  ArithmeticDecoder(const std::uint8_t* data, std::size_t size)
      : begin_(data), p_(data), end_(data + size) {}

  /// Reads the first four bytes of the coded stream (the coder's value).
  void start() {
    length_ = kMaxLength;
    value_ = std::uint32_t{next()} << 24;
    value_ |= std::uint32_t{next()} << 16;
    value_ |= std::uint32_t{next()} << 8;
    value_ |= std::uint32_t{next()};
  }

  std::uint32_t decode_bit(BitModel& m) {
    const std::uint32_t x = m.bit0_prob * (length_ >> kBitLengthShift);
    std::uint32_t bit;
    if (value_ < x) {
      bit = 0;
      length_ = x;
      ++m.bit0_count;
    } else {
      bit = 1;
      value_ -= x;
      length_ -= x;
    }
    if (length_ < kMinLength)
      renormalise();
    if (--m.until_update == 0)
      m.update();
    return bit;
  }

  std::uint32_t decode_symbol(SymbolModel& m) {
    std::uint32_t y = length_;
    length_ >>= kSymbolLengthShift;
    const std::uint32_t* dist = m.distribution.data();
    std::uint32_t sym, x;
    if (!m.table.empty()) {
      std::uint32_t dv = value_ / length_;
      std::uint32_t t = dv >> m.table_shift;
      const auto last_slot = static_cast<std::uint32_t>(m.table.size()) - 3;
      if (t > last_slot)  // only in a corrupt stream (value past the interval)
        t = last_slot;
      sym = m.table[t];
      std::uint32_t n = m.table[t + 1] + 1;
      while (n > sym + 1) {
        const std::uint32_t k = (sym + n) >> 1;
        if (dist[k] > dv)
          n = k;
        else
          sym = k;
      }
      x = dist[sym] * length_;
      if (sym + 1 != m.symbols())
        y = dist[sym + 1] * length_;
    } else {
      // Bisection for the last symbol whose start does not exceed value.
      sym = x = 0;
      std::uint32_t n = m.symbols();
      std::uint32_t k = n >> 1;
      do {
        const std::uint32_t z = length_ * dist[k];
        if (z > value_) {
          n = k;
          y = z;
        } else {
          sym = k;
          x = z;
        }
      } while ((k = (sym + n) >> 1) != sym);
    }
    value_ -= x;
    length_ = y - x;
    if (length_ < kMinLength)
      renormalise();
    ++m.count[sym];
    if (--m.until_update == 0)
      m.update();
    return sym;
  }

  /// `bits` (1..32) raw bits, coded with equal probabilities.
  std::uint32_t read_bits(unsigned bits) {
    if (bits > 19) {
      const std::uint32_t low = read_short();
      const std::uint32_t high = read_bits(bits - 16);
      return (high << 16) | low;
    }
    length_ >>= bits;
    const std::uint32_t sym = value_ / length_;
    value_ -= length_ * sym;
    if (length_ < kMinLength)
      renormalise();
    return sym;
  }
  std::uint32_t read_short() {
    length_ >>= 16;
    const std::uint32_t sym = value_ / length_;
    value_ -= length_ * sym;
    if (length_ < kMinLength)
      renormalise();
    return sym & 0xFFFFu;
  }
  std::uint32_t read_int() {
    const std::uint32_t low = read_short();
    const std::uint32_t high = read_short();
    return (high << 16) | low;
  }

  /// Bytes taken from the input so far (zeros past its end included).
  std::size_t consumed() const { return static_cast<std::size_t>(p_ - begin_) + overrun_; }
  /// Bytes wanted past the end of the input.
  std::size_t overrun() const { return overrun_; }

 private:
  std::uint8_t next() {
    if (p_ != end_)
      return *p_++;
    ++overrun_;
    return 0;
  }
  void renormalise() {
    do {
      value_ = (value_ << 8) | next();
      length_ <<= 8;
    } while (length_ < kMinLength && length_ != 0);
    if (length_ == 0)  // unreachable with the models above; never loop forever
      length_ = kMaxLength;
  }

  const std::uint8_t* begin_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::size_t overrun_ = 0;
  std::uint32_t value_ = 0;
  std::uint32_t length_ = kMaxLength;
};

}  // namespace tessera::io::laz
