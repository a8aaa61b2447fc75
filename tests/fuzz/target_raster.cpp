// Fuzz targets of the raster pipeline: `fsm` (FSM point output text, as grid
// reads each cluster) and `polygon` (the basin layer of stats, read through
// GDAL/OGR: GeoJSON and GeoPackage).
#include "targets.hpp"
#include "tessera/io/gdal_raster.hpp"
#include "tessera/io/gdal_vector.hpp"
#include "tessera/raster/fsm_output.hpp"

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

}  // namespace
}  // namespace tessera::fuzz
