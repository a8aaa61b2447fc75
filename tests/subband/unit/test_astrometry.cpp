// ERFA sidereal time and meridian -> ICRS against astropy 5.2 values
// (computed with /usr/bin/python3 astropy, IERS-B bundled table; see
// tests/subband/cross/test_subband_cross.py for the live comparison).
#include <cmath>
#include <numbers>

#include "support/catch.hpp"
#include "tessera/subband/astrometry.hpp"

using namespace tessera::subband;

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;
const Site kOvro{37.2314 * kDeg, -118.2817 * kDeg, 1222.0};
constexpr double kArcsec = kDeg / 3600.0;
// 1 ms of sidereal time in radians.
constexpr double kMs = 2.0 * std::numbers::pi / 86400.0 * 1e-3;
}  // namespace

TEST_CASE("apparent sidereal time equals astropy's within 1 ms", "[subband][astrometry]") {
  // Time("2022-06-01T03:07:00", location=OVRO).sidereal_time("apparent"), DUT1 from IERS-B.
  CHECK(std::abs(apparent_sidereal_time(2459731.6298611113, -0.09576348166451254, kOvro.longitude) -
                 3.1076479205678083) < kMs);
  CHECK(std::abs(apparent_sidereal_time(2459230.0, -0.17228049999741327, kOvro.longitude) -
                 3.0870388495026484) < kMs);
  // And DUT1 matters at that level: 0.1 s of UT1 is ~0.1 s of sidereal time.
  CHECK(std::abs(apparent_sidereal_time(2459731.6298611113, 0.0, kOvro.longitude) -
                 3.1076479205678083) > 50 * kMs);
}

TEST_CASE("meridian ICRS position equals astropy's HADEC to ICRS within 1 arcsec",
          "[subband][astrometry]") {
  const auto p = meridian_to_icrs(45.0 * kDeg, 2459731.6298611113, {-0.09576348166451254}, kOvro);
  CHECK(std::abs(p.ra - 3.102551873659095) * std::cos(p.dec) < kArcsec);
  CHECK(std::abs(p.dec - 0.787491743545541) < kArcsec);
  const auto q = meridian_to_icrs(45.0 * kDeg, 2459230.0, {-0.17228049999741327}, kOvro);
  CHECK(std::abs(q.ra - 3.0822133342748406) * std::cos(q.dec) < kArcsec);
  CHECK(std::abs(q.dec - 0.7874854192831152) < kArcsec);
}

TEST_CASE("the meridian's apparent position has zero hour angle", "[subband][astrometry]") {
  const double jd = 2459731.6298611113;
  const auto icrs = meridian_to_icrs(0.7, jd, {}, kOvro);
  const auto app = icrs_to_apparent(icrs, jd, {}, kOvro);
  const double ha = std::remainder(apparent_sidereal_time(jd, 0.0, kOvro.longitude) - app.ra,
                                   2.0 * std::numbers::pi);
  CHECK(std::abs(ha) < 1.0 * kArcsec);
  CHECK(std::abs(app.dec - 0.7) < 1.0 * kArcsec);
}
