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

namespace {
/// Layout encodings print as `#blocked`, `#slice`, `#shared` aliases, as
/// TritonGPU's do, so lowered IR stays readable.
struct KdslOpAsmInterface : public OpAsmDialectInterface {
  using OpAsmDialectInterface::OpAsmDialectInterface;
  AliasResult getAlias(Attribute attr, raw_ostream &os) const override {
    if (isa<BlockedEncodingAttr>(attr))
      os << "blocked";
    else if (isa<SliceEncodingAttr>(attr))
      os << "slice";
    else if (isa<SharedEncodingAttr>(attr))
      os << "shared";
    else
      return AliasResult::NoAlias;
    return AliasResult::FinalAlias;
  }
};
} // namespace

void KdslDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kdsl/Dialect/Kdsl/IR/KdslOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
  addInterfaces<KdslOpAsmInterface>();
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

//===----------------------------------------------------------------------===//
// Layout encodings
//===----------------------------------------------------------------------===//

/// Whether `order` lists each of 0..order.size()-1 once.
static bool isPermutation(ArrayRef<int64_t> order) {
  SmallVector<bool> seen(order.size(), false);
  for (int64_t d : order) {
    if (d < 0 || d >= static_cast<int64_t>(order.size()) || seen[d])
      return false;
    seen[d] = true;
  }
  return true;
}

static int64_t product(ArrayRef<int64_t> values) {
  int64_t p = 1;
  for (int64_t v : values)
    p *= v;
  return p;
}

LogicalResult BlockedEncodingAttr::verify(
    function_ref<InFlightDiagnostic()> emitError,
    ArrayRef<int64_t> sizePerThread, ArrayRef<int64_t> threadsPerWarp,
    ArrayRef<int64_t> warpsPerCTA, ArrayRef<int64_t> order) {
  size_t rank = order.size();
  if (rank == 0 || sizePerThread.size() != rank ||
      threadsPerWarp.size() != rank || warpsPerCTA.size() != rank)
    return emitError() << "blocked layout needs sizePerThread, threadsPerWarp, "
                          "warpsPerCTA and order of one rank (at least 1)";
  for (ArrayRef<int64_t> values : {sizePerThread, threadsPerWarp, warpsPerCTA})
    for (int64_t v : values)
      if (v < 1 || !llvm::isPowerOf2_64(v))
        return emitError() << "blocked layout sizes must be powers of two, got "
                           << v;
  if (product(threadsPerWarp) != 32)
    return emitError() << "blocked layout threadsPerWarp must multiply to 32, "
                          "got "
                       << product(threadsPerWarp);
  if (product(warpsPerCTA) > 32)
    return emitError() << "blocked layout has " << product(warpsPerCTA)
                       << " warps; at most 32";
  if (!isPermutation(order))
    return emitError() << "blocked layout order must be a permutation of the "
                          "dimensions";
  return success();
}

int64_t BlockedEncodingAttr::getNumThreads() const {
  return 32 * product(getWarpsPerCTA());
}

LogicalResult BlockedEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type,
    function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() != getRank())
    return emitError() << "blocked layout of rank " << getRank()
                       << " on a block of rank " << shape.size();
  return success();
}

LogicalResult
SliceEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          unsigned dim, BlockedEncodingAttr parent) {
  if (parent.getRank() < 2 || dim >= parent.getRank())
    return emitError() << "slice dimension " << dim
                       << " needs a parent layout of a higher rank, at least 2";
  return success();
}

LogicalResult SliceEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type,
    function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() + 1 != getParent().getRank())
    return emitError() << "slice of a rank-" << getParent().getRank()
                       << " layout on a block of rank " << shape.size();
  return success();
}

Attribute SharedEncodingAttr::parse(AsmParser &parser, Type) {
  SmallVector<int64_t> order;
  int64_t vec = 1, perPhase = 1, maxPhase = 1;
  auto parseOne = [&]() -> ParseResult {
    int64_t value;
    if (parser.parseInteger(value))
      return failure();
    order.push_back(value);
    return success();
  };
  if (parser.parseLess() || parser.parseKeyword("order") ||
      parser.parseEqual() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseOne))
    return {};
  if (succeeded(parser.parseOptionalComma()) &&
      (parser.parseKeyword("vec") || parser.parseEqual() ||
       parser.parseInteger(vec) || parser.parseComma() ||
       parser.parseKeyword("perPhase") || parser.parseEqual() ||
       parser.parseInteger(perPhase) || parser.parseComma() ||
       parser.parseKeyword("maxPhase") || parser.parseEqual() ||
       parser.parseInteger(maxPhase)))
    return {};
  if (parser.parseGreater())
    return {};
  return parser.getChecked<SharedEncodingAttr>(parser.getContext(), order, vec,
                                               perPhase, maxPhase);
}

void SharedEncodingAttr::print(AsmPrinter &printer) const {
  printer << "<order = [";
  llvm::interleaveComma(getOrder(), printer);
  printer << "]";
  if (isSwizzled())
    printer << ", vec = " << getVec() << ", perPhase = " << getPerPhase()
            << ", maxPhase = " << getMaxPhase();
  printer << ">";
}

LogicalResult
SharedEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                           ArrayRef<int64_t> order, int64_t vec,
                           int64_t perPhase, int64_t maxPhase) {
  if (order.empty() || !isPermutation(order))
    return emitError() << "shared layout order must be a permutation of the "
                          "dimensions";
  for (auto [name, value] : {std::pair<const char *, int64_t>{"vec", vec},
                             {"perPhase", perPhase},
                             {"maxPhase", maxPhase}})
    if (value < 1 || !llvm::isPowerOf2_64(value))
      return emitError() << "shared layout " << name
                         << " must be a power of two, got " << value;
  if (maxPhase == 1 && (vec != 1 || perPhase != 1))
    return emitError() << "an unswizzled shared layout (maxPhase = 1) takes "
                          "no vec or perPhase";
  if (maxPhase > 1 && order.size() != 2)
    return emitError() << "only a 2-D shared layout can be swizzled";
  return success();
}

LogicalResult SharedEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type,
    function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() != getOrder().size())
    return emitError() << "shared layout of rank " << getOrder().size()
                       << " on a block of rank " << shape.size();
  if (isSwizzled()) {
    int64_t row = shape[getOrder()[0]];
    if (!ShapedType::isDynamic(row) && row % (getVec() * getMaxPhase()))
      return emitError() << "a swizzled row of " << row
                         << " elements does not hold " << getMaxPhase()
                         << " chunks of " << getVec();
  }
  return success();
}
