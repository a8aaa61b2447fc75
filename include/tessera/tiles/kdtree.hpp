// The one nanoflann adaptor of Tessera: a 3-D KD-tree over strided doubles.
//
// nanoflann changed its search API in 1.5 (ResultItem / SearchParameters
// replaced std::pair / SearchParams). Debian ships 1.4.3, Spack ≥ 1.5. This
// header hides the difference: it never uses either radiusSearch signature,
// only findNeighbors() with Tessera's own result sets, and picks the search
// parameter type by NANOFLANN_VERSION. Nothing else includes nanoflann.
//
// Results are deterministic whatever the tree's shape: radius results are
// returned sorted by point index, and k-nearest ties are broken by index, so
// a tile's answers do not depend on how the tree split (tests rely on this
// to compare 1, 2 and 4 ranks bit for bit).
//
// Thread safety: a built KdTree is immutable; queries are const and safe
// from any number of OpenMP threads at once.
#pragma once

#include <nanoflann.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace tessera::tiles {

#if NANOFLANN_VERSION >= 0x150
using KdSearchParams = nanoflann::SearchParameters;
#else
using KdSearchParams = nanoflann::SearchParams;
#endif

/// nanoflann's dataset interface over `n` points whose x, y, z are the first
/// three doubles of each `stride`-double element.
struct StridedCloud {
  const double* base = nullptr;
  std::size_t n = 0;
  std::size_t stride = 3;
  std::size_t kdtree_get_point_count() const { return n; }
  double kdtree_get_pt(std::size_t i, std::size_t dim) const { return base[i * stride + dim]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const {
    return false;
  }
};

namespace detail {

/// Spreads the low 10 bits of v to the even bits of a 20-bit word.
inline std::uint32_t spread10(std::uint32_t v) {
  v &= 0x3ffu;
  v = (v | (v << 8)) & 0x00ff00ffu;
  v = (v | (v << 4)) & 0x0f0f0f0fu;
  v = (v | (v << 2)) & 0x33333333u;
  v = (v | (v << 1)) & 0x55555555u;
  return v;
}

/// The indices of `n` points (x, y first of each `stride` doubles) in Z
/// order: Morton order of a grid over their x-y extent with about one cell
/// per point (at most 1024 x 1024), index order within a cell. A counting
/// sort, O(n). Points near in space are then near in the order (cache
/// reuse for a tree's nodes and leaves, and for successive queries).
inline std::vector<std::uint32_t> z_order(const double* p, std::size_t n, std::size_t stride) {
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  for (std::size_t i = 0; i < n; ++i) {
    x0 = std::min(x0, p[i * stride]);
    x1 = std::max(x1, p[i * stride]);
    y0 = std::min(y0, p[i * stride + 1]);
    y1 = std::max(y1, p[i * stride + 1]);
  }
  // A table (zeroed and summed per call) no larger than the points need.
  int bits = 1;
  while (bits < 10 && (std::size_t{1} << (2 * bits)) < n)
    ++bits;
  const double cells = static_cast<double>(1u << bits) - 0.001;
  const double sx = x1 > x0 ? cells / (x1 - x0) : 0.0;
  const double sy = y1 > y0 ? cells / (y1 - y0) : 0.0;
  std::vector<std::uint32_t> key(n);
  std::vector<std::uint32_t> start((std::size_t{1} << (2 * bits)) + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto cx = static_cast<std::uint32_t>((p[i * stride] - x0) * sx);
    const auto cy = static_cast<std::uint32_t>((p[i * stride + 1] - y0) * sy);
    key[i] = spread10(cx) | (spread10(cy) << 1);
    ++start[key[i] + 1];
  }
  for (std::size_t k = 1; k < start.size(); ++k)
    start[k] += start[k - 1];
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[start[key[i]]++] = static_cast<std::uint32_t>(i);
  return order;
}

/// Hands a collector the caller's point indices instead of the tree's
/// (positions in its reordered copy), so tie-breaks and results are by the
/// caller's index exactly as if the tree were built over the points in place.
template <class Collector>
class Remapped {
 public:
  using DistanceType = double;
  using IndexType = std::uint32_t;
  Remapped(Collector& c, const std::uint32_t* original) : c_(c), original_(original) {}
  std::size_t size() const { return c_.size(); }
  bool full() const { return c_.full(); }
  bool addPoint(double dist, std::uint32_t index) { return c_.addPoint(dist, original_[index]); }
  double worstDist() const { return c_.worstDist(); }

 private:
  Collector& c_;
  const std::uint32_t* original_;
};

/// Every point strictly closer than `bound` (squared), appended unsorted.
class RadiusCollector {
 public:
  using DistanceType = double;
  using IndexType = std::uint32_t;
  RadiusCollector(double bound, std::vector<std::uint32_t>& out) : bound_(bound), out_(out) {}
  std::size_t size() const { return out_.size(); }
  bool full() const { return true; }
  bool addPoint(double dist, std::uint32_t index) {
    if (dist < bound_)
      out_.push_back(index);
    return true;
  }
  double worstDist() const { return bound_; }

 private:
  double bound_;
  std::vector<std::uint32_t>& out_;
};

/// The k nearest, ties broken by the smaller index.
class KnnCollector {
 public:
  using DistanceType = double;
  using IndexType = std::uint32_t;
  KnnCollector(std::size_t k, double bound)
      : k_(k),
        bound_(bound),
        worst_(std::nextafter(bound, std::numeric_limits<double>::infinity())) {
    idx_.reserve(k + 1);
    dist_.reserve(k + 1);
  }
  std::size_t size() const { return idx_.size(); }
  bool full() const { return idx_.size() == k_; }
  bool addPoint(double dist, std::uint32_t index) {
    if (full() && (dist > dist_.back() || (dist == dist_.back() && index > idx_.back()))) {
      return true;
    }
    std::size_t i = idx_.size();
    idx_.push_back(index);
    dist_.push_back(dist);
    while (i > 0 && (dist_[i - 1] > dist || (dist_[i - 1] == dist && idx_[i - 1] > index))) {
      idx_[i] = idx_[i - 1];
      dist_[i] = dist_[i - 1];
      --i;
    }
    idx_[i] = index;
    dist_[i] = dist;
    if (idx_.size() > k_) {
      idx_.pop_back();
      dist_.pop_back();
    }
    if (full())
      worst_ = std::nextafter(dist_.back(), std::numeric_limits<double>::infinity());
    return true;
  }
  /// Equal distances must still reach addPoint (nanoflann offers only
  /// dist < worstDist), so the bound sits one ulp above the k-th distance
  /// (kept up to date by addPoint: nanoflann asks at every node it visits).
  double worstDist() const { return worst_; }
  const std::vector<std::uint32_t>& indices() const { return idx_; }
  const std::vector<double>& distances() const { return dist_; }

 private:
  std::size_t k_;
  double bound_;
  double worst_;
  std::vector<std::uint32_t> idx_;
  std::vector<double> dist_;
};

/// The single nearest point (no allocation: the C2C and ICP hot path);
/// equal distances go to the smaller index.
class NearestCollector {
 public:
  using DistanceType = double;
  using IndexType = std::uint32_t;
  explicit NearestCollector(double bound) : dist_(bound), worst_(above(bound)) {}
  std::size_t size() const { return found_ ? 1 : 0; }
  bool full() const { return found_; }
  bool addPoint(double dist, std::uint32_t index) {
    if (dist < dist_ || (dist == dist_ && (!found_ || index < idx_))) {
      if (dist != dist_)
        worst_ = above(dist);
      dist_ = dist;
      idx_ = index;
      found_ = true;
    }
    return true;
  }
  /// nanoflann asks for this at every node and leaf it visits, so the ulp
  /// step (a libm call) is taken once per change of the nearest, not per ask.
  double worstDist() const { return worst_; }
  bool found() const { return found_; }
  double distance() const { return dist_; }
  std::uint32_t index() const { return idx_; }

 private:
  static double above(double d) {
    return std::nextafter(d, std::numeric_limits<double>::infinity());
  }
  double dist_;
  double worst_;  ///< above(dist_)
  std::uint32_t idx_ = 0;
  bool found_ = false;
};

}  // namespace detail

class KdTree {
 public:
  /// Builds the tree over `n` points (x, y, z first in each `stride` doubles).
  /// The tree keeps its own copy of the coordinates: packed (24 bytes a
  /// point, not a TilePoint's 48) and in Z order, so the build's partitioning
  /// and each leaf's distance loop touch few cache lines. Every answer is
  /// given in the caller's indices (Remapped), and distances are the same
  /// sums of the same doubles, so results do not change with the copy.
  KdTree(const double* xyz, std::size_t n, std::size_t stride = 3, std::size_t leaf_size = 16) {
    if (n == 0)
      return;
    original_ = detail::z_order(xyz, n, stride);
    packed_.resize(3 * n);
    for (std::size_t k = 0; k < n; ++k) {
      const double* p = xyz + std::size_t{original_[k]} * stride;
      packed_[3 * k] = p[0];
      packed_[3 * k + 1] = p[1];
      packed_[3 * k + 2] = p[2];
    }
    cloud_ = {packed_.data(), n, 3};
    index_ =
        std::make_unique<Index>(3, cloud_, nanoflann::KDTreeSingleIndexAdaptorParams(leaf_size));
  }

  // The nanoflann index refers to cloud_ by address: the tree stays put.
  KdTree(const KdTree&) = delete;
  KdTree& operator=(const KdTree&) = delete;

  std::size_t size() const { return original_.size(); }

  /// Indices of all points with squared distance <= r2 from q, ascending.
  void radius(const double* q, double r2, std::vector<std::uint32_t>& out) const {
    out.clear();
    if (!index_)
      return;
    detail::RadiusCollector rc(std::nextafter(r2, std::numeric_limits<double>::infinity()), out);
    detail::Remapped<detail::RadiusCollector> mapped(rc, original_.data());
    index_->findNeighbors(mapped, q, KdSearchParams());
    std::sort(out.begin(), out.end());
  }

  /// The k nearest points within squared distance `bound2` (default: any),
  /// nearest first, ties by index. Returns how many were found.
  std::size_t knn(const double* q, std::size_t k, std::vector<std::uint32_t>& idx,
                  std::vector<double>& dist2,
                  double bound2 = std::numeric_limits<double>::max()) const {
    idx.clear();
    dist2.clear();
    if (!index_ || k == 0)
      return 0;
    detail::KnnCollector kc(k, bound2);
    detail::Remapped<detail::KnnCollector> mapped(kc, original_.data());
    index_->findNeighbors(mapped, q, KdSearchParams());
    for (std::size_t i = 0; i < kc.size(); ++i) {
      if (kc.distances()[i] <= bound2) {
        idx.push_back(kc.indices()[i]);
        dist2.push_back(kc.distances()[i]);
      }
    }
    return idx.size();
  }

  /// Squared distance to the nearest point if it is <= bound2, else false.
  bool nearest(const double* q, std::uint32_t& index, double& dist2,
               double bound2 = std::numeric_limits<double>::max()) const {
    if (!index_)
      return false;
    detail::NearestCollector nc(bound2);
    detail::Remapped<detail::NearestCollector> mapped(nc, original_.data());
    index_->findNeighbors(mapped, q, KdSearchParams());
    if (!nc.found() || nc.distance() > bound2)
      return false;
    index = nc.index();
    dist2 = nc.distance();
    return true;
  }

 private:
  using Index =
      nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, StridedCloud>,
                                          StridedCloud, 3, std::uint32_t>;
  std::vector<double> packed_;           ///< x, y, z of the points in Z order
  std::vector<std::uint32_t> original_;  ///< caller's index of each packed point
  StridedCloud cloud_;
  std::unique_ptr<Index> index_;
};

}  // namespace tessera::tiles
