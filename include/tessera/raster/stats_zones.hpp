// The zones of `raster stats`: one per basin id and, with a group field, one
// per group (the union of its basins). Pure apart from GEOS (through OGR) for
// unions; no files, no MPI.
#pragma once

#include <string>
#include <vector>

#include "tessera/io/gdal_vector.hpp"
#include "tessera/raster/stats_step.hpp"

namespace tessera::raster {

struct ZoneShape {
  std::string name;
  bool group = false;
  io::MultiPolygon shape;
};

/// Basin zones in the features' order of first appearance, then group zones
/// in the order their first member appears. Several features with one id:
/// DuplicateIds::kError throws FormatError naming both FIDs (`file`, `id_field`
/// for the message); kMerge makes one zone of their union, which must then
/// lie in one group. A group's zone is the union of its features.
std::vector<ZoneShape> make_zones(const std::vector<io::PolygonFeature>& features,
                                  DuplicateIds duplicates, bool groups, const std::string& file,
                                  const std::string& id_field);

}  // namespace tessera::raster
