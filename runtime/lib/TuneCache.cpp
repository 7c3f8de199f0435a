//===- TuneCache.cpp - The SQLite tuning cache (tune.db) ------------------===//
//
// Part of the kdsl project.
//
// A file is recognized by its application_id ('kdsl') and its schema by
// user_version. Nothing is written to a file until both are checked, so a
// foreign, corrupt or newer file is reported and left as it was.
//
//===----------------------------------------------------------------------===//

#include "kdsl/tune_cache.hpp"

#include "Sqlite.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace kdsl::rt;

namespace {

/// 'kdsl' in ASCII.
constexpr int kApplicationId = 0x6b64736c;

/// Every column, in the order of TuneRecord, exports and imports.
const char *const kColumns[] = {
    "kernel",    "source_hash", "compiler_version",   "key",
    "config",    "gpu_name",    "compute_capability", "driver_version",
    "status",    "reason",      "median_us",          "p20_us",
    "p80_us",    "reps",        "revalidated",        "variant",
    "registers", "spill_bytes", "shared_bytes",       "tuned_at"};
constexpr size_t kNumColumns = sizeof(kColumns) / sizeof(kColumns[0]);
/// The first eight columns identify a row.
constexpr size_t kIdentityColumns = 8;

/// How a column's text is checked on import and its value on read.
enum class ColumnKind { Text, Time, Count, Flag };

ColumnKind kindOf(size_t column) {
  std::string name = kColumns[column];
  if (name == "median_us" || name == "p20_us" || name == "p80_us")
    return ColumnKind::Time;
  if (name == "reps" || name == "registers" || name == "spill_bytes" ||
      name == "shared_bytes")
    return ColumnKind::Count;
  if (name == "revalidated")
    return ColumnKind::Flag;
  return ColumnKind::Text;
}

const char *const kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS measurements(
  kernel TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  compiler_version TEXT NOT NULL,
  key TEXT NOT NULL,
  config TEXT NOT NULL,
  gpu_name TEXT NOT NULL,
  compute_capability TEXT NOT NULL,
  driver_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'invalid', 'pruned')),
  reason TEXT NOT NULL DEFAULT '',
  median_us REAL,
  p20_us REAL,
  p80_us REAL,
  reps INTEGER NOT NULL DEFAULT 0,
  revalidated INTEGER NOT NULL DEFAULT 0,
  variant TEXT NOT NULL DEFAULT '',
  registers INTEGER,
  spill_bytes INTEGER,
  shared_bytes INTEGER,
  tuned_at TEXT NOT NULL,
  PRIMARY KEY (kernel, source_hash, compiler_version, key, config, gpu_name,
               compute_capability, driver_version));
)sql";

/// Migrations[v - 1] takes schema v to v + 1.
const char *const kMigrations[] = {
    // 2: resource use of the variant timed.
    "ALTER TABLE measurements ADD COLUMN registers INTEGER;"
    "ALTER TABLE measurements ADD COLUMN spill_bytes INTEGER;"
    "ALTER TABLE measurements ADD COLUMN shared_bytes INTEGER;",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) ==
                  kTuneCacheSchemaVersion - 1,
              "one migration per schema version");

std::string nowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string columnList() {
  std::string list;
  for (size_t i = 0; i < kNumColumns; ++i)
    list += (i ? ", " : "") + std::string(kColumns[i]);
  return list;
}

/// Text fields of a row, in kColumns order; empty for NULL numbers.
std::vector<std::string> fieldsOf(const TuneRecord &r) {
  auto num = [](double v, bool present) {
    if (!present)
      return std::string();
    char text[64];
    std::snprintf(text, sizeof(text), "%.17g", v);
    return std::string(text);
  };
  auto count = [](int v) { return v < 0 ? std::string() : std::to_string(v); };
  bool timed = r.reps > 0;
  return {r.kernel.name,
          r.kernel.sourceHash,
          r.kernel.compilerVersion,
          r.key,
          r.config,
          r.device.name,
          r.device.computeCapability,
          r.device.driverVersion,
          r.status,
          r.reason,
          num(r.medianUs, timed),
          num(r.p20Us, timed),
          num(r.p80Us, timed),
          std::to_string(r.reps),
          r.revalidated ? "1" : "0",
          r.variant,
          count(r.registers),
          count(r.spillBytes),
          count(r.sharedBytes),
          r.tunedAt};
}

TuneRecord recordOf(const SqliteStmt &s) {
  TuneRecord r;
  r.kernel = {s.text(0), s.text(1), s.text(2)};
  r.key = s.text(3);
  r.config = s.text(4);
  r.device = {s.text(5), s.text(6), s.text(7)};
  r.status = s.text(8);
  r.reason = s.text(9);
  r.medianUs = s.real(10);
  r.p20Us = s.real(11);
  r.p80Us = s.real(12);
  r.reps = static_cast<int>(s.integer(13));
  r.revalidated = s.integer(14) != 0;
  r.variant = s.text(15);
  r.registers = s.isNull(16) ? -1 : static_cast<int>(s.integer(16));
  r.spillBytes = s.isNull(17) ? -1 : static_cast<int>(s.integer(17));
  r.sharedBytes = s.isNull(18) ? -1 : static_cast<int>(s.integer(18));
  r.tunedAt = s.text(19);
  return r;
}

/// RFC 4180: fields with a comma, quote or line break are quoted.
std::string csvField(const std::string &field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos)
    return field;
  std::string quoted = "\"";
  for (char c : field)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

} // namespace

//===----------------------------------------------------------------------===//
// Identities
//===----------------------------------------------------------------------===//

DeviceIdentity DeviceIdentity::of(const DeviceInfo &info) {
  return {info.name,
          std::to_string(info.computeMajor) + "." +
              std::to_string(info.computeMinor),
          std::to_string(info.driverVersion / 1000) + "." +
              std::to_string(info.driverVersion % 1000 / 10)};
}

std::string TuneCache::defaultPath() {
  auto env = [](const char *name) -> std::string {
    const char *value = std::getenv(name);
    return value && *value ? value : "";
  };
  if (std::string dir = env("KDSL_CACHE_DIR"); !dir.empty())
    return dir + "/tune.db";
  if (std::string dir = env("XDG_CACHE_HOME"); !dir.empty())
    return dir + "/kdsl/tune.db";
  return env("HOME") + "/.cache/kdsl/tune.db";
}

//===----------------------------------------------------------------------===//
// Opening
//===----------------------------------------------------------------------===//

struct TuneCache::Impl {
  std::string path;
  std::string what;
  /// The file's schema; an older one opened read-only is read as it is.
  int64_t schema = kTuneCacheSchemaVersion;
  /// Null for a missing file opened read-only: an empty cache.
  std::unique_ptr<SqliteDb> db;

  int64_t pragma(const std::string &name) {
    SqliteStmt s = db->prepare("PRAGMA " + name);
    return s.step() ? s.integer(0) : 0;
  }
  [[noreturn]] void fail(const std::string &message) const {
    throw Error(what + ": " + message);
  }
  void checkAndMigrate(bool writable);
  /// Column `i` as a SELECT names it: NULL where the file's schema predates
  /// it (schema 1 has no resource columns).
  std::string column(size_t i) const {
    bool resource = i >= 16 && i <= 18;
    return resource && schema < 2 ? std::string("NULL") : kColumns[i];
  }
  std::string selectList() const {
    std::string list;
    for (size_t i = 0; i < kNumColumns; ++i)
      list += (i ? ", " : "") + column(i);
    return list;
  }
  /// Every stored value has its column's type and range: a row edited
  /// outside kdsl (a text median_us, a reps of 5.9) is reported, naming the
  /// row and the column, not shown as 0 or picked as the winner.
  void checkValues();
  /// Writes checked rows (kColumns order) in one transaction; `where` names
  /// each row's line or entry for messages.
  ImportResult importRows(const std::vector<std::vector<std::string>> &rows,
                          const std::vector<std::string> &where);
  /// WAL, so readers never block the writer. The switch needs the file to
  /// itself; when another process holds it, a later open switches it.
  void useWal() {
    try {
      db->exec("PRAGMA journal_mode=WAL");
    } catch (const Error &) {
    }
  }
  /// Runs `body` in a write transaction taken up front (BEGIN IMMEDIATE), so
  /// waiting for another writer goes through the busy timeout.
  template <typename F> void write(F body) {
    db->exec("BEGIN IMMEDIATE");
    try {
      body();
      db->exec("COMMIT");
    } catch (...) {
      // SQLite may have rolled back already (I/O error, full disk); the
      // error to report is the first one.
      if (!sqlite3_get_autocommit(db->handle()))
        sqlite3_exec(db->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
};

void TuneCache::Impl::checkAndMigrate(bool writable) {
  // Only reads until the file is known to be ours; one statement, so the
  // three values come from one snapshot while other processes create it.
  auto readHeader = [&](int64_t &applicationId, int64_t &version) {
    SqliteStmt s = db->prepare(
        "SELECT (SELECT count(*) FROM sqlite_master), a.application_id, "
        "u.user_version FROM pragma_application_id() a, "
        "pragma_user_version() u");
    s.step();
    applicationId = s.integer(1);
    version = s.integer(2);
    return s.integer(0) == 0 && applicationId == 0 && version == 0;
  };
  int64_t applicationId = 0, version = 0;
  if (readHeader(applicationId, version)) {
    if (!writable)
      return; // read as empty
    // Created in one transaction, then switched to WAL by its creator.
    bool fresh = false;
    write([&] {
      // Another process may have created it since.
      fresh = readHeader(applicationId, version);
      if (!fresh)
        return;
      db->exec(kCreateSchema);
      db->exec("PRAGMA application_id=" + std::to_string(kApplicationId));
      db->exec("PRAGMA user_version=" +
               std::to_string(kTuneCacheSchemaVersion));
    });
    if (fresh) {
      useWal();
      return;
    }
  }
  if (applicationId != kApplicationId)
    fail("not a kdsl tuning cache (an SQLite database of another "
         "application; its application_id is " +
         std::to_string(applicationId) + ")");
  if (version > kTuneCacheSchemaVersion)
    fail("written by a newer kdsl (schema " + std::to_string(version) +
         "); this kdsl reads schemas up to " +
         std::to_string(kTuneCacheSchemaVersion));
  if (version < 1)
    fail("has no schema version; it is not a tuning cache this kdsl wrote");
  std::string verdict;
  {
    SqliteStmt check = db->prepare("PRAGMA quick_check");
    verdict = check.step() ? check.text(0) : "no answer";
  }
  if (verdict != "ok")
    fail("the file is corrupt (" + verdict + ")");
  if (writable)
    useWal();
  schema = version;
  if (version == kTuneCacheSchemaVersion || !writable) {
    checkValues();
    return;
  }
  write([&] {
    // Another process may have migrated it meanwhile.
    for (int64_t v = pragma("user_version"); v < kTuneCacheSchemaVersion; ++v)
      db->exec(kMigrations[v - 1]);
    db->exec("PRAGMA user_version=" + std::to_string(kTuneCacheSchemaVersion));
  });
  schema = kTuneCacheSchemaVersion;
  checkValues();
}

void TuneCache::Impl::checkValues() {
  // One condition per column that holds what it should; the first row that
  // breaks one, with the first column it breaks.
  std::vector<std::pair<size_t, std::string>> checks;
  for (size_t i = 0; i < kNumColumns; ++i) {
    if (column(i) == "NULL")
      continue;
    std::string c = kColumns[i];
    bool nullable = c == "median_us" || c == "p20_us" || c == "p80_us" ||
                    c == "registers" || c == "spill_bytes" ||
                    c == "shared_bytes";
    std::string ok;
    switch (kindOf(i)) {
    case ColumnKind::Text:
      ok = "typeof(" + c + ") = 'text'";
      break;
    case ColumnKind::Time:
      ok = "typeof(" + c + ") IN ('real', 'integer') AND " + c + " >= 0 AND " +
           c + " <= 1.7976931348623157e308";
      break;
    case ColumnKind::Count:
      ok = "typeof(" + c + ") = 'integer' AND " + c + " BETWEEN 0 AND " +
           std::to_string(INT_MAX);
      break;
    case ColumnKind::Flag:
      ok = "typeof(" + c + ") = 'integer' AND " + c + " IN (0, 1)";
      break;
    }
    if (nullable)
      ok = c + " IS NULL OR (" + ok + ")";
    checks.emplace_back(i, "(" + ok + ")");
  }
  // The rules across a row's columns, as imports check them: an ok row was
  // timed, an untimed one has no times.
  constexpr size_t kRowRule = kNumColumns;
  checks.emplace_back(kRowRule,
                      "((status != 'ok' OR reps >= 1) AND (reps != 0 OR "
                      "(median_us IS NULL AND p20_us IS NULL AND p80_us IS "
                      "NULL)) AND (reps = 0 OR (median_us IS NOT NULL AND "
                      "p20_us IS NOT NULL AND p80_us IS NOT NULL)))");
  std::string which = "CASE", any;
  for (const auto &[i, ok] : checks) {
    which += " WHEN NOT " + ok + " THEN " + std::to_string(i);
    any += (any.empty() ? "" : " OR ") + std::string("NOT ") + ok;
  }
  which += " END";
  SqliteStmt bad = db->prepare("SELECT rowid, " + which +
                               " FROM measurements WHERE " + any + " LIMIT 1");
  if (!bad.step())
    return;
  int64_t row = bad.integer(0);
  size_t i = static_cast<size_t>(bad.integer(1));
  if (i == kRowRule) {
    SqliteStmt value = db->prepare("SELECT kernel, key, config, gpu_name, "
                                   "status, reps FROM measurements WHERE "
                                   "rowid = ?");
    value.bind(1, row);
    value.step();
    fail("the row of kernel '" + value.text(0) + "', key '" + value.text(1) +
         "', config '" + value.text(2) + "' on " + value.text(3) + " is '" +
         value.text(4) + "' with reps " + value.text(5) +
         ", but an ok row was timed (reps >= 1), a timed row has all three "
         "times and a row with reps 0 none; the file was edited outside "
         "kdsl");
  }
  SqliteStmt value = db->prepare(
      std::string("SELECT typeof(") + kColumns[i] + "), quote(" + kColumns[i] +
      "), kernel, key, config, gpu_name FROM measurements WHERE rowid = ?");
  value.bind(1, row);
  value.step();
  std::string held = value.text(1);
  if (held.size() > 40)
    held = held.substr(0, 37) + "...";
  fail("the row of kernel '" + value.text(2) + "', key '" + value.text(3) +
       "', config '" + value.text(4) + "' on " + value.text(5) + ": '" +
       kColumns[i] + "' holds " + value.text(0) + " " + held +
       ", which is not " +
       (kindOf(i) == ColumnKind::Text   ? "text"
        : kindOf(i) == ColumnKind::Time ? "a finite time of at least 0"
        : kindOf(i) == ColumnKind::Flag
            ? "0 or 1"
            : "a whole number from 0 to " + std::to_string(INT_MAX)) +
       "; the file was edited outside kdsl");
}

TuneCache TuneCache::open(const std::string &path, Mode mode) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->what = "tuning cache '" + path + "'";
  struct stat info;
  bool exists = ::stat(path.c_str(), &info) == 0;
  if (exists && S_ISDIR(info.st_mode))
    impl->fail("is a directory");
  if (exists && !S_ISREG(info.st_mode))
    impl->fail("is not a regular file (a device, a FIFO or a socket)");
  if (!exists && mode == Mode::ReadOnly)
    return TuneCache(std::move(impl));
  if (!exists) {
    std::error_code error;
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent, error);
    if (error)
      impl->fail("cannot create its directory: " + error.message());
  }
  bool writable = mode == Mode::ReadWrite;
  int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       : SQLITE_OPEN_READONLY;
  // A WAL file where its -shm cannot be created (a read-only directory,
  // shipped with an application) is read as immutable; anything else
  // normally, so that a writer's data in the -wal file is seen.
  if (!writable && exists && readableOnlyAsImmutable(path))
    impl->db = std::make_unique<SqliteDb>(
        immutableUri(path), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, impl->what);
  else
    impl->db = std::make_unique<SqliteDb>(path, flags, impl->what);
  sqlite3_busy_timeout(impl->db->handle(), 30000);
  impl->checkAndMigrate(writable);
  return TuneCache(std::move(impl));
}

TuneCache::TuneCache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TuneCache::TuneCache(TuneCache &&) noexcept = default;
TuneCache &TuneCache::operator=(TuneCache &&) noexcept = default;
TuneCache::~TuneCache() = default;

const std::string &TuneCache::path() const { return impl_->path; }

//===----------------------------------------------------------------------===//
// Rows
//===----------------------------------------------------------------------===//

namespace {

/// Binds one row's fields (kColumns order) to `s`; empty numeric fields are
/// NULL.
void bindFields(SqliteStmt &s, const std::vector<std::string> &fields) {
  for (size_t i = 0; i < kNumColumns; ++i) {
    const std::string &f = fields[i];
    int index = static_cast<int>(i + 1);
    ColumnKind kind = kindOf(i);
    if (kind != ColumnKind::Text && f.empty())
      continue; // left NULL (bindings are cleared on reset)
    // Checked whole numbers may be written 12.0 or 1e2: read as doubles.
    double number = std::strtod(f.c_str(), nullptr);
    if (kind == ColumnKind::Time)
      s.bind(index, number);
    else if (kind != ColumnKind::Text)
      s.bind(index, static_cast<int64_t>(number));
    else
      s.bind(index, f);
  }
}

std::string insertSql() {
  std::string placeholders;
  for (size_t i = 0; i < kNumColumns; ++i)
    placeholders += i ? ", ?" : "?";
  return "INSERT OR REPLACE INTO measurements(" + columnList() + ") VALUES (" +
         placeholders + ")";
}

} // namespace

void TuneCache::record(const TuneRecord &record) {
  if (!impl_->db)
    impl_->fail("was opened read-only and does not exist");
  TuneRecord r = record;
  if (r.tunedAt.empty())
    r.tunedAt = nowUtc();
  impl_->write([&] {
    SqliteStmt s = impl_->db->prepare(insertSql());
    bindFields(s, fieldsOf(r));
    s.step();
  });
}

std::optional<TuneRecord>
TuneCache::winner(const KernelIdentity &kernel, const std::string &key,
                  const DeviceIdentity &device) const {
  if (!impl_->db || impl_->pragma("user_version") == 0)
    return std::nullopt;
  SqliteStmt s = impl_->db->prepare(
      "SELECT " + impl_->selectList() +
      " FROM measurements WHERE kernel = ? AND source_hash = ? AND "
      "compiler_version = ? AND key = ? AND gpu_name = ? AND "
      "compute_capability = ? AND driver_version = ? AND status = 'ok' "
      "AND median_us IS NOT NULL ORDER BY median_us, config LIMIT 1");
  s.bind(1, kernel.name)
      .bind(2, kernel.sourceHash)
      .bind(3, kernel.compilerVersion)
      .bind(4, key)
      .bind(5, device.name)
      .bind(6, device.computeCapability)
      .bind(7, device.driverVersion);
  if (!s.step())
    return std::nullopt;
  return recordOf(s);
}

std::vector<TuneRecord> TuneCache::rows(const std::string &kernelName) const {
  std::vector<TuneRecord> rows;
  if (!impl_->db || impl_->pragma("user_version") == 0)
    return rows;
  SqliteStmt s = impl_->db->prepare(
      "SELECT " + impl_->selectList() +
      " FROM measurements WHERE ?1 = '' OR kernel = ?1 ORDER BY kernel, "
      "source_hash, compiler_version, key, gpu_name, compute_capability, "
      "driver_version, status != 'ok', median_us, config");
  s.bind(1, kernelName);
  while (s.step())
    rows.push_back(recordOf(s));
  return rows;
}

std::vector<TuneSummary> TuneCache::list() const {
  std::vector<TuneSummary> list;
  if (!impl_->db || impl_->pragma("user_version") == 0)
    return list;
  const char *group = "kernel, source_hash, compiler_version, key, gpu_name, "
                      "compute_capability, driver_version";
  SqliteStmt s = impl_->db->prepare(
      std::string("SELECT ") + group +
      ", count(*), sum(status = 'ok'), (SELECT config FROM measurements w "
      "WHERE w.kernel = m.kernel AND w.source_hash = m.source_hash AND "
      "w.compiler_version = m.compiler_version AND w.key = m.key AND "
      "w.gpu_name = m.gpu_name AND w.compute_capability = "
      "m.compute_capability AND w.driver_version = m.driver_version AND "
      "w.status = 'ok' AND w.median_us IS NOT NULL ORDER BY w.median_us, "
      "w.config LIMIT 1), "
      "min(CASE WHEN status = 'ok' THEN median_us END) FROM measurements m "
      "GROUP BY " +
      group + " ORDER BY " + group);
  while (s.step()) {
    TuneSummary t;
    t.kernel = {s.text(0), s.text(1), s.text(2)};
    t.key = s.text(3);
    t.device = {s.text(4), s.text(5), s.text(6)};
    t.configs = static_cast<int>(s.integer(7));
    t.ok = static_cast<int>(s.integer(8));
    t.winner = s.text(9);
    t.winnerUs = s.real(10);
    list.push_back(t);
  }
  return list;
}

size_t TuneCache::prune(const std::string &keepCompilerVersion) {
  if (!impl_->db || impl_->pragma("user_version") == 0)
    return 0;
  size_t deleted = 0;
  impl_->write([&] {
    SqliteStmt s = impl_->db->prepare(
        "DELETE FROM measurements WHERE compiler_version != ?");
    s.bind(1, keepCompilerVersion);
    s.step();
    deleted = static_cast<size_t>(sqlite3_changes(impl_->db->handle()));
  });
  return deleted;
}

//===----------------------------------------------------------------------===//
// Export and import
//===----------------------------------------------------------------------===//

std::string TuneCache::exportCsv(const std::string &kernelName) const {
  std::string out;
  for (size_t i = 0; i < kNumColumns; ++i)
    out += (i ? "," : "") + std::string(kColumns[i]);
  out += "\n";
  for (const TuneRecord &r : rows(kernelName)) {
    std::vector<std::string> fields = fieldsOf(r);
    for (size_t i = 0; i < fields.size(); ++i)
      out += (i ? "," : "") + csvField(fields[i]);
    out += "\n";
  }
  return out;
}

std::string TuneCache::exportJson(const std::string &kernelName) const {
  if (!impl_->db || impl_->pragma("user_version") == 0)
    return "[]\n";
  std::string object;
  for (size_t i = 0; i < kNumColumns; ++i)
    object += std::string(i ? ", " : "") + "'" + kColumns[i] + "', " +
              impl_->column(i);
  SqliteStmt s = impl_->db->prepare(
      "SELECT coalesce(json_group_array(json_object(" + object +
      ")), '[]') FROM (SELECT * FROM measurements WHERE ?1 = '' OR kernel = "
      "?1 ORDER BY kernel, key, gpu_name, config)");
  s.bind(1, kernelName);
  s.step();
  return s.text(0) + "\n";
}

namespace {

/// Parses RFC 4180 CSV (after a UTF-8 byte order mark, if any) into records
/// of fields and the line each starts on; `error` names the line of a
/// malformed one.
std::vector<std::vector<std::string>> parseCsv(const std::string &input,
                                               std::vector<size_t> &lines,
                                               std::string &error) {
  std::string text =
      input.compare(0, 3, "\xEF\xBB\xBF") == 0 ? input.substr(3) : input;
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, inQuotes = false, any = false;
  size_t line = 1, recordLine = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inQuotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        inQuotes = false;
      } else {
        line += c == '\n';
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || quoted) {
        error = "line " + std::to_string(line) + ": a quote inside a field";
        return {};
      }
      inQuotes = quoted = any = true;
    } else if (c == ',') {
      fields.push_back(field);
      field.clear();
      quoted = false;
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
        ++i;
      if (any || !field.empty()) {
        fields.push_back(field);
        records.push_back(fields);
        lines.push_back(recordLine);
      }
      fields.clear();
      field.clear();
      quoted = any = false;
      recordLine = ++line;
    } else {
      if (quoted) {
        error = "line " + std::to_string(line) +
                ": text after a quoted field's closing quote";
        return {};
      }
      field += c;
      any = true;
    }
  }
  if (inQuotes) {
    error = "line " + std::to_string(recordLine) + ": an unterminated quote";
    return {};
  }
  if (any || !field.empty()) {
    fields.push_back(field);
    records.push_back(fields);
    lines.push_back(recordLine);
  }
  return records;
}

/// Why `text` does not fit column `column`; empty when it does (or is empty,
/// which checkFields decides). Counts are stored in an int, so whole numbers
/// from 0 to INT_MAX; JSON may carry them as reals (12.0).
std::string unfitField(size_t column, const std::string &text) {
  ColumnKind kind = kindOf(column);
  if (kind == ColumnKind::Text || text.empty())
    return "";
  std::string what = std::string("'") + kColumns[column] + "' = '" + text + "'";
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || end == text.c_str())
    return what + " is not a number";
  if (kind == ColumnKind::Time)
    return std::isfinite(v) && v >= 0 && errno != ERANGE
               ? ""
               : what + " is not a finite number of at least 0";
  if (v != std::trunc(v))
    return what + " is not a whole number";
  double max = kind == ColumnKind::Flag ? 1 : INT_MAX;
  if (!(v >= 0 && v <= max))
    return what + " is out of range (0 to " +
           std::to_string(static_cast<long long>(max)) + ")";
  return "";
}

/// Why `fields` (kColumns order) is not a valid row; empty when it is.
std::string checkFields(const std::vector<std::string> &fields) {
  for (size_t i = 0; i < kIdentityColumns; ++i)
    if (i != 3 && fields[i].empty()) // the key may be empty
      return std::string("'") + kColumns[i] + "' is empty";
  if (fields[8] != "ok" && fields[8] != "invalid" && fields[8] != "pruned")
    return "status '" + fields[8] + "' is not ok, invalid or pruned";
  for (size_t i = 0; i < kNumColumns; ++i)
    if (std::string why = unfitField(i, fields[i]); !why.empty())
      return why;
  if (fields[13].empty() || fields[14].empty())
    return std::string("'") + (fields[13].empty() ? "reps" : "revalidated") +
           "' is empty";
  if (fields[8] == "ok" && fields[10].empty())
    return "an ok row needs median_us";
  // Times belong to rows that were timed (reps > 0), which exports write;
  // anything else would not come back the same.
  bool timed = std::strtod(fields[13].c_str(), nullptr) > 0;
  if (fields[8] == "ok" && !timed)
    return "an ok row was timed: 'reps' must be at least 1";
  if (!timed &&
      !(fields[10].empty() && fields[11].empty() && fields[12].empty()))
    return "a row with 'reps' = 0 was not timed: median_us, p20_us and p80_us "
           "must be empty";
  if (timed && (fields[10].empty() || fields[11].empty() || fields[12].empty()))
    return "a timed row (reps > 0) needs median_us, p20_us and p80_us";
  if (fields[19].empty())
    return "'tuned_at' is empty";
  return "";
}

/// The identity of a row (its first kIdentityColumns fields), for finding
/// two rows of one import with the same key.
std::string identityOf(const std::vector<std::string> &fields) {
  std::string id;
  for (size_t i = 0; i < kIdentityColumns; ++i)
    id += fields[i] + '\x1f';
  return id;
}

} // namespace

TuneCache::ImportResult
TuneCache::Impl::importRows(const std::vector<std::vector<std::string>> &rows,
                            const std::vector<std::string> &where) {
  // Two rows of one file with one key: the second would silently replace
  // the first.
  std::map<std::string, size_t> seen;
  for (size_t r = 0; r < rows.size(); ++r) {
    auto [it, added] = seen.emplace(identityOf(rows[r]), r);
    if (!added)
      fail("cannot import: " + where[r] + " has the same key as " +
           where[it->second] +
           " (kernel, source_hash, compiler_version, key, config, gpu_name, "
           "compute_capability, driver_version); nothing was imported");
  }
  if (!db)
    fail("was opened read-only and does not exist");
  ImportResult result;
  result.rows = rows.size();
  write([&] {
    std::string match;
    for (size_t i = 0; i < kIdentityColumns; ++i)
      match += std::string(i ? " AND " : "") + kColumns[i] + " = ?" +
               std::to_string(i + 1);
    SqliteStmt exists =
        db->prepare("SELECT count(*) FROM measurements WHERE " + match);
    SqliteStmt insert = db->prepare(insertSql());
    for (const std::vector<std::string> &fields : rows) {
      exists.reset();
      for (size_t i = 0; i < kIdentityColumns; ++i)
        exists.bind(static_cast<int>(i + 1), fields[i]);
      exists.step();
      (exists.integer(0) ? result.replaced : result.added) += 1;
      insert.reset();
      bindFields(insert, fields);
      insert.step();
    }
  });
  return result;
}

TuneCache::ImportResult TuneCache::importCsv(const std::string &text) {
  std::string error;
  std::vector<size_t> lines;
  std::vector<std::vector<std::string>> records = parseCsv(text, lines, error);
  if (!error.empty())
    impl_->fail("cannot import CSV: " + error);
  if (records.empty())
    impl_->fail("cannot import CSV: no header line");
  const std::vector<std::string> &header = records.front();
  if (header.size() != kNumColumns)
    impl_->fail("cannot import CSV: the header has " +
                std::to_string(header.size()) + " columns, expected " +
                std::to_string(kNumColumns) + " (" + columnList() + ")");
  for (size_t i = 0; i < kNumColumns; ++i)
    if (header[i] != kColumns[i])
      impl_->fail("cannot import CSV: column " + std::to_string(i + 1) +
                  " is '" + header[i] + "', expected '" + kColumns[i] + "'");
  std::vector<std::string> where;
  for (size_t r = 1; r < records.size(); ++r) {
    where.push_back("line " + std::to_string(lines[r]));
    if (records[r].size() != kNumColumns)
      impl_->fail("cannot import CSV: " + where.back() + " has " +
                  std::to_string(records[r].size()) + " fields, expected " +
                  std::to_string(kNumColumns));
    if (std::string why = checkFields(records[r]); !why.empty())
      impl_->fail("cannot import CSV: " + where.back() + ": " + why);
  }
  records.erase(records.begin());
  return impl_->importRows(records, where);
}

TuneCache::ImportResult TuneCache::importJson(const std::string &text) {
  if (!impl_->db)
    impl_->fail("was opened read-only and does not exist");
  {
    SqliteStmt valid = impl_->db->prepare("SELECT json_valid(?1)");
    valid.bind(1, text);
    valid.step();
    if (valid.integer(0) == 0)
      impl_->fail("cannot import JSON: the text is not valid JSON");
  }
  {
    SqliteStmt shape = impl_->db->prepare("SELECT json_type(?1)");
    shape.bind(1, text);
    shape.step();
    if (shape.text(0) != "array")
      impl_->fail("cannot import JSON: expected an array of rows, got " +
                  (shape.isNull(0) ? std::string("nothing") : shape.text(0)));
  }
  // Every entry as text fields with their JSON types, checked before
  // anything is written: a number must be a JSON number, text a string.
  std::string extract;
  for (size_t i = 0; i < kNumColumns; ++i)
    extract += std::string(i ? ", " : "") + "json_extract(value, '$." +
               kColumns[i] + "'), json_type(value, '$." + kColumns[i] + "')";
  SqliteStmt entries = impl_->db->prepare("SELECT key, json_type(value), " +
                                          extract + " FROM json_each(?)");
  entries.bind(1, text);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> where;
  while (entries.step()) {
    where.push_back("entry " + entries.text(0));
    if (entries.text(1) != "object")
      impl_->fail("cannot import JSON: " + where.back() + " is not an object");
    std::vector<std::string> fields;
    for (size_t i = 0; i < kNumColumns; ++i) {
      int value = static_cast<int>(2 + 2 * i), type = value + 1;
      std::string jsonType = entries.isNull(type) ? "" : entries.text(type);
      bool numeric = kindOf(i) != ColumnKind::Text;
      if (!jsonType.empty() && jsonType != "null" &&
          (numeric ? jsonType != "integer" && jsonType != "real"
                   : jsonType != "text"))
        impl_->fail("cannot import JSON: " + where.back() + ": '" +
                    kColumns[i] + "' is a JSON " + jsonType + ", expected " +
                    (numeric ? "a number" : "a string"));
      fields.push_back(entries.isNull(value) ? "" : entries.text(value));
    }
    if (std::string why = checkFields(fields); !why.empty())
      impl_->fail("cannot import JSON: " + where.back() + ": " + why);
    rows.push_back(std::move(fields));
  }
  return impl_->importRows(rows, where);
}
