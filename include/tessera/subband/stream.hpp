// The streaming daemon: watch a directory, queue groups in SQLite, convert.
//
// Queue state (SQLite, WAL), table `groups`: state collecting -> pending ->
// in_progress -> completed | failed, with retry count, last error, timings;
// table `files`: every subband file seen, its group, and whether it passed
// the quick check (readable, Header and Data present, time_array non-empty);
// table `conversions`: one row per conversion that produced an output.
//
// Rules (spec: subband.md, "Streaming daemon"):
//   - a file joins the nearest group within the tolerance, or starts one;
//     a path seen before is ignored; "_incomplete" names are never looked at;
//   - a group becomes pending at 16 files, or when no file has arrived for
//     `partial_timeout` seconds: then it is converted with the subbands there
//     (policy "convert") or marked failed (policy "fail", the default);
//   - a failed conversion is retried after backoff * 2^(retries-1) seconds up
//     to `max_retries`, then stays failed with the reason;
//   - on start-up, groups left in_progress by a kill go back to pending; the
//     output's fingerprint sidecar makes a re-run of a group that was already
//     written a no-op, so a kill at any moment loses no group and converts
//     none twice;
//   - conversion pauses while the output file system has less than
//     `min_free_bytes` free; inputs are never deleted.
// Rank 0 owns the database and decides. The communicator is split into
// sub-communicators of `convert.ranks_per_group` ranks (as convert_groups
// does); each cycle rank 0 takes up to one pending group per
// sub-communicator (all marked in_progress), every sub-communicator converts
// its group (convert_group), and rank 0 records the outcomes it gathers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/failures.hpp"
#include "tessera/core/mpi.hpp"
#include "tessera/subband/convert.hpp"

namespace tessera::subband {

struct StreamOptions {
  std::filesystem::path watch, out, state;
  double interval = 2.0;                ///< polling interval (s)
  double tolerance = 60.0;              ///< grouping tolerance (s)
  double partial_timeout = 600.0;       ///< idle seconds before a short group is settled
  std::string partial_policy = "fail";  ///< "fail" or "convert"
  int max_retries = 3;
  double backoff = 30.0;  ///< first retry delay (s)
  double min_free_bytes = 1e9;
  double exit_when_idle = 0.0;  ///< > 0: exit after this long with nothing to do
  ConvertOptions convert;
};

/// Runs the daemon on every rank of `comm` until idle past exit_when_idle
/// (forever if 0). Returns the number of groups converted (or found up to
/// date) in this run, on every rank.
std::int64_t run_stream(const Comm& comm, const StreamOptions& options);

}  // namespace tessera::subband
