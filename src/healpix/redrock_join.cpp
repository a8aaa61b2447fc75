// The TARGETID join of a redrock file (include/tessera/healpix/redrock_join.hpp).
#include "tessera/healpix/redrock_join.hpp"

#include <fmt/format.h>

#include <bit>
#include <unordered_map>

#include "tessera/core/error.hpp"

namespace tessera::healpix {
namespace {

constexpr const char* kObject = "HDUs 'REDSHIFTS' and 'FIBERMAP' (joined on TARGETID)";

// Bitwise equality: repeats copied from one target row are identical, NaN included.
bool same_value(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace

RedrockJoin join_redrock(std::span<const std::int64_t> redshift_ids,
                         std::span<const std::int64_t> fibermap_ids, std::span<const double> ra,
                         std::span<const double> dec, const std::string& file) {
  const auto counts = [&] {
    return fmt::format("REDSHIFTS has {} rows, FIBERMAP {}", redshift_ids.size(),
                       fibermap_ids.size());
  };
  // TARGETID -> first FIBERMAP row; repeats must repeat the position.
  std::unordered_map<std::int64_t, std::int64_t> fibermap;
  fibermap.reserve(fibermap_ids.size());
  RedrockJoin out;
  for (std::size_t j = 0; j < fibermap_ids.size(); ++j) {
    const auto [it, inserted] = fibermap.emplace(fibermap_ids[j], static_cast<std::int64_t>(j));
    if (inserted)
      continue;
    const auto first = static_cast<std::size_t>(it->second);
    if (!same_value(ra[first], ra[j]) || !same_value(dec[first], dec[j])) {
      throw FormatError(
          fmt::format("TARGETID {} has FIBERMAP rows {} and {} with different positions "
                      "({}, {}) and ({}, {})",
                      fibermap_ids[j], first, j, ra[first], dec[first], ra[j], dec[j]),
          file, kObject);
    }
    ++out.repeated_rows;
  }
  // TARGETID -> REDSHIFTS row: unique, and each one in FIBERMAP.
  std::unordered_map<std::int64_t, std::int64_t> redshifts;
  redshifts.reserve(redshift_ids.size());
  out.fibermap_row.resize(redshift_ids.size());
  for (std::size_t i = 0; i < redshift_ids.size(); ++i) {
    const auto [it, inserted] = redshifts.emplace(redshift_ids[i], static_cast<std::int64_t>(i));
    if (!inserted) {
      throw FormatError(fmt::format("TARGETID {} appears twice in REDSHIFTS (rows {} and {}); "
                                    "one redshift per target is required ({})",
                                    redshift_ids[i], it->second, i, counts()),
                        file, kObject);
    }
    const auto found = fibermap.find(redshift_ids[i]);
    if (found == fibermap.end()) {
      throw FormatError(fmt::format("TARGETID {} (REDSHIFTS row {}) has no FIBERMAP row ({})",
                                    redshift_ids[i], i, counts()),
                        file, kObject);
    }
    out.fibermap_row[i] = found->second;
  }
  // Every REDSHIFTS target is in FIBERMAP; the sets differ when FIBERMAP has more.
  if (fibermap.size() != redshifts.size()) {
    for (std::size_t j = 0; j < fibermap_ids.size(); ++j) {
      if (!redshifts.contains(fibermap_ids[j])) {
        throw FormatError(fmt::format("TARGETID {} (FIBERMAP row {}) has no REDSHIFTS row ({})",
                                      fibermap_ids[j], j, counts()),
                          file, kObject);
      }
    }
  }
  return out;
}

}  // namespace tessera::healpix
