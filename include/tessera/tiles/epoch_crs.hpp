// What an epoch's CRS says about its coordinates: the CRS itself (for the
// outputs), whether it is geographic (degrees), and the linear unit every
// length, area and volume of a step is in.
//
//   describe_crs  pure: a LAS CRS string (LasHeader::crs(): WKT, or
//                 "EPSG:n" from the GeoKey directory) through GDAL/OSR
//   resolve_crs   an epoch's CRS; a WKT VLR that does not parse (a
//                 placeholder such as the 3 bytes "''" of real files) is
//                 dropped from the epoch's header with a warning naming the
//                 input, so the step goes on as if the file had no CRS
//   pair_crs      the CRS of a two-epoch step; a geographic CRS is refused
//                 (lengths in degrees would be mixed with heights in metres)
//                 unless the user says the coordinates are metric
#pragma once

#include <string>

#include "tessera/core/mpi.hpp"
#include "tessera/tiles/epoch.hpp"

namespace tessera::tiles {

struct CrsFacts {
  bool parsed = true;         ///< false: the CRS text is not a CRS GDAL/PROJ can read
  std::string wkt;            ///< the CRS as WKT ("" = none)
  bool geographic = false;    ///< coordinates in angular units
  std::string unit = "m";     ///< linear unit as printed: "m", "ft", "US ft" or the CRS's name
  std::string cf_unit = "m";  ///< the same as a UDUNITS string (CF `units`)
  double to_metre = 1.0;
  /// A volume unit printed after figures ("m³", "ft³").
  std::string volume_unit() const { return unit + "\u00b3"; }
};

/// Pure: the facts of a LAS CRS string ("" = no CRS: metres assumed).
CrsFacts describe_crs(const std::string& las_crs);

/// An epoch's CRS facts. A WKT VLR that does not parse is removed from
/// `block.header` (so later steps and outputs see no CRS from it; a GeoKey
/// directory, if any, then applies) and rank 0 warns naming the file.
CrsFacts resolve_crs(const Comm& comm, EpochBlock& block);

/// The CRS of a two-epoch distance step (`step`: "c2c", "dod", ...), from A
/// or else B. Throws UsageError naming the file when it is geographic,
/// unless `assume_metric` (then a warning, the unit is "m" and outputs get
/// no CRS), and naming both files when A and B's linear units differ.
CrsFacts pair_crs(const Comm& comm, EpochBlock& a, EpochBlock& b, bool assume_metric,
                  const std::string& step);

}  // namespace tessera::tiles
