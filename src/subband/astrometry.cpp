#include "tessera/subband/astrometry.hpp"

#include <erfa.h>

#include <cmath>
#include <numbers>

namespace tessera::subband {

namespace {
// Two-part Julian dates keep ERFA's full precision (ERFA convention: the
// first part carries the day, the second the fraction).
void split_jd(double jd, double& d1, double& d2) {
  d1 = std::floor(jd) + 0.5;
  d2 = jd - d1;
}
}  // namespace

double wrap_two_pi(double angle) {
  return eraAnp(angle);
}

double apparent_sidereal_time(double jd_utc, double dut1, double longitude) {
  double u1 = 0, u2 = 0;
  split_jd(jd_utc, u1, u2);
  double ut11 = 0, ut12 = 0, tai1 = 0, tai2 = 0, tt1 = 0, tt2 = 0;
  eraUtcut1(u1, u2, dut1, &ut11, &ut12);
  eraUtctai(u1, u2, &tai1, &tai2);
  eraTaitt(tai1, tai2, &tt1, &tt2);
  return eraAnp(eraGst06a(ut11, ut12, tt1, tt2) + longitude);
}

SkyPosition icrs_to_apparent(const SkyPosition& icrs, double jd_utc, double dut1,
                             const Site& site) {
  double u1 = 0, u2 = 0;
  split_jd(jd_utc, u1, u2);
  double aob = 0, zob = 0, hob = 0, dob = 0, rob = 0, eo = 0;
  // No proper motion, parallax or radial velocity; pressure 0 turns refraction off.
  eraAtco13(icrs.ra, icrs.dec, 0.0, 0.0, 0.0, 0.0, u1, u2, dut1, site.longitude, site.latitude,
            site.altitude, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, &aob, &zob, &hob, &dob, &rob, &eo);
  return {eraAnp(rob - eo), dob};
}

SkyPosition meridian_to_icrs(double dec, double jd_utc, double dut1, const Site& site) {
  double u1 = 0, u2 = 0;
  split_jd(jd_utc, u1, u2);
  // Observed (hour angle 0, dec) -> CIRS, then CIRS -> ICRS at TDB ~ TT
  // (the difference, < 2 ms, moves nothing by a measurable amount).
  double ri = 0, di = 0;
  eraAtoi13("H", 0.0, dec, u1, u2, dut1, site.longitude, site.latitude, site.altitude, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, &ri, &di);
  double tai1 = 0, tai2 = 0, tt1 = 0, tt2 = 0;
  eraUtctai(u1, u2, &tai1, &tai2);
  eraTaitt(tai1, tai2, &tt1, &tt2);
  double rc = 0, dc = 0, eo = 0;
  eraAtic13(ri, di, tt1, tt2, &rc, &dc, &eo);
  return {eraAnp(rc), dc};
}

}  // namespace tessera::subband
