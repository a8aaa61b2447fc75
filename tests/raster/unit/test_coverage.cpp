// Exact coverage fractions against an independent computation: clipping the
// polygon to every cell with Sutherland-Hodgman and taking the shoelace area.
#include <cmath>
#include <map>
#include <random>

#include "support/catch.hpp"
#include "tessera/raster/coverage.hpp"
#include "tessera/raster/zonal_stats.hpp"

using namespace tessera;
using namespace tessera::raster;

namespace {

// Area of ring ∩ axis-aligned box by clipping against the four half-planes.
double clipped_area(const Ring& ring, double xa, double xb, double ya, double yb) {
  Ring poly = ring;
  auto clip = [&](auto inside, auto cross) {
    Ring out;
    for (std::size_t i = 0; i < poly.size(); ++i) {
      const Point a = poly[i], b = poly[(i + 1) % poly.size()];
      const bool ia = inside(a), ib = inside(b);
      if (ia)
        out.push_back(a);
      if (ia != ib)
        out.push_back(cross(a, b));
    }
    poly = out;
  };
  auto xcut = [](double x) {
    return [x](Point a, Point b) { return Point{x, a.y + (x - a.x) / (b.x - a.x) * (b.y - a.y)}; };
  };
  auto ycut = [](double y) {
    return [y](Point a, Point b) { return Point{a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x), y}; };
  };
  clip([&](Point p) { return p.x >= xa; }, xcut(xa));
  clip([&](Point p) { return p.x <= xb; }, xcut(xb));
  clip([&](Point p) { return p.y >= ya; }, ycut(ya));
  clip([&](Point p) { return p.y <= yb; }, ycut(yb));
  return std::abs(signed_area(poly));
}

std::map<std::int64_t, double> brute_force(const MultiPolygon& shape, const RasterGrid& g) {
  std::map<std::int64_t, double> out;
  const auto& t = g.transform;
  for (int r = 0; r < g.height; ++r) {
    for (int c = 0; c < g.width; ++c) {
      const double xa = t.x0 + c * t.dx, xb = xa + t.dx;
      const double y1 = t.y0 + r * t.dy, y2 = y1 + t.dy;
      double a = 0;
      for (const auto& poly : shape) {
        for (std::size_t k = 0; k < poly.rings.size(); ++k) {
          const double ar = clipped_area(poly.rings[k], xa, xb, std::min(y1, y2), std::max(y1, y2));
          a += (k == 0) ? ar : -ar;
        }
      }
      if (a > 1e-14 * g.cell_area())
        out[static_cast<std::int64_t>(r) * g.width + c] = a / g.cell_area();
    }
  }
  return out;
}

void check_against_brute_force(const MultiPolygon& shape, const RasterGrid& g) {
  const Coverage cov = coverage_fractions(shape, g);
  const auto bf = brute_force(shape, g);
  std::map<std::int64_t, double> got;
  for (std::size_t i = 0; i < cov.cell.size(); ++i)
    got[cov.cell[i]] = cov.fraction[i];
  for (const auto& [cell, f] : bf) {
    INFO("cell " << cell);
    CHECK(got[cell] == Approx(f).margin(1e-9));
  }
  for (const auto& [cell, f] : got) {
    INFO("cell " << cell);
    CHECK(bf.count(cell) + (f < 1e-9 ? 1 : 0) >= 1);
  }
}

const RasterGrid kGrid{20, 15, io::GeoTransform{1000.0, 10.0, 0.0, 5000.0, 0.0, -10.0}};

}  // namespace

TEST_CASE("An axis-aligned square over whole cells covers them exactly", "[coverage]") {
  const MultiPolygon sq{{{{{1020, 4980}, {1050, 4980}, {1050, 4950}, {1020, 4950}}}}};
  const Coverage cov = coverage_fractions(sq, kGrid);
  REQUIRE(cov.cell.size() == 9);
  for (double f : cov.fraction)
    CHECK(f == Approx(1.0).margin(1e-12));
  CHECK(cov.cell.front() == 2 * 20 + 2);
}

TEST_CASE("Coverage of a polygon with a hole equals clipping, in either orientation",
          "[coverage]") {
  Polygon p{{{{1013.3, 4987.1}, {1131.7, 4979.2}, {1122.9, 4871.4}, {1017.2, 4880.5}},
             {{1051.1, 4951.3}, {1083.7, 4949.9}, {1071.2, 4911.6}}}};
  check_against_brute_force({p}, kGrid);
  for (auto& r : p.rings)
    std::reverse(r.begin(), r.end());
  check_against_brute_force({p}, kGrid);
  CHECK(coverage_fractions({p}, kGrid).total() * kGrid.cell_area() ==
        Approx(area({p})).epsilon(1e-12));
}

TEST_CASE("Coverage of a multipolygon with thin slivers crossing many cells", "[coverage]") {
  const MultiPolygon mp{
      {{{{1001.5, 4998.5}, {1197.0, 4860.2}, {1198.0, 4862.9}, {1003.0, 4999.0}}}},
      {{{{1110.0, 4990.0}, {1140.0, 4930.0}, {1180.0, 4990.0}, {1145.0, 4960.0}}}}};
  check_against_brute_force(mp, kGrid);
}

TEST_CASE("Fractions of random star polygons sum to area over cell area", "[coverage]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> rad(10.0, 70.0);
  for (int trial = 0; trial < 20; ++trial) {
    Ring ring;
    const int n = 5 + trial;
    for (int i = 0; i < n; ++i) {
      const double a = 2 * M_PI * i / n, r = rad(rng);
      ring.push_back({1100 + r * std::cos(a), 4925 + r * std::sin(a)});
    }
    const MultiPolygon shape{{{ring}}};
    const Coverage cov = coverage_fractions(shape, kGrid);
    CHECK(cov.total() == Approx(area(shape) / kGrid.cell_area()).epsilon(1e-11));
    if (trial % 5 == 0)
      check_against_brute_force(shape, kGrid);
  }
}

TEST_CASE("Parts of a polygon outside the grid are cut away exactly", "[coverage]") {
  const MultiPolygon shape{
      {{{{950.0, 5030.0}, {1063.3, 5012.0}, {1071.0, 4940.0}, {940.0, 4921.7}}}}};
  check_against_brute_force(shape, kGrid);
}

TEST_CASE("Zonal statistics equal a brute-force weighted computation", "[stats]") {
  const MultiPolygon shape{{{{{1013.3, 4987.1}, {1131.7, 4979.2}, {1122.9, 4871.4}}}}};
  const Coverage cov = coverage_fractions(shape, kGrid);
  std::vector<float> grid(static_cast<std::size_t>(kGrid.cells()));
  for (std::size_t i = 0; i < grid.size(); ++i)
    grid[i] = static_cast<float>((i * 37) % 101) * 0.5f;
  grid[static_cast<std::size_t>(cov.cell[3])] = NAN;  // nodata is left out
  const auto bf = brute_force(shape, kGrid);
  double w = 0, wx = 0, lo = 1e30, hi = -1e30, snow = 0;
  for (const auto& [cell, f] : bf) {
    const double x = static_cast<double>(grid[static_cast<std::size_t>(cell)]);
    if (std::isnan(x))
      continue;
    w += f;
    wx += f * x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    if (x > 20.0)
      snow += f;
  }
  const ZoneStats s = zone_stats(cov, grid.data(), kGrid.cell_area());
  CHECK(s.mean == Approx(wx / w).epsilon(1e-12));
  CHECK(s.sum == Approx(wx).epsilon(1e-12));
  CHECK(s.min == lo);
  CHECK(s.max == hi);
  CHECK(s.covered_area == Approx(w * 100.0).epsilon(1e-12));
  CHECK(snow_covered_fraction(cov, grid.data(), 20.0) == Approx(snow / w).epsilon(1e-12));
}
