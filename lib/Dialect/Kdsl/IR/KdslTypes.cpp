//===- KdslTypes.cpp - kdsl types -----------------------------------------===//

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kdsl;

#define GET_TYPEDEF_CLASSES
#include "kdsl/Dialect/Kdsl/IR/KdslOpsTypes.cpp.inc"

void KdslDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "kdsl/Dialect/Kdsl/IR/KdslOpsTypes.cpp.inc"
      >();
}

LogicalResult PtrType::verify(function_ref<InFlightDiagnostic()> emitError,
                              Type pointeeType) {
  if (isScalarElementType(pointeeType))
    return success();
  return emitError() << "pointee of !kdsl.ptr must be a scalar type (bool, "
                        "i8..i64, f16, bf16, f32, f64), got "
                     << pointeeType;
}
