// Synthetic terrain and changes; see include/tessera/tiles/synth.hpp.
#include "tessera/tiles/synth.hpp"

#include <Eigen/Geometry>

#include <cmath>

#include "tessera/core/error.hpp"

namespace tessera::tiles {

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double uniform(std::uint64_t seed, std::uint64_t i, std::uint64_t stream) {
  return (splitmix(seed ^ splitmix(i * 8 + stream)) >> 11) * (1.0 / 9007199254740992.0);
}
double gaussian(std::uint64_t seed, std::uint64_t i, std::uint64_t stream) {
  const double u1 = uniform(seed, i, stream) + 1e-300;
  const double u2 = uniform(seed, i, stream + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}
double bump(double dx, double dy, double sigma) {
  return std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
}
double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

}  // namespace

SynthScene SynthScene::for_scale(const std::string& scale) {
  SynthScene s;
  if (scale == "tiny") {
    s.width = 120, s.height = 100, s.spacing = 0.5;  // 48k points per epoch
  } else if (scale == "small") {
    s.width = 600, s.height = 500, s.spacing = 0.5;  // 1.2M per epoch
  } else if (scale == "medium") {
    s.width = 3000, s.height = 2500, s.spacing = 1.0;  // 7.5M per epoch, 15M per pair
  } else if (scale == "large") {
    s.width = 10000, s.height = 5000, s.spacing = 1.0;  // 50M per epoch, 100M per pair
  } else {
    throw UsageError("--scale must be tiny, small, medium or large, not \"" + scale + "\"");
  }
  return s;
}

std::int64_t SynthScene::columns() const {
  return static_cast<std::int64_t>(std::llround(width / spacing));
}
std::int64_t SynthScene::rows() const {
  return static_cast<std::int64_t>(std::llround(height / spacing));
}

double SynthScene::terrain(double x, double y) const {
  const double u = x - x0, v = y - y0;
  const double k = 2 * M_PI;
  return 100 + 1.2 * std::sin(k * u / 97) * std::cos(k * v / 83) +
         0.25 * std::sin(k * (u + 0.6 * v) / 41 + 1.0) + 0.05 * std::cos(k * v / 13 + 0.5) +
         0.04 * std::sin(k * u / 13);
}

Eigen::Vector3d SynthScene::mound_centre() const {
  return {x0 + 0.5 * width, y0 + 0.5 * height, 0};
}

double SynthScene::change(double x, double y) const {
  if (!changes)
    return 0;
  const double u = x - x0, v = y - y0;
  const double m = std::min(width, height);
  double dz = 2.5 * bump(u - 0.5 * width, v - 0.5 * height, 0.08 * m);  // mound
  dz += -1.5 * bump(u - 0.2 * width, v - 0.75 * height, 0.05 * m);      // pit
  // Ridge along x = 0.8 W between y = 0.2 H and 0.8 H with smooth ends.
  const double ridge_w = 0.02 * m;
  dz += 1.0 * std::exp(-std::pow(u - 0.8 * width, 2) / (2 * ridge_w * ridge_w)) *
        smoothstep(0.15 * height, 0.25 * height, v) *
        (1 - smoothstep(0.75 * height, 0.85 * height, v));
  // Landslide: material leaves a scar and lands downslope (net zero).
  dz += -2.0 * bump(u - 0.3 * width, v - 0.25 * height, 0.04 * m);
  dz += 2.0 * bump(u - 0.4 * width, v - 0.25 * height, 0.04 * m);
  return dz;
}

Eigen::Vector3d SynthScene::point(std::int64_t i, int epoch) const {
  const std::int64_t nc = columns();
  const auto c = static_cast<double>(i % nc), r = static_cast<double>(i / nc);
  const auto ui = static_cast<std::uint64_t>(i);
  const double x = x0 + (c + 0.05 + 0.9 * uniform(seed, ui, 0)) * spacing;
  const double y = y0 + (r + 0.05 + 0.9 * uniform(seed, ui, 1)) * spacing;
  double z =
      terrain(x, y) + noise * gaussian(seed + 7 + 13 * static_cast<std::uint64_t>(epoch), ui, 2);
  if (epoch == 1)
    z += change(x, y);
  Eigen::Vector3d p(x, y, z);
  if (epoch == 1 && misalign)
    p = misalign_rotation() * (p - centre()) + centre() + misalign_translation();
  return p;
}

Eigen::Matrix3d SynthScene::misalign_rotation() const {
  const double d = M_PI / 180;
  return (Eigen::AngleAxisd(0.05 * d, Eigen::Vector3d::UnitZ()) *
          Eigen::AngleAxisd(0.02 * d, Eigen::Vector3d::UnitX()) *
          Eigen::AngleAxisd(-0.015 * d, Eigen::Vector3d::UnitY()))
      .toRotationMatrix();
}

Eigen::Vector3d SynthScene::misalign_translation() const {
  return {0.30, -0.20, 0.10};
}

void SynthScene::change_volumes(double& net, double& gain, double& loss) const {
  // Midpoint rule on a 2000 x 2000 grid: the change field is smooth on
  // scales of metres, so this is exact to far better than the 2% tolerance.
  const int n = 2000;
  const double dx = width / n, dy = height / n;
  net = gain = loss = 0;
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const double dz = change(x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy) * dx * dy;
      net += dz;
      if (dz > 0)
        gain += dz;
      else
        loss += dz;
    }
  }
}

}  // namespace tessera::tiles
