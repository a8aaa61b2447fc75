// Synthetic lidar epochs with known changes (`tessera synth tiles`).
//
// Terrain: z = 100 + a sum of sines and cosines at wavelengths 97, 41, 13 m
// (slopes ≤ ~0.15, so normals stay within ~9° of vertical). Points lie on a
// jittered regular grid (one point per spacing² cell, position from a hash of
// the point index: any rank can generate any point, so large scales are
// written in parallel and the files do not depend on the rank count). Both
// epochs sample the same positions; each adds its own Gaussian noise.
// Epoch B adds the change field: a +2.5 m Gaussian mound at the centre, a
// −1.5 m pit, a ridge and a landslide (depletion upslope, deposit
// downslope), and optionally a small rigid misalignment about the centre.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <string>

namespace tessera::tiles {

struct SynthScene {
  double width = 120, height = 100;  ///< m
  double spacing = 0.5;              ///< m between points
  double x0 = 500000, y0 = 4100000;  ///< south-west corner (UTM zone 11N)
  double noise = 0.02;               ///< m, per epoch
  bool changes = true;
  bool misalign = false;
  std::uint64_t seed = 20130101;

  static SynthScene for_scale(const std::string& scale);  ///< tiny|small|medium|large
  std::int64_t columns() const;
  std::int64_t rows() const;
  std::int64_t points() const { return columns() * rows(); }

  double terrain(double x, double y) const;  ///< epoch A surface
  double change(double x, double y) const;   ///< B − A (vertical)
  /// Point `i` of epoch `epoch` (0 = A, 1 = B) before misalignment.
  Eigen::Vector3d point(std::int64_t i, int epoch) const;
  Eigen::Vector3d mound_centre() const;
  double mound_height() const { return 2.5; }
  /// The rigid motion applied to B: x' = R (x − c) + c + t.
  Eigen::Matrix3d misalign_rotation() const;
  Eigen::Vector3d misalign_translation() const;
  Eigen::Vector3d centre() const { return {x0 + width / 2, y0 + height / 2, 100}; }
  /// Net, gain and loss volume of the change field over the area (numeric).
  void change_volumes(double& net, double& gain, double& loss) const;
};

}  // namespace tessera::tiles
