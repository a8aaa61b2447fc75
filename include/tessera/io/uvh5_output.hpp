// The header of one merged UVH5 output (`subband convert`), as the UVH5
// writer and the Measurement Set writer take it. A plain struct of standard
// types with no MPI in it: the casacore module (tessera-ms.so, see
// io/ms_writer.hpp) is handed it across its dlopen boundary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::io {

/// Header of the output file. Scalars and strings are taken from rank 0
/// (broadcast by the writer); arrays are only read on rank 0.
struct Uvh5Output {
  double latitude_deg = 0, longitude_deg = 0, altitude = 0;
  std::string telescope_name, instrument, history, vis_units = "uncalib";
  std::int64_t nants_data = 0, nants_telescope = 0, nbls = 0, nblts = 0, nfreqs = 0, npols = 0,
               ntimes = 0;
  std::vector<std::int64_t> ant_1_array, ant_2_array, antenna_numbers, polarization_array;
  std::vector<std::string> antenna_names;
  std::vector<double> antenna_positions, antenna_diameters, uvw_array, time_array, integration_time,
      lst_array, freq_array, channel_width;
  /// The one sidereal ICRS phase centre (radians) and its per-row apparent position.
  std::string cat_name = "meridian";
  double cat_lon = 0, cat_lat = 0;
  std::vector<double> phase_center_app_ra, phase_center_app_dec, phase_center_frame_pa;
  double dut1 = 0;  ///< recorded in extra_keywords
};

}  // namespace tessera::io
