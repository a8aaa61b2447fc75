// Sidereal time and apparent <-> ICRS positions for the subband pipeline (ERFA).
//
// The DSA-110 converter abandoned the cheap GMST polynomial (~1200" off) for
// ERFA's IAU 2006/2000A models, as pyuvdata does; so do we:
//   - apparent sidereal time: eraGst06a(UT1, TT) + east longitude (the same
//     model astropy's Time.sidereal_time('apparent') uses);
//   - ICRS -> apparent: eraAtco13 with no refraction (pressure 0); the
//     apparent (equinox-based) RA is the observed CIO RA minus the equation
//     of the origins, exactly as pyuvdata's transform_icrs_to_app;
//   - meridian -> ICRS: eraAtoi13 of hour angle 0 at the given declination
//     (observed -> CIRS), then eraAtic13 (CIRS -> ICRS): astropy's HADEC -> ICRS.
// UT1 comes from UTC and DUT1 = UT1 - UTC, and polar motion (xp, yp) enters
// eraAtco13/eraAtoi13/eraAtoc13, both interpolated from an IERS table
// (eop.hpp); the sidereal time itself does not depend on polar motion.
// Pure functions: no MPI, no files. Angles in radians, times in JD (UTC).
#pragma once

namespace tessera::subband {

/// Telescope site: geodetic latitude and east longitude (radians), altitude (m).
struct Site {
  double latitude = 0.0;
  double longitude = 0.0;
  double altitude = 0.0;
};

/// Local apparent sidereal time (radians, [0, 2pi)) at UTC Julian date `jd_utc`.
double apparent_sidereal_time(double jd_utc, double dut1, double longitude);

/// Earth orientation at one time: UT1 - UTC (s) and polar motion (radians).
struct EarthOrientation {
  double dut1 = 0.0;
  double xp = 0.0;
  double yp = 0.0;
};

struct SkyPosition {
  double ra = 0.0;
  double dec = 0.0;
};

/// Apparent (equinox-based, topocentric) RA/Dec of an ICRS position at `jd_utc`.
SkyPosition icrs_to_apparent(const SkyPosition& icrs, double jd_utc, const EarthOrientation& eop,
                             const Site& site);

/// ICRS position of the point on the local meridian (hour angle 0) at
/// apparent declination `dec` at `jd_utc`.
SkyPosition meridian_to_icrs(double dec, double jd_utc, const EarthOrientation& eop,
                             const Site& site);

/// Apparent (topocentric, equinox-based) -> ICRS: eraAtoc13 of the observed
/// CIO-based RA (apparent RA + equation of the origins), no refraction.
SkyPosition apparent_to_icrs(const SkyPosition& app, double jd_utc, const EarthOrientation& eop,
                             const Site& site);

/// Position angle (radians) of ICRS north relative to apparent north at the
/// apparent position `app`, pyuvdata's `phase_center_frame_pa`: the points
/// 0.5 deg north and south of `app` (apparent frame) are taken to ICRS and the
/// angle is minus the ICRS position angle of the northern point seen from the
/// southern one (eraPas), so that rotating (u, v) by it aligns v with ICRS north
/// (pyuvdata utils/phasing.py, calc_frame_pos_angle and calc_uvw).
double frame_position_angle(const SkyPosition& app, double jd_utc, const EarthOrientation& eop,
                            const Site& site);

/// Wraps an angle to [0, 2pi).
double wrap_two_pi(double angle);

}  // namespace tessera::subband
