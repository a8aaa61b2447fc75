// CRS facts of LAS CRS strings (epoch_crs.hpp): units from the CRS, the two
// feet told apart, geographic CRSs flagged, placeholders not parsed.
#include "support/catch.hpp"
#include "tessera/tiles/epoch_crs.hpp"

using namespace tessera;

TEST_CASE("CRS facts: linear units, geographic CRSs and placeholders", "[tiles][crs]") {
  const tiles::CrsFacts none = tiles::describe_crs("");
  CHECK(none.parsed);
  CHECK(none.wkt.empty());
  CHECK(none.unit == "m");

  const tiles::CrsFacts utm = tiles::describe_crs("EPSG:32611");
  CHECK(utm.parsed);
  CHECK_FALSE(utm.geographic);
  CHECK(utm.unit == "m");
  CHECK(utm.volume_unit() == "m\u00b3");
  CHECK(utm.wkt.find("UTM zone 11N") != std::string::npos);

  // NAD83(HARN) / Oregon Lambert (ft): international feet (laspy's autzen).
  const tiles::CrsFacts ft = tiles::describe_crs("EPSG:2994");
  CHECK(ft.unit == "ft");
  CHECK(ft.cf_unit == "ft");
  CHECK(ft.to_metre == Approx(0.3048).epsilon(1e-12));
  CHECK(ft.volume_unit() == "ft\u00b3");

  // NAD83 / New Mexico Central (ftUS): US survey feet, 1200/3937 m.
  const tiles::CrsFacts us = tiles::describe_crs("EPSG:2258");
  CHECK(us.unit == "US ft");
  CHECK(us.cf_unit == "US_survey_foot");
  CHECK(us.to_metre == Approx(1200.0 / 3937.0).epsilon(1e-12));

  const tiles::CrsFacts wgs = tiles::describe_crs("EPSG:4326");
  CHECK(wgs.parsed);
  CHECK(wgs.geographic);

  // PDAL's warsaw_small.las: a WKT VLR holding the 3 bytes "''".
  const tiles::CrsFacts bad = tiles::describe_crs("''");
  CHECK_FALSE(bad.parsed);
  CHECK(bad.wkt.empty());
  CHECK_FALSE(tiles::describe_crs("PROJCS[\"broken\"").parsed);
}
