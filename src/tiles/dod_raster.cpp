// DoD raster formats; see dod_raster.hpp.
#include "dod_raster.hpp"

#include <string>

#include "tessera/core/error.hpp"

namespace tessera::tiles::detail {

io::GeoTransform dod_transform(const CellGrid& grid) {
  return {grid.x0, grid.cell, 0, grid.north(), 0, -grid.cell};
}

DodFormat dod_format_of(const std::filesystem::path& out) {
  const std::string ext = out.extension().string();
  if (ext == ".tif" || ext == ".tiff")
    return DodFormat::kGeoTiff;
  if (ext == ".nc")
    return DodFormat::kNetCdf;
  throw UsageError("--out must end in .tif (GeoTIFF) or .nc (NetCDF): " + out.string());
}

}  // namespace tessera::tiles::detail
