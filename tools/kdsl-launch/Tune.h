//===- Tune.h - Tuning and tuning caches from the command line --*- C++ -*-===//
//
// Part of the kdsl project: what `kdslc tune`, `kdslc cache` and
// `kdsl-launch --tune` share. Runtime only (no MLIR), so the GPU machine's
// harness can tune bundles compiled elsewhere.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_TOOLS_TUNE_H
#define KDSL_TOOLS_TUNE_H

#include "kdsl/bundle.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace kdsl {

struct TuneCommand {
  std::string tool = "kdslc tune"; ///< prefixes messages
  std::string kernel;
  /// NAME=VALUE scalars and constexprs, NAME=@FILE.npy or NAME=DTYPE:COUNT
  /// (random) buffers.
  std::vector<std::string> bindings;
  std::string db;     ///< empty: the default tune.db
  std::string report; ///< an HTML page to write
  int top = 3;
  double budgetMs = 100;
  bool noPrune = false;
};

/// The bundle to tune, made once the command line checked out and a GPU
/// is there: given the values defaults read (`n_cols=1000`, constexprs
/// given), the GPU's arch (`sm_90a`), and where to list variants that failed
/// to compile; returns its path, or "" after reporting an error.
using BundleMaker = std::function<std::string(
    const std::vector<std::string> &config, const std::string &arch,
    std::vector<std::pair<rt::ConfigEntries, std::string>> &failures)>;

/// Times every config of `kernel`'s @autotune space on the GPU with the
/// command's arguments, prints a table and the winner, stores the results
/// in the tuning cache. Returns the exit status.
int tuneKernel(const rt::KernelInfo &kernel, const TuneCommand &command,
               const BundleMaker &makeBundle);

struct CacheCommand {
  std::string action; ///< list, show, export, import, prune, report
  std::string db;
  std::string kernel; ///< show, report (required), export (optional)
  std::string format; ///< export, import: csv or json (default: by name)
  std::string output; ///< export, report
  std::string input;  ///< import
  std::string keep;   ///< prune: the compiler version to keep
  /// This compiler (`kdslc 0.1.0`): what prune keeps by default.
  std::string compilerVersion;
};

/// `kdslc cache ACTION`: inspect and manage a tuning cache.
int cacheCommand(const CacheCommand &command);

} // namespace kdsl

#endif // KDSL_TOOLS_TUNE_H
