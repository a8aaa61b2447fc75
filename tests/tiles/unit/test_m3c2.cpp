// M3C2 pieces against ground truth: tilted-plane normals, the LoD formula on
// a constructed cylinder, cylinder membership by brute force, flat and
// mound cases.
#include <cmath>
#include <random>

#include "support/catch.hpp"
#include "tessera/tiles/m3c2.hpp"
#include "tessera/tiles/plane_fit.hpp"

using namespace tessera::tiles;

namespace {
TilePoint pt(double x, double y, double z, std::uint64_t id) {
  TilePoint p;
  p.x = x, p.y = y, p.z = z, p.id = id;
  return p;
}
}  // namespace

TEST_CASE("Normals of a tilted plane are exact to 1e-6", "[tiles][m3c2]") {
  // z = 0.3 x − 0.2 y + c at UTM-sized coordinates, irregular samples.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-3, 3);
  std::vector<TilePoint> a;
  for (int i = 0; i < 400; ++i) {
    const double x = 500000 + u(rng), y = 4100000 + u(rng);
    a.push_back(pt(x, y, 0.3 * (x - 500000) - 0.2 * (y - 4100000) + 120, i));
  }
  const Eigen::Vector3d want = Eigen::Vector3d(-0.3, 0.2, 1).normalized();
  std::vector<std::uint32_t> all(a.size());
  for (std::uint32_t i = 0; i < all.size(); ++i)
    all[i] = i;
  const PlaneFit fit = fit_plane(&a[0].x, kTilePointStride, all);
  REQUIRE(fit.ok);
  CHECK((fit.normal - want).norm() < 1e-6);
  // Through m3c2_tile, with two radii.
  M3c2Options o;
  o.normal_radii = {1.0, 2.0};
  const auto res = m3c2_tile(a, a, {0, 1, 2, 3}, o);
  for (const auto& r : res) {
    CHECK((r.normal - want).norm() < 1e-6);
    CHECK(std::abs(r.distance) < 1e-9);  // same cloud: no change
  }
}

TEST_CASE("LoD95 follows Lague 2013 eq. 1 on a constructed cylinder", "[tiles][m3c2]") {
  // Epoch A: points on the axis at known heights; B: same plus 0.3 m, other spread.
  const std::vector<double> ta = {-0.10, 0.05, 0.02, -0.04, 0.07};
  const std::vector<double> tb = {0.25, 0.40, 0.31, 0.28, 0.22, 0.36, 0.30};
  std::vector<TilePoint> a, b;
  for (std::size_t i = 0; i < ta.size(); ++i)
    a.push_back(pt(0.1 * i, 0.05, ta[i], i));
  for (std::size_t i = 0; i < tb.size(); ++i)
    b.push_back(pt(-0.05 * i, 0.1, tb[i], i));
  // Far points outside the cylinder (radius 0.5, half-length 1) must not count.
  a.push_back(pt(0.6, 0, 0, 90));
  a.push_back(pt(0, 0, 1.5, 91));
  b.push_back(pt(0, -0.51, 0.3, 92));
  const KdTree tree_a(&a[0].x, a.size(), kTilePointStride);
  const KdTree tree_b(&b[0].x, b.size(), kTilePointStride);
  const Eigen::Vector3d c(0, 0, 0), n(0, 0, 1);
  const CylinderSample sa =
      summarise_axial(cylinder_axial(tree_a, &a[0].x, kTilePointStride, c, n, 0.5, 1.0));
  const CylinderSample sb =
      summarise_axial(cylinder_axial(tree_b, &b[0].x, kTilePointStride, c, n, 0.5, 1.0));
  REQUIRE(sa.count == 5);
  REQUIRE(sb.count == 7);
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
      s += x;
    return s / v.size();
  };
  auto var = [&](const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v)
      s += (x - m) * (x - m);
    return s / (v.size() - 1);
  };
  M3c2Options o;
  o.registration_error = 0.01;
  M3c2Result r;
  m3c2_distance(sa, sb, o, r);
  CHECK(r.distance == Approx(mean(tb) - mean(ta)).epsilon(1e-12));
  const double lod = 1.96 * (std::sqrt(var(ta) / 5 + var(tb) / 7) + 0.01);
  CHECK(r.lod == Approx(lod).epsilon(1e-12));
  CHECK(r.significant == 1);
  CHECK(sa.median == Approx(0.02));
  CHECK(sb.median == Approx(0.30));
  // An empty cylinder gives NaN.
  m3c2_distance(CylinderSample{}, sb, o, r);
  CHECK(std::isnan(r.distance));
}

TEST_CASE("Cylinder search finds exactly the points inside, for any tilt", "[tiles][m3c2]") {
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u(-6, 6);
  std::vector<TilePoint> cloud;
  for (int i = 0; i < 20000; ++i)
    cloud.push_back(pt(u(rng), u(rng), u(rng), i));
  const KdTree tree(&cloud[0].x, cloud.size(), kTilePointStride);
  const XyGridIndex grid(&cloud[0].x, cloud.size(), kTilePointStride);
  for (const Eigen::Vector3d& n :
       std::vector<Eigen::Vector3d>{Eigen::Vector3d(0, 0, 1), Eigen::Vector3d(1, 2, 3).normalized(),
                                    Eigen::Vector3d(1, 0, 0.2).normalized()}) {
    const Eigen::Vector3d c(0.3, -0.2, 0.1);
    const double r = 0.7, L = 4.3;
    const auto t = cylinder_axial(tree, &cloud[0].x, kTilePointStride, c, n, r, L);
    std::vector<double> want;
    for (const TilePoint& p : cloud) {
      const Eigen::Vector3d d = Eigen::Vector3d(p.x, p.y, p.z) - c;
      const double a = d.dot(n);
      if (std::abs(a) <= L && d.squaredNorm() - a * a <= r * r)
        want.push_back(a);
    }
    REQUIRE(t.size() == want.size());
    for (std::size_t i = 0; i < t.size(); ++i)
      CHECK(t[i] == want[i]);  // same order: by index
    // The grid version (m3c2_tile's) finds the same points in the same order.
    const auto tg = cylinder_axial(grid, c, n, r, L);
    REQUIRE(tg.size() == want.size());
    for (std::size_t i = 0; i < tg.size(); ++i)
      CHECK(tg[i] == want[i]);
  }
}

TEST_CASE("M3C2 finds no change on a flat noisy surface and the height of a mound",
          "[tiles][m3c2]") {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 0.02);
  std::uniform_real_distribution<double> jitter(0, 0.25);
  std::vector<TilePoint> a, b;
  std::uint64_t id = 0;
  for (int i = 0; i < 160; ++i) {
    for (int j = 0; j < 160; ++j) {
      const double x = i * 0.25 + jitter(rng), y = j * 0.25 + jitter(rng);
      const double r2 = (x - 30) * (x - 30) + (y - 30) * (y - 30);
      a.push_back(pt(x, y, noise(rng), id));
      b.push_back(pt(x, y, noise(rng) + 2.5 * std::exp(-r2 / (2 * 25.0)), id));
      ++id;
    }
  }
  M3c2Options o;
  o.normal_radii = {1.0};
  o.cyl_radius = 1.0;
  o.max_depth = 4;
  std::vector<std::uint32_t> cores;
  for (std::uint32_t i = 0; i < a.size(); i += 37) {
    const double dx = a[i].x - 30, dy = a[i].y - 30;
    if (dx * dx + dy * dy > 22 * 22 && a[i].x > 2 && a[i].y > 2 && a[i].x < 38 && a[i].y < 38)
      cores.push_back(i);
  }
  const auto flat = m3c2_tile(a, b, cores, o);
  int below = 0;
  for (const auto& r : flat)
    below += std::abs(r.distance) < r.lod;
  CHECK(below >= 0.95 * flat.size());
  // The core point nearest the mound centre.
  std::uint32_t centre = 0;
  for (std::uint32_t i = 0; i < a.size(); ++i) {
    if (std::hypot(a[i].x - 30, a[i].y - 30) < std::hypot(a[centre].x - 30, a[centre].y - 30))
      centre = i;
  }
  const auto top = m3c2_tile(a, b, {centre}, o);
  CHECK(top[0].distance == Approx(2.5).epsilon(0.05));
  CHECK(top[0].significant == 1);
}
