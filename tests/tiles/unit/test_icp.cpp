// ICP recovers a known rigid transform on synthetic terrain (<= 1 cm, <= 0.01 deg).
#include <Eigen/Geometry>
#include <cmath>
#include <random>

#include "support/catch.hpp"
#include "tessera/tiles/icp.hpp"
#include "tessera/tiles/synth.hpp"

using namespace tessera::tiles;

TEST_CASE("ICP recovers a known rigid transform on synthetic terrain", "[tiles][icp]") {
  SynthScene scene = SynthScene::for_scale("tiny");
  scene.changes = false;
  scene.misalign = true;
  std::vector<Eigen::Vector3d> a, b;
  for (std::int64_t i = 0; i < scene.points(); i += 3) {
    a.push_back(scene.point(i, 0));
    b.push_back(scene.point(i, 1));  // own noise, then the misalignment
  }
  IcpOptions o;
  o.max_correspondence = 1.0;
  const IcpResult r = icp_align(a, b, o);
  // Truth: B = R (x − c) + c + t, so the alignment is the inverse.
  const Eigen::Matrix3d rt = scene.misalign_rotation().transpose();
  const Eigen::Vector3d c = scene.centre();
  const Eigen::Vector3d tt = c - rt * (c + scene.misalign_translation());
  const double angle = Eigen::AngleAxisd(r.rotation * rt.transpose()).angle() * 180 / M_PI;
  INFO("iterations " << r.iterations << " rmse " << r.rmse << " " << r.stop_reason);
  CHECK(angle <= 0.01);
  // Translation error measured where it matters: at the scene's points.
  double worst = 0;
  const std::vector<Eigen::Vector3d> probes = {c, c + Eigen::Vector3d(60, 50, 0),
                                               c - Eigen::Vector3d(60, 50, 0)};
  for (const Eigen::Vector3d& p : probes) {
    worst = std::max(worst, (r.apply(p) - (rt * p + tt)).norm());
  }
  CHECK(worst <= 0.01);
}

TEST_CASE("Kabsch never returns a reflection", "[tiles][icp]") {
  // Coplanar points mirrored: the best orthogonal map is a reflection; the
  // fix must return a proper rotation.
  std::vector<Eigen::Vector3d> s = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 1, 0}};
  std::vector<Eigen::Vector3d> t = {{0, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {-1, 1, 0}};
  Eigen::Matrix3d r;
  Eigen::Vector3d tr;
  kabsch(s, t, r, tr);
  CHECK(r.determinant() == Approx(1.0));
  // A pure rotation is recovered exactly.
  const Eigen::Matrix3d rot =
      Eigen::AngleAxisd(0.3, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  std::vector<Eigen::Vector3d> s2 = {{0, 0, 0}, {1, 0, 0}, {0, 2, 0}, {0, 0, 3}, {1, 1, 1}}, t2;
  for (const auto& p : s2)
    t2.push_back(rot * p + Eigen::Vector3d(5, -2, 1));
  kabsch(s2, t2, r, tr);
  CHECK((r - rot).norm() < 1e-12);
  CHECK((tr - Eigen::Vector3d(5, -2, 1)).norm() < 1e-12);
}
