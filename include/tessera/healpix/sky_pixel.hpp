// Sky position -> HEALPix pixel, exactly as healpy does it.
//
// healpy `ang2pix(nside, ra, dec, lonlat=True, nest=True)` converts degrees to
// theta = pi/2 - dec, phi = ra and calls HEALPix C++; we do the same through
// T_Healpix_Base<int64>, so pixel ids agree bit for bit (tested on >= 1M random
// positions, poles and ra = 0/360 included, against python3-healpy).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace tessera::healpix {

enum class PixelScheme { kNested, kRing };

/// Parses "nest"/"nested"/"ring"; throws UsageError otherwise.
PixelScheme parse_scheme(const std::string& text);

/// Pixel ids of one NSIDE and scheme. Thread-safe (const queries only).
class SkyPixelizer {
 public:
  /// Throws UsageError unless nside is a power of two in [1, 2^29].
  SkyPixelizer(std::int64_t nside, PixelScheme scheme);
  ~SkyPixelizer();
  SkyPixelizer(SkyPixelizer&&) noexcept;
  SkyPixelizer& operator=(SkyPixelizer&&) noexcept;

  std::int64_t nside() const noexcept { return nside_; }
  std::int64_t npix() const noexcept { return 12 * nside_ * nside_; }
  PixelScheme scheme() const noexcept { return scheme_; }

  /// Pixel of (ra, dec) in degrees. The caller validates the range with
  /// valid_position(); out-of-range values give an unspecified pixel.
  std::int64_t pixel(double ra_deg, double dec_deg) const;
  /// Centre of a pixel in degrees (ra in [0, 360)).
  void centre(std::int64_t pixel, double& ra_deg, double& dec_deg) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::int64_t nside_;
  PixelScheme scheme_;
};

/// True when ra in [0, 360] and dec in [-90, 90] (finite). ra = 360 is the
/// same meridian as 0 and is accepted, as healpy does.
inline bool valid_position(double ra_deg, double dec_deg) {
  return ra_deg >= 0.0 && ra_deg <= 360.0 && dec_deg >= -90.0 && dec_deg <= 90.0;
}

/// DESI's pixel group directory: pixel // 100.
inline std::int64_t pixel_group(std::int64_t pixel) {
  return pixel / 100;
}

}  // namespace tessera::healpix
