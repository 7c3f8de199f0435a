//===- Kpack.h - kdslc --emit=kpack -----------------------------*- C++ -*-===//

#ifndef KDSL_TOOLS_KDSLC_KPACK_H
#define KDSL_TOOLS_KDSLC_KPACK_H

#include "kdsl/bundle.hpp"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kdsl {

class KernelOp;

/// The bundle's description of a generic kernel: signature, grid, @config,
/// @autotune space and key.
rt::KernelInfo describeKernel(KernelOp kernel, llvm::StringRef sourceHash);

/// Compiles every variant of every kernel of `module` (each config of its
/// @autotune space, or its one config, times each alternative of
/// `configEntries`, times the generic, align16 and div16 specializations and
/// the last two with unit strides) to
/// PTX and to cubins for sm_80 and sm_90a on a thread pool, and writes the
/// bundle to `output` (default: the input's name with .kpack). Returns the
/// exit status.
struct KpackOptions {
  /// Only this kernel; empty: every kernel of the module.
  std::string kernel;
  /// The targets to assemble cubins for (the first one's PTX is the JIT
  /// fallback).
  std::vector<std::string> archs = {"sm_80", "sm_90a"};
  /// When set, a variant that fails to compile is left out of the bundle
  /// and listed here (its config, why) instead of failing the whole bundle.
  std::vector<std::pair<rt::ConfigEntries, std::string>> *failures = nullptr;
  /// What the closing "wrote N variants ... to" line names; empty: `output`.
  std::string shownAs;
  /// When set, each config gets only the most specialized variant that a
  /// launch with these integer arguments (by name) and 16-byte aligned
  /// buffers uses, not every specialization: what `kdslc tune` times.
  std::optional<std::map<std::string, int64_t>> launchIntegers;
};

int emitKpack(mlir::ModuleOp module, llvm::StringRef input,
              llvm::ArrayRef<std::string> configEntries, llvm::StringRef output,
              const KpackOptions &options = {});

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_KPACK_H
