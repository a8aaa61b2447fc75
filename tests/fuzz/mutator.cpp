// Mutations (mutator.hpp).
#include "mutator.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace tessera::fuzz {

namespace {

void store(std::string& s, std::size_t at, std::uint64_t v, int width, bool big_endian = false) {
  for (int k = 0; k < width && at + static_cast<std::size_t>(k) < s.size(); ++k) {
    const int shift = 8 * (big_endian ? width - 1 - k : k);
    s[at + static_cast<std::size_t>(k)] = static_cast<char>((v >> shift) & 0xFF);
  }
}

std::uint64_t load(const std::string& s, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int k = 0; k < width; ++k)
    v |= std::uint64_t{static_cast<unsigned char>(s[at + static_cast<std::size_t>(k)])} << (8 * k);
  return v;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool numeric_char(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
         c == 'e' || c == 'E';
}

}  // namespace

std::string Mutator::mutate(const std::string& input, const FormatTraits& t, std::string& what) {
  std::string s = input;
  what.clear();
  const bool binary = !t.text;
  // Weighted choice among the mutations this format can use.
  struct Choice {
    int weight;
    int id;
  };
  std::vector<Choice> menu = {{3, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}};
  if (!t.fields.empty())
    menu.push_back({3, 5});
  if (binary) {
    menu.push_back({2, 6});
    menu.push_back({2, 7});
  }
  if (t.text) {
    menu.push_back({4, 8});
    menu.push_back({2, 9});
  }
  if (t.fits_cards)
    menu.push_back({4, 10});
  int total = 0;
  for (const auto& c : menu)
    total += c.weight;
  const int count = 1 + static_cast<int>(below(4));
  for (int m = 0; m < count; ++m) {
    if (!what.empty())
      what += ' ';
    int pick = static_cast<int>(below(static_cast<std::uint64_t>(total)));
    int id = 0;
    for (const auto& c : menu) {
      if (pick < c.weight) {
        id = c.id;
        break;
      }
      pick -= c.weight;
    }
    if (s.empty() && id != 1) {
      insert(s, what);
      continue;
    }
    switch (id) {
      case 0:
        flip(s, what);
        break;
      case 1:
        insert(s, what);
        break;
      case 2:
        erase(s, what);
        break;
      case 3:
        truncate(s, what);
        break;
      case 4:
        copy_block(s, what);
        break;
      case 5:
        huge_field(s, t, what);
        break;
      case 6:
        huge_small_integer(s, what);
        break;
      case 7:
        nan_inf_binary(s, t, what);
        break;
      case 8:
        text_number(s, what);
        break;
      case 9:
        text_line(s, what);
        break;
      default:
        fits_card(s, what);
    }
  }
  return s;
}

void Mutator::flip(std::string& s, std::string& what) {
  const std::size_t at = below(s.size());
  const int bits = 1 + static_cast<int>(below(3));
  for (int b = 0; b < bits; ++b)
    s[at] = static_cast<char>(s[at] ^ (1 << below(8)));
  what += "flip@" + std::to_string(at);
}

void Mutator::insert(std::string& s, std::string& what) {
  const std::size_t at = below(s.size() + 1);
  const std::size_t n = 1 + below(below(2) ? 8 : 256);
  std::string bytes(n, '\0');
  const bool repeat = below(2) == 0;  // a run of one byte, or noise
  const char fill = static_cast<char>(below(256));
  for (auto& c : bytes)
    c = repeat ? fill : static_cast<char>(below(256));
  s.insert(at, bytes);
  what += "insert" + std::to_string(n) + "@" + std::to_string(at);
}

void Mutator::erase(std::string& s, std::string& what) {
  const std::size_t at = below(s.size());
  const std::size_t n = 1 + below(std::min<std::size_t>(s.size() - at, below(2) ? 16 : 4096));
  s.erase(at, n);
  what += "erase" + std::to_string(n) + "@" + std::to_string(at);
}

void Mutator::truncate(std::string& s, std::string& what) {
  const std::size_t n = below(s.size());
  s.resize(n);
  what += "truncate@" + std::to_string(n);
}

void Mutator::copy_block(std::string& s, std::string& what) {
  const std::size_t from = below(s.size());
  const std::size_t to = below(s.size());
  const std::size_t n =
      1 + below(std::min<std::size_t>({s.size() - from, s.size() - to, std::size_t{512}}));
  std::memmove(s.data() + to, s.data() + from, n);
  what += "copy" + std::to_string(n) + "@" + std::to_string(from) + "->" + std::to_string(to);
}

namespace {
std::uint64_t huge_value(std::uint64_t old, int width, std::uint64_t r) {
  const std::uint64_t mask = width >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width)) - 1;
  const std::array<std::uint64_t, 9> values = {~std::uint64_t{0},
                                               ~std::uint64_t{0} >> 1,
                                               std::uint64_t{1} << (8 * width - 1),
                                               std::uint64_t{1} << 40,
                                               std::uint64_t{1} << 31,
                                               old * 1000003,
                                               old + 1,
                                               old - 1,
                                               0};
  return values[r % values.size()] & mask;
}
}  // namespace

void Mutator::huge_field(std::string& s, const FormatTraits& t, std::string& what) {
  const Field& f = t.fields[below(t.fields.size())];
  if (f.offset + static_cast<std::size_t>(f.width) > s.size()) {
    flip(s, what);
    return;
  }
  if (f.real) {
    nan_inf_binary(s, FormatTraits{{f}, false, false}, what);
    return;
  }
  const std::uint64_t v = huge_value(load(s, f.offset, f.width), f.width, below(1000));
  store(s, f.offset, v, f.width);
  what += std::string("field(") + f.name + ")=" + hex(v);
}

void Mutator::huge_small_integer(std::string& s, std::string& what) {
  // A small little-endian integer is most likely a count, size or offset.
  for (int attempt = 0; attempt < 64; ++attempt) {
    const int width = below(2) ? 4 : 8;
    if (s.size() < static_cast<std::size_t>(width))
      break;
    const std::size_t at = below(s.size() / width) * width;
    const std::uint64_t old = load(s, at, width);
    if (old == 0 || old > (std::uint64_t{1} << 24))
      continue;
    const std::uint64_t v = huge_value(old, width, below(1000));
    store(s, at, v, width);
    what += "count@" + std::to_string(at) + ":" + std::to_string(old) + "->" + hex(v);
    return;
  }
  flip(s, what);
}

void Mutator::nan_inf_binary(std::string& s, const FormatTraits& t, std::string& what) {
  std::vector<const Field*> reals;
  for (const auto& f : t.fields) {
    if (f.real)
      reals.push_back(&f);
  }
  std::size_t at = 0;
  int width = below(2) ? 8 : 4;
  std::string where;
  if (!reals.empty() && below(2)) {
    const Field& f = *reals[below(reals.size())];
    at = f.offset;
    width = f.width;
    where = f.name;
  } else {
    if (s.size() < 8) {
      flip(s, what);
      return;
    }
    at = below(s.size() / static_cast<std::size_t>(width)) * static_cast<std::size_t>(width);
    where = std::to_string(at);
  }
  const double values[] = {std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           1e308,
                           -1e308,
                           std::numeric_limits<double>::denorm_min()};
  const double v = values[below(std::size(values))];
  const bool big = below(2) == 0;  // FITS data and HDF5 big-endian types
  std::uint64_t bits = width == 8 ? std::bit_cast<std::uint64_t>(v)
                                  : std::bit_cast<std::uint32_t>(static_cast<float>(v));
  store(s, at, bits, width, big);
  what += "real(" + where + ")=" + std::to_string(v) + (big ? "BE" : "LE");
}

void Mutator::text_number(std::string& s, std::string& what) {
  std::size_t at = below(s.size());
  // The next digit at or after a random place (wrapping once).
  std::size_t k = 0;
  while (k < s.size() && !std::isdigit(static_cast<unsigned char>(s[(at + k) % s.size()])))
    ++k;
  if (k == s.size()) {
    flip(s, what);
    return;
  }
  at = (at + k) % s.size();
  std::size_t b = at, e = at;
  while (b > 0 && numeric_char(s[b - 1]))
    --b;
  while (e < s.size() && numeric_char(s[e]))
    ++e;
  static const char* tokens[] = {
      "nan",         "inf", "-inf", "NaN",    "1e309", "-1e309",    "99999999999999999999",
      "-2147483649", "",    "-0",   "1e-320", "0x10",  "4294967296"};
  const char* tok = tokens[below(std::size(tokens))];
  what += "number@" + std::to_string(b) + "='" + s.substr(b, e - b) + "'->'" + tok + "'";
  s.replace(b, e - b, tok);
}

void Mutator::text_line(std::string& s, std::string& what) {
  std::vector<std::size_t> starts = {0};
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '\n')
      starts.push_back(i + 1);
  }
  const std::size_t i = below(starts.size());
  const std::size_t b = starts[i];
  const std::size_t e = i + 1 < starts.size() ? starts[i + 1] : s.size();
  const std::string line = s.substr(b, e - b);
  if (below(2)) {
    s.insert(e, line);
    what += "dupline" + std::to_string(i + 1);
  } else {
    s.erase(b, e - b);
    what += "delline" + std::to_string(i + 1);
  }
}

void Mutator::fits_card(std::string& s, std::string& what) {
  // Cards with a value ("KEYWORD = value"), in the header blocks only: a
  // card is 80 characters and a header ends with END.
  std::vector<std::size_t> cards;
  for (std::size_t at = 0; at + 80 <= s.size(); at += 80) {
    if (s.compare(at + 8, 2, "= ") == 0)
      cards.push_back(at);
  }
  if (cards.empty()) {
    flip(s, what);
    return;
  }
  const std::size_t at = cards[below(cards.size())];
  std::string value;
  if (s[at + 10] == '\'' || s.find('\'', at + 10) < at + 30) {
    static const char* forms[] = {"'999999999D'", "'2147483647A'", "'0K      '", "'PD(99999999)'",
                                  "'-1E     '",   "'K(1)'",        "''"};
    value = forms[below(std::size(forms))];
  } else {
    static const char* numbers[] = {
        "9223372036854775807", "4294967297", "2147483648", "-1",       "0",
        "99999999999",         "NaN",        "1E309",      "-9999999", "1.5"};
    value = numbers[below(std::size(numbers))];
  }
  std::string field(20, ' ');
  if (value[0] == '\'')
    field.replace(0, std::min<std::size_t>(value.size(), 20), value.substr(0, 20));
  else
    field.replace(20 - std::min<std::size_t>(value.size(), 20), value.size(), value);
  what += "card(" + s.substr(at, 8) + ")=" + value;
  s.replace(at + 10, 20, field);
}

}  // namespace tessera::fuzz
