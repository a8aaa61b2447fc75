// The stream daemon's SQLite queue (include/tessera/subband/stream_queue.hpp).
#include "tessera/subband/stream_queue.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "tessera/core/log.hpp"
#include "tessera/io/uvh5_reader.hpp"

namespace tessera::subband {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS groups(
  stamp TEXT PRIMARY KEY, unix REAL NOT NULL, state TEXT NOT NULL DEFAULT 'collecting',
  partial INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  next_attempt REAL NOT NULL DEFAULT 0, first_seen REAL, last_seen REAL, started REAL,
  finished REAL, seconds REAL);
CREATE TABLE IF NOT EXISTS files(
  path TEXT PRIMARY KEY, stamp TEXT, subband INTEGER, size INTEGER, mtime INTEGER,
  valid INTEGER NOT NULL, reason TEXT, added REAL);
-- next() and settle() look files up by group: without it, a full scan per
-- lookup once a year's files (1.7M rows) are in the queue.
CREATE INDEX IF NOT EXISTS files_stamp ON files(stamp);
CREATE TABLE IF NOT EXISTS conversions(
  id INTEGER PRIMARY KEY AUTOINCREMENT, stamp TEXT NOT NULL, output TEXT, finished REAL,
  seconds REAL, skipped INTEGER NOT NULL DEFAULT 0);
)sql";

}  // namespace

StreamQueue::StreamQueue(const StreamOptions& o) : o_(o), db_(o.state) {
  db_.exec(kSchema);
  // A kill during a conversion leaves its group in_progress: run it again.
  db_.exec("UPDATE groups SET state='pending' WHERE state='in_progress'");
  if (sqlite3_changes(db_.handle()) > 0) {
    log::warn("stream: {} group(s) were in progress at the last stop; queued again",
              sqlite3_changes(db_.handle()));
  }
}

// Looks for new files and settles groups. Returns the number of new files.
//
// The path is looked up before the file is stat'ed: a file that passed the
// quick check is never queued again, so it needs no size or mtime. A cycle
// then costs one readdir and one indexed lookup per retained file, and
// stats only new files and those that failed the quick check (re-checked
// when they change). A file being written is not seen: the correlator writes
// it under an "_incomplete" name, which parse_subband_name refuses, and
// renames it in when complete (docs/pipelines/subband.md).
int StreamQueue::scan() {
  last_ = {};
  std::error_code ec;
  io::SqliteStatement seen(db_, "SELECT valid, size, mtime FROM files WHERE path=?1");
  for (const auto& entry : std::filesystem::directory_iterator(o_.watch, ec)) {
    auto f = parse_subband_name(entry.path());
    if (!f)
      continue;
    ++last_.listed;
    const std::string path = entry.path().string();
    bool known = false, valid = false;
    std::int64_t known_size = 0, known_mtime = 0;
    seen.bind(1, path);
    if (seen.step()) {
      known = true;
      valid = seen.column_int(0) == 1;
      known_size = seen.column_int(1);
      known_mtime = seen.column_int(2);
    }
    seen.reset();  // no open read statement across the transactions below
    if (valid) {
      ++last_.known;
      continue;
    }
    ++last_.stat;
    std::error_code e2;
    const auto size = static_cast<std::int64_t>(std::filesystem::file_size(entry.path(), e2));
    if (e2)
      continue;
    const auto mtime = static_cast<std::int64_t>(
        std::filesystem::last_write_time(entry.path(), e2).time_since_epoch().count());
    // An invalid file is checked again only once it has changed.
    if (known && known_size == size && known_mtime == mtime)
      continue;
    ++last_.checked;
    const std::string reason = io::quick_check_uvh5(entry.path());
    io::SqliteTransaction tx(db_);
    if (!reason.empty()) {
      log::warn("stream: {} fails the quick check: {}", entry.path().filename().string(), reason);
      io::SqliteStatement ins(db_,
                              "INSERT OR REPLACE INTO files(path, stamp, subband, size, mtime, "
                              "valid, reason, added) VALUES(?1, NULL, ?2, ?3, ?4, 0, ?5, ?6)");
      ins.bind(1, path).bind(2, std::int64_t{f->subband}).bind(3, size).bind(4, mtime);
      ins.bind(5, reason).bind(6, now_seconds()).run();
      tx.commit();
      continue;
    }
    const std::string stamp = join_group(*f);
    io::SqliteStatement ins(db_,
                            "INSERT OR REPLACE INTO files(path, stamp, subband, size, mtime, "
                            "valid, reason, added) VALUES(?1, ?2, ?3, ?4, ?5, 1, NULL, ?6)");
    ins.bind(1, path).bind(2, stamp).bind(3, std::int64_t{f->subband}).bind(4, size);
    ins.bind(5, mtime).bind(6, now_seconds()).run();
    io::SqliteStatement up(db_, "UPDATE groups SET last_seen=?2 WHERE stamp=?1");
    up.bind(1, stamp).bind(2, now_seconds()).run();
    tx.commit();
    ++last_.added;
  }
  settle();
  log::debug(
      "stream: scan of {}: {} subband file(s), {} known valid (not stat'ed), {} stat'ed, "
      "{} quick-checked, {} new",
      o_.watch.string(), last_.listed, last_.known, last_.stat, last_.checked, last_.added);
  return static_cast<int>(last_.added);
}

// The next group to convert, marked in_progress; empty stamp if none.
SubbandGroup StreamQueue::next(bool& partial) {
  SubbandGroup g;
  const double t = now_seconds();
  io::SqliteTransaction tx(db_);
  io::SqliteStatement q(db_,
                        "SELECT stamp, unix, partial FROM groups WHERE state='pending' AND "
                        "next_attempt<=?1 ORDER BY unix LIMIT 1");
  q.bind(1, t);
  if (!q.step())
    return g;
  g.stamp = q.column_text(0);
  g.unix_seconds = q.column_double(1);
  partial = q.column_int(2) != 0;
  io::SqliteStatement files(db_, "SELECT path FROM files WHERE stamp=?1 AND valid=1 ORDER BY path");
  files.bind(1, g.stamp);
  std::vector<SubbandFile> list;
  while (files.step()) {
    if (auto f = parse_subband_name(files.column_text(0)))
      list.push_back(*f);
  }
  // Group exactly these files (tolerance wide enough to keep them together).
  auto grouped = group_subbands(list, 1e12);
  if (!grouped.empty()) {
    g.files = grouped[0].files;
    g.duplicates = grouped[0].duplicates;
  }
  io::SqliteStatement up(db_, "UPDATE groups SET state='in_progress', started=?2 WHERE stamp=?1");
  up.bind(1, g.stamp).bind(2, t).run();
  tx.commit();
  return g;
}

void StreamQueue::completed(const std::string& stamp, const ConvertResult& r, double seconds) {
  io::SqliteTransaction tx(db_);
  io::SqliteStatement up(db_,
                         "UPDATE groups SET state='completed', finished=?2, seconds=?3, "
                         "last_error=NULL WHERE stamp=?1");
  up.bind(1, stamp).bind(2, now_seconds()).bind(3, seconds).run();
  // One conversions row per group that has an output, whether this run
  // wrote it or found it up to date after a kill between commit and here.
  io::SqliteStatement seen(db_, "SELECT COUNT(*) FROM conversions WHERE stamp=?1");
  seen.bind(1, stamp);
  seen.step();
  const bool recorded = seen.column_int(0) > 0;
  seen.reset();
  if (!recorded) {
    io::SqliteStatement ins(db_,
                            "INSERT INTO conversions(stamp, output, finished, seconds, skipped) "
                            "VALUES(?1, ?2, ?3, ?4, ?5)");
    ins.bind(1, stamp).bind(2, r.output.string()).bind(3, now_seconds()).bind(4, seconds);
    ins.bind(5, std::int64_t{r.skipped ? 1 : 0}).run();
  }
  tx.commit();
}

void StreamQueue::failed(const std::string& stamp, const std::string& reason, bool permanent) {
  io::SqliteTransaction tx(db_);
  io::SqliteStatement q(db_, "SELECT retries FROM groups WHERE stamp=?1");
  q.bind(1, stamp);
  const std::int64_t retries = q.step() ? q.column_int(0) + 1 : 1;
  q.reset();
  const bool give_up = permanent || retries > o_.max_retries;
  const double delay = o_.backoff * std::pow(2.0, static_cast<double>(retries - 1));
  io::SqliteStatement up(db_,
                         "UPDATE groups SET state=?2, retries=?3, last_error=?4, "
                         "next_attempt=?5, finished=?6 WHERE stamp=?1");
  up.bind(1, stamp).bind(2, std::string(give_up ? "failed" : "pending")).bind(3, retries);
  up.bind(4, reason).bind(5, now_seconds() + delay).bind(6, now_seconds()).run();
  tx.commit();
  if (give_up) {
    log::error("stream: group {} failed: {}", stamp, reason);
  } else {
    log::warn("stream: group {} failed (attempt {}), retry in {:.0f} s: {}", stamp, retries, delay,
              reason);
  }
}

// Groups still collecting or waiting for a retry (the daemon is not idle then).
std::int64_t StreamQueue::open_groups() {
  io::SqliteStatement q(db_,
                        "SELECT COUNT(*) FROM groups WHERE state IN ('collecting', 'pending', "
                        "'in_progress')");
  q.step();
  return q.column_int(0);
}

// The nearest group within the tolerance, or a new one named by this file.
std::string StreamQueue::join_group(const SubbandFile& f) {
  io::SqliteStatement q(db_,
                        "SELECT stamp, state FROM groups WHERE abs(unix - ?1) <= ?2 ORDER BY "
                        "abs(unix - ?1) LIMIT 1");
  q.bind(1, f.unix_seconds).bind(2, o_.tolerance);
  if (q.step()) {
    const std::string stamp = q.column_text(0), state = q.column_text(1);
    if (state == "completed" || state == "failed") {
      log::warn("stream: {} arrived after group {} was {}; recorded, not converted",
                f.path.filename().string(), stamp, state);
    }
    return stamp;
  }
  io::SqliteStatement ins(db_,
                          "INSERT INTO groups(stamp, unix, state, first_seen, last_seen) "
                          "VALUES(?1, ?2, 'collecting', ?3, ?3)");
  ins.bind(1, f.stamp).bind(2, f.unix_seconds).bind(3, now_seconds()).run();
  return f.stamp;
}

// collecting -> pending at 16 subbands, or after the idle timeout as partial.
void StreamQueue::settle() {
  io::SqliteTransaction tx(db_);
  db_.exec(
      "UPDATE groups SET state='pending' WHERE state='collecting' AND (SELECT COUNT(DISTINCT "
      "subband) FROM files WHERE files.stamp=groups.stamp AND valid=1) >= 16");
  std::vector<std::string> stale;
  {
    io::SqliteStatement q(db_,
                          "SELECT stamp FROM groups WHERE state='collecting' AND last_seen < ?1");
    q.bind(1, now_seconds() - o_.partial_timeout);
    while (q.step())
      stale.push_back(q.column_text(0));
  }
  for (const auto& stamp : stale) {
    if (o_.partial_policy == "convert") {
      io::SqliteStatement up(db_, "UPDATE groups SET state='pending', partial=1 WHERE stamp=?1");
      up.bind(1, stamp).run();
      log::warn("stream: group {} incomplete after {:.0f} s; converting what is there", stamp,
                o_.partial_timeout);
    } else {
      io::SqliteStatement up(db_,
                             "UPDATE groups SET state='failed', last_error=?2, finished=?3 "
                             "WHERE stamp=?1");
      up.bind(1, stamp)
          .bind(2, fmt::format("incomplete after {:.0f} s without new files (partial policy "
                               "'fail')",
                               o_.partial_timeout))
          .bind(3, now_seconds())
          .run();
      log::error("stream: group {} incomplete after {:.0f} s; marked failed", stamp,
                 o_.partial_timeout);
    }
  }
  tx.commit();
}

}  // namespace tessera::subband
