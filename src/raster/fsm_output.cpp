// FSM output parsing; see include/tessera/raster/fsm_output.hpp.
#include "tessera/raster/fsm_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "tessera/core/error.hpp"

namespace tessera::raster {

namespace {

// Units: swe and rof are water equivalents in kg m-2 = mm; snd is depth in m;
// FSM's tsf is the surface temperature in degC (the original labels it "k").
constexpr FsmVariableInfo kInfo[kFsmVariableCount] = {
    {"swe", "SWE", "mm", "snow water equivalent", "lwe_thickness_of_surface_snow_amount", -3},
    {"snd", "HS", "m", "snow depth", "surface_snow_thickness", -4},
    {"rof", "ROF", "mm", "daily runoff from the snowpack base", "", -5},
    {"gst", "GST", "degC", "ground surface temperature", "surface_temperature", -2},
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

}  // namespace

const FsmVariableInfo& variable_info(FsmVariable v) {
  return kInfo[static_cast<int>(v)];
}

FsmVariable parse_variable(std::string_view name) {
  for (int i = 0; i < kFsmVariableCount; ++i) {
    if (name == kInfo[i].name)
      return static_cast<FsmVariable>(i);
  }
  throw UsageError(fmt::format("unknown variable '{}' (expected swe, snd, rof or gst)", name));
}

std::vector<FsmVariable> parse_variable_list(std::string_view list) {
  std::vector<FsmVariable> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos)
      comma = list.size();
    std::string_view part = list.substr(pos, comma - pos);
    while (!part.empty() && is_space(part.front()))
      part.remove_prefix(1);
    while (!part.empty() && is_space(part.back()))
      part.remove_suffix(1);
    if (!part.empty()) {
      const FsmVariable v = parse_variable(part);
      if (std::find(out.begin(), out.end(), v) != out.end()) {
        throw UsageError(fmt::format("variable '{}' listed twice", part));
      }
      out.push_back(v);
    }
    pos = comma + 1;
  }
  if (out.empty())
    throw UsageError("no variable given");
  return out;
}

FsmSeries parse_fsm_text(std::string_view text, const std::string& file) {
  FsmSeries s;
  std::vector<std::string_view> tokens;
  std::size_t ncols = 0;
  std::int64_t expected_day = 0;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos)
      eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    tokens.clear();
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && is_space(line[i]))
        ++i;
      const std::size_t b = i;
      while (i < line.size() && !is_space(line[i]))
        ++i;
      if (i > b)
        tokens.push_back(line.substr(b, i - b));
    }
    if (tokens.empty())
      continue;  // blank lines (e.g. a trailing newline)
    const std::string where = fmt::format("line {}", line_no);
    if (ncols == 0) {
      ncols = tokens.size();
      if (ncols < 8) {
        throw FormatError(
            fmt::format("{} columns; an FSM output row has year month day [hour] and at least "
                        "5 variables (alb rof snd swe tsf tsl)",
                        ncols),
            file, where);
      }
    } else if (tokens.size() != ncols) {
      throw FormatError(
          fmt::format("ragged row: {} columns where the first row has {}", tokens.size(), ncols),
          file, where);
    }
    int ymd[3];
    for (int k = 0; k < 3; ++k) {
      const auto t = tokens[static_cast<std::size_t>(k)];
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ymd[k]);
      if (ec != std::errc() || p != t.data() + t.size()) {
        throw FormatError(fmt::format("column {} is not an integer date part: '{}'", k + 1, t),
                          file, where);
      }
    }
    if (!is_valid_date(ymd[0], ymd[1], ymd[2])) {
      throw FormatError(fmt::format("invalid date {}-{}-{}", ymd[0], ymd[1], ymd[2]), file, where);
    }
    const CivilDate date{ymd[0], ymd[1], ymd[2]};
    const std::int64_t day = days_from_civil(date);
    if (s.days() == 0) {
      s.start = date;
    } else if (day != expected_day) {
      throw FormatError(fmt::format("date {} where {} was expected (days must be consecutive, "
                                    "one row per day)",
                                    iso_date(date), iso_date(civil_from_days(expected_day))),
                        file, where);
    }
    expected_day = day + 1;
    for (int v = 0; v < kFsmVariableCount; ++v) {
      const auto t = tokens[ncols - static_cast<std::size_t>(-kInfo[v].column_from_end)];
      float x = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
      if (ec != std::errc() || p != t.data() + t.size()) {
        throw FormatError(fmt::format("{} value is not a number: '{}'", kInfo[v].name, t), file,
                          where);
      }
      // from_chars takes "nan" and "inf"; gridded, they would spread over
      // every cell of the cluster without a word.
      if (!std::isfinite(x)) {
        throw FormatError(fmt::format("{} value is not finite: '{}'", kInfo[v].name, t), file,
                          where);
      }
      s.values[static_cast<std::size_t>(v)].push_back(x);
    }
  }
  if (s.days() == 0)
    throw FormatError("no data rows", file);
  return s;
}

FsmSeries read_fsm_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError("cannot open FSM output", path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    throw IoError("cannot read FSM output", path.string());
  const std::string text = ss.str();
  return parse_fsm_text(text, path.string());
}

std::vector<std::filesystem::path> list_fsm_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw IoError("FSM output directory does not exist", dir.string());
  }
  static const std::regex kName(R"(sim_FSM_pt_(\d+)\.txt)");
  std::map<long, std::filesystem::path> by_id;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, kName))
      continue;
    const long id = std::stol(m[1].str());
    if (!by_id.emplace(id, e.path()).second) {
      throw FormatError(fmt::format("two files for cluster {}", id), e.path().string());
    }
  }
  if (by_id.empty())
    throw IoError("no sim_FSM_pt_XXXX.txt files", dir.string());
  std::vector<std::filesystem::path> out;
  long expect = 0;
  for (auto& [id, p] : by_id) {
    if (id != expect) {
      throw FormatError(fmt::format("cluster ids must be 0..N-1: cluster {} is missing (next "
                                    "file is {})",
                                    expect, p.filename().string()),
                        dir.string());
    }
    out.push_back(p);
    ++expect;
  }
  return out;
}

}  // namespace tessera::raster
