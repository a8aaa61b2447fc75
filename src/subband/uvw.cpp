#include "tessera/subband/uvw.hpp"

#include <cmath>
#include <cstddef>

namespace tessera::subband {

Vec3 ecef_to_local_equatorial(const Vec3& ecef, double longitude) {
  const double c = std::cos(longitude), s = std::sin(longitude);
  return {c * ecef[0] + s * ecef[1], -s * ecef[0] + c * ecef[1], ecef[2]};
}

Vec3 enu_to_ecef(const Vec3& enu, double latitude, double longitude) {
  const double sl = std::sin(longitude), cl = std::cos(longitude);
  const double sp = std::sin(latitude), cp = std::cos(latitude);
  const double e = enu[0], n = enu[1], u = enu[2];
  return {-sl * e - sp * cl * n + cp * cl * u, cl * e - sp * sl * n + cp * sl * u, cp * n + sp * u};
}

Vec3 rotate_to_uvw(const Vec3& local, double hour_angle, double dec) {
  const double sh = std::sin(hour_angle), ch = std::cos(hour_angle);
  const double sd = std::sin(dec), cd = std::cos(dec);
  const double x = local[0], y = local[1], z = local[2];
  return {x * sh + y * ch, -x * sd * ch + y * sd * sh + z * cd, x * cd * ch - y * cd * sh + z * sd};
}

std::vector<double> baseline_uvw(const std::vector<Vec3>& local_positions,
                                 const std::vector<double>& hour_angle,
                                 const std::vector<double>& dec, const std::vector<int>& ant1,
                                 const std::vector<int>& ant2, const std::vector<int>& time_index) {
  const std::size_t nant = local_positions.size();
  const std::size_t ntimes = hour_angle.size();
  // Rotate each antenna once per unique time ...
  std::vector<Vec3> rotated(ntimes * nant);
  for (std::size_t t = 0; t < ntimes; ++t) {
    for (std::size_t a = 0; a < nant; ++a) {
      rotated[t * nant + a] = rotate_to_uvw(local_positions[a], hour_angle[t], dec[t]);
    }
  }
  // ... then every row is one subtraction.
  const std::size_t nrows = ant1.size();
  std::vector<double> uvw(3 * nrows);
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < nrows; ++r) {
    const Vec3& p1 = rotated[static_cast<std::size_t>(time_index[r]) * nant + ant1[r]];
    const Vec3& p2 = rotated[static_cast<std::size_t>(time_index[r]) * nant + ant2[r]];
    for (int k = 0; k < 3; ++k)
      uvw[3 * r + k] = p2[k] - p1[k];
  }
  return uvw;
}

}  // namespace tessera::subband
