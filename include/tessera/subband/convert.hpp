// The distributed conversion of DSA-110 subband groups (spec: subband.md).
//
// One group on the P ranks of a communicator: the group's files, ordered by
// frequency, are cut into P contiguous blocks (partition.hpp); each rank reads
// its own files once (header, then the three data arrays whole), checks that
// they agree on antennas, baselines, times and polarizations (rank 0 compares
// every file's digests and names the first file and field that differ),
// computes the phase centre (meridian at the group's mid time in ICRS, or a
// user RA/Dec), the new uvw once per unique time, rotates its visibilities and
// writes its channels of the shared output collectively, one subband per
// round. The output appears atomically as OUTDIR/{group stamp}.uvh5.
//
// Many groups: the world is split into sub-communicators of
// `ranks_per_group` ranks, and group i goes to sub-communicator i mod count.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/failures.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/core/step_result.hpp"
#include "tessera/subband/astrometry.hpp"
#include "tessera/subband/eop.hpp"
#include "tessera/subband/grouping.hpp"

namespace tessera::subband {

/// What a group becomes: the UVH5 1.1 file, a CASA Measurement Set
/// (OUTDIR/{stamp}.ms, written by rank 0 of the group from the UVH5 file the
/// group's ranks wrote), or both.
enum class OutputFormat { kUvh5, kMs, kBoth };

struct ConvertOptions {
  OutputFormat format = OutputFormat::kUvh5;
  /// ICRS (radians); empty: the meridian for drift inputs, the file's own
  /// phase centre for sidereal-phased inputs.
  std::optional<SkyPosition> phase_center;
  /// UT1 - UTC and polar motion per time; null: none (UT1 = UTC, no polar
  /// motion; the history says so).
  std::shared_ptr<const EopTable> eop;
  std::optional<double> dut1_override;  ///< UT1 - UTC (s) for every time, instead of the table's
  bool allow_partial = false;           ///< convert groups with fewer than 16 subbands
  bool clobber = false;
  int ranks_per_group = 16;
};

struct ConvertResult {
  std::filesystem::path output;     ///< the UVH5 file (kUvh5, kBoth) or the MS (kMs)
  std::filesystem::path ms_output;  ///< the Measurement Set, when one is written
  double ms_seconds = 0;            ///< rank 0's time writing the MS
  bool skipped = false;             ///< up to date (fingerprint matched)
  std::int64_t nblts = 0, nfreqs = 0, npols = 0, nfiles = 0;
  std::int64_t bytes_read = 0;     ///< data bytes read by this rank
  bool collective = true;          ///< every data write on this rank was collective
  double max_drift_uvw_error = 0;  ///< |recomputed meridian uvw - file uvw| (m), rank 0
};

/// Output path of a group.
std::filesystem::path output_path(const std::filesystem::path& outdir, const SubbandGroup& group);

/// Converts one group on every rank of `comm` (collective). Throws a
/// tessera::Error (the same on every rank) if the group cannot be converted;
/// no output file is left behind then.
ConvertResult convert_group(const Comm& comm, const SubbandGroup& group,
                            const std::filesystem::path& outdir, const ConvertOptions& options);

/// Converts many groups over sub-communicators; per-group failures go to
/// `failures` (recorded once, by the sub-communicator's rank 0). Collective
/// over `world`. Returns the groups converted, up to date and failed
/// (core/step_result.hpp; figures: "groups", the groups given).
StepResult convert_groups(const Comm& world, const std::vector<SubbandGroup>& groups,
                          const std::filesystem::path& outdir, const ConvertOptions& options,
                          FailureLog& failures);

}  // namespace tessera::subband
