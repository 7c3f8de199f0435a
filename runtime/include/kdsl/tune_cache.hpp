//===- tune_cache.hpp - The SQLite tuning cache (tune.db) -------*- C++ -*-===//
//
// Part of the kdsl project.
//
// Every measurement the autotuner makes, one row per (kernel identity, key
// bucket, config, device), so adding a config to a space invalidates nothing.
// The winner for (kernel, key, device) is a query over the rows. WAL mode and
// busy timeouts let several processes tune into one file at once; each row
// is committed as it is measured, so a killed sweep loses only the config it
// was timing.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_TUNE_CACHE_HPP
#define KDSL_TUNE_CACHE_HPP

#include "kdsl/runtime.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kdsl::rt {

/// The schema this build writes; older files are migrated forward on open.
constexpr int kTuneCacheSchemaVersion = 2;

/// What a tuning result is valid for: the kernel as compiled.
struct KernelIdentity {
  std::string name;
  std::string sourceHash;
  std::string compilerVersion; ///< `kdslc 0.1.0`
};

/// The GPU a result was measured on.
struct DeviceIdentity {
  std::string name;              ///< `NVIDIA H200`
  std::string computeCapability; ///< `9.0`
  std::string driverVersion;     ///< `13.0` (CUDA version of the driver)
  static DeviceIdentity of(const DeviceInfo &info);
};

/// One row of the cache.
struct TuneRecord {
  KernelIdentity kernel;
  /// The key parameters' bucketed values and the launch's specialization:
  /// `n_cols=1024` or `n_cols=1024;x:align16,n:div16`.
  std::string key;
  std::string config; ///< `BLOCK=1024,num_warps=4,num_stages=2`
  DeviceIdentity device;
  std::string status = "ok"; ///< ok, invalid or pruned
  std::string reason;
  double medianUs = 0, p20Us = 0, p80Us = 0;
  int reps = 0;
  bool revalidated = false;
  /// The specialization of the variant timed (empty: generic).
  std::string variant;
  int registers = -1, spillBytes = -1, sharedBytes = -1;
  std::string tunedAt; ///< UTC, ISO 8601; set by record() when empty
};

/// Per (kernel identity, key, device): how many configs and the winner.
struct TuneSummary {
  KernelIdentity kernel;
  std::string key;
  DeviceIdentity device;
  int configs = 0, ok = 0;
  std::string winner; ///< empty when no config ran
  double winnerUs = 0;
};

class TuneCache {
public:
  /// `$KDSL_CACHE_DIR/tune.db`, else `$XDG_CACHE_HOME/kdsl/tune.db`, else
  /// `$HOME/.cache/kdsl/tune.db`.
  static std::string defaultPath();

  enum class Mode {
    /// Reads only; a missing file is an empty cache and is not created.
    ReadOnly,
    /// Creates the file (and its directory) when missing.
    ReadWrite
  };
  /// Opens `path`. Throws Error naming the file when it is not SQLite, is
  /// corrupt, belongs to another application or to a newer kdsl; the file
  /// is left untouched then. An older schema is migrated (ReadWrite).
  static TuneCache open(const std::string &path, Mode mode = Mode::ReadWrite);

  TuneCache(TuneCache &&) noexcept;
  TuneCache &operator=(TuneCache &&) noexcept;
  ~TuneCache();

  const std::string &path() const;

  /// Inserts or replaces the row of (kernel, key, config, device),
  /// committed before returning.
  void record(const TuneRecord &record);
  /// The ok row with the lowest median for (kernel, key, device).
  std::optional<TuneRecord> winner(const KernelIdentity &kernel,
                                   const std::string &key,
                                   const DeviceIdentity &device) const;
  /// Every row, or those of one kernel name; by kernel, key, device, then
  /// status and median.
  std::vector<TuneRecord> rows(const std::string &kernelName = "") const;
  std::vector<TuneSummary> list() const;
  /// Deletes the rows of every compiler version but `keep`; returns how
  /// many.
  size_t prune(const std::string &keepCompilerVersion);

  /// Every row (or one kernel's) as CSV with a header line, or as a JSON
  /// array of objects.
  std::string exportCsv(const std::string &kernelName = "") const;
  std::string exportJson(const std::string &kernelName = "") const;
  /// What an import did: of the file's rows, how many keys the cache did
  /// not hold, and how many rows of the cache they replaced.
  struct ImportResult {
    size_t rows = 0, added = 0, replaced = 0;
  };
  /// Adds (or replaces) rows from an export. Every field must fit its
  /// column exactly (a whole number for reps, registers and the byte
  /// counts, within their range; a finite number of at least 0 for the
  /// times), and no two rows may share a key; otherwise throws Error naming
  /// the line or entry and the column, and imports nothing.
  ImportResult importCsv(const std::string &text);
  ImportResult importJson(const std::string &text);

  struct Impl;

private:
  explicit TuneCache(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Sets the tuning cache that launches consult for kernels with an
/// @autotune space (and that KDSL_AUTOTUNE=1 tunes into): a path, or "" for
/// none. Default: TuneCache::defaultPath(). Call it before launching.
void setTuningCache(const std::string &path);

/// How Kernel::tune times each config.
struct TuneOptions {
  /// Repetitions per config, by time (each after an L2 flush).
  double budgetMs = 100;
  /// The best this many are timed again before a winner is declared.
  size_t revalidateTop = 3;
  /// Skip configs whose early estimate is over 3x the best so far.
  bool prune = true;
  /// (configs done, configs in all), after each one.
  std::function<void(size_t, size_t)> progress;
  /// Constexprs outside the space, the same for every config (`D=64`);
  /// launches that give the same values use the result.
  ConfigEntries config;
  /// Variants that failed to compile (their config, why): a config they
  /// match is invalid for that reason.
  std::vector<std::pair<ConfigEntries, std::string>> compileFailures;
};

/// What Kernel::tune measured (also recorded in the cache as it went).
struct TuneReport {
  std::string key;
  DeviceIdentity device;
  /// One per config of the space, in the space's order.
  std::vector<TuneRecord> records;
  /// Index of the winner in records; -1 when no config ran.
  int winner = -1;
  size_t pruned = 0, invalid = 0;
  double seconds = 0;
};

} // namespace kdsl::rt

#endif // KDSL_TUNE_CACHE_HPP
