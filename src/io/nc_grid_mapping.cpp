// The CF grid-mapping variable; see include/tessera/io/nc_grid_mapping.hpp.
#include "tessera/io/nc_grid_mapping.hpp"

#include <fmt/format.h>

namespace tessera::io {

void put_cf_grid_mapping(NcFile& f, int var, const CfGridMapping& gm, const std::string& crs_wkt,
                         const GeoTransform& t) {
  if (!gm.name.empty())
    f.put_att(var, "grid_mapping_name", gm.name);
  for (const auto& [key, values] : gm.parameters)
    f.put_att(var, key, values);
  f.put_att(var, "crs_wkt", crs_wkt);
  f.put_att(var, "spatial_ref", crs_wkt);
  // GDAL's order: x0, dx, row rotation, y0, column rotation, dy; %.17g
  // keeps every double exactly.
  f.put_att(var, "GeoTransform",
            fmt::format("{:.17g} {:.17g} {:.17g} {:.17g} {:.17g} {:.17g}", t.x0, t.dx, t.rx, t.y0,
                        t.ry, t.dy));
}

}  // namespace tessera::io
