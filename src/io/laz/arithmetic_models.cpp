// LASzip's adaptive models; see include/tessera/io/laz/arithmetic_models.hpp.
#include "tessera/io/laz/arithmetic_models.hpp"

#include <stdexcept>

namespace tessera::io::laz {

void BitModel::reset() {
  bit0_count = 1;
  bit_count = 2;
  bit0_prob = 1u << (kBitLengthShift - 1);
  update_cycle = until_update = 4;
}

void BitModel::update() {
  // Halve the counts past the maximum, keeping the probability of 0 below 1.
  if ((bit_count += update_cycle) > kBitMaxCount) {
    bit_count = (bit_count + 1) >> 1;
    bit0_count = (bit0_count + 1) >> 1;
    if (bit0_count == bit_count)
      ++bit_count;
  }
  const std::uint32_t scale = 0x80000000u / bit_count;
  bit0_prob = (bit0_count * scale) >> (31 - kBitLengthShift);
  update_cycle = (5 * update_cycle) >> 2;
  if (update_cycle > 64)
    update_cycle = 64;
  until_update = update_cycle;
}

SymbolModel::SymbolModel(std::uint32_t symbols, bool decoder) : symbols_(symbols) {
  if (symbols < 2 || symbols > 2048)
    throw std::invalid_argument("LAZ symbol model: symbols must be 2..2048");
  distribution.resize(symbols);
  count.resize(symbols);
  if (decoder && symbols > 16) {
    // The table only narrows the decoder's search (the coded bits do not
    // depend on it), so its size is the decoder's choice: two slots per
    // symbol leave one or two candidates per slot. With the earlier one slot
    // per four symbols, the search loop and its unpredictable branches were
    // the decoder's hot spot (9 % more CPU; docs/performance.md, LAZ).
    unsigned table_bits = 3;
    while (symbols > (1u << (table_bits - 1)))
      ++table_bits;
    table.resize((std::size_t{1} << table_bits) + 2);
    table_shift = kSymbolLengthShift - table_bits;
  }
  reset();
}

void SymbolModel::reset() {
  total_count_ = 0;
  update_cycle_ = symbols_;
  for (std::uint32_t& c : count)
    c = 1;
  update();
  update_cycle_ = until_update = (symbols_ + 6) >> 1;
}

void SymbolModel::update() {
  if ((total_count_ += update_cycle_) > kSymbolMaxCount) {
    total_count_ = 0;
    for (std::uint32_t& c : count)
      total_count_ += (c = (c + 1) >> 1);
  }
  const std::uint32_t scale = 0x80000000u / total_count_;
  std::uint32_t sum = 0;
  if (table.empty()) {
    for (std::uint32_t k = 0; k < symbols_; ++k) {
      distribution[k] = (scale * sum) >> (31 - kSymbolLengthShift);
      sum += count[k];
    }
  } else {
    // table[s] = the first symbol whose cumulative value reaches slot s.
    const std::uint32_t slots = static_cast<std::uint32_t>(table.size()) - 2;
    std::uint32_t s = 0;
    for (std::uint32_t k = 0; k < symbols_; ++k) {
      distribution[k] = (scale * sum) >> (31 - kSymbolLengthShift);
      sum += count[k];
      const std::uint32_t w = distribution[k] >> table_shift;
      while (s < w)
        table[++s] = k - 1;
    }
    table[0] = 0;
    while (s <= slots)
      table[++s] = symbols_ - 1;
  }
  update_cycle_ = (5 * update_cycle_) >> 2;
  const std::uint32_t max_cycle = (symbols_ + 6) << 3;
  if (update_cycle_ > max_cycle)
    update_cycle_ = max_cycle;
  until_update = update_cycle_;
}

}  // namespace tessera::io::laz
