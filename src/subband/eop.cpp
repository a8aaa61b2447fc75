#include "tessera/subband/eop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "tessera/core/error.hpp"

namespace tessera::subband {

namespace {

constexpr double kArcsecToRad = std::numbers::pi / (180.0 * 3600.0);
// astropy's _DEFAULT_PM (astropy/coordinates/builtin_frames/utils.py): the
// mean of the 1962-2014 IERS-B polar motion, used outside the table.
constexpr double kMeanXp = 0.035, kMeanYp = 0.29;

bool parse_number(std::string_view text, double& out) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.empty())
    return false;
  if (text.front() == '+')
    text.remove_prefix(1);
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t' || line[at] == '\r'))
      ++at;
    const std::size_t start = at;
    while (at < line.size() && line[at] != ' ' && line[at] != '\t' && line[at] != '\r')
      ++at;
    if (at > start)
      out.push_back(line.substr(start, at - start));
  }
  return out;
}

struct Row {
  double mjd, x, y, dut1;
};

// A C04 row: year month day [hour] MJD x y UT1-UTC ... The 1962-now files of
// 2008/2014 have an integer MJD as the fourth field; the 2020 series puts an
// hour before a decimal MJD.
bool c04_row(std::string_view line, Row& row) {
  const auto t = tokens(line);
  if (t.size() < 7 || t[0].size() != 4)
    return false;
  double year = 0, f3 = 0, f4 = 0;
  if (!parse_number(t[0], year) || year < 1900 || year > 2200 || !parse_number(t[3], f3))
    return false;
  std::size_t first = 4;  // index of x
  if (f3 < 24 && t.size() >= 8 && parse_number(t[4], f4) && f4 > 30000) {
    row.mjd = f4;  // 2020 layout: hour, then MJD
    first = 5;
  } else if (f3 > 30000) {
    row.mjd = f3;
  } else {
    return false;
  }
  return parse_number(t[first], row.x) && parse_number(t[first + 1], row.y) &&
         parse_number(t[first + 2], row.dut1);
}

// A finals2000A row (1-based columns in the IERS readme).
enum class Finals { kRow, kNoValues, kNotARow };
Finals finals_row(std::string_view line, Row& row) {
  auto col = [&](std::size_t from, std::size_t to) -> std::string_view {
    if (line.size() < from)
      return {};
    return line.substr(from - 1, std::min(line.size(), to) - (from - 1));
  };
  if (line.size() < 15 || !parse_number(col(8, 15), row.mjd) || row.mjd < 30000)
    return Finals::kNotARow;
  double bx = 0, by = 0, bu = 0;
  if (parse_number(col(135, 144), bx) && parse_number(col(145, 154), by) &&
      parse_number(col(155, 165), bu)) {
    row.x = bx, row.y = by, row.dut1 = bu;
    return Finals::kRow;
  }
  if (parse_number(col(19, 27), row.x) && parse_number(col(38, 46), row.y) &&
      parse_number(col(59, 68), row.dut1))
    return Finals::kRow;
  return Finals::kNoValues;
}

}  // namespace

EopTable EopTable::parse(const std::string& text, const std::string& source) {
  EopTable table;
  table.source_ = source;
  std::istringstream in(text);
  std::string line;
  int format = 0;  // 0 unknown, 1 C04, 2 finals2000A
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    Row row{};
    if (format != 2 && c04_row(line, row)) {
      format = 1;
    } else if (format != 1) {
      const Finals f = finals_row(line, row);
      if (f == Finals::kNoValues && format == 2)
        break;  // past the predictions
      if (f != Finals::kRow)
        continue;
      format = 2;
    } else {
      continue;  // C04 comment or blank line
    }
    if (!table.mjd_.empty() && row.mjd <= table.mjd_.back()) {
      throw FormatError(fmt::format("MJD {} does not follow {}", row.mjd, table.mjd_.back()),
                        source, fmt::format("line {}", number));
    }
    if (std::abs(row.dut1) >= 1.0 || std::abs(row.x) > 2.0 || std::abs(row.y) > 2.0) {
      throw FormatError(
          fmt::format("implausible values (x {}\", y {}\", UT1-UTC {} s)", row.x, row.y, row.dut1),
          source, fmt::format("line {}", number));
    }
    table.mjd_.push_back(row.mjd);
    table.xp_.push_back(row.x);
    table.yp_.push_back(row.y);
    table.dut1_.push_back(row.dut1);
  }
  if (table.mjd_.size() < 2) {
    throw FormatError(
        "not an IERS Earth-orientation table (no IERS EOP C04 or finals2000A rows found)", source);
  }
  return table;
}

EopLookup EopTable::at(double jd_utc) const {
  const double mjd = jd_utc - 2400000.5;
  EopLookup out;
  // Index of the first row after mjd (astropy: searchsorted side="right").
  const auto i =
      static_cast<std::size_t>(std::upper_bound(mjd_.begin(), mjd_.end(), mjd) - mjd_.begin());
  if (i == 0 || i == mjd_.size()) {
    out.status = i == 0 ? EopStatus::kBeforeTable : EopStatus::kAfterTable;
    out.eop = {0.0, kMeanXp * kArcsecToRad, kMeanYp * kArcsecToRad};
    return out;
  }
  const std::size_t i0 = i - 1;
  const double f = (mjd - mjd_[i0]) / (mjd_[i] - mjd_[i0]);
  auto lerp = [&](const std::vector<double>& v, bool leap) {
    double d = v[i] - v[i0];
    if (leap)
      d -= std::round(d);  // a leap second between the rows is a 1 s step, not a drift
    return v[i0] + f * d;
  };
  out.eop.dut1 = lerp(dut1_, true);
  out.eop.xp = lerp(xp_, false) * kArcsecToRad;
  out.eop.yp = lerp(yp_, false) * kArcsecToRad;
  return out;
}

EopTable load_eop_table(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError("cannot open the Earth-orientation table", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return EopTable::parse(text.str(), path.string());
}

std::string mjd_date(double mjd) {
  // Civil date from the Julian day number (Fliegel & Van Flandern, CACM 11, 657, 1968).
  const long jdn = static_cast<long>(std::floor(mjd)) + 2400001;
  long l = jdn + 68569;
  const long n = 4 * l / 146097;
  l -= (146097 * n + 3) / 4;
  const long i = 4000 * (l + 1) / 1461001;
  l = l - 1461 * i / 4 + 31;
  const long j = 80 * l / 2447;
  const long day = l - 2447 * j / 80;
  l = j / 11;
  const long month = j + 2 - 12 * l;
  const long year = 100 * (n - 49) + i + l;
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

}  // namespace tessera::subband
