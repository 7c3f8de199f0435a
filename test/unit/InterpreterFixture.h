//===- InterpreterFixture.h - Shared setup of the interpreter tests -*- C++
//-*-//
//
// Compiles an example kernel, specializes it and runs it on the interpreter;
// moves arrays in and out of host buffers.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_TEST_UNIT_INTERPRETERFIXTURE_H
#define KDSL_TEST_UNIT_INTERPRETERFIXTURE_H

#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Frontend/Compiler.h"
#include "kdsl/Interpreter/Interpreter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#ifndef KDSL_EXAMPLES_DIR
#error "KDSL_EXAMPLES_DIR must name examples/kernels"
#endif

namespace kdsl::test {

class InterpreterFixture : public ::testing::Test {
protected:
  mlir::MLIRContext context;
  /// Every diagnostic so far, one a line.
  std::string diagnostics;
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
  std::optional<FrontendResult> compiled;

  void SetUp() override {
    handler = std::make_unique<mlir::ScopedDiagnosticHandler>(
        &context, [this](mlir::Diagnostic &diag) {
          diagnostics += diag.str() + "\n";
          return mlir::success();
        });
  }

  /// Compiles examples/kernels/`file` (a path with a `/`: relative to the
  /// source tree) and specializes `kernel` with `config`, then, with
  /// `pipeline`, pipelines its loops' loads by its num_stages, as the back
  /// end does (-kdsl-pipeline-loops changes no value the program computes).
  KernelOp variant(const std::string &file, const std::string &kernel,
                   const std::vector<std::string> &config,
                   bool pipeline = true) {
    std::string path = file.find('/') != std::string::npos
                           ? std::string(KDSL_SOURCE_DIR) + "/" + file
                           : std::string(KDSL_EXAMPLES_DIR) + "/" + file;
    auto buffer = llvm::MemoryBuffer::getFile(path);
    EXPECT_TRUE(bool(buffer)) << path;
    if (!buffer)
      return nullptr;
    llvm::FailureOr<FrontendResult> result =
        runFrontend((*buffer)->getBuffer(), path, context, /*emitIR=*/true);
    EXPECT_TRUE(mlir::succeeded(result)) << diagnostics;
    if (mlir::failed(result))
      return nullptr;
    compiled = std::move(*result);
    mlir::PassManager pm(&context);
    KdslSpecializeOptions options;
    options.kernel = kernel;
    options.config.assign(config.begin(), config.end());
    pm.addPass(createKdslSpecialize(options));
    if (pipeline)
      pm.addPass(createKdslPipelineLoops());
    EXPECT_TRUE(mlir::succeeded(pm.run(*compiled->ir))) << diagnostics;
    for (KernelOp op : compiled->ir->getOps<KernelOp>())
      if (op.getSymName() == kernel && op.isVariant())
        return op;
    ADD_FAILURE() << "no variant of kernel " << kernel;
    return nullptr;
  }

  /// Evaluates the kernel's grid clause and runs.
  mlir::LogicalResult run(KernelOp k, std::vector<LaunchArg> args) {
    llvm::FailureOr<std::array<int64_t, 3>> grid = evaluateGrid(k, args);
    if (mlir::failed(grid))
      return mlir::failure();
    return interpret(k, *grid, args);
  }

  mlir::Type f16() { return mlir::Float16Type::get(&context); }
  mlir::Type bf16() { return mlir::BFloat16Type::get(&context); }
  mlir::Type f32() { return mlir::Float32Type::get(&context); }
  mlir::Type f64() { return mlir::Float64Type::get(&context); }
  mlir::Type i8() { return mlir::IntegerType::get(&context, 8); }
  mlir::Type i32() { return mlir::IntegerType::get(&context, 32); }
};

/// A host buffer of `type` elements holding `values` (T has their layout).
template <typename T>
HostBuffer bufferOf(mlir::Type type, const std::vector<T> &values) {
  HostBuffer b;
  b.elementType = type;
  b.bytes.resize(values.size() * sizeof(T));
  if (!values.empty())
    std::memcpy(b.bytes.data(), values.data(), b.bytes.size());
  return b;
}

/// The elements of `b`, read as T.
template <typename T> std::vector<T> valuesOf(const HostBuffer &b) {
  std::vector<T> values(b.bytes.size() / sizeof(T));
  if (!values.empty())
    std::memcpy(values.data(), b.bytes.data(), b.bytes.size());
  return values;
}

} // namespace kdsl::test

#endif // KDSL_TEST_UNIT_INTERPRETERFIXTURE_H
