// Arm combination (include/tessera/healpix/camera_merge.hpp).
#include "tessera/healpix/camera_merge.hpp"

#include <algorithm>
#include <cmath>

#include "tessera/core/error.hpp"

namespace tessera::healpix {

MergeGrid merge_grid(const std::vector<std::vector<double>>& arm_waves) {
  MergeGrid g;
  if (arm_waves.empty() || arm_waves.front().size() < 2) {
    throw FormatError("fewer than two wavelengths in the first arm");
  }
  g.step = arm_waves.front()[1] - arm_waves.front()[0];
  if (!(g.step > 0.0))
    throw FormatError("wavelengths do not increase");
  g.start = arm_waves.front().front();
  double end = g.start;
  for (const auto& w : arm_waves) {
    if (w.empty())
      throw FormatError("an arm has no wavelengths");
    g.start = std::min(g.start, w.front());
    end = std::max(end, w.back());
  }
  g.size = std::llround((end - g.start) / g.step) + 1;
  for (const auto& w : arm_waves) {
    const double pos = (w.front() - g.start) / g.step;
    const std::int64_t off = std::llround(pos);
    // Every pixel must sit on the grid (within 1% of a step); written so
    // that a NaN or Inf wavelength fails too.
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double p = (w[i] - g.start) / g.step;
      if (!(std::abs(p - static_cast<double>(off + static_cast<std::int64_t>(i))) <= 0.01)) {
        throw FormatError("arm wavelengths are not on a common grid of step " +
                          std::to_string(g.step) + " A");
      }
    }
    if (!(std::abs(((w.back() - g.start) / g.step) -
                   static_cast<double>(off + static_cast<std::int64_t>(w.size()) - 1)) <= 0.01)) {
      throw FormatError("arm wavelengths are not on a common grid");
    }
    g.offsets.push_back(off);
  }
  return g;
}

Spectrum merge_cameras(const MergeGrid& grid, const std::vector<ArmSpectrum>& arms) {
  Spectrum s;
  const auto n = static_cast<std::size_t>(grid.size);
  s.wave.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    s.wave[i] = grid.start + grid.step * static_cast<double>(i);
  std::vector<double> weighted(n, 0.0);
  s.ivar.assign(n, 0.0);
  for (std::size_t a = 0; a < arms.size(); ++a) {
    const ArmSpectrum& arm = arms[a];
    const auto off = static_cast<std::size_t>(grid.offsets[a]);
    for (std::size_t i = 0; i < arm.flux.size(); ++i) {
      const double iv = arm.mask[i] != 0 ? 0.0 : static_cast<double>(arm.ivar[i]);
      if (!(iv > 0.0) || !std::isfinite(arm.flux[i]))
        continue;
      weighted[off + i] += iv * static_cast<double>(arm.flux[i]);
      s.ivar[off + i] += iv;
    }
  }
  s.flux.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    if (s.ivar[i] > 0.0)
      s.flux[i] = weighted[i] / s.ivar[i];
  }
  return s;
}

}  // namespace tessera::healpix
