// The adaptive probability models of LASzip's arithmetic coder.
//
// LASzip entropy-codes with the arithmetic coder of A. Said ("Introduction
// to arithmetic coding: theory and practice", HP Labs HPL-2004-76, 2004, the
// "FastAC" coder) with 32-bit registers. The constants and the adaptation
// schedule below are part of the LAZ format: an encoder and a decoder only
// agree on the bits when both update their models at the same moments and
// by the same integer arithmetic (LASzip specification, "arithmetic coder").
//
//   BitModel     a binary model: probability of 0 held in 13 bits, counts
//                halved past 2^13, updated every 4 bits at first, the
//                period growing by 5/4 up to 64.
//   SymbolModel  an n-symbol model (2..2048): cumulative distribution in 15
//                bits, counts halved past 2^15, updated after (n + 6) / 2
//                symbols at first, the period growing by 5/4 up to 8 (n + 6).
//                A lookup table (symbols > 16, two slots per symbol) speeds
//                the decoder's search; the symbol it finds is the same as a
//                plain bisection.
#pragma once

#include <cstdint>
#include <vector>

namespace tessera::io::laz {

inline constexpr unsigned kBitLengthShift = 13;  // probability bits of a BitModel
inline constexpr std::uint32_t kBitMaxCount = 1u << kBitLengthShift;
inline constexpr unsigned kSymbolLengthShift = 15;  // distribution bits of a SymbolModel
inline constexpr std::uint32_t kSymbolMaxCount = 1u << kSymbolLengthShift;
inline constexpr std::uint32_t kMinLength = 0x01000000u;  // renormalise below 2^24
inline constexpr std::uint32_t kMaxLength = 0xFFFFFFFFu;

struct BitModel {
  BitModel() { reset(); }
  /// The state at the start of a chunk.
  void reset();
  /// New probability from the counts (when `until_update` reaches 0).
  void update();

  std::uint32_t bit0_count = 1;
  std::uint32_t bit_count = 2;
  std::uint32_t bit0_prob = 1u << (kBitLengthShift - 1);
  std::uint32_t update_cycle = 4;
  std::uint32_t until_update = 4;
};

class SymbolModel {
 public:
  /// `symbols` in 2..2048; `decoder` adds the lookup table for decoding.
  explicit SymbolModel(std::uint32_t symbols, bool decoder = true);
  /// The state at the start of a chunk: every count 1.
  void reset();
  /// New distribution from the counts (when `until_update` reaches 0).
  void update();

  std::uint32_t symbols() const { return symbols_; }

  std::vector<std::uint32_t> distribution;  ///< cumulative, scaled to 2^15
  std::vector<std::uint32_t> count;         ///< occurrences since the last halving
  std::vector<std::uint32_t> table;         ///< decoder: first symbol per table slot
  std::uint32_t table_shift = 0;
  std::uint32_t until_update = 0;

 private:
  std::uint32_t symbols_;
  std::uint32_t total_count_ = 0;
  std::uint32_t update_cycle_ = 0;
};

}  // namespace tessera::io::laz
