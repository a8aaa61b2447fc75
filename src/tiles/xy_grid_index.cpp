// Uniform x-y grid index; see include/tessera/tiles/xy_grid_index.hpp.
#include "tessera/tiles/xy_grid_index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/core/error.hpp"

namespace tessera::tiles {

namespace {

/// About two points a cell: fewer cells scanned per query than at one, and
/// fewer empty cells where the density varies.
constexpr double kPointsPerCell = 2.0;
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

XyGridIndex::XyGridIndex(const double* xyz, std::size_t n, std::size_t stride) {
  if (n == 0)
    return;
  // Cell keys, cell starts and packed indices are 32-bit; the table has up to
  // ~4n + 64 cells, so n is held well below 2^32 / 4.
  if (n > (std::size_t{1} << 30)) {
    throw UsageError(
        fmt::format("{} points in one tile: the x-y grid index takes at most 2^30; "
                    "use smaller tiles (--tile-size)",
                    n));
  }
  double x1 = -kInf, y1 = -kInf;
  x0_ = y0_ = kInf;
  for (std::size_t i = 0; i < n; ++i) {
    const double* p = xyz + i * stride;
    x0_ = std::min(x0_, p[0]);
    x1 = std::max(x1, p[0]);
    y0_ = std::min(y0_, p[1]);
    y1 = std::max(y1, p[1]);
  }
  const double w = x1 - x0_, d = y1 - y0_;
  const double scale = std::max({std::abs(x0_), std::abs(x1), std::abs(y0_), std::abs(y1)});
  const auto dn = static_cast<double>(n);
  // Cells of the mean spacing times sqrt(points per cell); a line of points
  // (zero area) falls back to its length, a single spot to a tiny cell.
  h_ = std::sqrt(w * d * kPointsPerCell / dn);
  h_ = std::max({h_, std::max(w, d) * kPointsPerCell / dn, 1e-9 * (1 + scale)});
  // Clustered points (a large empty extent) would ask for far more cells
  // than points: widen the cells until the table is at most ~4 per point.
  for (;;) {
    nx_ = static_cast<long>(std::floor(w / h_)) + 1;
    ny_ = static_cast<long>(std::floor(d / h_)) + 1;
    if (static_cast<double>(nx_) * static_cast<double>(ny_) <= 4 * dn + 64)
      break;
    h_ *= 1.5;
  }
  inv_h_ = 1 / h_;
  // A point's cell comes from rounded arithmetic, so it may lie outside the
  // cell's exact bounds by a few ulps of the coordinates: the margin is many
  // orders of magnitude above that, and still negligible against a cell.
  margin_ = 1e-12 * (scale + w + d) + 1e-9 * h_;

  const std::size_t cells = static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_);
  std::vector<std::uint32_t> key(n);
  start_.assign(cells + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double* p = xyz + i * stride;
    key[i] = static_cast<std::uint32_t>(row(p[1]) * nx_ + column(p[0]));
    ++start_[key[i] + 1];
  }
  for (std::size_t c = 1; c <= cells; ++c)
    start_[c] += start_[c - 1];
  // Counting sort by cell; within a cell, index order.
  std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
  xyz_.resize(3 * n);
  index_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = fill[key[i]]++;
    const double* p = xyz + i * stride;
    xyz_[3 * std::size_t{k}] = p[0];
    xyz_[3 * std::size_t{k} + 1] = p[1];
    xyz_[3 * std::size_t{k} + 2] = p[2];
    index_[k] = static_cast<std::uint32_t>(i);
  }
}

std::vector<std::uint32_t> XyGridIndex::cell_order(const double* q, std::size_t n,
                                                   std::size_t stride) const {
  std::vector<std::uint32_t> order(n);
  if (index_.empty()) {
    for (std::size_t i = 0; i < n; ++i)
      order[i] = static_cast<std::uint32_t>(i);
    return order;
  }
  std::vector<std::uint32_t> key(n);
  std::vector<std::uint32_t> fill(start_.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double* p = q + i * stride;
    key[i] = static_cast<std::uint32_t>(row(p[1]) * nx_ + column(p[0]));
    ++fill[key[i] + 1];
  }
  for (std::size_t c = 1; c < fill.size(); ++c)
    fill[c] += fill[c - 1];
  for (std::size_t i = 0; i < n; ++i)
    order[fill[key[i]]++] = static_cast<std::uint32_t>(i);
  return order;
}

bool XyGridIndex::nearest(const double* q, std::uint32_t& index, double& dist2, double bound2,
                          std::uint32_t* slot) const {
  if (index_.empty() || !std::isfinite(q[0]) || !std::isfinite(q[1]) || !std::isfinite(q[2]))
    return false;  // a non-finite query has no nearest point
  const double qx = q[0], qy = q[1], qz = q[2];
  double best = bound2;
  std::uint32_t best_index = 0, best_slot = 0;
  bool found = false;
  // Points [k0, k1) of the packed order. A point scanned twice changes
  // nothing (it ties with itself), so the regions below may overlap.
  auto scan = [&](std::uint32_t k0, std::uint32_t k1) {
    for (std::uint32_t k = k0; k < k1; ++k) {
      const double* p = &xyz_[3 * std::size_t{k}];
      const double dx = qx - p[0], dy = qy - p[1], dz = qz - p[2];
      const double dd = dx * dx + dy * dy + dz * dz;
      if (dd < best || (dd == best && (!found || index_[k] < best_index))) {
        best = dd;
        best_index = index_[k];
        best_slot = k;
        found = true;
      }
    }
  };
  // Cells [c0, c1] of row r.
  auto scan_row = [&](long r, long c0, long c1) {
    const std::size_t base = static_cast<std::size_t>(r * nx_);
    scan(start_[base + static_cast<std::size_t>(c0)],
         start_[base + static_cast<std::size_t>(c1) + 1]);
  };
  if (slot != nullptr && *slot < index_.size())
    scan(*slot, *slot + 1);
  const long cx = column(qx), cy = row(qy);
  scan_row(cy, cx, cx);
  // Once a candidate is close (within two cells), every closer point lies
  // in the box of cells within sqrt(best) of q in x and in y: one run of
  // cells per row, usually 2 x 2 cells instead of ring 1's 3 x 3. The box's
  // corners come from column()/row(), monotone in x and y, of bounds pushed
  // out by a margin far above the rounding of sqrt and of the subtraction,
  // so no point within sqrt(best) is left outside it.
  if (found && best <= 4 * h_ * h_) {
    const double r = std::sqrt(best) + 2 * margin_;
    const long c0 = column(qx - r), c1 = column(qx + r);
    for (long rr = row(qy - r), r1 = row(qy + r); rr <= r1; ++rr) {
      if (rr != cy) {
        scan_row(rr, c0, c1);
        continue;
      }
      if (c0 < cx)
        scan_row(rr, c0, cx - 1);
      if (c1 > cx)
        scan_row(rr, cx + 1, c1);
    }
  } else {
    const long rings = std::max(nx_, ny_);
    for (long ring = 1; ring <= rings; ++ring) {
      const long lo_x = cx - ring, hi_x = cx + ring, lo_y = cy - ring, hi_y = cy + ring;
      const long c0 = std::max(lo_x, 0L), c1 = std::min(hi_x, nx_ - 1);
      if (lo_y >= 0)
        scan_row(lo_y, c0, c1);
      if (hi_y < ny_)
        scan_row(hi_y, c0, c1);
      for (long r = std::max(lo_y + 1, 0L); r <= std::min(hi_y - 1, ny_ - 1); ++r) {
        if (lo_x >= 0)
          scan_row(r, lo_x, lo_x);
        if (hi_x < nx_)
          scan_row(r, hi_x, hi_x);
      }
      // Every point not yet scanned lies in a cell outside the square of
      // rings 0..ring, so at least `gap` from q in x or in y (sides at the
      // grid's edge have nothing beyond them).
      double gap = kInf;
      if (lo_x > 0)
        gap = std::min(gap, qx - (x0_ + static_cast<double>(lo_x) * h_));
      if (hi_x < nx_ - 1)
        gap = std::min(gap, (x0_ + static_cast<double>(hi_x + 1) * h_) - qx);
      if (lo_y > 0)
        gap = std::min(gap, qy - (y0_ + static_cast<double>(lo_y) * h_));
      if (hi_y < ny_ - 1)
        gap = std::min(gap, (y0_ + static_cast<double>(hi_y + 1) * h_) - qy);
      if (gap == kInf)
        break;  // the whole grid was scanned
      gap -= margin_;
      if (gap > 0 && gap * gap > best)
        break;
    }
  }
  if (!found)
    return false;
  index = best_index;
  dist2 = best;
  if (slot != nullptr)
    *slot = best_slot;
  return true;
}

void XyGridIndex::radius(const double* q, double r2, std::vector<std::uint32_t>& out) const {
  out.clear();
  if (!(r2 >= 0) || !std::isfinite(q[0]) || !std::isfinite(q[1]) || !std::isfinite(q[2]))
    return;
  const double r = std::sqrt(r2) * (1 + 1e-12);  // never below the exact radius
  const double qx = q[0], qy = q[1], qz = q[2];
  visit_box(qx - r, qy - r, qx + r, qy + r, [&](const double* p, std::uint32_t i) {
    const double dx = qx - p[0], dy = qy - p[1], dz = qz - p[2];
    if (dx * dx + dy * dy + dz * dz <= r2)
      out.push_back(i);
  });
  std::sort(out.begin(), out.end());
}

}  // namespace tessera::tiles
