// The tile grid: square tiles over the union of both epochs' bounds.
//
// Tile (i, j) has the half-open core [x0 + i·size, x0 + (i+1)·size) ×
// [y0 + j·size, y0 + (j+1)·size), so every point belongs to exactly one
// core (the original counted points on tile edges twice). The grid is one
// tile larger than needed when the maximum falls on an edge, so max bounds
// are inside. A halo of width h around a core is the closed box expanded by
// h: a point within distance h of any core point lies in it. Points outside
// the grid (headers whose bounds are wrong) are clamped into the edge tiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tessera::tiles {

struct TileGrid {
  double x0 = 0, y0 = 0;  ///< south-west corner
  double size = 500;      ///< tile edge (m)
  int nx = 1, ny = 1;

  /// Grid whose origin is (xmin, ymin), covering xmax, ymax inside.
  static TileGrid covering(double xmin, double ymin, double xmax, double ymax, double size) {
    TileGrid g;
    g.x0 = xmin;
    g.y0 = ymin;
    g.size = size;
    g.nx = std::max(1, static_cast<int>(std::floor((xmax - xmin) / size)) + 1);
    g.ny = std::max(1, static_cast<int>(std::floor((ymax - ymin) / size)) + 1);
    return g;
  }

  int count() const { return nx * ny; }
  int column(double x) const {
    return std::clamp(static_cast<int>(std::floor((x - x0) / size)), 0, nx - 1);
  }
  int row(double y) const {
    return std::clamp(static_cast<int>(std::floor((y - y0) / size)), 0, ny - 1);
  }
  /// The tile whose core holds (x, y).
  int tile_of(double x, double y) const { return row(y) * nx + column(x); }

  /// True when (x, y), in the core of tile (column oc, row orow), lies
  /// farther than `halo` inside every edge of that core, so in no
  /// neighbour's widened box: halo_tiles is then empty (most points take
  /// this fast path). The bounds are the same expressions halo_tiles' box
  /// test evaluates for the adjacent tiles, so the two agree to the last bit.
  bool deep_inside(double x, double y, int oc, int orow, double halo) const {
    return x > x0 + oc * size + halo && x < x0 + (oc + 1) * size - halo &&
           y > y0 + orow * size + halo && y < y0 + (orow + 1) * size - halo;
  }

  /// Tiles other than tile_of(x, y) whose core expanded by `halo` (closed)
  /// contains (x, y), appended to `out` in increasing order.
  void halo_tiles(double x, double y, double halo, std::vector<int>& out) const {
    out.clear();
    if (halo <= 0)
      return;
    const int oc = column(x), orow = row(y);
    const int own = orow * nx + oc;
    if (deep_inside(x, y, oc, orow, halo))
      return;
    // One extra tile on each side: the widened boxes are closed, so a point
    // exactly `halo` past a core's upper edge still belongs to its halo.
    const int c0 = std::clamp(static_cast<int>(std::floor((x - halo - x0) / size)) - 1, 0, nx - 1);
    const int c1 = std::clamp(static_cast<int>(std::floor((x + halo - x0) / size)) + 1, 0, nx - 1);
    const int r0 = std::clamp(static_cast<int>(std::floor((y - halo - y0) / size)) - 1, 0, ny - 1);
    const int r1 = std::clamp(static_cast<int>(std::floor((y + halo - y0) / size)) + 1, 0, ny - 1);
    for (int r = r0; r <= r1; ++r) {
      for (int c = c0; c <= c1; ++c) {
        const int t = r * nx + c;
        if (t == own)
          continue;
        // Closed box test against the unclamped core [lo, hi) widened by halo.
        const double lx = x0 + c * size - halo, hx = x0 + (c + 1) * size + halo;
        const double ly = y0 + r * size - halo, hy = y0 + (r + 1) * size + halo;
        const bool inx = (x >= lx || c == 0) && (x <= hx || c == nx - 1);
        const bool iny = (y >= ly || r == 0) && (y <= hy || r == ny - 1);
        if (inx && iny)
          out.push_back(t);
      }
    }
  }
};

}  // namespace tessera::tiles
