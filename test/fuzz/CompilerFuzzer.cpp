//===- CompilerFuzzer.cpp - libFuzzer target over the compiler ------------===//
//
// Feeds arbitrary bytes through the parser, Sema, MLIRGen, the verifier,
// -kdsl-specialize (with every constexpr's default or first config) and then,
// for what gets that far, the whole lowering to PTX for sm_90a (layouts, the
// conversion to GPU code, the LLVM and NVVM dialects and the NVPTX back end).
// Any crash, assertion or sanitizer report is a bug; diagnostics are
// expected.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Frontend/Compiler.h"
#include "kdsl/Lowering/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>

// LLVM's BumpPtrAllocator poisons a new slab and unpoisons each allocation
// when it is compiled with ASan. This target is instrumented but the Debian
// libMLIR.so is not, so a slab our inlined code started and libMLIR then
// allocates from (a location's storage, say) stays poisoned, and ASan reports
// a use-after-poison that is not one. Ignore manual poisoning: every other
// ASan check (heap, stack, globals, containers) still applies.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  kdsl::registerGpuLowering(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler silence(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef source(reinterpret_cast<const char *>(data), size);
  llvm::FailureOr<kdsl::FrontendResult> result =
      kdsl::runFrontend(source, "fuzz.kdsl", context, /*emitIR=*/true);
  if (failed(result))
    return 0;
  mlir::PassManager pm(&context);
  pm.addPass(kdsl::createKdslSpecialize());
  if (failed(pm.run(*result->ir)))
    return 0;
  kdsl::loadGpuDialects(&context);
  (void)kdsl::compileToPTX(*result->ir, kdsl::GpuTarget());
  return 0;
}
