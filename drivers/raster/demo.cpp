// The raster stage of `tessera demo`: synthesise the small scale, grid it,
// compute basin statistics and reproject to EPSG:4326.
#include "command.hpp"

namespace tessera::driver {
namespace {

const DemoStageRegistrar kStage{DemoStage{
    "raster", 30, [](const Comm&, const std::filesystem::path& workdir) {
      const auto dir = workdir / "raster";
      const std::string in = (dir / "input").string();
      const std::string grids = (dir / "grids").string();
      std::vector<DemoRow> rows;
      rows.push_back(
          run_command_words({"synth", "raster", "--out", in, "--scale", "small", "--no-progress"},
                            "240 x 180 landform, 32 clusters, 90 days"));
      rows.push_back(run_command_words({"raster", "grid", "--fsm-dir", in + "/fsm", "--landform",
                                        in + "/landform.tif", "--out", grids, "--no-progress"},
                                       "4 CF-1.8 CDF-5 NetCDF files"));
      rows.push_back(run_command_words(
          {"raster", "stats", "--grids", grids, "--basins", in + "/basins.geojson", "--id-field",
           "CODE", "--group-field", "REGION", "--out", (dir / "tables").string(), "--no-progress"},
          "4 basins, 2 regions, wide + long CSV"));
      rows.push_back(
          run_command_words({"raster", "reproject", "--grids", grids, "--to", "EPSG:4326", "--out",
                             (dir / "wgs84").string(), "--no-progress"},
                            "warped to EPSG:4326"));
      return rows;
    }}};

}  // namespace
}  // namespace tessera::driver
