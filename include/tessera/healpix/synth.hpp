// `tessera synth healpix`: a synthetic DESI data set with known answers.
//
// Writes, under `out`:
//   QSO_cat.fits                 the catalog (TARGETID, TARGET_RA, TARGET_DEC, Z, ZERR,
//                                ZWARN, SPECTYPE, plus FLUX_R and SURVEY to carry through)
//   redux/healpix/{survey}/{program}/{g}/{p}/coadd-...fits   coadds of the "spectro" pixels
//                                (FIBERMAP, EXP_FIBERMAP, B/R/Z arms with RESOLUTION, SCORES;
//                                non-QSO targets mixed in)
//   truth.fits                   EXTNAME=TRUTH: per spectro QSO the injected SNR, trough
//                                velocities and depth, and the BI/AI they imply
// QSO continua are the real DESI PCA templates with random coefficients, a
// Lyman-alpha forest-like suppression below 1216 A, Gaussian noise of a chosen
// SNR, and for a fraction of QSOs flat CIV and SiIV troughs. Everything is
// seeded per pixel, so the output does not depend on the rank count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/mpi.hpp"
#include "tessera/healpix/desi_layout.hpp"

namespace tessera::healpix {

struct SynthScale {
  std::string name;
  double ra_min, ra_max, dec_min, dec_max;  ///< footprint, degrees
  std::int64_t bulk_rows;                   ///< catalog rows outside the spectro pixels
  int spectro_pixels;                       ///< pixels with coadds
  int qso_per_pixel;
  int others_per_pixel;  ///< non-QSO spectra per coadd
};
/// tiny | small | medium | large; UsageError otherwise.
SynthScale synth_scale(const std::string& name);

struct SynthOptions {
  std::filesystem::path out;
  std::string scale = "tiny";
  std::uint64_t seed = 1;
  SurveyProgram sp;
  std::filesystem::path templates;  ///< PCA template file for the continua
  double bal_fraction = 0.4;
  double snr_min = 4.0, snr_max = 40.0;
  bool write_resolution = true;
};

struct SynthSummary {
  std::int64_t catalog_rows = 0;
  std::int64_t qsos = 0;
  std::int64_t coadds = 0;
};

/// Collective: coadd pixels are shared over ranks; rank 0 writes the catalog
/// and the truth table.
SynthSummary run_synth(const Comm& comm, const SynthOptions& options);

}  // namespace tessera::healpix
