// The one-pass statistics of every variable (zone_day_stats) must be
// bit-for-bit those of the separate per-variable calls: the tables written by
// `raster stats` may not change by a single digit when the pass is fused.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "support/catch.hpp"
#include "tessera/raster/zonal_stats.hpp"

using namespace tessera;
using namespace tessera::raster;

namespace {

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same_stats(const ZoneStats& a, const ZoneStats& b) {
  return same_bits(a.mean, b.mean) && same_bits(a.sum, b.sum) && same_bits(a.min, b.min) &&
         same_bits(a.max, b.max) && same_bits(a.covered_area, b.covered_area);
}

}  // namespace

TEST_CASE("One pass over every variable equals the separate per-variable statistics bit for bit",
          "[stats]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-40.0f, 400.0f);
  std::uniform_real_distribution<double> frac(1e-6, 1.0);
  const std::int64_t npix = 5000;
  Coverage cov;
  for (std::int64_t c = 0; c < npix; c += 1 + static_cast<std::int64_t>(rng() % 3)) {
    cov.cell.push_back(c);
    cov.fraction.push_back(rng() % 4 == 0 ? frac(rng) : 1.0);
  }
  // Six variables: two groups of the fused kernel (4 + 2).
  std::vector<std::vector<float>> grids(6, std::vector<float>(static_cast<std::size_t>(npix)));
  for (std::size_t v = 0; v < grids.size(); ++v) {
    for (std::int64_t p = 0; p < npix; ++p) {
      // Nodata differs per variable, and one variable is all nodata. Values
      // include -0.0 and +0.0 (ties for min and max).
      const bool nodata = v == 2 || (p % 97) < static_cast<std::int64_t>(3 * v);
      grids[v][static_cast<std::size_t>(p)] = nodata ? std::numeric_limits<float>::quiet_NaN()
                                              : p % 89 == 0 ? (p % 2 == 0 ? -0.0f : 0.0f)
                                                            : value(rng);
      if (v == 3)  // non-negative: its minimum is a tie of -0.0 and +0.0
        grids[v][static_cast<std::size_t>(p)] =
            p % 89 == 0 && p % 2 == 0 && !nodata ? -0.0f
                                                 : std::fabs(grids[v][static_cast<std::size_t>(p)]);
    }
  }
  std::vector<const float*> ptr;
  for (const auto& g : grids)
    ptr.push_back(g.data());
  const double cell_area = 250000.0, threshold = 20.0;
  for (std::size_t nv = 1; nv <= grids.size(); ++nv) {
    for (int swe = -1; swe < static_cast<int>(nv); ++swe) {
      std::vector<ZoneStats> fused(nv);
      double scf = 0.0;
      zone_day_stats(cov, ptr.data(), nv, cell_area, swe, threshold, fused.data(), &scf);
      for (std::size_t v = 0; v < nv; ++v) {
        INFO("variables " << nv << ", variable " << v << ", swe index " << swe);
        CHECK(same_stats(fused[v], zone_stats(cov, ptr[v], cell_area)));
      }
      INFO("variables " << nv << ", swe index " << swe);
      if (swe < 0) {
        CHECK(std::isnan(scf));
      } else {
        const double separate =
            snow_covered_fraction(cov, ptr[static_cast<std::size_t>(swe)], threshold);
        CHECK((same_bits(scf, separate) || (std::isnan(scf) && std::isnan(separate))));
      }
    }
  }
}

TEST_CASE("Statistics over the covered rows only equal those over the whole grid", "[stats]") {
  const int width = 7, height = 9;
  Coverage a, b;
  a.cell = {2 * width + 3, 2 * width + 4, 3 * width + 0};
  a.fraction = {0.5, 1.0, 0.25};
  b.cell = {5 * width + 6, 6 * width + 1};
  b.fraction = {1.0, 0.75};
  const RowWindow w = covered_rows({&a, &b}, width);
  CHECK(w.first == 2);
  CHECK(w.last == 7);
  std::vector<float> grid(static_cast<std::size_t>(width * height));
  for (std::size_t i = 0; i < grid.size(); ++i)
    grid[i] = static_cast<float>(i) * 1.5f;
  const ZoneStats whole_a = zone_stats(a, grid.data(), 1.0);
  const ZoneStats whole_b = zone_stats(b, grid.data(), 1.0);
  shift_to_window(a, w, width);
  shift_to_window(b, w, width);
  const float* rows = grid.data() + w.first * width;  // what a read of the window holds
  CHECK(same_stats(zone_stats(a, rows, 1.0), whole_a));
  CHECK(same_stats(zone_stats(b, rows, 1.0), whole_b));
  CHECK(a.cell.front() == 3);

  const Coverage empty;
  const RowWindow none = covered_rows({&empty}, width);
  CHECK(none.rows() == 0);
}
