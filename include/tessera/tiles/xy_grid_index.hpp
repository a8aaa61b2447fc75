// A uniform x-y grid over a 3-D point cloud: exact nearest-neighbour and
// radius queries for 2.5-D terrain.
//
// Airborne lidar is close to a height field: its points spread over x-y at a
// near-constant density, one z (or a few) above each spot. Cells about the
// point spacing wide (~2 points a cell), points sorted by cell and stored
// packed in that order, put a query's neighbours in a few consecutive cells
// of a few rows, each row one contiguous run of memory. A nearest-neighbour
// query scans square rings of cells around the query's cell and stops when
// the nearest 3-D distance found is below the x-y distance to every cell not
// yet scanned; there is no tree to descend and no pruning arithmetic per
// node. On the medium C2C case this is several times faster than the
// KD-tree (kdtree.hpp), which stays for k-nearest queries and ICP.
//
// Exactness: distances are the same sums of the same doubles as a KD-tree's
// or a brute-force loop's ((q−p)x² + (q−p)y² + (q−p)z², in that order), and
// the ring stopping rule is conservative: a point's cell is computed by
// rounding, so the distance to unscanned cells is shrunk by a margin far
// above that rounding before it is compared. The answers are therefore those
// of brute force: the nearest point, equal distances to the smaller index;
// radius results sorted by index.
//
// Thread safety: a built XyGridIndex is immutable; queries are const and
// safe from any number of OpenMP threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace tessera::tiles {

class XyGridIndex {
 public:
  /// Indexes `n` points whose x, y, z are the first three doubles of each
  /// `stride`-double element. The grid keeps its own packed copy.
  XyGridIndex(const double* xyz, std::size_t n, std::size_t stride = 3);

  std::size_t size() const { return index_.size(); }
  /// Cell width (the same in x and y).
  double cell() const { return h_; }

  /// The nearest point to q with squared distance <= bound2 (ties to the
  /// smaller index): its index and squared distance, or false if none.
  bool nearest(const double* q, std::uint32_t& index, double& dist2,
               double bound2 = std::numeric_limits<double>::max()) const;

  /// Indices of all points with squared distance <= r2 from q, ascending.
  void radius(const double* q, double r2, std::vector<std::uint32_t>& out) const;

  /// Calls f(const double* xyz, std::uint32_t index) for every point in the
  /// cells that may hold points with x in [x_lo, x_hi] and y in [y_lo,
  /// y_hi]: all such points, and some outside (the caller tests them).
  template <class F>
  void visit_box(double x_lo, double y_lo, double x_hi, double y_hi, F&& f) const {
    if (index_.empty())
      return;
    const long c0 = column(x_lo - 2 * margin_), c1 = column(x_hi + 2 * margin_);
    const long r0 = row(y_lo - 2 * margin_), r1 = row(y_hi + 2 * margin_);
    for (long r = r0; r <= r1; ++r) {
      const std::size_t base = static_cast<std::size_t>(r) * static_cast<std::size_t>(nx_);
      const std::uint32_t end = start_[base + static_cast<std::size_t>(c1) + 1];
      for (std::uint32_t k = start_[base + static_cast<std::size_t>(c0)]; k < end; ++k)
        f(&xyz_[3 * std::size_t{k}], index_[k]);
    }
  }

 private:
  long column(double x) const;  ///< clamped to [0, nx − 1]
  long row(double y) const;     ///< clamped to [0, ny − 1]

  double x0_ = 0, y0_ = 0, h_ = 1, inv_h_ = 1;
  double margin_ = 0;  ///< bound on a point's distance outside its cell (rounding)
  long nx_ = 0, ny_ = 0;
  std::vector<double> xyz_;           ///< x, y, z of the points, by cell (row-major)
  std::vector<std::uint32_t> index_;  ///< caller's index of each packed point
  std::vector<std::uint32_t> start_;  ///< first packed point of each cell, + end
};

}  // namespace tessera::tiles
