//===- KernelImpl.h - Kernel::Impl, shared by launches and tuning -*- C++
//-*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_RUNTIME_KERNELIMPL_H
#define KDSL_RUNTIME_KERNELIMPL_H

#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/ConstExpr.h"
#include "kdsl/bundle.hpp"
#include "kdsl/tune_cache.hpp"

#include "RuntimeImpl.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace kdsl::rt {

/// The memo key: explicit config, choice scalars, specialization bits.
struct KeyHash {
  size_t operator()(const std::vector<int64_t> &key) const {
    uint64_t hash = 1469598103934665603ull;
    for (int64_t value : key)
      hash = (hash ^ static_cast<uint64_t>(value)) * 1099511628211ull;
    return hash;
  }
};

/// One requirement of a specialized variant on an argument.
struct Requirement {
  enum class Kind {
    Align16, ///< a pointer 16-byte aligned
    Div16,   ///< an integer divisible by 16
    Equal1,  ///< an integer equal to 1 (a unit stride)
  };
  size_t arg;
  Kind kind;

  /// The spelling in a specialization: `align16`, `div16` or `eq1`.
  static std::optional<Kind> parse(const std::string &text);
  const char *spelling() const;
  /// Whether `a` meets it.
  bool holds(const Arg &a) const;
};

struct Kernel::Impl {
  /// A variant ready to launch: chosen for a key, its grid bound to the
  /// config, its module loaded on first launch.
  struct Prepared {
    const VariantInfo *variant = nullptr;
    const char *description = nullptr; ///< `'k' (BLOCK=...)`, interned
    /// Grid expressions with the config substituted; null for a dimension
    /// of 1. `constantGrid` holds the value where the expression is constant.
    std::array<kdsl::ConstExprRef, 3> grid;
    std::array<int64_t, 3> constantGrid{1, 1, 1};
    bool gridIsConstant = true;
    unsigned blockThreads = 128;
    /// Set on first launch.
    CUfunction function = nullptr;
    VariantResources resources;
  };

  KernelInfo info;
  std::string bundlePath;
  kdsl::KernelConfigInfo configInfo;
  /// Launch argument i binds parameter argParams[i].
  std::vector<size_t> argParams;
  /// Launch arguments whose values decide the variant (read by a default or
  /// by `where`).
  std::vector<size_t> choiceArgs;
  /// Per variant, its specialization requirements.
  std::vector<std::vector<Requirement>> requirements;

  std::mutex mutex;
  std::unordered_map<std::vector<int64_t>, std::unique_ptr<Prepared>, KeyHash>
      memo;
  std::map<const VariantInfo *, CUmodule> modules;
  /// Choices dropped from the memo (after tuning); kept alive because a
  /// launch in flight may still use one.
  std::vector<std::unique_ptr<Prepared>> retired;

  /// What tuning results are valid for.
  KernelIdentity identity;
  /// The @autotune key: (launch argument, exact) per key parameter.
  std::vector<std::pair<size_t, bool>> keyArgs;
  /// Every requirement some variant has: the specialization bits of a key.
  std::vector<std::pair<Requirement, std::string>> keyRequirements;
  /// Serializes tuning (KDSL_AUTOTUNE=1) of this kernel; the keys it has
  /// looked up or tuned.
  std::mutex tuneMutex;
  std::set<std::string> autotunedKeys;

  Impl(KernelInfo kernel, std::string path, std::string compilerVersion);

  [[noreturn]] void fail(const std::string &message) const {
    throw Error("kernel '" + info.name + "': " + message);
  }

  /// Checks `args` against the signature (count, kinds, types, ranges).
  void checkArgs(const Arg *args, size_t count) const;
  void makeKey(const Arg *args, const LaunchOptions &options,
               std::vector<int64_t> &key) const;
  /// Whether these arguments' choice is memoized; the mutex must be held.
  bool isMemoized(const Arg *args, const LaunchOptions &options) const;
  /// Finds or builds the prepared variant; the mutex must be held. Without
  /// an explicit config, a tuned winner from the tuning cache comes first.
  Prepared &prepare(const Arg *args, const LaunchOptions &options);
  /// The variant for these arguments with the explicit config of
  /// `options` completed by `tuned` (may be null); throws Error.
  std::unique_ptr<Prepared> build(const Arg *args, const LaunchOptions &options,
                                  const ConfigEntries *tuned);
  /// The tuning cache's key for these arguments and explicit config: the
  /// key parameters' buckets, the explicit values of constexprs outside the
  /// space, then the specialization requirements the arguments meet, each
  /// part after a ';' when present.
  std::string tuneKey(const Arg *args, const ConfigEntries &config) const;
  /// Whether `config` sets a parameter of the @autotune space (then no
  /// tuned config applies).
  bool setsTunedAxis(const ConfigEntries &config) const;
  /// The winner's config for these arguments on this GPU, when the tuning
  /// cache launches read has one.
  std::optional<ConfigEntries> tunedConfig(const Arg *args,
                                           const ConfigEntries &config) const;
  /// KDSL_AUTOTUNE=1: tunes these arguments' key into the tuning cache
  /// when it has no winner for it yet.
  void autotune(Kernel &kernel, const Arg *args, size_t count,
                const LaunchOptions &options);
  /// Packs the arguments and calls cuLaunchKernel; `prepared` is loaded.
  void launchPrepared(const Prepared &prepared, const Arg *args, size_t count,
                      const LaunchOptions &options);
  std::array<uint32_t, 3> evaluateGrid(const Prepared &prepared,
                                       const Arg *args,
                                       const LaunchOptions &options) const;
  /// Loads the module of `prepared`'s variant; the mutex must be held.
  void load(Prepared &prepared);
};

/// Whether KDSL_AUTOTUNE=1 (read once).
bool autotuneOnLaunch();

/// The tuning cache launches consult (setTuningCache, else the default
/// path), opened read-only on first use; null when disabled or missing.
/// Throws Error (each time) when the file is broken.
std::shared_ptr<TuneCache> launchTuningCache();
/// Its path ("" when disabled).
std::string launchTuningCachePath();
/// Reopens the launch cache on next use if it is `path` (a tuning wrote
/// it; it may not have existed when first opened).
void reopenLaunchTuningCache(const std::string &path);

} // namespace kdsl::rt

#endif // KDSL_RUNTIME_KERNELIMPL_H
