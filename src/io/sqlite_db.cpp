#include "tessera/io/sqlite_db.hpp"

#include <fmt/format.h>

#include "tessera/core/error.hpp"

namespace tessera::io {

SqliteDb::SqliteDb(const std::filesystem::path& path) : path_(path.string()) {
  const int rc =
      sqlite3_open_v2(path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    if (db_)
      sqlite3_close(db_);
    db_ = nullptr;
    throw IoError("cannot open SQLite database: " + msg, path_);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
}

SqliteDb::~SqliteDb() {
  if (db_)
    sqlite3_close_v2(db_);
}

void SqliteDb::check(int rc, const std::string& what) const {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
    return;
  throw IoError(fmt::format("{}: {}", what, sqlite3_errmsg(db_)), path_, "sqlite");
}

void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw IoError(fmt::format("{}: {}", sql.substr(0, 60), msg), path_, "sqlite");
  }
}

SqliteStatement::SqliteStatement(SqliteDb& db, const std::string& sql) : db_(db), sql_(sql) {
  db_.check(sqlite3_prepare_v2(db_.handle(), sql.c_str(), -1, &stmt_, nullptr),
            "prepare " + sql.substr(0, 60));
}

SqliteStatement::~SqliteStatement() {
  if (stmt_)
    sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  db_.check(sqlite3_bind_int64(stmt_, index, value), "bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, double value) {
  db_.check(sqlite3_bind_double(stmt_, index, value), "bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, const std::string& value) {
  db_.check(sqlite3_bind_text(stmt_, index, value.c_str(), static_cast<int>(value.size()),
                              SQLITE_TRANSIENT),
            "bind");
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  db_.check(rc, "step " + sql_.substr(0, 60));
  return rc == SQLITE_ROW;
}

void SqliteStatement::run() {
  while (step()) {
  }
  reset();
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t SqliteStatement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}
double SqliteStatement::column_double(int index) const {
  return sqlite3_column_double(stmt_, index);
}
std::string SqliteStatement::column_text(int index) const {
  const auto* t = sqlite3_column_text(stmt_, index);
  return t ? reinterpret_cast<const char*>(t) : "";
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}
SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}
void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace tessera::io
