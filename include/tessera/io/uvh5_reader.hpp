// Reader of UVH5 visibility files (pyuvdata's HDF5 format, memo v1.0 and 1.1).
//
// Accepted variants (every one the DSA-110 correlator and pyuvdata have written):
//   - visdata of rank 3 (Nblts, Nfreqs, Npols) or the older rank 4
//     (Nblts, 1, Nfreqs, Npols); compound {r, i} of float32 or float64;
//   - freq_array 1-D or (1, Nfreqs); channel_width scalar or per channel;
//   - uvw_array float32 or float64;
//   - the old drift header (phase_type = "drift", phase_center_app_dec,
//     extra_keywords/phase_center_dec) and the 1.1 phase_center_catalog group;
//   - a drift header without any pointing declination (old HERA files): a
//     zenith drift, fringe-stopped to the telescope latitude;
//   - sidereal-phased files (catalog cat_type "sidereal", or the old
//     phase_type = "phased" with phase_center_ra/dec): the phase centre is
//     kept, so the converter can undo the file's own phasing (its uvw w);
//   - flags/nsamples/visdata stored through HDF5 filters (pyuvdata's LZF):
//     a filter HDF5 cannot load is a FormatError naming it.
// A file that is not one of these gets a FormatError naming the file and the
// dataset (missing Header, empty time_array, inconsistent shapes, ...).
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tessera::io {

/// Everything of a UVH5 file except the data arrays (flattened, row-major).
struct Uvh5Header {
  std::string path;
  double latitude_deg = 0, longitude_deg = 0, altitude = 0;
  std::string telescope_name, instrument, history, version, vis_units, phase_type;
  std::int64_t nants_data = 0, nants_telescope = 0, nbls = 0, nblts = 0, nspws = 0, nfreqs = 0,
               npols = 0, ntimes = 0;
  std::vector<std::int64_t> ant_1_array, ant_2_array;  ///< Nblts
  std::vector<std::int64_t> antenna_numbers;           ///< Nants_telescope
  std::vector<std::string> antenna_names;
  std::vector<double> antenna_positions;  ///< Nants_telescope x 3, ECEF offsets (m)
  std::vector<double> antenna_diameters;  ///< empty when absent
  std::vector<double> uvw_array;          ///< Nblts x 3 (m), whatever the file's precision
  std::vector<double> time_array;         ///< Nblts, JD (UTC)
  std::vector<double> integration_time;   ///< Nblts (s)
  std::vector<double> freq_array;         ///< Nfreqs (Hz)
  std::vector<double> channel_width;      ///< Nfreqs (Hz), a scalar is broadcast
  std::vector<std::int64_t> spw_array, polarization_array;
  /// Declination the data are fringe-stopped to (radians): phase_center_app_dec,
  /// extra_keywords/phase_center_dec or the catalog's cat_lat, in that order.
  std::optional<double> pointing_dec;
  bool pointing_dec_is_latitude = false;  ///< drift header without a declination: zenith
  /// How the visibilities are phased: "drift" (fringe-stopped on the meridian
  /// at pointing_dec, zenith included), "sidereal" (to the fixed ICRS/FK5
  /// position cat_lon/cat_lat) or anything else read from the file
  /// ("driftscan", "ephem", ...), which the converter refuses.
  std::string phase_kind = "drift";
  std::string cat_name, cat_frame;  ///< sidereal: the file's phase centre
  double cat_lon = 0, cat_lat = 0;  ///< radians
  double cat_epoch = 2000.0;
  int visdata_rank = 3;         ///< 3 or 4
  bool visdata_double = false;  ///< float64 {r, i}
};

/// Reads and checks the header. Throws FormatError / IoError naming file and dataset.
Uvh5Header read_uvh5_header(const std::filesystem::path& path);

/// The data arrays of one file, in the file's own channel order.
struct Uvh5Data {
  std::vector<std::complex<float>> visdata;  ///< Nblts x Nfreqs x Npols
  std::vector<std::uint8_t> flags;           ///< same shape, 0/1
  std::vector<float> nsamples;               ///< same shape
};

/// Reads visdata, flags and nsamples whole (one sequential read each).
void read_uvh5_data(const std::filesystem::path& path, const Uvh5Header& header, Uvh5Data& out);

/// The streaming daemon's quick check before queueing: readable HDF5, Header
/// and Data present, Header/time_array non-empty. Returns "" if fine, else
/// the reason.
std::string quick_check_uvh5(const std::filesystem::path& path);

}  // namespace tessera::io
