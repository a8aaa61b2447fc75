// Polygon layers read through GDAL/OGR (shapefile, GeoJSON, GeoPackage, ...).
//
// read_polygon_layer() opens the first (or named) layer, checks that the id
// field (and the group field, if asked) exist, reprojects every geometry to a
// target CRS, checks validity (GEOS through OGR_G_IsValid) and returns plain
// coordinate rings. Errors name the file, the layer and the feature (FID and
// id value): a missing field lists the fields that exist. Nothing is returned
// if any feature is bad, so a caller never works on a partial layer.
// Thread safety: functions are re-entrant; GDAL handles are local.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tessera::io {

struct Point {
  double x = 0, y = 0;
};
using Ring = std::vector<Point>;  ///< the last edge closes it (closing vertex optional)
/// One polygon: rings[0] exterior, the others holes.
struct Polygon {
  std::vector<Ring> rings;
};
/// Polygons whose interiors do not overlap (a valid multipolygon).
using MultiPolygon = std::vector<Polygon>;

struct PolygonFeature {
  std::int64_t fid = 0;
  std::string id;     ///< value of the id field, as text
  std::string group;  ///< value of the group field ("" if none asked)
  MultiPolygon shape;
};

/// Reads every feature of a polygon layer. `target_crs_wkt` empty: keep the
/// layer's coordinates; otherwise reproject (traditional GIS axis order,
/// x = easting/longitude). A layer without a CRS is taken to be in the target
/// CRS. `source_crs` (any definition crs_to_wkt accepts) states the layer's
/// CRS, replacing what the file says: a .prj that does not match the
/// coordinates, or GeoJSON, which GDAL always reads as WGS 84 (RFC 7946).
/// Coordinates that the layer's CRS cannot transform (e.g. projected metres
/// read as degrees) are refused with a hint to state the CRS.
std::vector<PolygonFeature> read_polygon_layer(const std::filesystem::path& path,
                                               const std::string& id_field,
                                               const std::string& group_field,
                                               const std::string& target_crs_wkt,
                                               const std::string& layer_name = {},
                                               const std::string& source_crs = {});

/// The union of several multipolygons (GEOS through OGR), e.g. the basins of
/// one REGION, so that overlaps are counted once.
MultiPolygon union_of(const std::vector<const MultiPolygon*>& shapes);

/// Writes polygon features to a vector file (driver chosen from the
/// extension: .shp, .geojson, .gpkg) with a string id field and optional
/// group field, in the CRS given by WKT. Used by synthetic data and tests.
void write_polygon_layer(const std::filesystem::path& path, const std::string& crs_wkt,
                         const std::string& id_field, const std::string& group_field,
                         const std::vector<PolygonFeature>& features);

/// Reprojects every vertex of `shape` from one CRS to another (traditional
/// GIS axis order). FormatError if a point cannot be transformed.
void transform_shape(MultiPolygon& shape, const std::string& src_wkt, const std::string& dst_wkt);

/// WKT of a CRS given as "EPSG:4326", WKT, PROJ string, ...; FormatError if unknown.
std::string crs_to_wkt(const std::string& definition);

}  // namespace tessera::io
