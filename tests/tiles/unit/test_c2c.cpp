// C2C distances equal brute-force nearest distances; capping; vertical mode.
#include <cmath>
#include <random>

#include "support/catch.hpp"
#include "tessera/tiles/c2c.hpp"
#include "tessera/tiles/kdtree.hpp"

using namespace tessera::tiles;

namespace {
std::vector<double> cloud(int n, unsigned seed, double extent) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, extent);
  std::vector<double> p(3 * static_cast<std::size_t>(n));
  for (auto& v : p)
    v = u(rng);
  // Snap some to a lattice: duplicates and exact ties.
  for (int i = 0; i < n; i += 7) {
    for (int d = 0; d < 3; ++d)
      p[3 * i + d] = std::round(p[3 * i + d]);
  }
  return p;
}
}  // namespace

TEST_CASE("C2C distances equal brute-force nearest distances", "[tiles][c2c]") {
  const auto ref = cloud(3000, 1, 20), cmp = cloud(2000, 2, 22);
  C2cOptions o;
  o.max_dist = 0.8;
  const C2cResult r = c2c_distances(ref.data(), 3000, 3, cmp.data(), 2000, 3, o);
  int beyond = 0;
  for (int i = 0; i < 2000; ++i) {
    double best = INFINITY;
    for (int j = 0; j < 3000; ++j) {
      const double dx = cmp[3 * i] - ref[3 * j], dy = cmp[3 * i + 1] - ref[3 * j + 1],
                   dz = cmp[3 * i + 2] - ref[3 * j + 2];
      best = std::min(best, dx * dx + dy * dy + dz * dz);
    }
    best = std::sqrt(best);
    if (best > o.max_dist) {
      ++beyond;
      CHECK(r.beyond[i] == 1);
      CHECK(r.distance[i] == o.max_dist);
    } else {
      CHECK(r.beyond[i] == 0);
      CHECK(r.distance[i] == Approx(best).margin(1e-12));
    }
  }
  CHECK(beyond > 0);  // the cap was exercised
}

TEST_CASE("KD-tree radius and k-nearest results are sorted and tie-broken by index",
          "[tiles][kdtree]") {
  // A 5x5x5 lattice: many equal distances.
  std::vector<double> p;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      for (int k = 0; k < 5; ++k)
        p.insert(p.end(), {double(i), double(j), double(k)});
  const KdTree tree(p.data(), 125, 3, 4);
  const double q[3] = {2, 2, 2};
  std::vector<std::uint32_t> idx;
  tree.radius(q, 1.0, idx);  // the centre and its 6 face neighbours, boundary included
  REQUIRE(idx.size() == 7);
  CHECK(std::is_sorted(idx.begin(), idx.end()));
  std::vector<double> d2;
  tree.knn(q, 4, idx, d2);
  REQUIRE(idx.size() == 4);
  CHECK(d2[0] == 0.0);
  // Of the six neighbours at distance 1, the three with the smallest index.
  const std::vector<std::uint32_t> want = {37, 57, 61};
  CHECK(std::vector<std::uint32_t>(idx.begin() + 1, idx.end()) == want);
}

TEST_CASE("Vertical C2C gives the signed distance to the local plane", "[tiles][c2c]") {
  // Reference: the plane z = 0.1 x + 0.2 y; compared points 0.5 m above along z.
  std::vector<double> ref;
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 40; ++j)
      ref.insert(ref.end(), {i * 0.5, j * 0.5, 0.05 * i + 0.1 * j});
  std::vector<double> cmp = {10.1, 10.2, 0.1 * 10.1 + 0.2 * 10.2 + 0.5,
                             5.05, 7.3,  0.1 * 5.05 + 0.2 * 7.3 - 0.25};
  C2cOptions o;
  o.vertical = true;
  o.max_dist = 5;
  const C2cResult r = c2c_distances(ref.data(), ref.size() / 3, 3, cmp.data(), 2, 3, o);
  const double nz = 1 / std::sqrt(1 + 0.01 + 0.04);  // distance along the normal
  CHECK(r.distance[0] == Approx(0.5 * nz).epsilon(1e-9));
  CHECK(r.distance[1] == Approx(-0.25 * nz).epsilon(1e-9));
}
