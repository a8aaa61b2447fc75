// `tessera raster grid`: FSM cluster outputs -> one CF NetCDF per variable.
//
// Distribution (design raster.md, "grid"):
//  1. rank 0 lists sim_FSM_pt_XXXX.txt; clusters are divided among ranks in
//     contiguous blocks and parsed in parallel;
//  2. the small T x N table is all-gathered (MPI_Allgatherv);
//  3. rank 0 reads the landform and checks the labels; each node gets one
//     copy in shared memory (core/node_shared.hpp);
//  4. the (variable, day) pairs are cut into groups of variables, each on
//     its own communicator whose ranks divide the days (one group, days
//     alone, unless ranks outnumber days or the remainder is large:
//     core/group_plan.hpp); each rank grids its days of
//     every variable of its group in blocks of at most `block_bytes` and writes them with
//     non-blocking puts: NetCDF-4 (the default) with a collective write per
//     round, each rank compressing its own chunks; CDF-5 by default
//     independently and staggered so that the ranks write different files at
//     any moment (src/raster/grid_writer.hpp says why). Memory per rank is
//     the landform plus one block: it does not grow with T.
// Outputs appear atomically (CollectiveAtomicFile) and carry a fingerprint of
// the inputs and options, so a re-run skips up-to-date files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "tessera/core/mpi.hpp"
#include "tessera/core/step_result.hpp"
#include "tessera/raster/cf_grid.hpp"
#include "tessera/raster/fsm_output.hpp"
#include "tessera/raster/gridding.hpp"

namespace tessera::raster {

struct GridStepOptions {
  std::filesystem::path fsm_dir;
  std::filesystem::path landform;
  std::filesystem::path out_dir;
  std::vector<FsmVariable> variables{FsmVariable::kSwe, FsmVariable::kSnd, FsmVariable::kRof,
                                     FsmVariable::kGst};
  GridValueOptions values;
  bool clobber = false;
  /// Per-rank gridding buffer. Small on purpose: a block that fits the CPU
  /// cache is gathered, byte-swapped by PnetCDF and copied into the page
  /// cache while still cached, so small blocks write as fast as large ones
  /// (medium run: 64, 8 and 2 MiB within the noise) and the peak memory is
  /// the libraries plus ~one day (medium: 128 MiB at 64 MiB blocks, 65 at 2).
  std::int64_t block_bytes = 2LL << 20;
  /// The design's original schedule: one variable after another, each round
  /// completed by a collective wait_all. Same bytes, slower on file systems
  /// that serialise writers of one file (see grid_writer.hpp).
  bool collective_writes = false;
  /// File format and compression: NetCDF-4 with deflate by default (what
  /// SnowMapper writes and its users keep), CDF-5 for speed. NetCDF-4 is
  /// always written with the collective schedule (HDF5's filters need it).
  NcLayout layout;
};

struct GridStepResult {
  std::vector<std::filesystem::path> written;
  std::vector<std::filesystem::path> skipped;  ///< up to date
  std::int64_t clusters = 0, days = 0, width = 0, height = 0;
  std::int64_t bytes_written = 0;  ///< this rank's data bytes
};

/// Collective over `comm`. Throws tessera::Error (the same on every rank).
GridStepResult run_grid_step(const Comm& comm, const GridStepOptions& opt);

/// The result in the common shape (core/step_result.hpp): items are
/// variables (one file each; figures clusters, days, width, height).
StepResult to_result(const GridStepResult& r);

}  // namespace tessera::raster
