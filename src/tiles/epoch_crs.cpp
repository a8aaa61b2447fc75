// An epoch's CRS and units; see include/tessera/tiles/epoch_crs.hpp.
#include "tessera/tiles/epoch_crs.hpp"

#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "tessera/core/error.hpp"
#include "tessera/core/log.hpp"
#include "tessera/io/gdal_raster.hpp"

namespace tessera::tiles {

namespace {

struct SrsDeleter {
  void operator()(void* s) const noexcept { OSRDestroySpatialReference(s); }
};

/// Sets both names (moved in: GCC 12 at -O3 reports a false -Wrestrict
/// overlap for assignments of string literals here).
void set_units(CrsFacts& f, std::string unit, std::string cf_unit) {
  f.unit = std::move(unit);
  f.cf_unit = std::move(cf_unit);
}

/// Printed and CF names of a linear unit from its size in metres. The two
/// feet are told apart by their definitions: the international foot is
/// 0.3048 m, the US survey foot 1200/3937 m (EPSG units 9002 and 9003).
void name_unit(CrsFacts& f, double to_metre, const char* name) {
  f.to_metre = to_metre;
  if (std::abs(to_metre - 1.0) < 1e-8) {
    set_units(f, "m", "m");
  } else if (std::abs(to_metre - 0.3048) < 1e-8) {
    set_units(f, "ft", "ft");
  } else if (std::abs(to_metre - 1200.0 / 3937.0) < 1e-8) {
    set_units(f, "US ft", "US_survey_foot");
  } else {
    const std::string n = name != nullptr && *name ? name : "unknown unit";
    set_units(f, n, n);
  }
}

/// Whether two WKT strings name the same CRS (PROJ's equivalence, so the
/// same CRS written differently, e.g. from a WKT VLR and from GeoKeys, is
/// the same). The name of `wkt` for messages into `name`.
bool same_crs(const std::string& wkt_a, const std::string& wkt_b, std::string& name_a,
              std::string& name_b) {
  std::unique_ptr<void, SrsDeleter> a(OSRNewSpatialReference(nullptr));
  std::unique_ptr<void, SrsDeleter> b(OSRNewSpatialReference(nullptr));
  if (OSRSetFromUserInput(a.get(), wkt_a.c_str()) != OGRERR_NONE ||
      OSRSetFromUserInput(b.get(), wkt_b.c_str()) != OGRERR_NONE)
    return wkt_a == wkt_b;
  const char* na = OSRGetName(a.get());
  const char* nb = OSRGetName(b.get());
  name_a = na != nullptr ? na : "unnamed CRS";
  name_b = nb != nullptr ? nb : "unnamed CRS";
  return OSRIsSame(a.get(), b.get()) != 0;
}

}  // namespace

CrsFacts describe_crs(const std::string& las_crs) {
  CrsFacts f;
  if (las_crs.empty())
    return f;
  io::gdal_init_once();  // PROJ's database, no GDAL driver
  std::unique_ptr<void, SrsDeleter> srs(OSRNewSpatialReference(nullptr));
  // Axis order as stored (x = easting or longitude), whatever the authority says.
  OSRSetAxisMappingStrategy(srs.get(), OAMS_TRADITIONAL_GIS_ORDER);
  if (OSRSetFromUserInput(srs.get(), las_crs.c_str()) != OGRERR_NONE) {
    f.parsed = false;
    return f;
  }
  char* text = nullptr;
  if (OSRExportToWkt(srs.get(), &text) == OGRERR_NONE && text != nullptr)
    f.wkt = text;
  CPLFree(text);
  if (f.wkt.empty()) {
    f.parsed = false;
    return f;
  }
  if (OSRIsGeographic(srs.get())) {
    f.geographic = true;
    char* name = nullptr;  // owned by the SRS
    const double to_radian = OSRGetAngularUnits(srs.get(), &name);
    const std::string n = name != nullptr && *name ? name : "degree";
    set_units(f, n, n);
    f.to_metre = to_radian;  // not a length: marks the unit only
    return f;
  }
  char* name = nullptr;  // owned by the SRS
  const double to_metre = OSRGetLinearUnits(srs.get(), &name);
  name_unit(f, to_metre > 0 ? to_metre : 1.0, name);
  return f;
}

CrsFacts resolve_crs(const Comm& comm, EpochBlock& block) {
  io::LasHeader& h = block.header;
  CrsFacts f = describe_crs(h.crs());
  if (f.parsed)
    return f;
  // Which VLR made it: the OGC WKT (2112) wins in LasHeader::crs(), so a
  // WKT that does not parse is that one; an EPSG code from the GeoKeys that
  // PROJ does not know is left alone (no VLR to blame but the directory).
  const std::string bad = h.crs();
  const auto wkt_vlr = [](const io::LasVlr& v) { return v.is("LASF_Projection", 2112); };
  const bool from_wkt = std::any_of(h.vlrs.begin(), h.vlrs.end(), wkt_vlr);
  if (from_wkt) {
    h.vlrs.erase(std::remove_if(h.vlrs.begin(), h.vlrs.end(), wkt_vlr), h.vlrs.end());
    h.global_encoding &= static_cast<std::uint16_t>(~0x10u);
  }
  f = from_wkt ? describe_crs(h.crs()) : CrsFacts{};
  if (!f.parsed)
    f = CrsFacts{};
  if (comm.is_root()) {
    const std::string shown = bad.size() > 40 ? bad.substr(0, 40) + "..." : bad;
    log::warn("{}: the CRS {} \"{}\" is not a CRS GDAL/PROJ can read; {} (outputs get {})",
              block.path.string(), from_wkt ? "WKT VLR (LASF_Projection 2112)" : "code", shown,
              f.wkt.empty() ? "treated as no CRS, coordinates taken as metres"
                            : "the GeoKey directory's CRS is used instead",
              f.wkt.empty() ? "no CRS" : "that CRS");
  }
  return f;
}

CrsFacts pair_crs(const Comm& comm, EpochBlock& a, EpochBlock& b, bool assume_metric,
                  const std::string& step) {
  const CrsFacts fa = resolve_crs(comm, a);
  const CrsFacts fb = resolve_crs(comm, b);
  for (const auto* e : {&a, &b}) {
    const CrsFacts& f = e == &a ? fa : fb;
    if (!f.geographic)
      continue;
    if (!assume_metric) {
      throw UsageError(step + ": epoch " + e->label + " (" + e->path.string() +
                       ") has a geographic CRS (coordinates in " + f.unit +
                       "): distances, cells and volumes need projected coordinates; reproject "
                       "it (e.g. `pdal translate` with filters.reprojection) or, if its "
                       "coordinates are metric after all, pass --assume-metric");
    }
  }
  CrsFacts f = fa.wkt.empty() ? fb : fa;
  if (f.geographic) {
    // The user says the numbers are metres whatever the CRS claims.
    if (comm.is_root()) {
      log::warn(
          "{}: --assume-metric: the geographic CRS of {} is ignored, coordinates taken as "
          "metres",
          step, (fa.geographic ? a : b).path.string());
    }
    f.geographic = false;
    f.wkt.clear();  // the CRS is wrong for these numbers: outputs get none
    set_units(f, "m", "m");
    f.to_metre = 1.0;
  }
  if (!fa.wkt.empty() && !fb.wkt.empty() && fa.unit != fb.unit && !assume_metric) {
    // Tessera does not reproject: distances between the epochs would mix units.
    throw UsageError(step + ": epoch A (" + a.path.string() + ") is in " + fa.unit +
                     " but epoch B (" + b.path.string() + ") in " + fb.unit +
                     "; reproject one so both use the same CRS");
  }
  std::string name_a, name_b;
  if (!fa.wkt.empty() && !fb.wkt.empty() && !assume_metric &&
      !same_crs(fa.wkt, fb.wkt, name_a, name_b)) {
    // Same unit, other CRS (e.g. two UTM zones): the coordinates of one
    // place differ between the epochs, and Tessera does not reproject.
    throw UsageError(step + ": epoch A (" + a.path.string() + ") is in CRS \"" + name_a +
                     "\" but epoch B (" + b.path.string() + ") in \"" + name_b +
                     "\"; reproject one so both use the same CRS");
  }
  return f;
}

}  // namespace tessera::tiles
