// M3C2 on one tile; see include/tessera/tiles/m3c2.hpp.
#include "tessera/tiles/m3c2.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/tiles/plane_fit.hpp"

namespace tessera::tiles {

double M3c2Options::halo() const {
  double r_normal = 0;
  for (double r : normal_radii)
    r_normal = std::max(r_normal, r);
  // Cylinder points are within sqrt(r² + L²) ≤ r + L of the core point.
  return std::max(r_normal, std::hypot(cyl_radius, half_length()));
}

namespace {

// The axial positions of a cylinder's hits in point-index order, the order
// both searches agree on (a point is a hit of at most one segment: the
// segments' axial intervals are half-open).
std::vector<double> axial_in_point_order(std::vector<std::pair<std::uint32_t, double>>& hits) {
  std::sort(hits.begin(), hits.end());
  std::vector<double> t;
  t.reserve(hits.size());
  for (const auto& h : hits)
    t.push_back(h.second);
  return t;
}

}  // namespace

std::vector<double> cylinder_axial(const KdTree& tree, const double* cloud, std::size_t stride,
                                   const Eigen::Vector3d& centre, const Eigen::Vector3d& normal,
                                   double radius, double half_length) {
  std::vector<std::pair<std::uint32_t, double>> hits;
  std::vector<std::uint32_t> found;
  const int segments = std::max(1, static_cast<int>(std::ceil(half_length / radius)));
  const double h = half_length / segments;  // segment half-length, <= radius
  const double r2 = radius * radius;
  const double sphere2 = r2 + h * h;
  for (int s = 0; s < segments * 2; s += 2) {
    // Segment s/2 spans axial [−L + s·h, −L + (s+2)·h); the last is closed.
    const double lo = -half_length + s * h;
    const double hi = lo + 2 * h;
    const bool last = s + 2 == segments * 2;
    const Eigen::Vector3d mid = centre + normal * (lo + h);
    tree.radius(mid.data(), sphere2, found);
    for (std::uint32_t j : found) {
      const double* p = cloud + j * stride;
      const Eigen::Vector3d d(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]);
      const double t = d.dot(normal);
      if (t < lo || (last ? t > hi : t >= hi))
        continue;
      if (t < -half_length || t > half_length)
        continue;
      const double radial2 = d.squaredNorm() - t * t;
      if (radial2 > r2)
        continue;
      hits.emplace_back(j, t);
    }
  }
  return axial_in_point_order(hits);
}

std::vector<double> cylinder_axial(const XyGridIndex& grid, const Eigen::Vector3d& centre,
                                   const Eigen::Vector3d& normal, double radius,
                                   double half_length) {
  // The same segments and tests as the KD-tree version (a point is a hit of
  // a segment when it lies in that segment's sphere and axial interval, and
  // in the cylinder), so the hits are the same; the candidates come from
  // the grid cells under the segments' spheres instead of one radius search
  // per segment.
  const int segments = std::max(1, static_cast<int>(std::ceil(half_length / radius)));
  const double h = half_length / segments;
  const double r2 = radius * radius;
  const double sphere2 = r2 + h * h;
  struct Segment {
    double lo, hi;
    bool last;
    Eigen::Vector3d mid;
  };
  std::vector<Segment> segs;
  segs.reserve(static_cast<std::size_t>(segments));
  constexpr double inf = std::numeric_limits<double>::infinity();
  double x_lo = inf, y_lo = inf, x_hi = -inf, y_hi = -inf;
  for (int s = 0; s < segments * 2; s += 2) {
    const double lo = -half_length + s * h;
    const Eigen::Vector3d mid = centre + normal * (lo + h);
    segs.push_back({lo, lo + 2 * h, s + 2 == segments * 2, mid});
    x_lo = std::min(x_lo, mid[0]);
    x_hi = std::max(x_hi, mid[0]);
    y_lo = std::min(y_lo, mid[1]);
    y_hi = std::max(y_hi, mid[1]);
  }
  const double reach = std::sqrt(sphere2) * (1 + 1e-12);  // never below the sphere
  std::vector<std::pair<std::uint32_t, double>> hits;
  grid.visit_box(x_lo - reach, y_lo - reach, x_hi + reach, y_hi + reach,
                 [&](const double* p, std::uint32_t j) {
                   const Eigen::Vector3d d(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]);
                   const double t = d.dot(normal);
                   if (t < -half_length || t > half_length)
                     return;
                   const double radial2 = d.squaredNorm() - t * t;
                   if (radial2 > r2)
                     return;
                   for (const Segment& g : segs) {
                     if (t < g.lo || (g.last ? t > g.hi : t >= g.hi))
                       continue;
                     const double dx = g.mid[0] - p[0], dy = g.mid[1] - p[1], dz = g.mid[2] - p[2];
                     if (dx * dx + dy * dy + dz * dz <= sphere2)
                       hits.emplace_back(j, t);
                   }
                 });
  return axial_in_point_order(hits);
}

CylinderSample summarise_axial(std::vector<double> t) {
  CylinderSample s;
  s.count = static_cast<std::uint32_t>(t.size());
  if (t.empty())
    return s;
  double sum = 0;
  for (double v : t)
    sum += v;
  s.mean = sum / static_cast<double>(t.size());
  double ss = 0;
  for (double v : t)
    ss += (v - s.mean) * (v - s.mean);
  s.variance = t.size() > 1 ? ss / static_cast<double>(t.size() - 1) : 0.0;
  const std::size_t mid = t.size() / 2;
  std::nth_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(mid), t.end());
  s.median = t[mid];
  if (t.size() % 2 == 0) {
    const double lower = *std::max_element(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(mid));
    s.median = 0.5 * (s.median + lower);
  }
  return s;
}

void m3c2_distance(const CylinderSample& a, const CylinderSample& b, const M3c2Options& options,
                   M3c2Result& out) {
  out.n_a = a.count;
  out.n_b = b.count;
  out.spread_a = std::sqrt(a.variance);
  out.spread_b = std::sqrt(b.variance);
  if (a.count == 0 || b.count == 0) {
    out.distance = out.lod = std::numeric_limits<double>::quiet_NaN();
    out.significant = 0;
    return;
  }
  out.distance = options.robust ? b.median - a.median : b.mean - a.mean;
  out.lod =
      1.96 * (std::sqrt(a.variance / a.count + b.variance / b.count) + options.registration_error);
  out.significant = std::abs(out.distance) > out.lod ? 1 : 0;
}

std::vector<M3c2Result> m3c2_tile(std::span<const TilePoint> a, std::span<const TilePoint> b,
                                  const std::vector<std::uint32_t>& cores,
                                  const M3c2Options& options) {
  std::vector<M3c2Result> results(cores.size());
  const double* ax = a.empty() ? nullptr : &a.data()->x;
  const double* bx = b.empty() ? nullptr : &b.data()->x;
  // Uniform x-y grids, not KD-trees: terrain is 2.5-D, and a neighbourhood
  // or a near-vertical cylinder is then a few contiguous runs of cells
  // (xy_grid_index.hpp); the answers are the same point sets.
  const XyGridIndex grid_a(ax, a.size(), kTilePointStride);
  const XyGridIndex grid_b(bx, b.size(), kTilePointStride);
  const double half = options.half_length();
#pragma omp parallel
  {
    std::vector<std::uint32_t> nbr;
#pragma omp for schedule(dynamic, 64)
    for (std::size_t c = 0; c < cores.size(); ++c) {
      const TilePoint& p = a[cores[c]];
      const Eigen::Vector3d centre(p.x, p.y, p.z);
      M3c2Result& r = results[c];
      PlaneFit best;
      bool have = false;
      for (double radius : options.normal_radii) {
        grid_a.radius(centre.data(), radius * radius, nbr);
        PlaneFit fit = fit_plane(ax, kTilePointStride, nbr);
        if (!fit.ok)
          continue;
        if (!have || fit.planarity() > best.planarity()) {
          best = fit;
          have = true;
        }
      }
      if (!have) {
        r.distance = r.lod = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      r.normal = best.normal;
      CylinderSample sa =
          summarise_axial(cylinder_axial(grid_a, centre, best.normal, options.cyl_radius, half));
      CylinderSample sb =
          summarise_axial(cylinder_axial(grid_b, centre, best.normal, options.cyl_radius, half));
      m3c2_distance(sa, sb, options, r);
    }
  }
  return results;
}

}  // namespace tessera::tiles
