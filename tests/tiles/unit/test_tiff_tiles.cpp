// GeoTIFF tiles compressed apart and appended (io/tiff_tiles.hpp): GDAL reads
// back every value, the file's bytes do not depend on how the raster was cut
// into bands, and a file the tiles do not fit is refused by name.
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <vector>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/core/error.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/tiff_tiles.hpp"
#include "tessera/tiles/steps.hpp"

using namespace tessera;

namespace {

constexpr int kW = 300, kH = 520;  // 2 x 3 tiles; the last tile row has 8 rows

std::vector<double> raster() {
  std::vector<double> v(static_cast<std::size_t>(kW) * kH);
  for (int r = 0; r < kH; ++r)
    for (int c = 0; c < kW; ++c)
      v[static_cast<std::size_t>(r) * kW + c] =
          (r * 7 + c) % 11 == 0 ? std::numeric_limits<double>::quiet_NaN() : r * 1000.0 + c + 0.25;
  return v;
}

std::vector<char> bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Writes raster() cut at `cuts` (row numbers, multiples of 256) to `path`.
void write_banded(const std::filesystem::path& path, const std::vector<int>& cuts) {
  const std::vector<double> v = raster();
  const io::GeoTransform gt{500000, 0.5, 0, 4100000, 0, -0.5};
  io::GdalRaster::create_geotiff(path, kW, kH, 1, GDT_Float32, gt, tiles::crs_wkt_of("EPSG:32611"),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 io::GdalRaster::GeoTiffLayout::kDeflateTilesLater)
      .close();
  io::TiffTileAppender out(path);
  REQUIRE(out.tile_count() == 6);
  int from = 0;
  std::vector<int> ends = cuts;
  ends.push_back(kH);
  for (int to : ends) {
    const std::span<const double> band(v.data() + static_cast<std::size_t>(from) * kW,
                                       static_cast<std::size_t>(to - from) * kW);
    const io::CompressedTiles t = io::deflate_float32_tiles(band, kW, std::nanf(""));
    REQUIRE(t.sizes.size() == static_cast<std::size_t>(2 * ((to - from + 255) / 256)));
    std::size_t total = 0;
    for (auto n : t.sizes)
      total += n;
    CHECK(total == t.bytes.size());
    out.write(static_cast<std::uint32_t>(from / 256 * 2), t);
    from = to;
  }
  out.close();
}

}  // namespace

TEST_CASE("Tiles compressed in bands make one GeoTIFF, the same bytes for any banding",
          "[tiles][dod][tiff]") {
  const auto dir = test::scratch_dir("tiles_tiff_tiles");
  write_banded(dir / "whole.tif", {});
  write_banded(dir / "two.tif", {256});
  write_banded(dir / "short_last.tif", {512});
  CHECK(bytes_of(dir / "whole.tif") == bytes_of(dir / "two.tif"));
  CHECK(bytes_of(dir / "whole.tif") == bytes_of(dir / "short_last.tif"));

  // GDAL (its own libtiff reader and inflater) reads back every value.
  const io::GdalRaster r = io::GdalRaster::open(dir / "two.tif");
  CHECK(r.width() == kW);
  CHECK(r.height() == kH);
  CHECK(r.transform().dx == 0.5);
  CHECK(r.transform().y0 == 4100000);
  CHECK(r.epsg() == 32611);
  CHECK(std::isnan(r.nodata(1)));
  const std::vector<float> got = r.read_band(1);
  const std::vector<double> want = raster();
  REQUIRE(got.size() == want.size());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    wrong += std::isnan(want[i]) ? !std::isnan(got[i]) : got[i] != static_cast<float>(want[i]);
  CHECK(wrong == 0);
}

TEST_CASE("Tiles are appended only to a file laid out for them", "[tiles][dod][tiff]") {
  const auto dir = test::scratch_dir("tiles_tiff_refused");
  const auto striped = dir / "striped.tif";
  io::GdalRaster::create_geotiff(striped, 20, 10, 1, GDT_Float32, {}, "", 0.0).close();
  try {
    io::TiffTileAppender out(striped);
    FAIL("a striped LZW file was accepted");
  } catch (const FormatError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("striped.tif"));
    CHECK_THAT(e.what(), Catch::Matchers::Contains("not tiled"));
  }
  CHECK_THROWS_AS(io::TiffTileAppender(dir / "missing.tif"), IoError);
  CHECK_THROWS_AS(io::deflate_float32_tiles(std::vector<double>(7), 3, 0.0f), std::logic_error);
}
