// PCA plane fit; see include/tessera/tiles/plane_fit.hpp.
#include "tessera/tiles/plane_fit.hpp"

#include <Eigen/Eigenvalues>

namespace tessera::tiles {

PlaneFit fit_plane(const double* xyz, std::size_t stride, const std::vector<std::uint32_t>& idx) {
  PlaneFit fit;
  fit.count = idx.size();
  if (idx.size() < 3)
    return fit;
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  for (std::uint32_t i : idx)
    mean += Eigen::Vector3d(xyz[i * stride], xyz[i * stride + 1], xyz[i * stride + 2]);
  mean /= static_cast<double>(idx.size());
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  for (std::uint32_t i : idx) {
    Eigen::Vector3d d(xyz[i * stride] - mean[0], xyz[i * stride + 1] - mean[1],
                      xyz[i * stride + 2] - mean[2]);
    cov.noalias() += d * d.transpose();
  }
  cov /= static_cast<double>(idx.size());
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(cov);
  if (solver.info() != Eigen::Success)
    return fit;
  fit.centroid = mean;
  fit.eigenvalues = solver.eigenvalues();  // ascending
  Eigen::Vector3d n = solver.eigenvectors().col(0).normalized();
  // Orient towards +z; on a vertical plane (n_z = 0) towards +x, then +y,
  // so the sign never depends on the solver.
  if (n.z() < 0 || (n.z() == 0 && (n.x() < 0 || (n.x() == 0 && n.y() < 0))))
    n = -n;
  fit.normal = n;
  fit.ok = fit.eigenvalues[1] > 0;
  return fit;
}

}  // namespace tessera::tiles
