//===- Launch.h - Launch a bundle's kernel on .npy buffers ------*- C++ -*-===//
//
// Part of the kdsl project. Shared by `kdsl-launch` (runtime only, no MLIR)
// and `kdslc run --backend cuda`.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_TOOLS_LAUNCH_H
#define KDSL_TOOLS_LAUNCH_H

#include "kdsl/Support/Npy.h"
#include "kdsl/bundle.hpp"
#include "kdsl/runtime.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kdsl {

/// Whether a .npy array of `npy` elements can back a `type` pointer (bf16
/// travels as `<u2`).
bool npyMatches(NpyDType npy, rt::DType type);
/// Splits NAME=VALUE arguments into `given`; false with `error` for one
/// that is not NAME=VALUE or a name given twice.
bool splitBindings(const std::vector<std::string> &bindings,
                   std::map<std::string, std::string> &given,
                   std::string &error);
/// An integer (C syntax) or true/false; false when `text` is neither.
bool parseInteger(const std::string &text, int64_t &value);
/// The value of scalar or constexpr parameter `p` given as `text`, exactly
/// as kdslc run reads it (kdsl/Support/ScalarText.h); false with `error`
/// ("argument 'n': 9223372036854775808 is out of range for i64 (...)").
bool parseScalarArg(const rt::ParamInfo &p, const std::string &text,
                    rt::Arg &arg, std::string &error);

struct LaunchRequest {
  std::string bundle;
  std::string kernel;
  /// NAME=VALUE,... for constexprs, num_warps, num_stages.
  std::string config;
  /// X[,Y[,Z]]; empty: the kernel's grid expression.
  std::string grid;
  /// NAME=@FILE.npy for pointers, NAME=VALUE for scalars and constexprs.
  std::vector<std::string> bindings;
  /// NAME=OUT.npy: pointer NAME's buffer, written back after the launch.
  std::vector<std::string> saves;
  /// Prefixes messages (`kdsl-launch`, `kdslc run`).
  std::string tool = "kdsl-launch";
};

/// Runs the request on the GPU through the runtime and returns the exit
/// status; errors print as "TOOL: error: ..." on stderr.
int launchFromBundle(const LaunchRequest &request);

} // namespace kdsl

#endif // KDSL_TOOLS_LAUNCH_H
