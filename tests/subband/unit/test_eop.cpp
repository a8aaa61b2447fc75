// The IERS Earth-orientation table reader against astropy's IERS tables
// (astropy 5.2 IERS_B.open / IERS_A.open, ut1_utc and pm_xy, computed with
// /usr/bin/python3 on the same rows; tests/subband/cross/test_subband_eop.py
// compares the whole conversion).
#include <cmath>
#include <numbers>
#include <string>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/subband/astrometry.hpp"
#include "tessera/subband/eop.hpp"

using namespace tessera::subband;

namespace {
constexpr double kArcsec = std::numbers::pi / (180.0 * 3600.0);

// C04 rows around the leap second of 2016-12-31 (data/iers/eopc04_IAU2000.62-now).
const std::string kC04 =
    "      Date      MJD      x          y        UT1-UTC       LOD         dX        dY\n"
    "     (0h UTC)\n"
    "\n"
    "2016  12  30  57752   0.082873   0.263556  -0.4069175   0.0008525  -0.000025  -0.000111   "
    "0.000059   0.000045  0.0000088  0.0000138    0.000044    0.000041\n"
    "2016  12  31  57753   0.081284   0.263013  -0.4077492   0.0009173  -0.000032  -0.000127   "
    "0.000059   0.000045  0.0000088  0.0000139    0.000045    0.000041\n"
    "2017   1   1  57754   0.080406   0.263110   0.5912977   0.0010160  -0.000041  -0.000127   "
    "0.000060   0.000045  0.0000116  0.0000140    0.000046    0.000042\n";

// finals2000A rows from astropy's test data (finals2000A-2016-04-30-test,
// BSD-3): two with Bulletin B values, three with Bulletin A only, then a row
// without values, which ends the table.
const std::string kFinals =
    "16 2 1 57419.00 I -0.003225 0.000031  0.299494 0.000025  I 0.0262864 0.0000042  1.3154 0.0035 "
    " I    -0.094    0.119    -0.077    0.029 -0.003291  0.299534  0.0262719    -0.094    -0.169\n"
    "16 2 2 57420.00 I -0.004706 0.000030  0.301252 0.000024  I 0.0249911 0.0000057  1.2412 0.0034 "
    " I    -0.108    0.119    -0.082    0.035 -0.004751  0.301342  0.0249958    -0.128    -0.151  "
    "\n"
    "16 4 1 57479.00 I -0.008414 0.000022  0.421202 0.000027  I-0.0824533 0.0000068  1.7634 0.0049 "
    " I    -0.021    0.047     0.000    0.063                                                     "
    "\n"
    "16 4 2 57480.00 I -0.008088 0.000022  0.422663 0.000027  I-0.0842517 0.0000069  1.8544 0.0042 "
    " I    -0.036    0.047    -0.021    0.063                                                     "
    "\n"
    "16 4 3 57481.00 I -0.007515 0.000013  0.424137 0.000024  I-0.0861632 0.0000050  1.9487 0.0047 "
    " I    -0.052    0.119    -0.082    0.024                                                     "
    "\n"
    "16 730 57599.00 P                    \n";
}  // namespace

TEST_CASE("C04: linear interpolation with the leap second removed, as astropy", "[subband][eop]") {
  const auto t = EopTable::parse(kC04, "c04");
  CHECK(t.size() == 3);
  // astropy: IERS_B ut1_utc / pm_xy at JD 2457754.25 (MJD 57753.75), across the leap second.
  const auto l = t.at(2457754.25);
  CHECK(l.status == EopStatus::kInTable);
  CHECK(std::abs(l.eop.dut1 - -0.408464025) < 1e-9);
  CHECK(std::abs(l.eop.xp - 0.0806255 * kArcsec) < 1e-6 * kArcsec);
  CHECK(std::abs(l.eop.yp - 0.26308575 * kArcsec) < 1e-6 * kArcsec);
}

TEST_CASE("outside the table: astropy's fallback and a status", "[subband][eop]") {
  const auto t = EopTable::parse(kC04, "c04");
  for (double jd : {2457700.5, 2457800.5}) {
    const auto l = t.at(jd);
    CHECK(l.status == (jd < 2457754.0 ? EopStatus::kBeforeTable : EopStatus::kAfterTable));
    CHECK(l.eop.dut1 == 0.0);
    CHECK(std::abs(l.eop.xp - 0.035 * kArcsec) < 1e-12);
    CHECK(std::abs(l.eop.yp - 0.29 * kArcsec) < 1e-12);
  }
  CHECK(mjd_date(57754) == "2017-01-01");
  CHECK(mjd_date(59912) == "2022-11-29");
}

TEST_CASE("finals2000A: Bulletin B where present, else A; stops at the first empty row",
          "[subband][eop]") {
  const auto t = EopTable::parse(kFinals, "finals");
  CHECK(t.size() == 5);
  // astropy IERS_A at MJD 57419.75 (B values) and 57480.3 (A values).
  const auto b = t.at(2400000.5 + 57419.75);
  CHECK(std::abs(b.eop.dut1 - 0.025314825) < 1e-9);
  CHECK(std::abs(b.eop.xp - -0.004386 * kArcsec) < 1e-6 * kArcsec);
  CHECK(std::abs(b.eop.yp - 0.30089 * kArcsec) < 1e-6 * kArcsec);
  const auto a = t.at(2400000.5 + 57480.3);
  CHECK(std::abs(a.eop.dut1 - -0.08482515) < 1e-8);
  CHECK(std::abs(a.eop.xp - -0.0079161 * kArcsec) < 1e-6 * kArcsec);
  CHECK(std::abs(a.eop.yp - 0.4231052 * kArcsec) < 1e-6 * kArcsec);
}

TEST_CASE("not a table, or rows out of order: FormatError naming the source", "[subband][eop]") {
  CHECK_THROWS_AS(EopTable::parse("hello\nworld\n", "x.txt"), tessera::FormatError);
  try {
    EopTable::parse(
        "2017   1   1  57754   0.08   0.26   0.59\n2016  12  31  57753   0.08   0.26  -0.40\n",
        "bad.txt");
    FAIL("no error");
  } catch (const tessera::FormatError& e) {
    CHECK(std::string(e.what()).find("bad.txt") != std::string::npos);
    CHECK(std::string(e.what()).find("line 2") != std::string::npos);
  }
}

TEST_CASE("apparent -> ICRS inverts ICRS -> apparent; frame position angle", "[subband][eop]") {
  const Site ovro{37.2314 * std::numbers::pi / 180, -118.2817 * std::numbers::pi / 180, 1222.0};
  const EarthOrientation eop{-0.0957, 0.15 * kArcsec, 0.49 * kArcsec};
  const double jd = 2459731.6298611113;
  for (double dec : {-0.5, 0.3, 1.2, 1.55}) {
    const SkyPosition icrs{3.1, dec};
    const auto app = icrs_to_apparent(icrs, jd, eop, ovro);
    const auto back = apparent_to_icrs(app, jd, eop, ovro);
    CHECK(std::abs(std::remainder(back.ra - icrs.ra, 2 * std::numbers::pi)) * std::cos(dec) <
          1e-3 * kArcsec);
    CHECK(std::abs(back.dec - icrs.dec) < 1e-3 * kArcsec);
    // Precession since J2000 turns the frame by well under a degree here.
    const double pa = frame_position_angle(app, jd, eop, ovro);
    CHECK(std::abs(pa) > 1e-6);
    CHECK(std::abs(pa) < 0.5 * std::numbers::pi / 180);
  }
}
