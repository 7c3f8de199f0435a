//===- FrontendFuzzer.cpp - libFuzzer target over the front end -----------===//
//
// Feeds arbitrary bytes through the parser, Sema, MLIRGen, the verifier and
// -kdsl-specialize (with every constexpr's default or first config). Any
// crash, assertion or sanitizer report is a bug; diagnostics are expected.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Frontend/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler silence(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
  llvm::FailureOr<kdsl::FrontendResult> result =
      kdsl::runFrontend(source, "fuzz.kdsl", context, /*emitIR=*/true);
  if (failed(result))
    return 0;
  mlir::PassManager pm(&context);
  pm.addPass(kdsl::createKdslSpecialize());
  (void)pm.run(*result->ir);
  return 0;
}
