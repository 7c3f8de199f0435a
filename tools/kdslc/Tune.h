//===- Tune.h - kdslc tune and kdslc cache ----------------------*- C++ -*-===//

#ifndef KDSL_TOOLS_KDSLC_TUNE_H
#define KDSL_TOOLS_KDSLC_TUNE_H

#include <string>
#include <vector>

namespace kdsl {

struct TuneCommand {
  std::string input;
  std::string kernel;
  /// NAME=VALUE scalars and constexprs, NAME=@FILE.npy or NAME=DTYPE:COUNT
  /// (random) buffers.
  std::vector<std::string> bindings;
  std::string db;     ///< empty: the default tune.db
  std::string bundle; ///< a .kpack to reuse instead of compiling
  std::string report; ///< an HTML page to write
  int top = 3;
  double budgetMs = 100;
  bool noPrune = false;
};

/// `kdslc tune`: times every config of the kernel's @autotune space on the
/// GPU and stores the results in the tuning cache.
int tuneKernel(const TuneCommand &command);

struct CacheCommand {
  std::string action; ///< list, show, export, import, prune, report
  std::string db;
  std::string kernel; ///< show, report (required), export (optional)
  std::string format; ///< export, import: csv or json (default: by name)
  std::string output; ///< export, report
  std::string input;  ///< import
  std::string keep;   ///< prune: the compiler version to keep
};

/// `kdslc cache ACTION`: inspect and manage a tuning cache.
int cacheCommand(const CacheCommand &command);

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_TUNE_H
