// Exact coverage fractions by Green's theorem per row strip; see coverage.hpp.
#include "tessera/raster/coverage.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::raster {

double RasterGrid::cell_area() const noexcept {
  return std::abs(transform.dx * transform.dy);
}

double Coverage::total() const noexcept {
  double s = 0;
  for (double f : fraction)
    s += f;
  return s;
}

double signed_area(const Ring& ring) noexcept {
  const std::size_t n = ring.size();
  if (n < 3)
    return 0.0;
  // Shoelace about the first vertex, which keeps georeferenced coordinates
  // (1e5..1e6 m) from cancelling catastrophically.
  const Point o = ring[0];
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Point& a = ring[i];
    const Point& b = ring[(i + 1) % n];
    s += (a.x - o.x) * (b.y - o.y) - (b.x - o.x) * (a.y - o.y);
  }
  return 0.5 * s;
}

double area(const MultiPolygon& shape) noexcept {
  double a = 0;
  for (const auto& poly : shape) {
    for (std::size_t k = 0; k < poly.rings.size(); ++k) {
      const double r = std::abs(signed_area(poly.rings[k]));
      a += (k == 0) ? r : -r;
    }
  }
  return a;
}

namespace {

struct PixelPoint {
  double t, u, v;
};

}  // namespace

Coverage coverage_fractions(const MultiPolygon& shape, const RasterGrid& grid) {
  Coverage out;
  const auto& gt = grid.transform;
  // Pixel coordinates of every ring, and its orientation sign in pixel space.
  std::vector<std::vector<Point>> rings;
  std::vector<double> sign;
  double umin = INFINITY, umax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
  for (const auto& poly : shape) {
    for (std::size_t k = 0; k < poly.rings.size(); ++k) {
      const Ring& ring = poly.rings[k];
      if (ring.size() < 3)
        continue;
      std::vector<Point> px;
      px.reserve(ring.size());
      for (const Point& p : ring) {
        const Point q{(p.x - gt.x0) / gt.dx, (p.y - gt.y0) / gt.dy};
        px.push_back(q);
        umin = std::min(umin, q.x);
        umax = std::max(umax, q.x);
        vmin = std::min(vmin, q.y);
        vmax = std::max(vmax, q.y);
      }
      const double a = signed_area(px);
      if (a == 0.0)
        continue;
      const bool exterior = (k == 0);
      // Exterior rings count positively, holes negatively.
      sign.push_back(((a > 0) == exterior) ? 1.0 : -1.0);
      rings.push_back(std::move(px));
    }
  }
  if (rings.empty())
    return out;
  const std::int64_t r0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(vmin)));
  const std::int64_t r1 =
      std::min<std::int64_t>(grid.height - 1, static_cast<std::int64_t>(std::floor(vmax)));
  const std::int64_t c0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(umin)));
  const std::int64_t c1 =
      std::min<std::int64_t>(grid.width - 1, static_cast<std::int64_t>(std::floor(umax)));
  const std::int64_t nr = std::max<std::int64_t>(0, r1 - r0 + 1);
  const std::int64_t nc = std::max<std::int64_t>(0, c1 - c0 + 1);
  if (nr == 0 || nc == 0)
    return out;
  std::vector<double> own(static_cast<std::size_t>(nr * nc), 0.0);
  std::vector<double> fill(static_cast<std::size_t>(nr * nc), 0.0);
  std::vector<double> below(static_cast<std::size_t>(nc), 0.0);

  std::vector<PixelPoint> cuts;
  for (std::size_t k = 0; k < rings.size(); ++k) {
    const auto& px = rings[k];
    const double s = sign[k];
    const std::size_t n = px.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Point a = px[i];
      const Point b = px[(i + 1) % n];
      if (a.x == b.x)
        continue;  // vertical edges add nothing to -∮ v du
      cuts.clear();
      cuts.push_back({0.0, a.x, a.y});
      cuts.push_back({1.0, b.x, b.y});
      const double du = b.x - a.x, dv = b.y - a.y;
      // Crossings of column lines u = k (coordinate snapped to the line).
      {
        const double lo = std::min(a.x, b.x), hi = std::max(a.x, b.x);
        for (double g = std::floor(lo) + 1; g < hi; g += 1.0) {
          const double t = (g - a.x) / du;
          cuts.push_back({t, g, a.y + t * dv});
        }
      }
      if (dv != 0.0) {
        const double lo = std::min(a.y, b.y), hi = std::max(a.y, b.y);
        for (double g = std::floor(lo) + 1; g < hi; g += 1.0) {
          const double t = (g - a.y) / dv;
          cuts.push_back({t, a.x + t * du, g});
        }
      }
      std::sort(cuts.begin(), cuts.end(),
                [](const PixelPoint& p, const PixelPoint& q) { return p.t < q.t; });
      for (std::size_t j = 0; j + 1 < cuts.size(); ++j) {
        const PixelPoint& p = cuts[j];
        const PixelPoint& q = cuts[j + 1];
        const double d = q.u - p.u;
        if (d == 0.0)
          continue;
        const double um = 0.5 * (p.u + q.u), vm = 0.5 * (p.v + q.v);
        const std::int64_t c = static_cast<std::int64_t>(std::floor(um));
        if (c < c0 || c > c1)
          continue;
        const std::int64_t r = static_cast<std::int64_t>(std::floor(vm));
        const std::size_t ci = static_cast<std::size_t>(c - c0);
        if (r > r1) {
          below[ci] += -s * d;
        } else if (r >= r0) {
          const std::size_t idx = static_cast<std::size_t>((r - r0) * nc) + ci;
          own[idx] += -s * d * (vm - static_cast<double>(r));
          fill[idx] += -s * d;
        }
        // r < r0: the piece lies above the grid and only fills rows above it.
      }
    }
  }
  // Sweep each column upward: a cell gets its own pieces plus the fill of
  // every piece below it in the same column.
  std::vector<double> acc(below);
  std::vector<double> frac(static_cast<std::size_t>(nr * nc), 0.0);
  for (std::int64_t r = nr - 1; r >= 0; --r) {
    for (std::int64_t c = 0; c < nc; ++c) {
      const std::size_t idx = static_cast<std::size_t>(r * nc + c);
      frac[idx] = own[idx] + acc[static_cast<std::size_t>(c)];
      acc[static_cast<std::size_t>(c)] += fill[idx];
    }
  }
  for (std::int64_t r = 0; r < nr; ++r) {
    for (std::int64_t c = 0; c < nc; ++c) {
      double f = frac[static_cast<std::size_t>(r * nc + c)];
      if (f < 1e-14)
        continue;
      if (f > 1.0)
        f = 1.0;  // round-off above a fully covered cell
      out.cell.push_back((r0 + r) * grid.width + (c0 + c));
      out.fraction.push_back(f);
    }
  }
  return out;
}

}  // namespace tessera::raster
