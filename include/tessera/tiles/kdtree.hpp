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
  KnnCollector(std::size_t k, double bound) : k_(k), bound_(bound) {
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
    return true;
  }
  /// Equal distances must still reach addPoint (nanoflann offers only
  /// dist < worstDist), so the bound sits one ulp above the k-th distance.
  double worstDist() const {
    double w = full() ? dist_.back() : bound_;
    return std::nextafter(w, std::numeric_limits<double>::infinity());
  }
  const std::vector<std::uint32_t>& indices() const { return idx_; }
  const std::vector<double>& distances() const { return dist_; }

 private:
  std::size_t k_;
  double bound_;
  std::vector<std::uint32_t> idx_;
  std::vector<double> dist_;
};

/// The single nearest point (no allocation: the C2C and ICP hot path);
/// equal distances go to the smaller index.
class NearestCollector {
 public:
  using DistanceType = double;
  using IndexType = std::uint32_t;
  explicit NearestCollector(double bound) : dist_(bound) {}
  std::size_t size() const { return found_ ? 1 : 0; }
  bool full() const { return found_; }
  bool addPoint(double dist, std::uint32_t index) {
    if (dist < dist_ || (dist == dist_ && (!found_ || index < idx_))) {
      dist_ = dist;
      idx_ = index;
      found_ = true;
    }
    return true;
  }
  double worstDist() const {
    return std::nextafter(dist_, std::numeric_limits<double>::infinity());
  }
  bool found() const { return found_; }
  double distance() const { return dist_; }
  std::uint32_t index() const { return idx_; }

 private:
  double dist_;
  std::uint32_t idx_ = 0;
  bool found_ = false;
};

}  // namespace detail

class KdTree {
 public:
  /// Builds the tree over `n` points (x, y, z first in each `stride` doubles).
  /// The points must outlive the tree and stay unchanged.
  KdTree(const double* xyz, std::size_t n, std::size_t stride = 3, std::size_t leaf_size = 16)
      : cloud_{xyz, n, stride} {
    if (n > 0) {
      index_ =
          std::make_unique<Index>(3, cloud_, nanoflann::KDTreeSingleIndexAdaptorParams(leaf_size));
    }
  }

  std::size_t size() const { return cloud_.n; }

  /// Indices of all points with squared distance <= r2 from q, ascending.
  void radius(const double* q, double r2, std::vector<std::uint32_t>& out) const {
    out.clear();
    if (!index_)
      return;
    detail::RadiusCollector rc(std::nextafter(r2, std::numeric_limits<double>::infinity()), out);
    index_->findNeighbors(rc, q, KdSearchParams());
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
    index_->findNeighbors(kc, q, KdSearchParams());
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
    index_->findNeighbors(nc, q, KdSearchParams());
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
  StridedCloud cloud_;
  std::unique_ptr<Index> index_;
};

}  // namespace tessera::tiles
