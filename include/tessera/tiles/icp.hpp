// Point-to-point ICP (Besl & McKay 1992) aligning a source cloud onto a
// target: nearest neighbours within a correspondence distance, the rigid
// update of Kabsch (1976) / Umeyama (1991) by SVD with the reflection fix
// (det R = −1 → flip the last singular vector), repeated until the mean
// squared error changes by less than `tolerance`, the update is tiny, or
// `max_iterations` pass. Coordinates are centred on the target's centroid
// internally so UTM coordinates lose no precision.
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <string>
#include <vector>

namespace tessera::tiles {

struct IcpOptions {
  double max_correspondence = 1.0;  ///< m
  int max_iterations = 100;
  double tolerance = 1e-6;  ///< on |ΔMSE| (m²)
};

struct IcpResult {
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();  ///< x' = R x + t (world coords)
  int iterations = 0;
  std::size_t pairs = 0;
  double rmse = 0;
  bool converged = false;
  std::string stop_reason;

  Eigen::Vector3d apply(const Eigen::Vector3d& p) const { return rotation * p + translation; }
  /// Rotation angle in degrees.
  double angle_degrees() const;
};

/// Kabsch: the rigid transform minimising Σ |R s_i + t − d_i|² (pairs in order).
void kabsch(const std::vector<Eigen::Vector3d>& source, const std::vector<Eigen::Vector3d>& target,
            Eigen::Matrix3d& rotation, Eigen::Vector3d& translation);

/// Aligns `source` onto `target`. Throws UsageError when fewer than 3 pairs
/// are within the correspondence distance.
IcpResult icp_align(const std::vector<Eigen::Vector3d>& target,
                    const std::vector<Eigen::Vector3d>& source, const IcpOptions& options);

}  // namespace tessera::tiles
