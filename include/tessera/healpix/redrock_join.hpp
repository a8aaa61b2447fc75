// The TARGETID join of a DESI redrock file (DESI data model, redrock
// `redrock-{survey}-{program}-{pixel}.fits`): redshifts (Z, ZERR, ZWARN,
// SPECTYPE) in HDU REDSHIFTS, one row per target; positions (TARGET_RA,
// TARGET_DEC) in HDU FIBERMAP. Pure code: no files, no MPI.
//
// What is accepted, and why:
//   - REDSHIFTS TARGETIDs must be unique: one redshift per target is what
//     split writes, and two would make the result depend on the row order.
//   - FIBERMAP may repeat a TARGETID. The coadded FIBERMAP of current
//     productions has one row per target (the per-exposure rows are in
//     EXP_FIBERMAP, which is not read); files of early productions repeated the
//     target once per exposure. Repeats are accepted when they give the same
//     position (bit for bit), and the first row is used; different positions
//     for one target are an error (no way to choose).
//   - The two HDUs must hold the same set of TARGETIDs: a target missing from
//     either side means the file is not one redrock run's output.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera::healpix {

struct RedrockJoin {
  /// For each REDSHIFTS row, the FIBERMAP row holding its position.
  std::vector<std::int64_t> fibermap_row;
  /// FIBERMAP rows beyond the first of their TARGETID (0 for current files).
  std::int64_t repeated_rows = 0;
};

/// Joins REDSHIFTS `redshift_ids` to FIBERMAP `fibermap_ids` (positions
/// `ra`, `dec`, same length). Throws FormatError naming `file`, the HDUs,
/// the TARGETID and rows involved and both row counts when they disagree.
RedrockJoin join_redrock(std::span<const std::int64_t> redshift_ids,
                         std::span<const std::int64_t> fibermap_ids, std::span<const double> ra,
                         std::span<const double> dec, const std::string& file);

}  // namespace tessera::healpix
