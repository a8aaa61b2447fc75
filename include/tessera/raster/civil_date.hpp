// Proleptic Gregorian calendar dates as day numbers (days since 1970-01-01).
//
// Algorithm: H. Hinnant, "chrono-compatible low-level date algorithms"
// (days_from_civil / civil_from_days), exact for every representable date.
#pragma once

#include <cstdint>
#include <string>

namespace tessera::raster {

struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(const CivilDate& d) noexcept;
/// Inverse of days_from_civil.
CivilDate civil_from_days(std::int64_t days) noexcept;
/// True if (year, month, day) is a real calendar date.
bool is_valid_date(int year, int month, int day) noexcept;
/// "YYYY-MM-DD".
std::string iso_date(const CivilDate& d);

}  // namespace tessera::raster
