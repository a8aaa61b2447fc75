// Fuzz targets of the raster pipeline: `fsm` (FSM point output text, as grid
// reads each cluster), `polygon` (the basin layer of stats, read through
// GDAL/OGR: GeoJSON and GeoPackage) and `day_raster_geotiff` (a GeoTIFF as
// `stats --raster` reads it: GDAL's header, then the direct strip reader).
#include "targets.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/gdal_vector.hpp"
#include "tessera/raster/day_source.hpp"
#include "tessera/raster/fsm_output.hpp"

#include <algorithm>
#include <vector>

namespace tessera::fuzz {
namespace {

void read_fsm(const std::filesystem::path& path) {
  (void)raster::read_fsm_file(path);
}

const std::string& grid_crs() {
  static const std::string wkt = io::crs_to_wkt("EPSG:4326");
  return wkt;
}

// stats reads the basins reprojected to the grid's CRS.
void read_polygons(const std::filesystem::path& path) {
  (void)io::read_polygon_layer(path, "CODE", "REGION", grid_crs());
}

// stats reads the rows the basins cover, a few days at a time: here the
// first rows (at most 64 x 4096 cells) of the first four days.
void read_day_raster(const std::filesystem::path& path) {
  auto src = raster::open_gdal_rasters({path.string()}, "");
  const auto& g = src->grid();
  if (g.width > 4096)
    return;
  raster::RowWindow w{0, std::min<std::int64_t>(g.height, 64)};
  std::vector<float> buf(static_cast<std::size_t>(w.rows() * g.width));
  for (std::int64_t t = 0; t < std::min<std::int64_t>(src->days(), 4); ++t)
    src->read(0, t, 1, w, buf.data());
  src->close();
}

void prepare_gdal() {
  io::gdal_register_once();
  (void)grid_crs();
}

FormatTraits text_traits() {
  FormatTraits t;
  t.text = true;
  return t;
}

const TargetRegistrar kFsm{
    Target{"fsm",
           ".txt",
           text_traits(),
           {test_data("fuzz/seeds/fsm/sim_FSM_pt_0000.txt"), test_data("fsm/out_CdP_0506.txt")},
           read_fsm}};

const TargetRegistrar kGeojson{Target{"polygon_geojson",
                                      ".geojson",
                                      text_traits(),
                                      {test_data("fuzz/seeds/polygon_geojson/basins.geojson")},
                                      read_polygons,
                                      prepare_gdal}};

const TargetRegistrar kGpkg{Target{"polygon_gpkg",
                                   ".gpkg",
                                   FormatTraits{},
                                   {test_data("fuzz/seeds/polygon_gpkg/basins.gpkg")},
                                   read_polygons,
                                   prepare_gdal}};

const TargetRegistrar kDayRaster{Target{"day_raster_geotiff",
                                        ".tif",
                                        FormatTraits{},
                                        {test_data("rasterstats/slope_nodata.tif")},
                                        read_day_raster,
                                        prepare_gdal}};

}  // namespace
}  // namespace tessera::fuzz
