// CRS helpers over OSR; see include/tessera/io/gdal_crs.hpp.
#include "tessera/io/gdal_crs.hpp"

#include <ogr_srs_api.h>

#include <cstdlib>
#include <memory>

#include "tessera/core/error.hpp"
#include "tessera/io/gdal_raster.hpp"

namespace tessera::io {

namespace {

struct SrsDeleter {
  void operator()(void* s) const noexcept { OSRDestroySpatialReference(s); }
};
using SrsPtr = std::unique_ptr<void, SrsDeleter>;

SrsPtr parse(const std::string& wkt) {
  gdal_init_once();  // WKT text needs PROJ, no GDAL driver
  SrsPtr srs(OSRNewSpatialReference(nullptr));
  if (wkt.empty() || OSRSetFromUserInput(srs.get(), wkt.c_str()) != OGRERR_NONE) {
    throw FormatError(gdal_message("unrecognised CRS"), {}, wkt.substr(0, 60));
  }
  return srs;
}

double parm(void* srs, const char* name, double fallback = 0.0) {
  OGRErr err = OGRERR_NONE;
  const double v = OSRGetProjParm(srs, name, fallback, &err);
  return err == OGRERR_NONE ? v : fallback;
}

}  // namespace

CfGridMapping cf_grid_mapping(const std::string& crs_wkt) {
  SrsPtr srs = parse(crs_wkt);
  CfGridMapping m;
  auto add = [&m](const char* key, std::vector<double> v) { m.parameters.emplace_back(key, v); };
  add("semi_major_axis", {OSRGetSemiMajor(srs.get(), nullptr)});
  add("inverse_flattening", {OSRGetInvFlattening(srs.get(), nullptr)});
  if (OSRIsGeographic(srs.get())) {
    m.name = "latitude_longitude";
    m.geographic = true;
    m.linear_units = "degrees";
    return m;
  }
  char* units = nullptr;  // owned by the SRS
  const double to_m = OSRGetLinearUnits(srs.get(), &units);
  m.linear_units = (to_m == 1.0) ? "m" : (units ? units : "unknown");
  const char* proj = OSRGetAttrValue(srs.get(), "PROJECTION", 0);
  const std::string p = proj ? proj : "";
  const double fe = parm(srs.get(), SRS_PP_FALSE_EASTING),
               fn = parm(srs.get(), SRS_PP_FALSE_NORTHING);
  if (p == SRS_PT_TRANSVERSE_MERCATOR) {
    m.name = "transverse_mercator";
    add("longitude_of_central_meridian", {parm(srs.get(), SRS_PP_CENTRAL_MERIDIAN)});
    add("latitude_of_projection_origin", {parm(srs.get(), SRS_PP_LATITUDE_OF_ORIGIN)});
    add("scale_factor_at_central_meridian", {parm(srs.get(), SRS_PP_SCALE_FACTOR, 1.0)});
  } else if (p == SRS_PT_ALBERS_CONIC_EQUAL_AREA) {
    m.name = "albers_conical_equal_area";
    add("standard_parallel",
        {parm(srs.get(), SRS_PP_STANDARD_PARALLEL_1), parm(srs.get(), SRS_PP_STANDARD_PARALLEL_2)});
    add("longitude_of_central_meridian", {parm(srs.get(), SRS_PP_LONGITUDE_OF_CENTER)});
    add("latitude_of_projection_origin", {parm(srs.get(), SRS_PP_LATITUDE_OF_CENTER)});
  } else if (p == SRS_PT_LAMBERT_AZIMUTHAL_EQUAL_AREA) {
    m.name = "lambert_azimuthal_equal_area";
    add("longitude_of_projection_origin", {parm(srs.get(), SRS_PP_LONGITUDE_OF_CENTER)});
    add("latitude_of_projection_origin", {parm(srs.get(), SRS_PP_LATITUDE_OF_CENTER)});
  } else {
    return m;  // no CF name: crs_wkt carries the definition
  }
  add("false_easting", {fe});
  add("false_northing", {fn});
  return m;
}

int epsg_of(const std::string& crs_wkt) {
  if (crs_wkt.empty())
    return 0;
  SrsPtr srs = parse(crs_wkt);
  OSRAutoIdentifyEPSG(srs.get());
  const char* auth = OSRGetAuthorityName(srs.get(), nullptr);
  const char* code = OSRGetAuthorityCode(srs.get(), nullptr);
  if (auth && code && std::string(auth) == "EPSG")
    return std::atoi(code);
  return 0;
}

bool same_crs(const std::string& a_wkt, const std::string& b_wkt) {
  SrsPtr a = parse(a_wkt), b = parse(b_wkt);
  return OSRIsSame(a.get(), b.get()) != 0;
}

}  // namespace tessera::io
