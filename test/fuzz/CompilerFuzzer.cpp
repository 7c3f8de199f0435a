//===- CompilerFuzzer.cpp - libFuzzer target over the compiler ------------===//
//
// Feeds arbitrary bytes through the parser, Sema, MLIRGen, the verifier,
// -kdsl-specialize (with every constexpr's default or first config) and then,
// for what gets that far, the whole lowering to PTX for sm_90a (layouts, the
// conversion to GPU code, the LLVM and NVVM dialects and the NVPTX back end).
// Any crash, assertion or sanitizer report is a bug; diagnostics are
// expected.
//
// Byte mutations alone rarely turn `BLOCK = 256` into `BLOCK = 1 << 30`, the
// kind of input that once aborted the lowering: a custom mutator also swaps a
// number of the source for a value from the edges of what shapes, loops and
// literals allow (compiler.dict adds shifts and large constants as tokens).
//
//===----------------------------------------------------------------------===//

#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Frontend/Compiler.h"
#include "kdsl/Lowering/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// LLVM's BumpPtrAllocator poisons a new slab and unpoisons each allocation
// when it is compiled with ASan. This target is instrumented but the Debian
// libMLIR.so is not, so a slab our inlined code started and libMLIR then
// allocates from (a location's storage, say) stays poisoned, and ASan reports
// a use-after-poison that is not one. Ignore manual poisoning: every other
// ASan check (heap, stack, globals, containers) still applies.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size,
                                   size_t maxSize);

/// Numbers at the edges: block sizes past the limits, shifts that overflow,
/// loop bounds near 2^31, float literals out of f16's range.
static const char *const kEdgeNumbers[] = {
    "0",          "1",          "-1",         "3",          "16",
    "48",         "1024",       "4096",       "65536",      "1048576",
    "2097152",    "1 << 20",    "1 << 21",    "1 << 30",    "1 << 31",
    "1 << 63",    "2147483647", "2147483648", "-2147483648", "4294967296",
    "9223372036854775807",      "65504.0",    "70000.0",    "1e39",
    "1e-45",      "0x7fffffff"};

/// Replaces one number of the text (a run of digits, with a fraction or a
/// shift after it) by an edge value; falls back to libFuzzer's mutations.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  std::minstd_rand random(seed);
  if (random() % 2 == 0)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::vector<std::pair<size_t, size_t>> numbers;
  for (size_t i = 0; i < size;) {
    if (!std::isdigit(data[i]) || (i > 0 && (std::isalnum(data[i - 1]) ||
                                             data[i - 1] == '_'))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < size && (std::isalnum(data[end]) || data[end] == '.'))
      ++end;
    numbers.emplace_back(i, end);
    i = end;
  }
  if (numbers.empty())
    return LLVMFuzzerMutate(data, size, maxSize);
  auto [begin, end] = numbers[random() % numbers.size()];
  const char *edge =
      kEdgeNumbers[random() % (sizeof(kEdgeNumbers) / sizeof(*kEdgeNumbers))];
  std::string out(reinterpret_cast<const char *>(data), begin);
  out += edge;
  out.append(reinterpret_cast<const char *>(data) + end, size - end);
  if (out.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, out.data(), out.size());
  return out.size();
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
