// Earth orientation parameters (UT1 - UTC, polar motion) from an IERS table.
//
// Formats read (recognised from the rows themselves):
//   - IERS EOP C04 ("eopc04_IAU2000.62-now", the table astropy ships as
//     IERS-B): whitespace-separated rows `year month day MJD x y UT1-UTC ...`
//     (x, y in arcsec, 0h UTC), and the 2020 C04 layout with an hour column
//     before a decimal MJD;
//   - IERS finals2000A (Bulletin A, fixed columns; spec: the readme
//     "ReadMe.finals2000A"): MJD in columns 8-15, x and y in 19-27 / 38-46,
//     UT1 - UTC in 59-68, and the Bulletin B values in 135-144 / 145-154 /
//     155-165 preferred where present. Rows without values (beyond the
//     predictions) end the table.
// Values at a time are interpolated linearly in UTC MJD between the two
// bracketing rows, UT1 - UTC with its leap-second jump removed from the
// difference, as astropy's IERS tables do (astropy/utils/iers/iers.py,
// `_interpolate`). Outside the table astropy's coordinate transforms warn and
// fall back to UT1 - UTC = 0 and the 1962-2014 mean polar motion
// (x 0.035", y 0.29"); `at` returns the same values with a status saying so.
// Pure code: the caller reads the file (so one rank can read and broadcast).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tessera/subband/astrometry.hpp"

namespace tessera::subband {

enum class EopStatus { kInTable, kBeforeTable, kAfterTable };

struct EopLookup {
  EarthOrientation eop;  ///< dut1 (s), xp and yp (radians)
  EopStatus status = EopStatus::kInTable;
};

class EopTable {
 public:
  /// Parses the text of a C04 or finals2000A file; `source` names it in
  /// errors (FormatError naming the line) and warnings.
  static EopTable parse(const std::string& text, const std::string& source);

  /// The values at UTC Julian date `jd_utc` (the fallback outside the table).
  EopLookup at(double jd_utc) const;

  const std::string& source() const { return source_; }
  double first_mjd() const { return mjd_.front(); }
  double last_mjd() const { return mjd_.back(); }
  std::size_t size() const { return mjd_.size(); }

 private:
  std::string source_;
  std::vector<double> mjd_, dut1_, xp_, yp_;  // xp, yp in arcsec as tabulated
};

/// Reads and parses a table file (IoError when unreadable).
EopTable load_eop_table(const std::filesystem::path& path);

/// "YYYY-MM-DD" of an MJD, for messages.
std::string mjd_date(double mjd);

}  // namespace tessera::subband
