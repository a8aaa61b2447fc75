// The distributed steps of the healpix pipeline (spec "Distributed steps").
//
//   split   every rank reads a contiguous block of catalog rows (CFITSIO row
//           ranges), computes pixels, rank 0 balances pixels over ranks (LPT
//           on a global pixel histogram), rows move to their pixel's owner
//           with one MPI_Alltoallv, owners write zafter files in catalog row
//           order (so outputs do not depend on the rank count).
//   balfind rank 0 discovers pixels and costs them; ranks claim pixels
//           dynamically; QSOs of a pixel run on OpenMP threads.
//   append  ranks read baltables in parallel, rows gather to rank 0, which
//           matches by TARGETID and writes the catalog once.
//
// Every step is collective over `comm`, writes outputs atomically with a
// fingerprint (in the zafter header, as a `.fp` sidecar for the others; re-runs
// skip up-to-date outputs unless clobber), and
// records per-item failures in `failures` (exit code 1 from the driver).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/failures.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/step_result.hpp"
#include "tessera/healpix/bal_finder.hpp"
#include "tessera/healpix/desi_layout.hpp"
#include "tessera/healpix/sky_pixel.hpp"

namespace tessera::healpix {

struct SplitOptions {
  std::filesystem::path catalog;
  std::filesystem::path altzdir;
  SurveyProgram sp;
  std::int64_t nside = 64;
  PixelScheme scheme = PixelScheme::kNested;
  std::string ra_column = "TARGET_RA";  ///< mocks: RA
  std::string dec_column = "TARGET_DEC";
  bool clobber = false;
  bool dry_run = false;
};
struct SplitSummary {
  std::int64_t catalog_rows = 0;
  std::int64_t rows_written = 0;  ///< rows in all zafter files (written or up to date)
  std::int64_t pixels = 0;
  std::int64_t files_skipped = 0;  ///< up to date
  std::int64_t bytes_read = 0;
  std::int64_t pixels_failed = 0;  ///< pixels whose file could not be written
};
SplitSummary run_split(const Comm& comm, const SplitOptions& options, FailureLog& failures);

struct BalfindOptions {
  std::filesystem::path altzdir;
  std::filesystem::path redux;
  std::filesystem::path templates;
  SurveyProgram sp;
  MaskedPixels masked_pixels = MaskedPixels::kSkip;  ///< ivar = 0 pixels (bal_finder.hpp)
  bool only_with_coadd = false;                      ///< skip pixels without a coadd (not failures)
  std::vector<std::int64_t> pixels;                  ///< restrict to these (empty: all discovered)
  bool clobber = false;
  bool dry_run = false;
};
struct BalfindSummary {
  std::int64_t pixels = 0;
  std::int64_t pixels_skipped = 0;  ///< up to date
  std::int64_t qsos = 0;            ///< QSOs fitted
  std::int64_t qso_failures = 0;
  std::int64_t pixel_failures = 0;
  double fit_seconds = 0.0;  ///< summed over ranks (thread-seconds of fit+search)
  double read_seconds = 0.0;
  double fit_cpu_seconds = 0.0;  ///< thread CPU seconds inside the finder, summed
};
BalfindSummary run_balfind(const Comm& comm, const BalfindOptions& options, FailureLog& failures);

struct AppendOptions {
  std::filesystem::path catalog;
  std::filesystem::path altzdir;
  std::filesystem::path out;
  SurveyProgram sp;
  bool clobber = false;
  bool dry_run = false;
};
struct AppendSummary {
  std::int64_t catalog_rows = 0;
  std::int64_t matched = 0;
  std::int64_t baltables = 0;
  std::int64_t unmatched_bal_rows = 0;  ///< baltable rows whose TARGETID is not in the catalog
  bool written = false;                 ///< false: up to date (or a dry run)
};
AppendSummary run_append(const Comm& comm, const AppendOptions& options, FailureLog& failures);

/// The steps' summaries in the common shape (core/step_result.hpp) the
/// driver prints and reports: split and balfind count pixels (one file
/// each), append counts catalogs (one). A dry run writes nothing: done 0.
StepResult to_result(const SplitSummary& s, bool dry_run);
StepResult to_result(const BalfindSummary& s, bool dry_run);
StepResult to_result(const AppendSummary& s, bool dry_run);

}  // namespace tessera::healpix
