//===- Run.h - kdslc run ----------------------------------------*- C++ -*-===//

#ifndef KDSL_TOOLS_KDSLC_RUN_H
#define KDSL_TOOLS_KDSLC_RUN_H

#include <string>
#include <vector>

namespace kdsl {

/// The options of `kdslc run`.
struct RunOptions {
  std::string input;
  std::string kernel;
  std::string backend = "auto";
  std::string grid;
  std::string config;
  std::vector<std::string> bindings; ///< NAME=VALUE
  std::vector<std::string> saves;    ///< NAME=OUT.npy
};

/// Runs `kdslc run`; returns the exit status (errors are printed).
int runKernel(const RunOptions &options);

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_RUN_H
