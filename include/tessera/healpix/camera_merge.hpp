// Combination of the B, R and Z arms of a DESI spectrum onto one grid, as
// desispec.coaddition.coadd_cameras does: the arms share one 0.8 A grid
// (3600-9824 A, 7781 pixels); where arms overlap, the flux is the
// inverse-variance-weighted mean; a pixel with a non-zero mask bit has its
// ivar set to zero first. Pure code.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "tessera/healpix/bal_finder.hpp"

namespace tessera::healpix {

/// One arm of one spectrum (views into the coadd arrays).
struct ArmSpectrum {
  std::span<const double> wave;
  std::span<const float> flux;
  std::span<const float> ivar;
  std::span<const std::int32_t> mask;
};

/// The common grid of the arms' wavelengths: first wavelength, step and
/// pixel count, and each arm's offset on it. Throws FormatError when an arm's
/// wavelengths are not on the grid of the first arm (spacing or phase).
struct MergeGrid {
  double start = 0.0;
  double step = 0.0;
  std::int64_t size = 0;
  std::vector<std::int64_t> offsets;  ///< per arm: grid index of its first pixel
};
MergeGrid merge_grid(const std::vector<std::vector<double>>& arm_waves);

/// Merges arms (in the same order as for merge_grid) onto the grid.
Spectrum merge_cameras(const MergeGrid& grid, const std::vector<ArmSpectrum>& arms);

}  // namespace tessera::healpix
