// HEALPix pixel ids: fixed values computed with healpy 1.16
// (ang2pix(nside, ra, dec, lonlat=True, nest=...)); the 1M-point comparison
// is the script test "healpix pixel ids equal healpy's".
#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/sky_pixel.hpp"

using tessera::healpix::PixelScheme;
using tessera::healpix::SkyPixelizer;

TEST_CASE("Pixel ids equal healpy's at the poles, ra 0/360 and ordinary points", "[healpix]") {
  const SkyPixelizer nest64(64, PixelScheme::kNested);
  const SkyPixelizer ring64(64, PixelScheme::kRing);
  const SkyPixelizer nest16(16, PixelScheme::kNested);
  struct Case {
    double ra, dec;
    std::int64_t nest64, ring64, nest16;
  };
  const Case cases[] = {{0, 0, 19456, 24192, 1216},
                        {360, 0, 19456, 24192, 1216},
                        {0, 90, 4095, 0, 255},
                        {0, -90, 32768, 49148, 2048},
                        {123.4, -45.6, 39219, 42152, 2451},
                        {359.9999999, 12.3, 19660, 19072, 1228},
                        {45, 41.8103149, 3072, 7843, 192},
                        {200, -89.99, 40960, 49150, 2560}};
  for (const auto& c : cases) {
    INFO("ra " << c.ra << " dec " << c.dec);
    CHECK(nest64.pixel(c.ra, c.dec) == c.nest64);
    CHECK(ring64.pixel(c.ra, c.dec) == c.ring64);
    CHECK(nest16.pixel(c.ra, c.dec) == c.nest16);
  }
  CHECK(nest64.npix() == 49152);
}

TEST_CASE("A pixel's centre maps back to the same pixel", "[healpix]") {
  const SkyPixelizer px(64, PixelScheme::kNested);
  for (std::int64_t p = 0; p < px.npix(); p += 97) {
    double ra = 0, dec = 0;
    px.centre(p, ra, dec);
    CHECK(px.pixel(ra, dec) == p);
  }
}

TEST_CASE("Bad NSIDE, scheme and positions are refused", "[healpix]") {
  CHECK_THROWS_AS(SkyPixelizer(63, PixelScheme::kNested), tessera::UsageError);
  CHECK_THROWS_AS(SkyPixelizer(0, PixelScheme::kNested), tessera::UsageError);
  CHECK_THROWS_AS(tessera::healpix::parse_scheme("nested-ish"), tessera::UsageError);
  CHECK(tessera::healpix::valid_position(360.0, -90.0));
  CHECK_FALSE(tessera::healpix::valid_position(360.0001, 0.0));
  CHECK_FALSE(tessera::healpix::valid_position(-0.0001, 0.0));
  CHECK_FALSE(tessera::healpix::valid_position(10.0, 90.5));
  CHECK_FALSE(tessera::healpix::valid_position(std::nan(""), 0.0));
  CHECK(tessera::healpix::pixel_group(9813) == 98);
}
