// The x-y grid index answers exactly as brute force: nearest point (ties to
// the smaller index), bounds, radius sets; points on cell edges, duplicates,
// degenerate and clustered clouds, queries outside the grid.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "support/catch.hpp"
#include "tessera/tiles/xy_grid_index.hpp"

using namespace tessera::tiles;

namespace {

double d2(const double* a, const double* b) {
  const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return dx * dx + dy * dy + dz * dz;
}

struct Brute {
  bool found = false;
  std::uint32_t index = 0;
  double dist2 = 0;
};

Brute brute_nearest(const std::vector<double>& ref, const double* q, double bound2) {
  Brute b;
  for (std::size_t j = 0; j < ref.size() / 3; ++j) {
    const double dd = d2(q, &ref[3 * j]);
    if (dd <= bound2 && (!b.found || dd < b.dist2)) {
      b = {true, static_cast<std::uint32_t>(j), dd};
    }
  }
  return b;
}

/// Points uniform in [0, extent]² x [0, zspread], some snapped to integers
/// (duplicates and exact ties).
std::vector<double> cloud(int n, unsigned seed, double extent, double zspread) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, extent), z(0, zspread);
  std::vector<double> p;
  for (int i = 0; i < n; ++i) {
    p.insert(p.end(), {u(rng), u(rng), z(rng)});
    if (i % 5 == 0) {
      for (int d = 0; d < 3; ++d)
        p[3 * i + d] = std::round(p[3 * i + d]);
    }
  }
  return p;
}

void check_nearest(const std::vector<double>& ref, const std::vector<double>& queries,
                   double bound2) {
  const XyGridIndex grid(ref.data(), ref.size() / 3);
  int found = 0;
  for (std::size_t i = 0; i < queries.size() / 3; ++i) {
    const double* q = &queries[3 * i];
    const Brute want = brute_nearest(ref, q, bound2);
    std::uint32_t index = 0;
    double dd = 0;
    const bool got = grid.nearest(q, index, dd, bound2);
    REQUIRE(got == want.found);
    if (got) {
      ++found;
      CHECK(index == want.index);
      CHECK(dd == want.dist2);
    }
  }
  CHECK(found > 0);
  // As c2c asks: queries in the grid's cell order (a permutation), each
  // starting from the previous answer's slot — and from arbitrary slots,
  // near or far. The start must never change the answer.
  const std::size_t nq = queries.size() / 3;
  const std::vector<std::uint32_t> order = grid.cell_order(queries.data(), nq, 3);
  std::vector<std::uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < nq; ++i)
    REQUIRE(sorted[i] == i);
  std::uint32_t slot = XyGridIndex::kNoSlot;
  std::mt19937 rng(5);
  int wrong = 0;
  for (std::size_t n = 0; n < nq; ++n) {
    const double* q = &queries[3 * order[n]];
    const Brute want = brute_nearest(ref, q, bound2);
    std::uint32_t index = 0, any = static_cast<std::uint32_t>(rng() % grid.size());
    double dd = 0;
    const std::uint32_t before = slot;
    const bool got = grid.nearest(q, index, dd, bound2, &slot);
    wrong += got != want.found || (got && (index != want.index || dd != want.dist2));
    wrong += !got && slot != before;  // no answer leaves the slot as it was
    std::uint32_t index2 = 0;
    double dd2 = 0;
    const bool got2 = grid.nearest(q, index2, dd2, bound2, &any);
    wrong += got2 != want.found || (got2 && (index2 != want.index || dd2 != want.dist2));
  }
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("Grid nearest neighbours equal brute force, ties to the smaller index", "[tiles][grid]") {
  // z spread like x-y: a truly 3-D cloud, where the nearest point is often
  // many cells away in x-y (a ring rule that ignored z would fail).
  const auto ref = cloud(4000, 11, 30, 30);
  const auto queries = cloud(1500, 12, 34, 34);  // some outside the grid
  check_nearest(ref, queries, std::numeric_limits<double>::max());
  check_nearest(ref, queries, 2.0);  // many beyond the bound
  // Terrain-like: thin in z, queries displaced vertically by up to 5 m.
  const auto flat = cloud(4000, 13, 60, 0.2);
  const auto above = cloud(1500, 14, 60, 5);
  check_nearest(flat, above, 100.0);
  // Queries on reference points (distance 0) and on duplicated points.
  check_nearest(ref, ref, 1.0);
}

TEST_CASE("Grid nearest is exact for points and queries on cell edges", "[tiles][grid]") {
  // The corners fix the bounding box and the count fixes the cell, so moving
  // interior points onto edges keeps the grid: then put them exactly on the
  // edges and corners of cells, and ask from edges too.
  std::vector<double> ref = cloud(2000, 21, 40, 1);
  ref[0] = 0, ref[1] = 0, ref[3] = 40, ref[4] = 40;
  const XyGridIndex before(ref.data(), ref.size() / 3);
  const double h = before.cell();
  std::vector<double> queries;
  for (std::size_t i = 2; i < ref.size() / 3; i += 3) {
    const double kx = std::floor(ref[3 * i] / h), ky = std::floor(ref[3 * i + 1] / h);
    ref[3 * i] = kx * h;
    if (i % 2 == 0)
      ref[3 * i + 1] = ky * h;
    // A query on the same edge, a hair off it, and across the edge.
    queries.insert(queries.end(), {kx * h, ref[3 * i + 1] + 0.3, 0.5});
    queries.insert(queries.end(), {std::nextafter(kx * h, 0.0), ky * h, 0.2});
    queries.insert(queries.end(), {kx * h + 0.01, ky * h - 0.01, 1.5});
  }
  const XyGridIndex after(ref.data(), ref.size() / 3);
  REQUIRE(after.cell() == h);
  check_nearest(ref, queries, std::numeric_limits<double>::max());
  check_nearest(ref, queries, 0.25);
}

TEST_CASE("Grid nearest accepts a point exactly at the bound and none beyond", "[tiles][grid]") {
  const std::vector<double> ref = {0, 0, 0, 3, 0, 0, 0, 4, 0};
  const XyGridIndex grid(ref.data(), 3);
  const double q[3] = {0, 0, 5};
  std::uint32_t index = 9;
  double dd = 0;
  CHECK_FALSE(grid.nearest(q, index, dd, 24.999));
  REQUIRE(grid.nearest(q, index, dd, 25.0));
  CHECK(index == 0);
  CHECK(dd == 25.0);
  // Four points at the same distance: the smallest index wins.
  const std::vector<double> square = {1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1, 0};
  const XyGridIndex g4(square.data(), 4);
  const double centre[3] = {0, 0, 0};
  REQUIRE(g4.nearest(centre, index, dd));
  CHECK(index == 0);
  CHECK(dd == 2.0);
}

TEST_CASE("Grid handles degenerate and clustered clouds", "[tiles][grid]") {
  // All points at one spot, a line, one point, two far clusters.
  std::vector<double> spot, line, clusters;
  for (int i = 0; i < 50; ++i) {
    spot.insert(spot.end(), {5, 5, 1});
    line.insert(line.end(), {0.5 * i, 7, 0.1 * i});
  }
  clusters = cloud(500, 31, 1, 1);
  const auto far = cloud(500, 32, 1, 1);
  for (std::size_t i = 0; i < far.size(); i += 3)
    clusters.insert(clusters.end(), {far[i] + 1e4, far[i + 1] + 1e4, far[i + 2]});
  std::vector<double> one = {2, 3, 4};
  const auto queries = cloud(300, 33, 30, 3);
  for (const auto* ref : {&spot, &line, &one, &clusters}) {
    check_nearest(*ref, queries, std::numeric_limits<double>::max());
  }
  std::vector<double> near_far = cloud(200, 34, 1, 1);
  for (std::size_t i = 0; i < 200 * 3; i += 3)
    near_far[i] += (i % 2 ? 1e4 : 0);
  check_nearest(clusters, near_far, std::numeric_limits<double>::max());
  // An empty grid finds nothing.
  const XyGridIndex empty(nullptr, 0);
  std::uint32_t index = 0;
  double dd = 0;
  CHECK_FALSE(empty.nearest(queries.data(), index, dd));
}

TEST_CASE("Grid radius queries equal brute force, sorted by index", "[tiles][grid]") {
  const auto ref = cloud(3000, 41, 20, 4);
  const XyGridIndex grid(ref.data(), ref.size() / 3);
  const auto queries = cloud(300, 42, 22, 4);
  std::vector<std::uint32_t> got;
  for (double r : {0.3, 1.0, 2.5}) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < queries.size() / 3; ++i) {
      const double* q = &queries[3 * i];
      std::vector<std::uint32_t> want;
      for (std::size_t j = 0; j < ref.size() / 3; ++j) {
        if (d2(q, &ref[3 * j]) <= r * r)
          want.push_back(static_cast<std::uint32_t>(j));
      }
      grid.radius(q, r * r, got);
      CHECK(got == want);
      total += want.size();
    }
    CHECK(total > 0);
  }
  // A radius exactly reaching a lattice point includes it.
  const std::vector<double> lattice = {0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 1, 1, 0};
  const XyGridIndex g(lattice.data(), 5);
  const double q[3] = {0, 0, 0};
  g.radius(q, 1.0, got);
  CHECK(got == std::vector<std::uint32_t>{0, 1, 3});
}

TEST_CASE("a non-finite query finds nothing and reads no cell out of range", "[tiles][grid]") {
  std::vector<double> xyz;
  for (int i = 0; i < 100; ++i) {
    xyz.insert(xyz.end(), {double(i % 10), double(i / 10), 0.25 * (i % 3)});
  }
  const tessera::tiles::XyGridIndex grid(xyz.data(), 100);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& q : std::vector<std::array<double, 3>>{
           {nan, 1, 1}, {1, nan, 1}, {1, 1, nan}, {inf, 1, 1}, {1, -inf, 1}}) {
    std::uint32_t index = 0;
    double d2 = 0;
    CHECK_FALSE(grid.nearest(q.data(), index, d2));
    std::vector<std::uint32_t> found{7};
    grid.radius(q.data(), 4.0, found);
    CHECK(found.empty());
  }
  // A finite query still works next to them.
  std::uint32_t index = 0;
  double d2 = 0;
  const double q[3] = {3.0, 4.0, 0.25};
  REQUIRE(grid.nearest(q, index, d2));
  CHECK(index == 43);
  CHECK(d2 == 0.0);
}
