// LAZ item GPSTIME11 version 2: the f64 GPS time of point formats 1 and 3,
// coded as the int64 of its bits. Up to four time sequences are tracked (a
// point may continue any of them: multiple flight lines, interleaved
// scanners). Per point a symbol says whether the difference to the
// sequence's last time is a multiple of the last difference (codes up to
// 500, or -10..-1), a fresh 32-bit difference, a full new time (a new
// sequence), or a switch to another of the four sequences.
// (LASzip specification, GPSTIME11 v2.)
//
// POINT14 v3 codes its GPS time layer the same way, except that a time
// equal to the last is said by the point's change mask, not coded here:
// `layered` drops the "unchanged" code (the codes after it move down by
// one: 515 multiplier symbols, 5 symbols after a zero difference).
#pragma once

#include <cstdint>

#include "tessera/io/laz/integer_decoder.hpp"
#include "tessera/io/laz/integer_encoder.hpp"
#include "tessera/io/laz/item_decoder.hpp"
#include "tessera/io/laz/item_encoder.hpp"

namespace tessera::io::laz {

/// The multiplier codes of GPSTIME11 v2.
inline constexpr std::int32_t kGpsMulti = 500;
inline constexpr std::int32_t kGpsMultiMinus = -10;
inline constexpr std::int32_t kGpsMultiUnchanged = kGpsMulti - kGpsMultiMinus + 1;  // 511
inline constexpr std::int32_t kGpsMultiCodeFull = kGpsMulti - kGpsMultiMinus + 2;   // 512
inline constexpr std::int32_t kGpsMultiTotal = kGpsMulti - kGpsMultiMinus + 6;      // 516

class GpsTime11V2Decoder final : public ItemDecoder {
 public:
  explicit GpsTime11V2Decoder(bool layered = false)
      : unchanged_(layered ? 0 : 1),
        multi_(static_cast<std::uint32_t>(kGpsMultiTotal - 1 + unchanged_)),
        zero_diff_(5 + unchanged_) {}
  void start(const std::uint8_t* first) override;
  void decode(ArithmeticDecoder& dec, std::uint8_t* item) override;

 private:
  /// A new time in full: the upper 32 bits against the last sequence's, the
  /// lower raw; it starts the next sequence.
  void full_time(ArithmeticDecoder& dec);

  std::uint32_t unchanged_;  ///< 1 when the "unchanged" code exists (v2), 0 (v3)
  SymbolModel multi_;
  SymbolModel zero_diff_;
  IntegerDecoder time_{32, 9};
  unsigned last_ = 0, next_ = 0;
  std::int64_t last_time_[4] = {};
  std::int32_t last_diff_[4] = {};
  std::int32_t extreme_count_[4] = {};
};

/// The encoder picks the multiplier as LASzip does (the nearest integer to
/// the ratio of the differences); the decoder needs only the codes.
class GpsTime11V2Encoder final : public ItemEncoder {
 public:
  /// `layered`: POINT14 v3's codes (never called with the last time again).
  explicit GpsTime11V2Encoder(bool layered = false)
      : unchanged_(layered ? 0 : 1),
        multi_(static_cast<std::uint32_t>(kGpsMultiTotal - 1 + unchanged_), false),
        zero_diff_(5 + unchanged_, false) {}
  void start(const std::uint8_t* first) override;
  void encode(ArithmeticEncoder& enc, const std::uint8_t* item) override;

 private:
  /// Codes the time `t` in a new sequence, in full.
  void full_time(ArithmeticEncoder& enc, SymbolModel& model, std::uint32_t code, std::int64_t t);

  std::uint32_t unchanged_;
  SymbolModel multi_;
  SymbolModel zero_diff_;
  IntegerEncoder time_{32, 9};
  unsigned last_ = 0, next_ = 0;
  std::int64_t last_time_[4] = {};
  std::int32_t last_diff_[4] = {};
  std::int32_t extreme_count_[4] = {};
};

}  // namespace tessera::io::laz
