//===- Sqlite.h - A thin RAII layer over SQLite's C API ---------*- C++ -*-===//
//
// Part of the kdsl project.
//
// Every failure throws kdsl::rt::Error with SQLite's message and what the
// database is (`bundle 'x.kpack'`).
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_RUNTIME_SQLITE_H
#define KDSL_RUNTIME_SQLITE_H

#include "kdsl/runtime.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <cstdint>
#include <string>
#include <vector>

namespace kdsl::rt {

class SqliteStmt {
public:
  SqliteStmt(sqlite3 *db, const std::string &sql, const std::string &what)
      : db(db), what(what) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      fail();
  }
  SqliteStmt(SqliteStmt &&other) noexcept
      : db(other.db), stmt(other.stmt), what(std::move(other.what)) {
    other.stmt = nullptr;
  }
  SqliteStmt(const SqliteStmt &) = delete;
  ~SqliteStmt() { sqlite3_finalize(stmt); }

  SqliteStmt &bind(int index, const std::string &value) {
    check(sqlite3_bind_text(stmt, index, value.data(),
                            static_cast<int>(value.size()), SQLITE_TRANSIENT));
    return *this;
  }
  SqliteStmt &bind(int index, const char *value) {
    return bind(index, std::string(value));
  }
  SqliteStmt &bind(int index, int64_t value) {
    check(sqlite3_bind_int64(stmt, index, value));
    return *this;
  }
  SqliteStmt &bind(int index, int value) {
    return bind(index, static_cast<int64_t>(value));
  }
  SqliteStmt &bind(int index, double value) {
    check(sqlite3_bind_double(stmt, index, value));
    return *this;
  }
  SqliteStmt &bindBlob(int index, const void *data, size_t size) {
    check(sqlite3_bind_blob64(stmt, index, data, size, SQLITE_TRANSIENT));
    return *this;
  }
  SqliteStmt &reset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return *this;
  }

  /// Advances; true while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
      return true;
    if (rc != SQLITE_DONE)
      fail();
    return false;
  }

  bool isNull(int column) const {
    return sqlite3_column_type(stmt, column) == SQLITE_NULL;
  }
  int64_t integer(int column) const {
    return sqlite3_column_int64(stmt, column);
  }
  double real(int column) const { return sqlite3_column_double(stmt, column); }
  std::string text(int column) const {
    const unsigned char *data = sqlite3_column_text(stmt, column);
    int size = sqlite3_column_bytes(stmt, column);
    return data ? std::string(reinterpret_cast<const char *>(data), size)
                : std::string();
  }
  std::vector<uint8_t> blob(int column) const {
    const auto *data =
        static_cast<const uint8_t *>(sqlite3_column_blob(stmt, column));
    int size = sqlite3_column_bytes(stmt, column);
    return data ? std::vector<uint8_t>(data, data + size)
                : std::vector<uint8_t>();
  }

private:
  sqlite3 *db;
  sqlite3_stmt *stmt = nullptr;
  std::string what;

  void check(int rc) {
    if (rc != SQLITE_OK)
      fail();
  }
  [[noreturn]] void fail() const {
    int code = sqlite3_errcode(db);
    std::string message = sqlite3_errmsg(db);
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
      throw Error(what + ": the file is corrupt or not an SQLite database (" +
                  message + ")");
    throw Error(what + ": " + message);
  }
};

/// A `file:` URI that opens `path` read-only as immutable: no lock, no -shm
/// or -wal file, so a file in a read-only directory can be read even in WAL
/// mode. Only for files nobody writes while they are read.
inline std::string immutableUri(const std::string &path) {
  std::string uri = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      static const char hex[] = "0123456789ABCDEF";
      uri += '%';
      uri += hex[(c >> 4) & 15];
      uri += hex[c & 15];
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

/// Whether a database file can only be read as immutable: it is in WAL
/// mode (byte 18 of its header is 2), its directory does not let this
/// process create the -shm file a normal read needs, and no -wal file holds
/// data that only a normal read would see. Nobody can be writing such a
/// file, so reading it without locks is safe.
inline bool readableOnlyAsImmutable(const std::string &path) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return false;
  unsigned char header[20] = {0};
  bool wal = std::fread(header, 1, sizeof(header), file) == sizeof(header) &&
             header[18] == 2;
  std::fclose(file);
  std::string shm = path + "-shm";
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "."
                    : slash == 0               ? "/"
                                               : path.substr(0, slash);
  bool shmWritable = ::access(shm.c_str(), F_OK) == 0
                         ? ::access(shm.c_str(), W_OK) == 0
                         : ::access(dir.c_str(), W_OK | X_OK) == 0;
  struct stat info;
  bool walData =
      ::stat((path + "-wal").c_str(), &info) == 0 && info.st_size > 0;
  return wal && !shmWritable && !walData;
}

class SqliteDb {
public:
  /// Opens `path` with sqlite3_open_v2 `flags`; `what` prefixes errors.
  SqliteDb(const std::string &path, int flags, std::string what)
      : what(std::move(what)) {
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string message = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      throw Error(this->what + ": cannot open: " + message);
    }
    sqlite3_extended_result_codes(db, 0);
  }
  SqliteDb(SqliteDb &&other) noexcept
      : db(other.db), what(std::move(other.what)) {
    other.db = nullptr;
  }
  SqliteDb(const SqliteDb &) = delete;
  ~SqliteDb() { sqlite3_close(db); }

  SqliteStmt prepare(const std::string &sql) {
    return SqliteStmt(db, sql, what);
  }
  void exec(const std::string &sql) {
    char *message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) !=
        SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db);
      sqlite3_free(message);
      if (sqlite3_errcode(db) == SQLITE_NOTADB ||
          sqlite3_errcode(db) == SQLITE_CORRUPT)
        throw Error(what + ": the file is corrupt or not an SQLite database (" +
                    text + ")");
      throw Error(what + ": " + text);
    }
  }
  int64_t lastInsertRowid() const { return sqlite3_last_insert_rowid(db); }
  sqlite3 *handle() const { return db; }

private:
  sqlite3 *db = nullptr;
  std::string what;
};

} // namespace kdsl::rt

#endif // KDSL_RUNTIME_SQLITE_H
