// Tile cores are half-open (each point in exactly one core) and halos hold
// every point within the halo distance of a core, checked by brute force.
#include <random>
#include <set>

#include "support/catch.hpp"
#include "tessera/tiles/tile_grid.hpp"

using namespace tessera::tiles;

TEST_CASE("Points on tile edges belong to exactly one tile core", "[tiles][grid]") {
  const TileGrid g = TileGrid::covering(0, 0, 100, 60, 25);
  CHECK(g.nx == 5);  // 100 lies on an edge: one more column keeps it inside
  CHECK(g.ny == 3);
  CHECK(g.tile_of(0, 0) == 0);
  CHECK(g.tile_of(25, 0) == 1);  // edge x = 25 belongs to the tile that starts there
  CHECK(g.tile_of(24.999999, 0) == 0);
  CHECK(g.tile_of(25, 25) == g.nx + 1);
  CHECK(g.tile_of(100, 60) == 2 * g.nx + 4);
  CHECK(g.tile_of(-5, -5) == 0);  // clamped
}

TEST_CASE("Halo tiles are exactly the tiles whose widened core holds the point", "[tiles][grid]") {
  const TileGrid g = TileGrid::covering(10, 20, 110, 95, 20);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> ux(10, 110), uy(20, 95);
  std::vector<int> halo;
  for (int k = 0; k < 5000; ++k) {
    // Half the points snapped to the 5 m lattice: exactly on edges and halo limits.
    double x = ux(rng), y = uy(rng);
    if (k % 2 == 0) {
      x = 10 + 5 * std::round((x - 10) / 5);
      y = 20 + 5 * std::round((y - 20) / 5);
    }
    const double h = 5.0;
    g.halo_tiles(x, y, h, halo);
    std::set<int> got(halo.begin(), halo.end());
    std::set<int> want;
    for (int r = 0; r < g.ny; ++r) {
      for (int c = 0; c < g.nx; ++c) {
        const int t = r * g.nx + c;
        if (t == g.tile_of(x, y))
          continue;
        const double lx = g.x0 + c * g.size, hx = lx + g.size;
        const double ly = g.y0 + r * g.size, hy = ly + g.size;
        if (x >= lx - h && x <= hx + h && y >= ly - h && y <= hy + h)
          want.insert(t);
      }
    }
    INFO("x " << x << " y " << y);
    CHECK(got == want);
  }
}
