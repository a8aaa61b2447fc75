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

void utc_to_tt(double u1, double u2, double& tt1, double& tt2) {
  double tai1 = 0, tai2 = 0;
  eraUtctai(u1, u2, &tai1, &tai2);
  eraTaitt(tai1, tai2, &tt1, &tt2);
}

// Equation of the origins (IAU 2006/2000A), the same one eraApco13 uses.
double equation_of_origins(double tt1, double tt2) {
  double rnpb[3][3];
  eraPnm06a(tt1, tt2, rnpb);
  double x = 0, y = 0;
  eraBpn2xy(rnpb, &x, &y);
  return eraEors(rnpb, eraS06(tt1, tt2, x, y));
}
}  // namespace

double wrap_two_pi(double angle) {
  return eraAnp(angle);
}

double apparent_sidereal_time(double jd_utc, double dut1, double longitude) {
  double u1 = 0, u2 = 0;
  split_jd(jd_utc, u1, u2);
  double ut11 = 0, ut12 = 0, tt1 = 0, tt2 = 0;
  eraUtcut1(u1, u2, dut1, &ut11, &ut12);
  utc_to_tt(u1, u2, tt1, tt2);
  return eraAnp(eraGst06a(ut11, ut12, tt1, tt2) + longitude);
}

SkyPosition icrs_to_apparent(const SkyPosition& icrs, double jd_utc, const EarthOrientation& eop,
                             const Site& site) {
  double u1 = 0, u2 = 0;
  split_jd(jd_utc, u1, u2);
  double aob = 0, zob = 0, hob = 0, dob = 0, rob = 0, eo = 0;
  // No proper motion, parallax or radial velocity; pressure 0 turns refraction off.
  eraAtco13(icrs.ra, icrs.dec, 0.0, 0.0, 0.0, 0.0, u1, u2, eop.dut1, site.longitude, site.latitude,
            site.altitude, eop.xp, eop.yp, 0.0, 0.0, 0.0, 0.0, &aob, &zob, &hob, &dob, &rob, &eo);
  return {eraAnp(rob - eo), dob};
}

SkyPosition meridian_to_icrs(double dec, double jd_utc, const EarthOrientation& eop,
                             const Site& site) {
  double u1 = 0, u2 = 0;
  split_jd(jd_utc, u1, u2);
  // Observed (hour angle 0, dec) -> CIRS, then CIRS -> ICRS at TDB ~ TT
  // (the difference, < 2 ms, moves nothing by a measurable amount).
  double ri = 0, di = 0;
  eraAtoi13("H", 0.0, dec, u1, u2, eop.dut1, site.longitude, site.latitude, site.altitude, eop.xp,
            eop.yp, 0.0, 0.0, 0.0, 0.0, &ri, &di);
  double tt1 = 0, tt2 = 0;
  utc_to_tt(u1, u2, tt1, tt2);
  double rc = 0, dc = 0, eo = 0;
  eraAtic13(ri, di, tt1, tt2, &rc, &dc, &eo);
  return {eraAnp(rc), dc};
}

SkyPosition apparent_to_icrs(const SkyPosition& app, double jd_utc, const EarthOrientation& eop,
                             const Site& site) {
  double u1 = 0, u2 = 0, tt1 = 0, tt2 = 0;
  split_jd(jd_utc, u1, u2);
  utc_to_tt(u1, u2, tt1, tt2);
  // Observed "R" coordinates are CIO-based: RA_cio = RA_equinox + EO.
  double rc = 0, dc = 0;
  eraAtoc13("R", app.ra + equation_of_origins(tt1, tt2), app.dec, u1, u2, eop.dut1, site.longitude,
            site.latitude, site.altitude, eop.xp, eop.yp, 0.0, 0.0, 0.0, 0.0, &rc, &dc);
  return {eraAnp(rc), dc};
}

double frame_position_angle(const SkyPosition& app, double jd_utc, const EarthOrientation& eop,
                            const Site& site) {
  constexpr double kOffset = std::numbers::pi / 360.0;  // 0.5 deg: a 1 deg arc
  constexpr double kHalfPi = std::numbers::pi / 2.0;
  SkyPosition up{app.ra, app.dec + kOffset}, down{app.ra, app.dec - kOffset};
  // Over a pole the offset point lies on the other side, 180 deg away in RA.
  if (up.dec > kHalfPi)
    up = {eraAnp(up.ra + std::numbers::pi), std::numbers::pi - up.dec};
  if (down.dec < -kHalfPi)
    down = {eraAnp(down.ra + std::numbers::pi), -std::numbers::pi - down.dec};
  const SkyPosition a = apparent_to_icrs(down, jd_utc, eop, site);
  const SkyPosition b = apparent_to_icrs(up, jd_utc, eop, site);
  return -eraPas(a.ra, a.dec, b.ra, b.dec);
}

}  // namespace tessera::subband
