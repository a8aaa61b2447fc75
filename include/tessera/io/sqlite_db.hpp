// RAII over SQLite: one database connection and its prepared statements.
//
// Every failing call throws IoError naming the database file and the SQL (or
// the step) with SQLite's own message. The stream daemon keeps its queue here
// in WAL mode: a reader never blocks the writer, and a transaction committed
// before a SIGKILL survives it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace tessera::io {

class SqliteDb;

/// A prepared statement; bind 1-based parameters, step, read 0-based columns.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& db, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, const std::string& value);
  /// True while a row is available; false when done.
  bool step();
  /// Runs to completion (statements without rows).
  void run();
  void reset();
  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

class SqliteDb {
 public:
  /// Opens or creates the database, sets WAL journal mode and a busy timeout.
  explicit SqliteDb(const std::filesystem::path& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(const std::string& sql);
  sqlite3* handle() const noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }
  /// Throws IoError with SQLite's message when rc is not OK/ROW/DONE.
  void check(int rc, const std::string& what) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back if commit() was not reached.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace tessera::io
