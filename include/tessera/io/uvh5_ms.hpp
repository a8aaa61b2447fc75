// A CASA Measurement Set (MS v2, casacore tables) written from a finished
// UVH5 1.1 file of `subband convert`: one spectral window, one field, one
// observation. Serial: casacore tables are not written by several processes
// at once, so one rank writes the MS from the UVH5 file the group's ranks
// wrote collectively (subband/convert.cpp), reading it back in blocks of rows.
//
// Layout (the MS definition, Kemball & Wieringa, MS v2.0, 2000):
//   MAIN: one row per UVH5 baseline-time row, in the UVH5 order; DATA
//     (complex, [ncorr, nchan] per row: the same memory layout as UVH5's
//     (Nfreqs, Npols) row), FLAG, WEIGHT and SIGMA ([ncorr], 1), UVW (the
//     UVH5 uvw_array, pos(ANTENNA2) - pos(ANTENNA1)), TIME and TIME_CENTROID
//     (UTC MJD seconds of the UVH5 time_array), INTERVAL and EXPOSURE
//     (integration_time), ANTENNA1/2 (indices into ANTENNA), SCAN_NUMBER 1,
//     FIELD_ID, DATA_DESC_ID, OBSERVATION_ID, ARRAY_ID, PROCESSOR_ID 0,
//     STATE_ID -1;
//   ANTENNA: NAME, STATION, POSITION (ITRF: the site from latitude,
//     longitude, altitude on WGS84 plus the UVH5 offsets), DISH_DIAMETER;
//   SPECTRAL_WINDOW: the ascending channels, TOPO; POLARIZATION: CORR_TYPE
//     from the UVH5 polarization codes; FIELD: the phase centre (ICRS);
//   DATA_DESCRIPTION, OBSERVATION (telescope, time range), HISTORY.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace tessera::io {

/// Writes the directory `ms` (which must not exist) from `uvh5`. Throws
/// IoError/FormatError naming the file on failure; a partial `ms` is the
/// caller's to remove. Returns the number of MAIN rows.
std::int64_t write_ms_from_uvh5(const std::filesystem::path& uvh5, const std::filesystem::path& ms,
                                const std::string& history);

}  // namespace tessera::io
