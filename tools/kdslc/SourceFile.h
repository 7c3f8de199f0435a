//===- SourceFile.h - A .kdsl file loaded for kdslc -------------*- C++ -*-===//
//
// What `kdslc` and `kdslc run` share: reading the file, a context whose
// diagnostics print with the source line and a caret, and finding a kernel.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_TOOLS_KDSLC_SOURCEFILE_H
#define KDSL_TOOLS_KDSLC_SOURCEFILE_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Lowering/Pipeline.h"
#include "kdsl/Support/Files.h"
#include "kdsl/Support/ScalarText.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>

namespace kdsl {

/// One .kdsl file and the context that compiles it.
struct SourceFile {
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics;
  llvm::StringRef text;

  /// Reads `path`, a regular file of at most kMaxSourceBytes ("-": standard
  /// input); on failure returns false and sets `error`.
  bool load(const std::string &path, std::string &error) {
    std::string bytes;
    if (!readInputFile(path, kMaxSourceBytes, "a .kdsl source", bytes, error))
      return false;
    std::unique_ptr<llvm::MemoryBuffer> file =
        llvm::MemoryBuffer::getMemBufferCopy(bytes,
                                             path == "-" ? "<stdin>" : path);
    text = file->getBuffer();
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    // A failed pass would otherwise dump the whole kernel after the error.
    context.printOpOnDiagnostic(false);
    mlir::DialectRegistry registry;
    registerGpuLowering(registry);
    context.appendDialectRegistry(registry);
    diagnostics =
        std::make_unique<mlir::SourceMgrDiagnosticHandler>(sourceMgr, &context);
    return true;
  }
};

/// Splits `--config NAME=VALUE,...` into its entries, each checked: a name,
/// an integer or true/false value, given once. With `alternatives`, a value
/// may list several (`BLOCK=256|1024`, for --emit=kpack). On failure returns
/// false with `error` naming the entry.
inline bool parseConfigOption(llvm::StringRef config, bool alternatives,
                              llvm::SmallVectorImpl<std::string> &entries,
                              std::string &error) {
  for (llvm::StringRef entry : llvm::split(config, ',')) {
    entry = entry.trim();
    if (entry.empty())
      continue;
    auto [name, value] = entry.split('=');
    // Each value read as kdslc run reads an integer (ScalarText.h), kept in
    // decimal for the passes.
    bool bad = name.trim().empty() || !entry.contains('=');
    std::string values;
    for (llvm::StringRef alternative : llvm::split(value, '|')) {
      std::string text = alternative.trim().str();
      ScalarValue parsed;
      if (text == "true" || text == "false")
        parsed.integer = text == "true";
      else
        bad |= !parseScalarText(text, "i64", parsed).empty();
      values += (values.empty() ? "" : "|") + std::to_string(parsed.integer);
    }
    if (bad || (value.contains('|') && !alternatives)) {
      error = ("config entry '" + entry + "' must be NAME=INTEGER" +
               (value.contains('|') && !bad
                    ? " (alternatives with '|' are for --emit=kpack)"
                    : ""))
                  .str();
      return false;
    }
    for (const std::string &seen : entries)
      if (llvm::StringRef(seen).split('=').first.trim() == name.trim()) {
        error = ("config entry '" + name.trim() + "' is given twice").str();
        return false;
      }
    entries.push_back(name.trim().str() + "=" + values);
  }
  return true;
}

/// The kernel of `module` called `name`, or null with `error` saying which
/// kernels `file` has.
inline KernelOp findKernel(mlir::ModuleOp module, llvm::StringRef name,
                           llvm::StringRef file, std::string &error) {
  std::string available;
  for (KernelOp kernel : module.getOps<KernelOp>()) {
    if (kernel.getSymName() == name)
      return kernel;
    available += (available.empty() ? "" : ", ") + kernel.getSymName().str();
  }
  error = "no kernel named '" + name.str() + "' in '" + file.str() +
          "' (kernels: " + (available.empty() ? "none" : available) + ")";
  return nullptr;
}

} // namespace kdsl

#endif // KDSL_TOOLS_KDSLC_SOURCEFILE_H
