// Baseline coordinates (u, v, w) from antenna positions.
//
// UVH5 stores antenna positions as ECEF offsets from the telescope site.
// Rotating them about the polar axis by the site's east longitude gives the
// local equatorial frame of Thompson, Moran & Swenson (TMS, 3rd ed., eq. 4.1):
// x towards hour angle 0 on the equator, y towards hour angle -6 h (east),
// z towards the north celestial pole. For a phase centre at hour angle H and
// declination dec:
//   u =  x sinH + y cosH
//   v = -x sin(dec) cosH + y sin(dec) sinH + z cos(dec)
//   w =  x cos(dec) cosH - y cos(dec) sinH + z sin(dec)
// and a baseline's uvw is rot(ant2) - rot(ant1) (the UVH5 / pyuvdata sign).
// w of any direction equals b . s, the geometric path difference, which is
// what the phase rotation (phase.hpp) and the synthetic sky use.
//
// The subband converter rotates each antenna once per unique time (24 per
// DSA-110 group) and forms baselines by subtraction, never per row.
// Pure functions: no MPI, no files.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace tessera::subband {

using Vec3 = std::array<double, 3>;

/// ECEF offset from the site -> local equatorial frame (rotation by east longitude).
Vec3 ecef_to_local_equatorial(const Vec3& ecef, double longitude);

/// East/north/up offset at a site (geodetic latitude, east longitude) -> ECEF offset.
Vec3 enu_to_ecef(const Vec3& enu, double latitude, double longitude);

/// The TMS rotation above of one local-equatorial position.
Vec3 rotate_to_uvw(const Vec3& local, double hour_angle, double dec);

/// uvw (metres) of every baseline-time row: `hour_angle[t]`, `dec[t]` per
/// unique time t; row r joins antenna indices `ant1[r]`, `ant2[r]` (into
/// `local_positions`) at time index `time_index[r]`. Returns 3 * nrows values.
std::vector<double> baseline_uvw(const std::vector<Vec3>& local_positions,
                                 const std::vector<double>& hour_angle,
                                 const std::vector<double>& dec, const std::vector<int>& ant1,
                                 const std::vector<int>& ant2, const std::vector<int>& time_index);

}  // namespace tessera::subband
