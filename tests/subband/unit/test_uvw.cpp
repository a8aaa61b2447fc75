// uvw from antenna positions: the TMS rotation against an independent
// construction from the source direction, antisymmetry, the zero-hour-angle case.
#include <cmath>
#include <numbers>
#include <random>

#include "support/catch.hpp"
#include "tessera/subband/uvw.hpp"

using namespace tessera::subband;

namespace {
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
Vec3 unit(const Vec3& a) {
  const double n = std::sqrt(dot(a, a));
  return {a[0] / n, a[1] / n, a[2] / n};
}
}  // namespace

TEST_CASE("uvw from the rotation formula equals projections on the source frame",
          "[subband][uvw]") {
  // Independent construction: w along the source direction s, u along the
  // east unit vector z x s, v = s x u (towards the north), in the local
  // equatorial frame (x to hour angle 0, y to hour angle -6h, z to the pole).
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> pos(-1500.0, 1500.0), ha(-3.0, 3.0), dec(-1.4, 1.5);
  for (int trial = 0; trial < 200; ++trial) {
    const Vec3 b{pos(rng), pos(rng), pos(rng)};
    const double h = ha(rng), d = dec(rng);
    const Vec3 s{std::cos(d) * std::cos(h), -std::cos(d) * std::sin(h), std::sin(d)};
    const Vec3 e = unit(cross({0, 0, 1}, s));
    const Vec3 n = cross(s, e);
    const Vec3 uvw = rotate_to_uvw(b, h, d);
    CHECK(uvw[0] == Approx(dot(b, e)).margin(1e-9));
    CHECK(uvw[1] == Approx(dot(b, n)).margin(1e-9));
    CHECK(uvw[2] == Approx(dot(b, s)).margin(1e-9));
  }
}

TEST_CASE("uvw at zero hour angle is the meridian drift formula", "[subband][uvw]") {
  // At H = 0: u = y, v = -x sin(dec) + z cos(dec), w = x cos(dec) + z sin(dec).
  const Vec3 b{123.4, -567.8, 91.0};
  const double d = 45.0 * std::numbers::pi / 180.0;
  const Vec3 uvw = rotate_to_uvw(b, 0.0, d);
  CHECK(uvw[0] == Approx(b[1]));
  CHECK(uvw[1] == Approx(-b[0] * std::sin(d) + b[2] * std::cos(d)));
  CHECK(uvw[2] == Approx(b[0] * std::cos(d) + b[2] * std::sin(d)));
}

TEST_CASE("baseline uvw are antisymmetric and rotate antennas once per time", "[subband][uvw]") {
  const std::vector<Vec3> ants{{0, 0, 0}, {100, 20, -5}, {-30, 400, 12}, {7, -250, 3}};
  const std::vector<double> ha{-0.1, 0.0, 0.2}, dec{0.7, 0.7, 0.7};
  std::vector<int> a1, a2, ti;
  for (int t = 0; t < 3; ++t) {
    for (int a = 0; a < 4; ++a) {
      for (int b = 0; b < 4; ++b)
        a1.push_back(a), a2.push_back(b), ti.push_back(t);
    }
  }
  const auto uvw = baseline_uvw(ants, ha, dec, a1, a2, ti);
  for (std::size_t r = 0; r < a1.size(); ++r) {
    // the row with the antennas swapped
    const std::size_t s = static_cast<std::size_t>(ti[r] * 16 + a2[r] * 4 + a1[r]);
    for (int k = 0; k < 3; ++k)
      CHECK(uvw[3 * r + k] == Approx(-uvw[3 * s + k]).margin(1e-12));
    // and each row equals the direct formula on pos(ant2) - pos(ant1)
    const Vec3& p1 = ants[static_cast<std::size_t>(a1[r])];
    const Vec3& p2 = ants[static_cast<std::size_t>(a2[r])];
    const Vec3 direct = rotate_to_uvw({p2[0] - p1[0], p2[1] - p1[1], p2[2] - p1[2]},
                                      ha[static_cast<std::size_t>(ti[r])], 0.7);
    for (int k = 0; k < 3; ++k)
      CHECK(uvw[3 * r + k] == Approx(direct[k]).margin(1e-9));
  }
}

TEST_CASE("ECEF offsets rotate into the local equatorial frame by the longitude",
          "[subband][uvw]") {
  const double lon = -118.2817 * std::numbers::pi / 180.0;
  // A vector pointing to the site's meridian in the equatorial plane is local x.
  const Vec3 local = ecef_to_local_equatorial({std::cos(lon), std::sin(lon), 0.0}, lon);
  CHECK(local[0] == Approx(1.0));
  CHECK(local[1] == Approx(0.0).margin(1e-12));
  // East at the site is local y (towards hour angle -6h).
  const Vec3 east = ecef_to_local_equatorial(enu_to_ecef({1, 0, 0}, 0.65, lon), lon);
  CHECK(east[1] == Approx(1.0));
  // Up at latitude phi has z = sin(phi).
  const Vec3 up = ecef_to_local_equatorial(enu_to_ecef({0, 0, 1}, 0.65, lon), lon);
  CHECK(up[2] == Approx(std::sin(0.65)));
  CHECK(up[0] == Approx(std::cos(0.65)));
}
