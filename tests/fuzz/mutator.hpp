// Seeded mutations of a valid input file: what damage looks like on disk.
//
// Generic byte damage (flips, insertions, deletions, truncation, a block
// copied over another) finds unchecked reads; the targeted mutations reach
// the checks a reader most needs: a declared count, size or offset made huge
// (the fields a format declares, or any small integer that looks like one)
// and NaN/Inf in numeric fields (binary doubles and floats, either byte
// order, or number tokens of a text format, FITS header cards included).
// The sequence is a function of the seed alone, so a failure is reproduced
// from the seed and the iteration number it is reported with.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tessera::fuzz {

/// A field of a binary header at a fixed offset (e.g. LAS point count).
struct Field {
  std::size_t offset = 0;
  int width = 4;      ///< bytes: 1, 2, 4 or 8
  bool real = false;  ///< IEEE double (width 8) or float (width 4)
  const char* name = "";
};

/// How a format is mutated beyond generic byte damage.
struct FormatTraits {
  std::vector<Field> fields;  ///< declared counts/sizes/offsets and real values
  bool text = false;          ///< number tokens, lines (FSM, GeoJSON)
  bool fits_cards = false;    ///< 80-character header cards (FITS)
};

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  /// A damaged copy of `input`: one to four mutations stacked; `what`
  /// receives their description ("flip@123 huge(point count)=...").
  std::string mutate(const std::string& input, const FormatTraits& traits, std::string& what);

  std::uint64_t below(std::uint64_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_);
  }

 private:
  void flip(std::string& s, std::string& what);
  void insert(std::string& s, std::string& what);
  void erase(std::string& s, std::string& what);
  void truncate(std::string& s, std::string& what);
  void copy_block(std::string& s, std::string& what);
  void huge_field(std::string& s, const FormatTraits& t, std::string& what);
  void huge_small_integer(std::string& s, std::string& what);
  void nan_inf_binary(std::string& s, const FormatTraits& t, std::string& what);
  void text_number(std::string& s, std::string& what);
  void text_line(std::string& s, std::string& what);
  void fits_card(std::string& s, std::string& what);

  std::mt19937_64 rng_;
};

}  // namespace tessera::fuzz
