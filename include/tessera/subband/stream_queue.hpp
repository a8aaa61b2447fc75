// The streaming daemon's queue: groups and files in SQLite (WAL), owned by
// rank 0 (the rules are in tessera/subband/stream.hpp).
//
// A class of its own so that it can be driven without MPI: the reader fuzzer
// (tests/fuzz) opens damaged queue databases with it. Every SQLite failure,
// a damaged database included, is an IoError naming the database file.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/io/sqlite_db.hpp"
#include "tessera/subband/convert.hpp"
#include "tessera/subband/stream.hpp"

namespace tessera::subband {

/// What one scan() did, for the log and for tests: a cycle must cost
/// file-system calls for new (and invalid) files only, not for every file
/// retained in the watch directory.
struct ScanCounts {
  std::int64_t listed = 0;   ///< subband names in the directory
  std::int64_t known = 0;    ///< of them, known valid: skipped without a stat
  std::int64_t stat = 0;     ///< size/mtime looked up (new or invalid files)
  std::int64_t checked = 0;  ///< quick-checked (new, or invalid and changed)
  std::int64_t added = 0;    ///< passed the quick check and joined a group
};

class StreamQueue {
 public:
  /// Opens (or creates) the database at options.state, creates the tables,
  /// and puts groups left in_progress by a kill back to pending.
  explicit StreamQueue(const StreamOptions& options);

  /// Looks for new files in options.watch and settles groups. Returns the
  /// number of new files. A path already known valid is skipped after one
  /// indexed lookup, before any stat: files arrive complete (renamed in from
  /// an "_incomplete" name) and a valid file is never queued again.
  int scan();
  /// The counts of the last scan().
  const ScanCounts& last_scan() const noexcept { return last_; }
  /// The next group to convert, marked in_progress; empty stamp if none.
  SubbandGroup next(bool& partial);
  void completed(const std::string& stamp, const ConvertResult& r, double seconds);
  void failed(const std::string& stamp, const std::string& reason, bool permanent);
  /// Groups still collecting or waiting for a retry (the daemon is not idle then).
  std::int64_t open_groups();

 private:
  std::string join_group(const SubbandFile& f);
  void settle();

  const StreamOptions& o_;
  io::SqliteDb db_;
  ScanCounts last_;
};

}  // namespace tessera::subband
