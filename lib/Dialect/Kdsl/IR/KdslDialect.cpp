//===- KdslDialect.cpp - The kdsl dialect ---------------------------------===//

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kdsl;

#include "kdsl/Dialect/Kdsl/IR/KdslEnums.cpp.inc"
#include "kdsl/Dialect/Kdsl/IR/KdslOpsDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "kdsl/Dialect/Kdsl/IR/KdslAttrs.cpp.inc"

void KdslDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kdsl/Dialect/Kdsl/IR/KdslOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}

void KdslDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "kdsl/Dialect/Kdsl/IR/KdslAttrs.cpp.inc"
      >();
}

LogicalResult AutotuneAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   ArrayAttr space, ArrayAttr key,
                                   StringAttr where) {
  for (Attribute entry : space)
    if (!isa<TuneParamAttr>(entry))
      return emitError()
             << "autotune space entries must be #kdsl.tune_param, got "
             << entry;
  for (Attribute entry : key)
    if (!isa<StringAttr>(entry))
      return emitError() << "autotune key entries must be strings, got "
                         << entry;
  return success();
}
