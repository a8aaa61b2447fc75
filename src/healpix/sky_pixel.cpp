// HEALPix pixel ids through HEALPix C++ (include/tessera/healpix/sky_pixel.hpp).
#include "tessera/healpix/sky_pixel.hpp"

#include <healpix_base.h>

#include <cmath>
#include <numbers>

#include "tessera/core/error.hpp"

namespace tessera::healpix {

struct SkyPixelizer::Impl {
  T_Healpix_Base<int64> base;
};

PixelScheme parse_scheme(const std::string& text) {
  if (text == "nest" || text == "nested" || text == "NEST" || text == "NESTED") {
    return PixelScheme::kNested;
  }
  if (text == "ring" || text == "RING")
    return PixelScheme::kRing;
  throw UsageError("--scheme must be 'nest' or 'ring', not '" + text + "'");
}

SkyPixelizer::SkyPixelizer(std::int64_t nside, PixelScheme scheme)
    : nside_(nside), scheme_(scheme) {
  if (nside < 1 || nside > (std::int64_t{1} << 29) || (nside & (nside - 1)) != 0) {
    throw UsageError("--nside must be a power of two between 1 and 2^29, not " +
                     std::to_string(nside));
  }
  impl_ = std::make_unique<Impl>(
      Impl{T_Healpix_Base<int64>(nside, scheme == PixelScheme::kNested ? NEST : RING, SET_NSIDE)});
}

SkyPixelizer::~SkyPixelizer() = default;
SkyPixelizer::SkyPixelizer(SkyPixelizer&&) noexcept = default;
SkyPixelizer& SkyPixelizer::operator=(SkyPixelizer&&) noexcept = default;

std::int64_t SkyPixelizer::pixel(double ra_deg, double dec_deg) const {
  // healpy lonlat=True: theta = pi/2 - dec, phi = ra, both in radians.
  constexpr double kDeg = std::numbers::pi / 180.0;
  const double theta = std::numbers::pi / 2.0 - dec_deg * kDeg;
  const double phi = ra_deg * kDeg;
  return impl_->base.ang2pix(pointing(theta, phi));
}

void SkyPixelizer::centre(std::int64_t pixel, double& ra_deg, double& dec_deg) const {
  const pointing p = impl_->base.pix2ang(pixel);
  constexpr double kRad = 180.0 / std::numbers::pi;
  ra_deg = p.phi * kRad;
  dec_deg = 90.0 - p.theta * kRad;
}

}  // namespace tessera::healpix
