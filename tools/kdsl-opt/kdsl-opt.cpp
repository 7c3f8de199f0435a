//===- kdsl-opt.cpp - MLIR optimizer driver with the kdsl dialect ---------===//

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Lowering/Passes.h"
#include "kdsl/Lowering/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  kdsl::registerKdslPasses();
  kdsl::registerKdslLoweringPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  registry.insert<kdsl::KdslDialect>();
  kdsl::registerGpuLowering(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "kdsl optimizer driver\n", registry));
}
