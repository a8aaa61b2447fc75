// A CASA Measurement Set (MS v2, casacore tables) of one `subband convert`
// group: one spectral window, one field, one observation, written by one
// process. casacore tables are not written by several processes at once, so
// the group's rank 0 owns the writer and the other ranks send it their
// phased subbands (subband/convert.cpp); each subband is one channel stripe
// of DATA and FLAG over every row, the same pieces the UVH5 writer takes.
//
// Layout (the MS definition, Kemball & Wieringa, MS v2.0, 2000):
//   MAIN: one row per UVH5 baseline-time row, in the UVH5 order; DATA
//     (complex, [ncorr, nchan] per row: the same memory layout as UVH5's
//     (Nfreqs, Npols) row; conjugated, see Orientation below), FLAG, WEIGHT
//     and SIGMA ([ncorr], 1), UVW (the UVH5 uvw_array, negated as DATA is
//     conjugated), TIME and TIME_CENTROID
//     (UTC MJD seconds of the UVH5 time_array), INTERVAL and EXPOSURE
//     (integration_time), ANTENNA1/2 (indices into ANTENNA), SCAN_NUMBER 1,
//     FIELD_ID, DATA_DESC_ID, OBSERVATION_ID, ARRAY_ID, PROCESSOR_ID 0,
//     STATE_ID -1;
//   ANTENNA: NAME, STATION, POSITION (ITRF: the site from latitude,
//     longitude, altitude on WGS84 plus the UVH5 offsets), DISH_DIAMETER;
//   SPECTRAL_WINDOW: the ascending channels, TOPO; POLARIZATION: CORR_TYPE
//     from the UVH5 polarization codes; FIELD: the phase centre (ICRS);
//   DATA_DESCRIPTION, OBSERVATION (telescope, time range), HISTORY.
// Orientation: as pyuvdata's write_ms (3.x, flip_conj), so CASA sees the
// same MS as from the DSA-110 operators' pyuvdata route: with every row
// ant_1 <= ant_2, DATA = conj(UVH5 visdata), UVW = -uvw_array
// (pos(ANTENNA1) - pos(ANTENNA2)), ANTENNA1/2 as in UVH5, and the MAIN
// keyword pyuvdata_flip_conj = True (pyuvdata's reader turns it back); with
// a mix, rows with ant_1 < ant_2 are stored turned round (antennas swapped,
// DATA conjugated, UVW negated) and the keyword is False.
// DATA and FLAG are tiled [ncorr, one subband's channels, rows]: a subband
// fills whole tiles, so no tile is read back and rewritten.
// casacore lives in a loadable module, tessera-ms.so, loaded on the first
// MsWriter (src/io/ms_module.hpp says why and what crosses; the lookup is
// core/data_dir.hpp's plugin_dirs()): the executable does not link casacore.
// A missing module fails the first MsWriter with an IoError naming the
// paths tried.
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "tessera/io/uvh5_output.hpp"

namespace tessera::io {

class MsWriter {
 public:
  /// Creates the directory `path` (which must not exist) with every subtable
  /// and MAIN's per-row columns from `header` (the merged output's UVH5
  /// header). `stripe_freqs`: the channels of one subband (the tile width).
  /// Throws IoError/FormatError naming `path`.
  MsWriter(const std::filesystem::path& path, const Uvh5Output& header, std::uint64_t stripe_freqs);
  ~MsWriter();
  MsWriter(const MsWriter&) = delete;
  MsWriter& operator=(const MsWriter&) = delete;

  /// Channels [first, first + nchan) of every row; `vis` and `flags` are
  /// (Nblts, nchan, Npols), row-major, as UVH5 holds them. `vis` is
  /// conjugated in place where the MS orientation needs it (below).
  void write_channels(std::uint64_t first, std::uint64_t nchan, std::complex<float>* vis,
                      const std::uint8_t* flags);
  /// Flushes the tables to disk; the writer is unusable afterwards.
  void close();

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  struct Impl;
  std::filesystem::path path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::io
