// Local plane fits by principal component analysis (PCA).
//
// The normal of a neighbourhood is the eigenvector of its covariance matrix
// with the smallest eigenvalue (Lague et al. 2013, §2.2 "normal estimation"),
// oriented towards +z. Coordinates are centred on the neighbourhood's mean
// before the covariance is formed, so UTM-sized coordinates lose no
// precision; a plane sampled exactly gives its normal to ~1e-12.
#pragma once

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::tiles {

struct PlaneFit {
  Eigen::Vector3d normal = Eigen::Vector3d::UnitZ();
  Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
  /// Covariance eigenvalues, ascending (λ0 ≤ λ1 ≤ λ2).
  Eigen::Vector3d eigenvalues = Eigen::Vector3d::Zero();
  std::size_t count = 0;
  bool ok = false;  ///< at least 3 points and a defined plane

  /// Planarity (λ1 − λ0) / λ2 used to choose among several normal radii.
  double planarity() const {
    return eigenvalues[2] > 0 ? (eigenvalues[1] - eigenvalues[0]) / eigenvalues[2] : 0.0;
  }
};

/// Fits a plane to the points `idx` of a strided xyz array (see KdTree).
PlaneFit fit_plane(const double* xyz, std::size_t stride, const std::vector<std::uint32_t>& idx);

}  // namespace tessera::tiles
