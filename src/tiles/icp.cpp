// Point-to-point ICP; see include/tessera/tiles/icp.hpp.
#include "tessera/tiles/icp.hpp"

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/core/error.hpp"
#include "tessera/tiles/kdtree.hpp"

namespace tessera::tiles {

double IcpResult::angle_degrees() const {
  const double c = std::clamp((rotation.trace() - 1.0) / 2.0, -1.0, 1.0);
  return std::acos(c) * 180.0 / M_PI;
}

void kabsch(const std::vector<Eigen::Vector3d>& source, const std::vector<Eigen::Vector3d>& target,
            Eigen::Matrix3d& rotation, Eigen::Vector3d& translation) {
  const double n = static_cast<double>(source.size());
  Eigen::Vector3d ms = Eigen::Vector3d::Zero(), mt = Eigen::Vector3d::Zero();
  for (std::size_t i = 0; i < source.size(); ++i) {
    ms += source[i];
    mt += target[i];
  }
  ms /= n;
  mt /= n;
  Eigen::Matrix3d h = Eigen::Matrix3d::Zero();
  for (std::size_t i = 0; i < source.size(); ++i)
    h += (source[i] - ms) * (target[i] - mt).transpose();
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(h, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d v = svd.matrixV();
  // Reflection fix (Umeyama 1991): a proper rotation has det = +1.
  if ((v * svd.matrixU().transpose()).determinant() < 0)
    v.col(2) *= -1;
  rotation = v * svd.matrixU().transpose();
  translation = mt - rotation * ms;
}

IcpResult icp_align(const std::vector<Eigen::Vector3d>& target,
                    const std::vector<Eigen::Vector3d>& source, const IcpOptions& options) {
  if (target.size() < 3 || source.size() < 3) {
    throw UsageError("ICP needs at least 3 points in each cloud");
  }
  // Work in coordinates centred on the target's centroid.
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  for (const auto& p : target)
    origin += p;
  origin /= static_cast<double>(target.size());
  std::vector<double> tgt(target.size() * 3);
  for (std::size_t i = 0; i < target.size(); ++i) {
    for (int d = 0; d < 3; ++d)
      tgt[3 * i + d] = target[i][d] - origin[d];
  }
  std::vector<Eigen::Vector3d> src(source.size());
  for (std::size_t i = 0; i < source.size(); ++i)
    src[i] = source[i] - origin;
  const KdTree tree(tgt.data(), target.size(), 3);

  IcpResult res;
  Eigen::Matrix3d r_total = Eigen::Matrix3d::Identity();
  Eigen::Vector3d t_total = Eigen::Vector3d::Zero();
  const double max2 = options.max_correspondence * options.max_correspondence;
  double prev_mse = std::numeric_limits<double>::infinity();
  std::vector<Eigen::Vector3d> cur(src.size()), ps, pt;
  res.stop_reason = "max iterations";
  for (int it = 0; it < options.max_iterations; ++it) {
    for (std::size_t i = 0; i < src.size(); ++i)
      cur[i] = r_total * src[i] + t_total;
    std::vector<std::int64_t> match(cur.size(), -1);
    std::vector<double> d2s(cur.size(), 0);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < cur.size(); ++i) {
      std::uint32_t j = 0;
      double d2 = 0;
      if (tree.nearest(cur[i].data(), j, d2, max2)) {
        match[i] = j;
        d2s[i] = d2;
      }
    }
    ps.clear();
    pt.clear();
    double sse = 0;
    for (std::size_t i = 0; i < cur.size(); ++i) {
      if (match[i] < 0)
        continue;
      ps.push_back(cur[i]);
      const double* q = &tgt[3 * static_cast<std::size_t>(match[i])];
      pt.emplace_back(q[0], q[1], q[2]);
      sse += d2s[i];
    }
    if (ps.size() < 3) {
      throw UsageError("ICP found only " + std::to_string(ps.size()) +
                       " point pairs within the correspondence distance of " +
                       std::to_string(options.max_correspondence) +
                       " m (at least 3 needed): do the epochs overlap?");
    }
    const double mse = sse / static_cast<double>(ps.size());
    res.iterations = it + 1;
    res.pairs = ps.size();
    res.rmse = std::sqrt(mse);
    Eigen::Matrix3d r;
    Eigen::Vector3d t;
    kabsch(ps, pt, r, t);
    r_total = r * r_total;
    t_total = r * t_total + t;
    const double step = t.norm() + Eigen::AngleAxisd(r).angle();
    if (std::abs(prev_mse - mse) < options.tolerance && step < 1e-5) {
      res.converged = true;
      res.stop_reason = "|dMSE| below tolerance";
      break;
    }
    if (step < 1e-10) {
      res.converged = true;
      res.stop_reason = "tiny step";
      break;
    }
    prev_mse = mse;
  }
  // Back to world coordinates: x' = R (x − o) + t + o.
  res.rotation = r_total;
  res.translation = t_total + origin - r_total * origin;
  return res;
}

}  // namespace tessera::tiles
