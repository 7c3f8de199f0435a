//===- Compiler.cpp - The .kdsl front end in one call ---------------------===//

#include "kdsl/Frontend/Compiler.h"
#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Frontend/MLIRGen.h"
#include "kdsl/Frontend/Parser.h"
#include "kdsl/Frontend/Sema.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

void kdsl::registerFrontendDialects(MLIRContext &context) {
  context.loadDialect<KdslDialect, arith::ArithDialect, math::MathDialect,
                      scf::SCFDialect, tensor::TensorDialect>();
}

FailureOr<kdsl::FrontendResult> kdsl::runFrontend(StringRef source,
                                                  StringRef fileName,
                                                  MLIRContext &context,
                                                  bool emitIR) {
  registerFrontendDialects(context);
  FrontendResult result;
  result.ast = parseModule(source, fileName, &context);
  if (!result.ast || failed(analyze(*result.ast, &context)))
    return failure();
  if (emitIR) {
    result.ir = mlirGen(context, *result.ast);
    if (!result.ir)
      return failure();
  }
  return result;
}
