// Coordinate reference systems through GDAL/OSR: EPSG codes and the CF-1.8
// grid-mapping description of a CRS (CF conventions, appendix F).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tessera::io {

/// CF grid mapping of a CRS. `name` is empty when CF has no name for the
/// projection; the crs_wkt attribute then carries the definition alone.
struct CfGridMapping {
  std::string name;  ///< "transverse_mercator", "latitude_longitude", ...
  std::vector<std::pair<std::string, std::vector<double>>> parameters;
  bool geographic = false;
  std::string linear_units = "m";  ///< CF units of projected x/y
};

CfGridMapping cf_grid_mapping(const std::string& crs_wkt);
/// EPSG code of a CRS if it has or can be identified with one, else 0.
int epsg_of(const std::string& crs_wkt);
/// True if two CRS definitions describe the same CRS.
bool same_crs(const std::string& a_wkt, const std::string& b_wkt);

}  // namespace tessera::io
