// Phase rotation of visibilities to a new phase centre.
//
// Moving the phase centre changes each row's w (metres) from w_old to w_new;
// the visibilities of that row are multiplied, per channel of frequency f, by
//   exp(-2 pi i (w_new - w_old) f / c)
// which is the sign of pyuvdata's w-projection for uvw = pos(ant2) - pos(ant1)
// (pyuvdata UVData.phase). Phasing back multiplies by the conjugate.
//
// The converter also puts channels in ascending frequency while it touches
// the data (DSA-110 files store them descending), so the rotation and the
// reordering are one pass over memory.
// Pure functions: no MPI, no files. Thread-safe; parallel over rows (OpenMP).
#pragma once

#include <complex>
#include <cstdint>

namespace tessera::subband {

inline constexpr double kSpeedOfLight = 299792458.0;  // m/s

/// Rotates `vis` in place: `nrows` rows of (nfreq, npol) complex values.
/// `delta_w[r]` = w_new - w_old of row r in metres, `freq[j]` the frequency
/// (Hz) of input channel j. With `reverse_channels`, channel j of a row moves
/// to position nfreq-1-j (descending -> ascending).
void rotate_phase(std::complex<float>* vis, std::int64_t nrows, int nfreq, int npol,
                  const double* delta_w, const double* freq, bool reverse_channels);

}  // namespace tessera::subband

namespace tessera::subband {

/// Reverses the channel order of one row of (nfreq, npol) values in place.
template <typename T>
void reverse_row(T* row, int nfreq, int npol) {
  for (int a = 0, b = nfreq - 1; a < b; ++a, --b) {
    T* x = row + static_cast<std::int64_t>(a) * npol;
    T* y = row + static_cast<std::int64_t>(b) * npol;
    for (int p = 0; p < npol; ++p) {
      T tmp = x[p];
      x[p] = y[p];
      y[p] = tmp;
    }
  }
}

/// Reverses the channel order of every row of (nfreq, npol) values in place
/// (flags and nsamples follow the visibilities).
template <typename T>
void reverse_channel_order(T* data, std::int64_t nrows, int nfreq, int npol) {
  const std::int64_t row_len = static_cast<std::int64_t>(nfreq) * npol;
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < nrows; ++r)
    reverse_row(data + r * row_len, nfreq, npol);
}

}  // namespace tessera::subband
