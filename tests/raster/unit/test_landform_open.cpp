// GdalRaster::open() reads a GeoTIFF landform with the GTiff driver alone
// (GDALAllRegister() would cost `raster grid` ~7 MiB of peak memory) and
// still opens any other raster GDAL reads, through every driver. Its own
// executable: the process must start with no driver registered.
#include <gdal.h>
#include <gdal_frmts.h>

#include <fstream>
#include <vector>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/io/gdal_raster.hpp"

using namespace tessera;

TEST_CASE("A GeoTIFF opens with only the GTiff driver and other rasters fall back to every driver",
          "[grid][gdal]") {
  const auto dir = test::scratch_dir("raster_landform_open");
  const auto tif = dir / "landform.tif";
  {
    GDALRegister_GTiff();
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("GTiff"), tif.c_str(), 2, 2, 1, GDT_Int16, nullptr);
    REQUIRE(ds != nullptr);
    std::vector<short> v{0, 1, 2, -1};
    REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, 2, 2, v.data(), 2, 2, GDT_Int16,
                         0, 0) == CE_None);
    GDALClose(ds);
  }
  const auto asc = dir / "landform.asc";
  std::ofstream(asc) << "ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n"
                        "NODATA_value -1\n3 4\n5 -1\n";

  {
    const io::GdalRaster r = io::GdalRaster::open(tif);
    CHECK(r.read_band_int(1) == std::vector<int>{0, 1, 2, -1});
  }
  CHECK(GDALGetDriverCount() == 1);  // no GDALAllRegister() for a GeoTIFF

  const io::GdalRaster r = io::GdalRaster::open(asc);  // AAIGrid: needs every driver
  CHECK(r.read_band_int(1) == std::vector<int>{3, 4, 5, -1});
  CHECK(GDALGetDriverCount() > 1);
}
