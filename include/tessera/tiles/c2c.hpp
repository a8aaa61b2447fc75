// Cloud-to-cloud (C2C) distances: for each compared point, the distance to
// the nearest reference point (CloudCompare's C2C, the original's KD-tree
// query), capped at a maximum distance.
//
// Capping is what makes tiling exact: a tile holds every reference point
// within the halo (≥ max distance) of its core, so the nearest neighbour is
// found whenever it is within the cap, and beyond it the answer is "beyond"
// whichever tile is asked. Beyond points get distance = max_dist and
// beyond = 1; statistics leave them out rather than counting infinity.
//
// Vertical mode: the signed distance, along the fitted normal, from the
// point to a plane fitted (PCA) to its k nearest reference points (k = 20 by
// default, at least 6); the k-th neighbour must be within max_dist.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tessera/tiles/tile_point.hpp"

namespace tessera::tiles {

struct C2cOptions {
  double max_dist = 10.0;
  bool vertical = false;  ///< signed distance to a local plane of the reference
  int k = 20;             ///< neighbours for the plane in vertical mode
};

struct C2cResult {
  std::vector<double> distance;      ///< per compared point
  std::vector<std::uint8_t> beyond;  ///< 1 when no answer within max_dist
};

/// Distances from each `compared` point to the `reference` cloud. OpenMP
/// over the compared points; output order = input order.
C2cResult c2c_distances(const std::vector<TilePoint>& reference,
                        const std::vector<TilePoint>& compared, const C2cOptions& options);

/// Same on strided xyz arrays (tests, brute-force comparisons).
C2cResult c2c_distances(const double* ref, std::size_t nref, std::size_t ref_stride,
                        const double* cmp, std::size_t ncmp, std::size_t cmp_stride,
                        const C2cOptions& options);

/// Summary statistics of distances, leaving out beyond points.
struct DistanceStats {
  std::int64_t count = 0, beyond = 0, nan = 0;
  double mean = 0, rms = 0, min = 0, max = 0;
  std::vector<double> edges;            ///< histogram bin edges
  std::vector<std::int64_t> histogram;  ///< counts per bin
};

}  // namespace tessera::tiles
