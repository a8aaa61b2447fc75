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
// UT1 comes from UTC and DUT1 = UT1 - UTC (an option, default 0); polar
// motion is taken as zero (< 0.5").
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

struct SkyPosition {
  double ra = 0.0;
  double dec = 0.0;
};

/// Apparent (equinox-based, topocentric) RA/Dec of an ICRS position at `jd_utc`.
SkyPosition icrs_to_apparent(const SkyPosition& icrs, double jd_utc, double dut1, const Site& site);

/// ICRS position of the point on the local meridian (hour angle 0) at
/// apparent declination `dec` at `jd_utc`.
SkyPosition meridian_to_icrs(double dec, double jd_utc, double dut1, const Site& site);

/// Wraps an angle to [0, 2pi).
double wrap_two_pi(double angle);

}  // namespace tessera::subband
