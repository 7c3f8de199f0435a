//===- TuneCacheTest.cpp - tune.db: schema, queries, concurrency, kills ---===//

#include "kdsl/Autotune/Sweep.h"
#include "kdsl/tune_cache.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace kdsl::rt;
namespace fs = std::filesystem;

namespace {

class TuneCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("kdsl-tune-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "tune.db").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  static TuneRecord row(const std::string &config, double us,
                        const std::string &key = "n=1024") {
    TuneRecord r;
    r.kernel = {"softmax", "abc123", "kdslc 0.1.0"};
    r.key = key;
    r.config = config;
    r.device = {"NVIDIA H200", "9.0", "13.0"};
    r.medianUs = us;
    r.p20Us = us * 0.98;
    r.p80Us = us * 1.03;
    r.reps = 100;
    r.registers = 32;
    r.spillBytes = 0;
    r.sharedBytes = 64;
    return r;
  }
  static std::string readFile(const std::string &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void writeFile(const std::string &p, const std::string &text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  static std::string errorOf(const std::function<void()> &f) {
    try {
      f();
    } catch (const Error &e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path dir;
  std::string path;
};

TEST_F(TuneCacheTest, TheWinnerIsTheFastestOkRow) {
  TuneCache cache = TuneCache::open(path);
  cache.record(row("BLOCK=1024,num_warps=4,num_stages=2", 30));
  cache.record(row("BLOCK=1024,num_warps=8,num_stages=2", 20));
  TuneRecord invalid = row("BLOCK=1024,num_warps=32,num_stages=2", 1);
  invalid.status = "invalid";
  invalid.reason = "too many threads";
  cache.record(invalid);
  cache.record(row("BLOCK=1024,num_warps=2,num_stages=2", 10, "n=2048"));
  auto w = cache.winner({"softmax", "abc123", "kdslc 0.1.0"}, "n=1024",
                        {"NVIDIA H200", "9.0", "13.0"});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->config, "BLOCK=1024,num_warps=8,num_stages=2");
  EXPECT_EQ(w->registers, 32);
  EXPECT_FALSE(w->tunedAt.empty());
  // Another device, source or compiler: no winner.
  EXPECT_FALSE(cache.winner({"softmax", "abc123", "kdslc 0.1.0"}, "n=1024",
                            {"NVIDIA H100", "9.0", "13.0"}));
  EXPECT_FALSE(cache.winner({"softmax", "other", "kdslc 0.1.0"}, "n=1024",
                            {"NVIDIA H200", "9.0", "13.0"}));
  // A row is replaced, not duplicated; adding a config keeps the others.
  cache.record(row("BLOCK=1024,num_warps=4,num_stages=2", 5));
  EXPECT_EQ(cache.rows().size(), 4u);
  EXPECT_EQ(cache
                .winner({"softmax", "abc123", "kdslc 0.1.0"}, "n=1024",
                        {"NVIDIA H200", "9.0", "13.0"})
                ->config,
            "BLOCK=1024,num_warps=4,num_stages=2");
  std::vector<TuneSummary> list = cache.list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].key, "n=1024");
  EXPECT_EQ(list[0].configs, 3);
  EXPECT_EQ(list[0].ok, 2);
  EXPECT_EQ(list[0].winner, "BLOCK=1024,num_warps=4,num_stages=2");
  EXPECT_DOUBLE_EQ(list[0].winnerUs, 5);
}

TEST_F(TuneCacheTest, TheFileIsWalAndMarkedAsKdsl) {
  TuneCache::open(path);
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto pragma = [&](const char *sql) {
    sqlite3_stmt *s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    sqlite3_step(s);
    std::string v = reinterpret_cast<const char *>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA application_id"), std::to_string(0x6b64736c));
  EXPECT_EQ(pragma("PRAGMA user_version"),
            std::to_string(kTuneCacheSchemaVersion));
  sqlite3_close(db);
}

TEST_F(TuneCacheTest, AMissingFileReadOnlyIsEmptyAndNotCreated) {
  std::string missing = (dir / "sub" / "tune.db").string();
  TuneCache cache = TuneCache::open(missing, TuneCache::Mode::ReadOnly);
  EXPECT_TRUE(cache.list().empty());
  EXPECT_TRUE(cache.rows().empty());
  EXPECT_EQ(cache.exportCsv().find('\n') + 1, cache.exportCsv().size());
  EXPECT_FALSE(fs::exists(missing));
  // Writing creates it, with its directory.
  TuneCache::open(missing).record(row("num_warps=4", 1));
  EXPECT_TRUE(fs::exists(missing));
}

TEST_F(TuneCacheTest, ExportAndImportRoundTrip) {
  {
    TuneCache cache = TuneCache::open(path);
    TuneRecord a = row("BLOCK=128,num_warps=4,num_stages=2", 12.5);
    a.reason = "a, \"quoted\"\nreason";
    cache.record(a);
    TuneRecord b = row("BLOCK=256,num_warps=4,num_stages=2", 0);
    b.status = "invalid";
    b.reps = 0;
    b.registers = -1;
    cache.record(b);
  }
  TuneCache cache = TuneCache::open(path);
  std::string csv = cache.exportCsv(), json = cache.exportJson();
  for (const char *format : {"csv", "json"}) {
    std::string other = (dir / (std::string(format) + ".db")).string();
    TuneCache copy = TuneCache::open(other);
    TuneCache::ImportResult n = std::string(format) == "csv"
                                    ? copy.importCsv(csv)
                                    : copy.importJson(json);
    EXPECT_EQ(n.rows, 2u) << format;
    EXPECT_EQ(n.added, 2u) << format;
    EXPECT_EQ(copy.exportCsv(), csv) << format;
    std::vector<TuneRecord> rows = copy.rows();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].reason, "a, \"quoted\"\nreason");
    EXPECT_EQ(rows[1].registers, -1);
    EXPECT_EQ(rows[1].reps, 0);
  }
}

TEST_F(TuneCacheTest, MalformedImportsNameTheRecordAndImportNothing) {
  TuneCache cache = TuneCache::open(path);
  std::string csv = cache.exportCsv();
  std::string header = csv.substr(0, csv.find('\n') + 1);
  std::string good = "softmax,h,kdslc 0.1.0,n=1,\"num_warps=4\",GPU,9.0,13.0,"
                     "ok,,1.5,1.4,1.6,10,0,,,,,2026-11-26T00:00:00Z\n";
  EXPECT_NE(errorOf([&] {
              cache.importCsv("kernel,config\n");
            }).find("the header has 2 columns"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              cache.importCsv(header + good +
                              "softmax,h,v,k,c,G,9.0,13.0,fast,,1,1,1,1,0,,,,,"
                              "2026-11-26T00:00:00Z\n");
            }).find("line 3: status 'fast' is not ok, invalid or pruned"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              cache.importCsv(header + "\"unterminated\n");
            }).find("unterminated quote"),
            std::string::npos);
  EXPECT_NE(
      errorOf([&] { cache.importJson("{not json"); }).find("not valid JSON"),
      std::string::npos);
  EXPECT_NE(errorOf([&] {
              cache.importJson("[{\"kernel\": \"k\"}]");
            }).find("entry 0: 'source_hash' is empty"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              std::string nan = good;
              nan.replace(nan.find("1.5"), 3, "nan");
              cache.importCsv(header + nan);
            }).find("'median_us' = 'nan' is not a finite number of at least 0"),
            std::string::npos);
  EXPECT_TRUE(cache.rows().empty());
  // A byte order mark (spreadsheets write one) is not part of the header.
  EXPECT_EQ(cache.importCsv("\xEF\xBB\xBF" + header + good).added, 1u);
}

TEST_F(TuneCacheTest, ImportsAreExact) {
  TuneCache cache = TuneCache::open(path);
  std::string csv = cache.exportCsv();
  std::string header = csv.substr(0, csv.find('\n') + 1);
  // kernel .. driver_version, status, reason, median, p20, p80, reps,
  // revalidated, variant, registers, spills, shared, tuned_at.
  auto line = [](const std::string &config, const std::string &median,
                 const std::string &reps, const std::string &registers) {
    return "softmax,h,kdslc 0.1.0,n=1,\"" + config + "\",GPU,9.0,13.0,ok,," +
           median + ",1,2," + reps + ",0,," + registers +
           ",0,0,2026-11-26T00:00:00Z\n";
  };
  auto error = [&](const std::string &rows) {
    return errorOf([&] { cache.importCsv(header + rows); });
  };
  // A field that does not fit its column: named with its line, not stored
  // as something else (5.9 used to become 5, 1e300 reps 1).
  EXPECT_NE(error(line("a", "1.5", "5.9", "32"))
                .find("line 2: 'reps' = '5.9' is not a whole number"),
            std::string::npos);
  EXPECT_NE(error(line("a", "1.5", "1e300", "32"))
                .find("line 2: 'reps' = '1e300' is out of range (0 to "
                      "2147483647)"),
            std::string::npos);
  EXPECT_NE(error(line("a", "1.5", "10", "99999999999999999999"))
                .find("'registers' = '99999999999999999999' is out of range"),
            std::string::npos);
  EXPECT_NE(error(line("a", "fast", "10", "32"))
                .find("'median_us' = 'fast' is not a number"),
            std::string::npos);
  EXPECT_NE(error(line("a", "1e999", "10", "32"))
                .find("'median_us' = '1e999' is not a finite number"),
            std::string::npos);
  // An ok row is a timed one, and an untimed row has no times: either way
  // the row would not export and import back the same (the fuzzer found
  // the first).
  EXPECT_NE(error(line("a", "1.5", "0", "32"))
                .find("line 2: an ok row was timed: 'reps' must be at least 1"),
            std::string::npos);
  // A timed row has all three times (a missing median came back as 0).
  std::string partial = line("a", "1.5", "10", "32");
  partial.replace(partial.find(",1.5,1,2,"), 9, ",1.5,,2,");
  EXPECT_NE(error(partial).find("line 2: a timed row (reps > 0) needs "
                                "median_us, p20_us and p80_us"),
            std::string::npos);
  // Two rows with one key: an error naming both lines, nothing stored.
  EXPECT_NE(error(line("a", "1.5", "10", "32") + line("a", "2.5", "10", "32"))
                .find("line 3 has the same key as line 2"),
            std::string::npos);
  EXPECT_TRUE(cache.rows().empty());
  // JSON: a number where a string belongs and the reverse.
  EXPECT_NE(errorOf([&] {
              cache.importJson(R"([{"kernel": "k", "median_us": "1.5"}])");
            }).find("entry 0: 'median_us' is a JSON text, expected a number"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              cache.importJson(R"([{"kernel": 7}])");
            }).find("entry 0: 'kernel' is a JSON integer, expected a string"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              cache.importJson(R"([{"kernel": true}])");
            }).find("entry 0: 'kernel' is a JSON true, expected a string"),
            std::string::npos);

  // What fits is stored as written (1e2 and 12.0 are whole), and the result
  // says which rows were new and which replaced a row.
  TuneCache::ImportResult first =
      cache.importCsv(header + line("a", "1e300", "1e2", "12.0"));
  EXPECT_EQ(first.added, 1u);
  EXPECT_EQ(first.replaced, 0u);
  std::vector<TuneRecord> rows = cache.rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].reps, 100);
  EXPECT_EQ(rows[0].registers, 12);
  EXPECT_EQ(rows[0].medianUs, 1e300);
  TuneCache::ImportResult second = cache.importCsv(
      header + line("a", "2", "10", "32") + line("b", "3", "10", "32"));
  EXPECT_EQ(second.rows, 2u);
  EXPECT_EQ(second.added, 1u);
  EXPECT_EQ(second.replaced, 1u);
}

TEST_F(TuneCacheTest, ValuesAreCheckedOnRead) {
  {
    TuneCache cache = TuneCache::open(path);
    cache.record(row("num_warps=4", 1));
  }
  // Edited outside kdsl: a text time would list as the winner "at 0.00".
  ASSERT_EQ(std::system(("sqlite3 '" + path +
                         "' \"UPDATE measurements SET median_us = 'fast'\"")
                            .c_str()),
            0);
  std::string other = (dir / "rule.db").string();
  {
    TuneCache cache = TuneCache::open(other);
    cache.record(row("num_warps=4", 1));
  }
  ASSERT_EQ(std::system(
                ("sqlite3 '" + other + "' \"UPDATE measurements SET reps = 0\"")
                    .c_str()),
            0);
  EXPECT_NE(errorOf([&] {
              TuneCache::open(other);
            }).find("is 'ok' with reps 0, but an ok row was timed"),
            std::string::npos);
  for (TuneCache::Mode mode :
       {TuneCache::Mode::ReadOnly, TuneCache::Mode::ReadWrite})
    EXPECT_NE(errorOf([&] { TuneCache::open(path, mode); })
                  .find("the row of kernel 'softmax', key 'n=1024', "
                        "config 'num_warps=4' on NVIDIA H200: 'median_us' "
                        "holds text 'fast', which is not a finite time of at "
                        "least 0"),
              std::string::npos);
}

TEST_F(TuneCacheTest, ReadingNeverWrites) {
  // An empty file stays empty when read; an older schema reads as it is.
  { std::ofstream(path, std::ios::binary); }
  {
    TuneCache cache = TuneCache::open(path, TuneCache::Mode::ReadOnly);
    EXPECT_TRUE(cache.list().empty());
    EXPECT_TRUE(cache.rows().empty());
  }
  EXPECT_EQ(fs::file_size(path), 0u);
}

TEST_F(TuneCacheTest, PruneDropsOtherCompilerVersions) {
  TuneCache cache = TuneCache::open(path);
  cache.record(row("num_warps=4", 1));
  TuneRecord old = row("num_warps=8", 2);
  old.kernel.compilerVersion = "kdslc 0.0.9";
  cache.record(old);
  EXPECT_EQ(cache.prune("kdslc 0.1.0"), 1u);
  ASSERT_EQ(cache.rows().size(), 1u);
  EXPECT_EQ(cache.rows()[0].kernel.compilerVersion, "kdslc 0.1.0");
}

TEST_F(TuneCacheTest, SchemaOneIsMigratedForward) {
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // Schema 1 had no resource columns.
  const char *v1 = R"sql(
    PRAGMA application_id = 1801745260;
    PRAGMA user_version = 1;
    CREATE TABLE measurements(kernel TEXT NOT NULL, source_hash TEXT NOT NULL,
      compiler_version TEXT NOT NULL, key TEXT NOT NULL, config TEXT NOT NULL,
      gpu_name TEXT NOT NULL, compute_capability TEXT NOT NULL,
      driver_version TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL
      DEFAULT '', median_us REAL, p20_us REAL, p80_us REAL, reps INTEGER NOT
      NULL DEFAULT 0, revalidated INTEGER NOT NULL DEFAULT 0, variant TEXT NOT
      NULL DEFAULT '', tuned_at TEXT NOT NULL, PRIMARY KEY (kernel,
      source_hash, compiler_version, key, config, gpu_name,
      compute_capability, driver_version));
    INSERT INTO measurements VALUES ('softmax', 'abc123', 'kdslc 0.1.0',
      'n=1024', 'num_warps=4', 'NVIDIA H200', '9.0', '13.0', 'ok', '', 7.5,
      7.0, 8.0, 50, 1, '', '2026-01-01T00:00:00Z');)sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  {
    // Read-only, it is read as it is (kdslc cache list never writes).
    std::string before = readFile(path);
    TuneCache reader = TuneCache::open(path, TuneCache::Mode::ReadOnly);
    std::vector<TuneRecord> rows = reader.rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].registers, -1);
    EXPECT_NE(reader.exportJson().find("\"registers\":null"),
              std::string::npos);
    EXPECT_EQ(reader.list().size(), 1u);
    EXPECT_EQ(readFile(path), before);
  }
  TuneCache cache = TuneCache::open(path);
  std::vector<TuneRecord> rows = cache.rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].medianUs, 7.5);
  EXPECT_EQ(rows[0].registers, -1);
  cache.record(row("num_warps=8", 3));
  EXPECT_EQ(cache.rows().size(), 2u);
}

TEST_F(TuneCacheTest, ForeignCorruptAndNewerFilesAreRefusedAndLeftAlone) {
  // Not SQLite at all.
  writeFile(path, std::string(4096, 'x'));
  std::string before = readFile(path);
  EXPECT_NE(errorOf([&] { TuneCache::open(path); })
                .find("tuning cache '" + path +
                      "': the file is corrupt or not an SQLite database"),
            std::string::npos);
  EXPECT_EQ(readFile(path), before);

  // An SQLite database of another application.
  fs::remove(path);
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db,
               "CREATE TABLE photos(id INTEGER); INSERT INTO photos "
               "VALUES (1);",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  before = readFile(path);
  EXPECT_NE(
      errorOf([&] { TuneCache::open(path); }).find("not a kdsl tuning cache"),
      std::string::npos);
  EXPECT_EQ(readFile(path), before);

  // A newer kdsl's.
  fs::remove(path);
  TuneCache::open(path).record(row("num_warps=4", 1));
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_NE(errorOf([&] {
              TuneCache::open(path);
            }).find("written by a newer kdsl (schema 99)"),
            std::string::npos);

  // Truncated in the middle of its pages.
  fs::remove(path);
  {
    TuneCache cache = TuneCache::open(path);
    for (int i = 0; i < 200; ++i)
      cache.record(row("num_warps=" + std::to_string(i), i));
  }
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db,
               "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE",
               nullptr, nullptr, nullptr);
  sqlite3_close(db);
  fs::resize_file(path, fs::file_size(path) / 2);
  before = readFile(path);
  std::string error = errorOf([&] { TuneCache::open(path).rows(); });
  EXPECT_NE(error.find("corrupt"), std::string::npos) << error;
  EXPECT_EQ(readFile(path), before);
}

TEST_F(TuneCacheTest, TheDefaultPathFollowsTheEnvironment) {
  auto with = [](const char *name, const char *value) {
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  };
  const char *saved[3] = {std::getenv("KDSL_CACHE_DIR"),
                          std::getenv("XDG_CACHE_HOME"), std::getenv("HOME")};
  std::string keep[3];
  for (int i = 0; i < 3; ++i)
    keep[i] = saved[i] ? saved[i] : "";
  with("KDSL_CACHE_DIR", "/a");
  with("XDG_CACHE_HOME", "/b");
  with("HOME", "/c");
  EXPECT_EQ(TuneCache::defaultPath(), "/a/tune.db");
  with("KDSL_CACHE_DIR", nullptr);
  EXPECT_EQ(TuneCache::defaultPath(), "/b/kdsl/tune.db");
  with("XDG_CACHE_HOME", nullptr);
  EXPECT_EQ(TuneCache::defaultPath(), "/c/.cache/kdsl/tune.db");
  const char *names[3] = {"KDSL_CACHE_DIR", "XDG_CACHE_HOME", "HOME"};
  for (int i = 0; i < 3; ++i)
    with(names[i], saved[i] ? keep[i].c_str() : nullptr);
}

TEST_F(TuneCacheTest, ConcurrentWritersLoseNothing) {
  constexpr int kProcesses = 4, kRows = 40;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      try {
        TuneCache cache = TuneCache::open(path);
        for (int i = 0; i < kRows; ++i)
          cache.record(row("p" + std::to_string(p) + ",i" + std::to_string(i),
                           p * 100 + i));
      } catch (const std::exception &e) {
        std::fprintf(stderr, "child %d: %s\n", p, e.what());
        ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(TuneCache::open(path).rows().size(),
            static_cast<size_t>(kProcesses * kRows));
}

/// A slow fake device: each measurement takes 40 ms.
class SlowMeasurer : public kdsl::tune::Measurer {
public:
  kdsl::tune::Timing measure(size_t index, double) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    double t = 10 + static_cast<double>(index);
    return {t, t, t, 20};
  }
};

TEST_F(TuneCacheTest, AKilledSweepKeepsEveryFinishedConfig) {
  constexpr size_t kConfigs = 200;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    TuneCache cache = TuneCache::open(path);
    SlowMeasurer device;
    kdsl::tune::SweepOptions options;
    options.prune = false;
    kdsl::tune::sweep(std::vector<std::string>(kConfigs), device, options,
                      [&](const kdsl::tune::CandidateResult &r) {
                        TuneRecord rec = row("config" + std::to_string(r.index),
                                             r.timing.medianUs);
                        rec.reps = r.timing.reps;
                        cache.record(rec);
                      });
    ::_exit(0);
  }
  // Wait for a few rows, then kill it mid-sweep.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  size_t seen = 0;
  while (seen < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (fs::exists(path))
      seen = TuneCache::open(path, TuneCache::Mode::ReadOnly).rows().size();
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(seen, 5u);

  // A valid database holding configs 0..n-1, each complete.
  TuneCache cache = TuneCache::open(path);
  std::vector<TuneRecord> rows = cache.rows();
  ASSERT_GE(rows.size(), seen);
  ASSERT_LT(rows.size(), kConfigs);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].config, "config" + std::to_string(i));
    EXPECT_DOUBLE_EQ(rows[i].medianUs, 10 + static_cast<double>(i));
    EXPECT_EQ(rows[i].reps, 20);
  }
}

} // namespace
