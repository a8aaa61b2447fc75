// The stream daemon's queue scan: a cycle stats only new and invalid files,
// never the files already known valid (docs/performance.md#scaling-model).
#include <fmt/format.h>

#include <fstream>

#include "support/catch.hpp"
#include "support/test_paths.hpp"
#include "tessera/io/sqlite_db.hpp"
#include "tessera/subband/stream_queue.hpp"

using namespace tessera;
using namespace tessera::subband;

namespace {

std::int64_t count(io::SqliteDb& db, const std::string& sql) {
  io::SqliteStatement q(db, sql);
  q.step();
  return q.column_int(0);
}

}  // namespace

TEST_CASE("a queue scan skips known valid files without a stat", "[subband][stream]") {
  const auto dir = test::scratch_dir("stream_queue_scan");
  std::filesystem::remove_all(dir);  // scratch_dir keeps an earlier run's files
  const auto watch = dir / "watch";
  std::filesystem::create_directories(watch);
  StreamOptions o;
  o.watch = watch;
  o.out = dir / "out";
  o.state = dir / "state.sqlite";

  // 10,000 retained files the queue already knows as valid (625 old groups
  // of 16). They are empty here: a quick check of any of them would record
  // it invalid, and a stat of them would be counted.
  constexpr int kGroups = 625;
  {
    StreamQueue create(o);  // the schema
  }
  {
    io::SqliteDb db(o.state);
    io::SqliteTransaction tx(db);
    io::SqliteStatement ins(db,
                            "INSERT INTO files(path, stamp, subband, size, mtime, valid) "
                            "VALUES(?1, ?2, ?3, 0, 0, 1)");
    for (int g = 0; g < kGroups; ++g) {
      const std::string stamp =
          fmt::format("2022-06-{:02d}T{:02d}:{:02d}:00", 1 + g / 288, g % 288 / 12, g % 12 * 5);
      for (int sb = 0; sb < 16; ++sb) {
        const auto path = watch / fmt::format("{}_sb{:02d}.hdf5", stamp, sb);
        std::ofstream{path};
        ins.bind(1, path.string()).bind(2, stamp).bind(3, std::int64_t{sb}).run();
      }
    }
    tx.commit();
  }
  // Two new files: one that fails the quick check, one valid subband.
  std::ofstream(watch / "2030-01-01T00:00:00_sb00.hdf5") << "not hdf5";
  std::filesystem::copy_file(test::test_data("fuzz/seeds/uvh5/tiny_sb00.hdf5"),
                             watch / "2030-01-02T00:00:00_sb03.hdf5");
  // Not subband names: never looked at.
  std::ofstream(watch / "2030-01-02T00:00:00_sb04_incomplete.hdf5") << "being written";
  std::ofstream(watch / "notes.txt") << "x";

  StreamQueue q(o);
  CHECK(q.scan() == 1);
  const ScanCounts first = q.last_scan();
  CHECK(first.listed == 16 * kGroups + 2);
  CHECK(first.known == 16 * kGroups);
  CHECK(first.stat == 2);
  CHECK(first.checked == 2);
  CHECK(first.added == 1);

  // Nothing new: only the invalid file is stat'ed (to see whether it changed).
  CHECK(q.scan() == 0);
  const ScanCounts second = q.last_scan();
  CHECK(second.listed == 16 * kGroups + 2);
  CHECK(second.known == 16 * kGroups + 1);
  CHECK(second.stat == 1);
  CHECK(second.checked == 0);

  // The invalid file is rewritten: checked again (still invalid).
  std::ofstream(watch / "2030-01-01T00:00:00_sb00.hdf5") << "still not hdf5, longer";
  CHECK(q.scan() == 0);
  CHECK(q.last_scan().stat == 1);
  CHECK(q.last_scan().checked == 1);

  io::SqliteDb db(o.state);
  CHECK(count(db, "SELECT COUNT(*) FROM files WHERE valid=1") == 16 * kGroups + 1);
  CHECK(count(db, "SELECT COUNT(*) FROM files WHERE valid=0") == 1);
  CHECK(count(db, "SELECT COUNT(*) FROM groups WHERE stamp='2030-01-02T00:00:00'") == 1);
}
