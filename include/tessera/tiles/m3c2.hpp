// M3C2: Multiscale Model to Model Cloud Comparison (Lague, Brodu & Leroux
// 2013, ISPRS J. 82:10–26). Pure algorithm on the points of one tile.
//
// For each core point c (an epoch-A point):
//   1. normal n: PCA of A points within the normal radius D/2 (eq. in §2.2);
//      with several radii, the most planar fit, (λ1 − λ0)/λ2, is kept;
//      oriented to +z.
//   2. cylinder of radius r around the axis through c along n, half-length
//      L = max(max_depth, r) (py4dgeo's effective rule): the points p of each
//      epoch with |(p − c) − ((p − c)·n) n|² ≤ r² and |(p − c)·n| ≤ L.
//   3. d = mean_B(t) − mean_A(t) with t = (p − c)·n, i.e. n·(mean_B − mean_A)
//      (medians with robust = true);
//      σ² = var(t) (= nᵀ C n, sample variance, n − 1 in the denominator);
//      LoD95 = 1.96 (sqrt(σA²/nA + σB²/nB) + reg)   (Lague 2013 eq. 1);
//      significant when |d| > LoD; NaN when either cylinder is empty
//      (σ needs 2 points: an epoch with one point has σ = 0).
// Scales are radii (CloudCompare's dialog asks for diameters).
//
// Cylinder search: the cylinder is cut into segments of half-length ≤ r
// along the axis, each searched with a sphere of radius sqrt(r² + h²) and
// each point counted only in the segment its axial coordinate falls in; the
// found points are sorted by index before summing, so a result does not
// depend on the tile (tests compare tilings bit for bit).
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <vector>

#include "tessera/tiles/kdtree.hpp"
#include "tessera/tiles/tile_point.hpp"
#include "tessera/tiles/xy_grid_index.hpp"

namespace tessera::tiles {

struct M3c2Options {
  std::vector<double> normal_radii{1.0};
  double cyl_radius = 1.0;
  double max_depth = 5.0;
  bool robust = false;
  double registration_error = 0.0;

  double half_length() const { return max_depth > cyl_radius ? max_depth : cyl_radius; }
  /// Halo a tile needs: any point a core point's neighbourhoods can reach.
  double halo() const;
};

struct M3c2Result {
  double distance = 0;  ///< NaN when a cylinder is empty
  double lod = 0;       ///< NaN when undefined
  std::uint8_t significant = 0;
  std::uint32_t n_a = 0, n_b = 0;
  double spread_a = 0, spread_b = 0;  ///< σ along the normal
  Eigen::Vector3d normal = Eigen::Vector3d::UnitZ();
};

/// Statistics of one epoch's points in a cylinder.
struct CylinderSample {
  std::uint32_t count = 0;
  double mean = 0, median = 0, variance = 0;  ///< of t = (p − c)·n
};

/// Axial coordinates t of the points of `cloud` (strided xyz, indexed by
/// `tree`) inside the cylinder, in ascending point index.
std::vector<double> cylinder_axial(const KdTree& tree, const double* cloud, std::size_t stride,
                                   const Eigen::Vector3d& centre, const Eigen::Vector3d& normal,
                                   double radius, double half_length);
/// The same on a grid index of the cloud (what m3c2_tile uses): the same
/// hits, the candidates taken from the cells under the segments' spheres.
std::vector<double> cylinder_axial(const XyGridIndex& grid, const Eigen::Vector3d& centre,
                                   const Eigen::Vector3d& normal, double radius,
                                   double half_length);
/// Mean, median and sample variance of axial coordinates (summed in order).
CylinderSample summarise_axial(std::vector<double> t);
/// Distance, LoD and significance from two samples (Lague 2013 eq. 1).
void m3c2_distance(const CylinderSample& a, const CylinderSample& b, const M3c2Options& options,
                   M3c2Result& out);

/// M3C2 for the `cores` (indices into `a`) of one tile. OpenMP over cores.
/// Spans, so a tile's runs of the exchanged points are used where they lie.
std::vector<M3c2Result> m3c2_tile(std::span<const TilePoint> a, std::span<const TilePoint> b,
                                  const std::vector<std::uint32_t>& cores,
                                  const M3c2Options& options);

}  // namespace tessera::tiles
