// Parallel writer of one UVH5 1.1 file (pyuvdata memo), shared by the ranks
// of a communicator.
//
// The constructor is collective: it creates the file (MPI-IO, collective
// metadata), every header dataset (rank 0 supplies the values; the other
// ranks join each collective create and transfer with an empty selection)
// and the three data datasets (Nblts, Nfreqs, Npols), chunked so that one
// block of `chunk_freqs` channels (one input subband) is whole chunks. Then
// every rank writes its channel blocks with write_channels(), which is
// collective (a rank with nothing passes nchan = 0), and close() is collective.
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/mpi.hpp"

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

class File;

class Uvh5Writer {
 public:
  Uvh5Writer(const std::filesystem::path& path, const Comm& comm, const Uvh5Output& header,
             std::uint64_t chunk_freqs);
  ~Uvh5Writer();
  Uvh5Writer(const Uvh5Writer&) = delete;
  Uvh5Writer& operator=(const Uvh5Writer&) = delete;

  /// Collective. Writes channels [first, first + nchan) of every row; the
  /// arrays are (Nblts, nchan, Npols), row-major. nchan = 0: join only.
  void write_channels(std::uint64_t first, std::uint64_t nchan, const std::complex<float>* vis,
                      const std::uint8_t* flags, const float* nsamples);
  /// True if every data transfer so far ran collectively on this rank.
  bool all_collective() const noexcept { return all_collective_; }
  /// Collective close.
  void close();

 private:
  std::unique_ptr<File> file_;
  std::int64_t nblts_ = 0, nfreqs_ = 0, npols_ = 0;
  bool all_collective_ = true;
};

}  // namespace tessera::io
