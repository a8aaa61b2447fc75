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

#include <cmath>
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

  /// No packed slot (for nearest's `slot`).
  static constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

  /// The nearest point to q with squared distance <= bound2 (ties to the
  /// smaller index): its index and squared distance, or false if none.
  /// `slot` (optional, in/out): a packed slot whose point is tried first —
  /// the previous answer of a nearby query, which starts the search with a
  /// close bound; on success it is set to the answer's slot. Any slot gives
  /// the same answer: it only adds one candidate to those scanned.
  bool nearest(const double* q, std::uint32_t& index, double& dist2,
               double bound2 = std::numeric_limits<double>::max(),
               std::uint32_t* slot = nullptr) const;

  /// The indices of `n` queries (x, y first of each `stride` doubles) by
  /// this grid's cells, row-major (index order within a cell): successive
  /// queries then scan the same or neighbouring cells, and each one's
  /// answer is a close first candidate for the next. A counting sort, O(n).
  std::vector<std::uint32_t> cell_order(const double* q, std::size_t n, std::size_t stride) const;

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
  // Inline: called per point and per query (a third of the index's time
  // when they were calls). !(c > 0) also sends NaN to 0 (a cast of NaN to
  // long is undefined).
  long column(double x) const {  ///< clamped to [0, nx − 1]
    const double c = std::floor((x - x0_) * inv_h_);
    return !(c > 0) ? 0 : c >= static_cast<double>(nx_ - 1) ? nx_ - 1 : static_cast<long>(c);
  }
  long row(double y) const {  ///< clamped to [0, ny − 1]
    const double r = std::floor((y - y0_) * inv_h_);
    return !(r > 0) ? 0 : r >= static_cast<double>(ny_ - 1) ? ny_ - 1 : static_cast<long>(r);
  }

  double x0_ = 0, y0_ = 0, h_ = 1, inv_h_ = 1;
  double margin_ = 0;  ///< bound on a point's distance outside its cell (rounding)
  long nx_ = 0, ny_ = 0;
  std::vector<double> xyz_;           ///< x, y, z of the points, by cell (row-major)
  std::vector<std::uint32_t> index_;  ///< caller's index of each packed point
  std::vector<std::uint32_t> start_;  ///< first packed point of each cell, + end
};

}  // namespace tessera::tiles
