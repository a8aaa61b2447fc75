// Arm merging: inverse-variance means in the overlap, masked pixels dropped
// (desispec.coaddition.coadd_cameras).
#include <limits>
#include <vector>

#include "support/catch.hpp"
#include "tessera/core/error.hpp"
#include "tessera/healpix/camera_merge.hpp"

using namespace tessera::healpix;

TEST_CASE("Overlapping arms merge as inverse-variance means and masks zero ivar",
          "[healpix][merge]") {
  const std::vector<double> wb = {3600.0, 3600.8, 3601.6, 3602.4};
  const std::vector<double> wr = {3601.6, 3602.4, 3603.2};
  const MergeGrid g = merge_grid({wb, wr});
  CHECK(g.size == 5);
  CHECK(g.offsets == std::vector<std::int64_t>{0, 2});
  const std::vector<float> fb = {1, 2, 3, 4}, ib = {1, 1, 1, 4};
  const std::vector<std::int32_t> mb = {0, 1, 0, 0};
  const std::vector<float> fr = {6, 10, 5}, ir = {3, 1, 2};
  const std::vector<std::int32_t> mr = {0, 0, 0};
  const Spectrum s = merge_cameras(g, {{wb, fb, ib, mb}, {wr, fr, ir, mr}});
  CHECK(s.ivar[0] == 1.0);
  CHECK(s.ivar[1] == 0.0);  // masked
  CHECK(s.flux[1] == 0.0);
  CHECK(s.flux[2] == Approx((3.0 * 1 + 6.0 * 3) / 4.0));
  CHECK(s.ivar[2] == 4.0);
  CHECK(s.flux[3] == Approx((4.0 * 4 + 10.0 * 1) / 5.0));
  CHECK(s.flux[4] == 5.0);
  CHECK(s.wave[4] == Approx(3603.2));
}

TEST_CASE("Arms off the common grid are refused", "[healpix][merge]") {
  CHECK_THROWS_AS(merge_grid({{3600.0, 3600.8, 3601.6}, {3601.9, 3602.7}}), tessera::FormatError);
}

TEST_CASE("A NaN or Inf wavelength anywhere in an arm is refused", "[healpix][merge]") {
  // Found by the fuzzer: the grid check sampled every 16th pixel and
  // compared with `>`, so NaN (and Inf between samples) passed.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> arm;
  for (int i = 0; i < 40; ++i)
    arm.push_back(3600.0 + 0.8 * i);
  for (const double bad : {nan, inf}) {
    for (const std::size_t at : {std::size_t{5}, arm.size() - 1}) {
      auto w = arm;
      w[at] = bad;
      CHECK_THROWS_AS(merge_grid({w}), tessera::FormatError);
    }
  }
}
