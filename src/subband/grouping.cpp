#include "tessera/subband/grouping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>

namespace tessera::subband {

namespace {
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil algorithm).
long days_from_civil(long y, long m, long d) {
  y -= m <= 2 ? 1 : 0;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
void civil_from_days(long z, long& y, long& m, long& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2 ? 1 : 0;
}
}  // namespace

std::optional<double> parse_stamp(const std::string& stamp) {
  static const std::regex re(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}))");
  std::smatch m;
  if (!std::regex_match(stamp, m, re))
    return std::nullopt;
  const long y = std::stol(m[1]), mo = std::stol(m[2]), d = std::stol(m[3]);
  const long h = std::stol(m[4]), mi = std::stol(m[5]), s = std::stol(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  return static_cast<double>(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
}

std::string format_stamp(double unix_seconds) {
  const long t = static_cast<long>(std::floor(unix_seconds));
  long days = t / 86400, rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  long y = 0, m = 0, d = 0;
  civil_from_days(days, y, m, d);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", y, m, d, rem / 3600,
                     (rem / 60) % 60, rem % 60);
}

std::optional<SubbandFile> parse_subband_name(const std::filesystem::path& path) {
  static const std::regex re(R"((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})_sb(\d{2})\.hdf5)");
  const std::string name = path.filename().string();
  std::smatch m;
  if (!std::regex_match(name, m, re))
    return std::nullopt;  // "_incomplete" never matches
  auto seconds = parse_stamp(m[1]);
  const int sb = std::stoi(m[2]);
  if (!seconds || sb >= kSubbandsPerGroup)
    return std::nullopt;
  return SubbandFile{path, m[1], *seconds, sb};
}

std::vector<int> SubbandGroup::missing() const {
  std::vector<bool> have(kSubbandsPerGroup, false);
  for (const auto& f : files)
    have[static_cast<std::size_t>(f.subband)] = true;
  std::vector<int> out;
  for (int i = 0; i < kSubbandsPerGroup; ++i) {
    if (!have[static_cast<std::size_t>(i)])
      out.push_back(i);
  }
  return out;
}

std::vector<SubbandGroup> group_subbands(std::vector<SubbandFile> files, double tolerance_seconds) {
  std::sort(files.begin(), files.end(), [](const SubbandFile& a, const SubbandFile& b) {
    if (a.unix_seconds != b.unix_seconds)
      return a.unix_seconds < b.unix_seconds;
    if (a.subband != b.subband)
      return a.subband < b.subband;
    return a.path < b.path;
  });
  std::vector<SubbandGroup> groups;
  for (auto& f : files) {
    if (groups.empty() || f.unix_seconds - groups.back().unix_seconds > tolerance_seconds) {
      groups.push_back(SubbandGroup{f.stamp, f.unix_seconds, {}, {}});
    }
    SubbandGroup& g = groups.back();
    auto same = std::find_if(g.files.begin(), g.files.end(),
                             [&](const SubbandFile& o) { return o.subband == f.subband; });
    if (same != g.files.end()) {
      g.duplicates.push_back(fmt::format("sb{:02d}: {} and {}", f.subband,
                                         same->path.filename().string(),
                                         f.path.filename().string()));
      continue;
    }
    g.files.push_back(std::move(f));
  }
  for (auto& g : groups) {
    std::sort(g.files.begin(), g.files.end(),
              [](const SubbandFile& a, const SubbandFile& b) { return a.subband < b.subband; });
  }
  return groups;
}

std::vector<SubbandGroup> scan_groups(const std::filesystem::path& dir, double tolerance_seconds) {
  std::vector<SubbandFile> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file())
      continue;
    if (auto f = parse_subband_name(entry.path()))
      files.push_back(std::move(*f));
  }
  return group_subbands(std::move(files), tolerance_seconds);
}

}  // namespace tessera::subband
