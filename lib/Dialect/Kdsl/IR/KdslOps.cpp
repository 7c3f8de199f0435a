//===- KdslOps.cpp - kdsl operations --------------------------------------===//

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Support/ConstExpr.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kdsl;

#define GET_OP_CLASSES
#include "kdsl/Dialect/Kdsl/IR/KdslOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool kdsl::isScalarElementType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.isSignless() &&
           llvm::is_contained({1u, 8u, 16u, 32u, 64u}, intType.getWidth());
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

std::string kdsl::formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return text;
}

std::string kdsl::formatType(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  Type element = getElementTypeOrSelf(type);
  if (element.isInteger(1))
    os << "bool";
  else
    os << element;
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    os << formatShape(tensor.getShape());
  return text;
}

/// The shape of a scalar (empty) or of a block.
static ArrayRef<int64_t> shapeOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.getShape();
  return {};
}

static Type elementOf(Type type) { return getElementTypeOrSelf(type); }

/// A verifier's error, named by the source construct the op stands for
/// (`arange: ...`, `dot: ...`, `kernel 'k': ...`) rather than by the op's
/// name: shapes a config makes invalid reach kdslc's users through these.
static InFlightDiagnostic emitVerifyError(Operation *op) {
  InFlightDiagnostic diag = op->emitError();
  if (auto kernel = dyn_cast<KernelOp>(op))
    return std::move(diag << "kernel '" << kernel.getSymName() << "': ");
  if (auto reduce = dyn_cast<ReduceOp>(op))
    return std::move(diag << stringifyReduceKind(reduce.getKind()) << ": ");
  StringRef name = op->getName().stripDialect();
  StringRef source = llvm::StringSwitch<StringRef>(name)
                         .Case("addptr", "pointer arithmetic")
                         .Case("expand_dims", "indexing with None")
                         .Case("splat", "a scalar used as a block")
                         .Case("broadcast", "broadcast")
                         .Default(name);
  return std::move(diag << source << ": ");
}

/// Whether two shapes can be equal once every dynamic dimension is known.
static bool compatibleShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return false;
  return true;
}

/// Checks that `value` has the shape of `reference`, naming both in the error.
static LogicalResult verifySameShape(Operation *op, Value value, StringRef what,
                                     Type reference, StringRef refWhat) {
  if (compatibleShapes(shapeOf(value.getType()), shapeOf(reference)))
    return success();
  return emitVerifyError(op)
         << what << " has shape " << formatShape(shapeOf(value.getType()))
         << " but " << refWhat << " has shape "
         << formatShape(shapeOf(reference));
}

/// Ops with one size operand per dynamic result dimension.
static LogicalResult verifyDynamicSizes(Operation *op, ValueRange sizes,
                                        RankedTensorType result) {
  if (sizes.size() == static_cast<size_t>(result.getNumDynamicDims()))
    return success();
  return emitVerifyError(op)
         << "expects " << result.getNumDynamicDims()
         << " size operand(s), one per dynamic dimension of " << result
         << ", got " << sizes.size();
}

//===----------------------------------------------------------------------===//
// KernelOp
//===----------------------------------------------------------------------===//

ParseResult KernelOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildType = [](Builder &builder, ArrayRef<Type> args,
                      ArrayRef<Type> results,
                      function_interface_impl::VariadicFlag, std::string &) {
    return builder.getFunctionType(args, results);
  };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void KernelOp::print(OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(
      p, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

void KernelOp::getAsmBlockArgumentNames(Region &region,
                                        OpAsmSetValueNameFn setNameFn) {
  ArrayAttr names = getParamNames();
  for (auto [arg, name] : llvm::zip(region.getArguments(), names))
    setNameFn(arg, cast<StringAttr>(name).getValue());
}

bool KernelOp::isConstexpr(unsigned i) {
  return getArgAttr(i, KdslDialect::kConstexprAttrName) != nullptr;
}

StringAttr KernelOp::getDefaultExpr(unsigned i) {
  return getArgAttrOfType<StringAttr>(i, KdslDialect::kDefaultAttrName);
}

std::optional<unsigned> KernelOp::lookupParam(StringRef name) {
  for (auto [i, attr] : llvm::enumerate(getParamNames()))
    if (cast<StringAttr>(attr).getValue() == name)
      return i;
  return std::nullopt;
}

int64_t kdsl::getConfigInt(IntegerAttr attr) {
  // `true` is an i1 whose signed value is -1; configs mean 1.
  if (attr.getType().isInteger(1))
    return attr.getValue().getBoolValue();
  return attr.getInt();
}

static bool isTuningKnob(StringRef name) {
  return name == "num_warps" || name == "num_stages";
}

/// Checks that `value` is a legal value for config entry `name`.
static LogicalResult verifyConfigValue(KernelOp kernel, StringRef name,
                                       int64_t value, StringRef where) {
  if (name == "num_warps") {
    if (value < 1 || value > 32 || !llvm::isPowerOf2_64(value))
      return emitVerifyError(kernel)
             << where << ": num_warps must be a power of two from 1 to 32, got "
             << value;
    return success();
  }
  if (name == "num_stages") {
    if (value < 1 || value > 8)
      return emitVerifyError(kernel)
             << where << ": num_stages must be from 1 to 8, got " << value;
    return success();
  }
  std::optional<unsigned> index = kernel.lookupParam(name);
  if (!index || !kernel.isConstexpr(*index))
    return emitVerifyError(kernel)
           << where << ": '" << name << "' is not a constexpr parameter";
  auto type = cast<IntegerType>(kernel.getArgumentTypes()[*index]);
  unsigned width = type.getWidth();
  bool fits =
      width == 1 ? (value == 0 || value == 1) : llvm::isIntN(width, value);
  if (!fits)
    return emitVerifyError(kernel)
           << where << ": value " << value << " does not fit constexpr '"
           << name << "' of type " << formatType(type);
  return success();
}

/// Parses an expression attribute and checks the names it uses.
static LogicalResult verifyExpression(KernelOp kernel, StringRef what,
                                      StringRef text,
                                      function_ref<bool(unsigned)> allowParam,
                                      bool allowKnobs) {
  ConstExprParseResult parsed = parseConstExpr(text.str());
  if (!parsed)
    return emitVerifyError(kernel)
           << what << " '" << text << "' does not parse: " << parsed.error;
  for (const std::string &name : parsed.expr->params()) {
    if (allowKnobs && isTuningKnob(name))
      continue;
    std::optional<unsigned> index = kernel.lookupParam(name);
    if (!index)
      return emitVerifyError(kernel)
             << what << " '" << text << "' uses unknown parameter '" << name
             << "'";
    if (!allowParam(*index))
      return emitVerifyError(kernel)
             << what << " '" << text << "' may not use parameter '" << name
             << "'";
  }
  return success();
}

LogicalResult KernelOp::verify() {
  FunctionType type = getFunctionType();
  if (type.getNumResults() != 0)
    return emitVerifyError(*this) << "kernels return nothing, but the type has "
                                  << type.getNumResults() << " result(s)";
  if (getParamNames().size() != type.getNumInputs())
    return emitVerifyError(*this)
           << "has " << type.getNumInputs() << " parameters but "
           << getParamNames().size() << " parameter names";
  llvm::StringSet<> seen;
  for (auto [i, nameAttr] : llvm::enumerate(getParamNames())) {
    StringRef name = cast<StringAttr>(nameAttr).getValue();
    if (!seen.insert(name).second)
      return emitVerifyError(*this)
             << "parameter name '" << name << "' is repeated";
    Type argType = type.getInput(i);
    if (!isScalarElementType(argType) && !isa<PtrType>(argType))
      return emitVerifyError(*this)
             << "parameter '" << name << "' must be a scalar or a pointer, got "
             << argType;
    if (isConstexpr(i) && !isa<IntegerType>(argType))
      return emitVerifyError(*this)
             << "constexpr parameter '" << name
             << "' must have an integer or bool type, got " << argType;
    Attribute rawDefault = getArgAttr(i, KdslDialect::kDefaultAttrName);
    if (rawDefault && !isa<StringAttr>(rawDefault))
      return emitVerifyError(*this)
             << "the default of '" << name
             << "' must be a string expression, got " << rawDefault;
    if (StringAttr def = getDefaultExpr(i)) {
      if (!isConstexpr(i))
        return emitVerifyError(*this)
               << "parameter '" << name
               << "' has a default but is not a constexpr";
      unsigned self = i;
      auto scalarParam = [&](unsigned j) {
        return j != self && !isa<PtrType>(type.getInput(j));
      };
      if (failed(verifyExpression(*this, "default of '" + name.str() + "'",
                                  def.getValue(), scalarParam, false)))
        return failure();
    }
  }
  auto isConstexprParam = [&](unsigned j) { return isConstexpr(j); };
  auto isScalarParam = [&](unsigned j) {
    return !isa<PtrType>(type.getInput(j));
  };
  if (std::optional<ArrayAttr> grid = getGrid()) {
    if (grid->empty() || grid->size() > 3)
      return emitVerifyError(*this)
             << "grid has " << grid->size() << " dimensions; expected 1 to 3";
    for (Attribute dim : *grid)
      if (failed(verifyExpression(*this, "grid expression",
                                  cast<StringAttr>(dim).getValue(),
                                  isScalarParam, false)))
        return failure();
  }
  if (std::optional<AutotuneAttr> tune = getAutotune()) {
    for (Attribute entry : tune->getSpace()) {
      auto param = cast<TuneParamAttr>(entry);
      if (param.getValues().empty())
        return emitVerifyError(*this)
               << "autotune: '" << param.getName().getValue()
               << "' has no values";
      for (int64_t value : param.getValues().asArrayRef())
        if (failed(verifyConfigValue(*this, param.getName().getValue(), value,
                                     "autotune")))
          return failure();
    }
    for (Attribute entry : tune->getKey()) {
      StringRef name = cast<StringAttr>(entry).getValue();
      if (name.consume_front("exact("))
        name.consume_back(")");
      std::optional<unsigned> index = lookupParam(name);
      if (!index || isConstexpr(*index) || isa<PtrType>(type.getInput(*index)))
        return emitVerifyError(*this)
               << "autotune key '" << name
               << "' must name a scalar runtime parameter";
    }
    if (!tune->getWhere().getValue().empty() &&
        failed(verifyExpression(*this, "autotune where",
                                tune->getWhere().getValue(), isConstexprParam,
                                true)))
      return failure();
  }
  if (std::optional<DictionaryAttr> config = getConfig()) {
    for (NamedAttribute entry : *config) {
      auto value = dyn_cast<IntegerAttr>(entry.getValue());
      if (!value)
        return emitVerifyError(*this)
               << "config value of '" << entry.getName().getValue()
               << "' must be an integer";
      if (failed(verifyConfigValue(*this, entry.getName().getValue(),
                                   getConfigInt(value), "config")))
        return failure();
    }
  }
  if (isVariant()) {
    for (unsigned i = 0, e = type.getNumInputs(); i != e; ++i)
      if (isConstexpr(i))
        return emitVerifyError(*this)
               << "variant still has constexpr parameter '"
               << cast<StringAttr>(getParamNames()[i]).getValue() << "'";
    if (!getNumWarps() || !getNumStages())
      return emitVerifyError(*this)
             << "variant must set num_warps and num_stages";
  }
  if (std::optional<uint32_t> warps = getNumWarps())
    if (failed(verifyConfigValue(*this, "num_warps", *warps, "kernel")))
      return failure();
  if (std::optional<uint32_t> stages = getNumStages())
    if (failed(verifyConfigValue(*this, "num_stages", *stages, "kernel")))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Program ids, ranges and shape changes
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxis(Operation *op, uint32_t axis) {
  if (axis > 2)
    return emitVerifyError(op) << "axis must be 0, 1 or 2, got " << axis;
  return success();
}
LogicalResult ProgramIdOp::verify() { return verifyAxis(*this, getAxis()); }
LogicalResult NumProgramsOp::verify() { return verifyAxis(*this, getAxis()); }

LogicalResult ArangeOp::verify() {
  int64_t size = getType().getDimSize(0);
  if (!ShapedType::isDynamic(size) && (size <= 0 || !llvm::isPowerOf2_64(size)))
    return emitVerifyError(*this)
           << "length must be a positive power of two, got " << size;
  APInt start, end;
  if (matchPattern(getStart(), m_ConstantInt(&start)) &&
      matchPattern(getEnd(), m_ConstantInt(&end)) &&
      !ShapedType::isDynamic(size) &&
      end.getSExtValue() - start.getSExtValue() != size)
    return emitVerifyError(*this)
           << "range [" << start.getSExtValue() << ", " << end.getSExtValue()
           << ") has " << end.getSExtValue() - start.getSExtValue()
           << " elements but the result has " << size;
  return success();
}

LogicalResult SplatOp::verify() {
  if (getValue().getType() != getType().getElementType())
    return emitVerifyError(*this)
           << "splats a " << getValue().getType() << " into a block of "
           << getType().getElementType();
  return verifyDynamicSizes(*this, getDynamicSizes(), getType());
}

LogicalResult BroadcastOp::verify() {
  RankedTensorType src = getSrc().getType(), result = getType();
  if (src.getElementType() != result.getElementType())
    return emitVerifyError(*this)
           << "changes the element type from " << src.getElementType() << " to "
           << result.getElementType();
  if (src.getRank() != result.getRank())
    return emitVerifyError(*this)
           << "source rank " << src.getRank() << " differs from result rank "
           << result.getRank();
  for (auto [i, dims] :
       llvm::enumerate(llvm::zip(src.getShape(), result.getShape()))) {
    auto [from, to] = dims;
    if (from != 1 && !ShapedType::isDynamic(from) &&
        !ShapedType::isDynamic(to) && from != to)
      return emitVerifyError(*this)
             << "cannot broadcast shape " << formatShape(src.getShape())
             << " to " << formatShape(result.getShape()) << ": dimension " << i
             << " is " << from << ", not 1"
             << (to == 1 ? "" : " or " + std::to_string(to));
  }
  return verifyDynamicSizes(*this, getDynamicSizes(), result);
}

OpFoldResult BroadcastOp::fold(FoldAdaptor) {
  if (getSrc().getType() == getType() && getType().hasStaticShape())
    return getSrc();
  return {};
}

LogicalResult ExpandDimsOp::verify() {
  RankedTensorType src = getSrc().getType(), result = getType();
  uint32_t axis = getAxis();
  if (axis > src.getRank())
    return emitVerifyError(*this)
           << "axis " << axis << " is out of range for rank " << src.getRank();
  SmallVector<int64_t> expected(src.getShape());
  expected.insert(expected.begin() + axis, 1);
  if (src.getElementType() != result.getElementType() ||
      !compatibleShapes(expected, result.getShape()))
    return emitVerifyError(*this)
           << "result must have shape " << formatShape(expected)
           << " and element type " << src.getElementType() << ", got "
           << result;
  if (result.getRank() > 3)
    return emitVerifyError(*this)
           << "blocks have rank 1 to 3, got " << result.getRank();
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType src = getSrc().getType(), result = getType();
  if (src.getElementType() != result.getElementType())
    return emitVerifyError(*this)
           << "changes the element type from " << src.getElementType() << " to "
           << result.getElementType();
  if (src.hasStaticShape() && result.hasStaticShape() &&
      src.getNumElements() != result.getNumElements())
    return emitVerifyError(*this)
           << "cannot reshape " << formatShape(src.getShape()) << " ("
           << src.getNumElements() << " elements) to "
           << formatShape(result.getShape()) << " (" << result.getNumElements()
           << " elements)";
  return verifyDynamicSizes(*this, getDynamicSizes(), result);
}

LogicalResult TransOp::verify() {
  RankedTensorType src = getSrc().getType(), result = getType();
  SmallVector<int64_t> expected = {src.getDimSize(1), src.getDimSize(0)};
  if (src.getElementType() != result.getElementType() ||
      !compatibleShapes(expected, result.getShape()))
    return emitVerifyError(*this)
           << "result must have shape " << formatShape(expected)
           << " and element type " << src.getElementType() << ", got "
           << result;
  return success();
}

LogicalResult ConvertLayoutOp::verify() {
  RankedTensorType src = getSrc().getType(), result = getType();
  if (src.getShape() != result.getShape() ||
      src.getElementType() != result.getElementType())
    return emitVerifyError(*this)
           << "changes the layout only: " << src << " and " << result
           << " differ in shape or element type";
  return success();
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

static Type pointeeOf(Type ptrLike) {
  return cast<PtrType>(elementOf(ptrLike)).getPointeeType();
}

LogicalResult AddPtrOp::verify() {
  if (isa<RankedTensorType>(getOffset().getType()) !=
      isa<RankedTensorType>(getPtr().getType()))
    return emitVerifyError(*this)
           << "offset " << getOffset().getType() << " and pointer "
           << getPtr().getType() << " must both be scalars or both be blocks";
  return verifySameShape(*this, getOffset(), "offset", getPtr().getType(),
                         "pointer");
}

/// The checks shared by load, store and atomic_add.
static LogicalResult verifyAccess(Operation *op, Value ptr, Type valueType,
                                  StringRef valueWhat, Value mask) {
  Type pointee = pointeeOf(ptr.getType());
  if (elementOf(valueType) != pointee)
    return emitVerifyError(op)
           << valueWhat << " element type " << elementOf(valueType)
           << " differs from the pointee type " << pointee;
  if (isa<RankedTensorType>(valueType) !=
          isa<RankedTensorType>(ptr.getType()) ||
      !compatibleShapes(shapeOf(valueType), shapeOf(ptr.getType())))
    return emitVerifyError(op)
           << valueWhat << " has shape " << formatShape(shapeOf(valueType))
           << " but the pointers have shape "
           << formatShape(shapeOf(ptr.getType()));
  if (mask &&
      (isa<RankedTensorType>(mask.getType()) !=
           isa<RankedTensorType>(ptr.getType()) ||
       !compatibleShapes(shapeOf(mask.getType()), shapeOf(ptr.getType()))))
    return emitVerifyError(op)
           << "mask has shape " << formatShape(shapeOf(mask.getType()))
           << " but the pointers have shape "
           << formatShape(shapeOf(ptr.getType()));
  return success();
}

LogicalResult LoadOp::verify() {
  if (failed(verifyAccess(*this, getPtr(), getType(), "result", getMask())))
    return failure();
  if (getOther() && !getMask())
    return emitVerifyError(*this)
           << "'other' needs a mask: it fills the lanes the mask "
              "turns off";
  if (getOther() && getOther().getType() != getType())
    return emitVerifyError(*this) << "other has type " << getOther().getType()
                                  << " but the result has type " << getType();
  return success();
}

LogicalResult StoreOp::verify() {
  return verifyAccess(*this, getPtr(), getValue().getType(), "value",
                      getMask());
}

LogicalResult AtomicAddOp::verify() {
  Type element = elementOf(getValue().getType());
  if (element.isInteger(1) || element.isInteger(8) || element.isInteger(16))
    return emitVerifyError(*this)
           << "atomic_add supports i32, i64, f16, bf16, f32 and "
              "f64 elements, got "
           << element;
  return verifyAccess(*this, getPtr(), getValue().getType(), "value",
                      getMask());
}

//===----------------------------------------------------------------------===//
// Compute
//===----------------------------------------------------------------------===//

LogicalResult DotOp::verify() {
  RankedTensorType a = getA().getType(), b = getB().getType(), c = getType();
  if (a.getElementType() != b.getElementType())
    return emitVerifyError(*this)
           << "operands have different element types: " << a.getElementType()
           << " and " << b.getElementType();
  SmallVector<int64_t> expected = {a.getDimSize(0), b.getDimSize(1)};
  if (!compatibleShapes({a.getDimSize(1)}, {b.getDimSize(0)}))
    return emitVerifyError(*this)
           << "cannot multiply " << formatShape(a.getShape()) << " by "
           << formatShape(b.getShape()) << ": inner dimensions differ";
  if (!compatibleShapes(expected, c.getShape()))
    return emitVerifyError(*this)
           << "result must have shape " << formatShape(expected) << ", got "
           << formatShape(c.getShape());
  for (auto [name, dim] : {std::pair<StringRef, int64_t>{"M", a.getDimSize(0)},
                           {"N", b.getDimSize(1)},
                           {"K", a.getDimSize(1)}})
    if (!ShapedType::isDynamic(dim) && dim < 16)
      return emitVerifyError(*this)
             << name << " must be at least 16, got " << dim;
  return success();
}

LogicalResult ReduceOp::verify() {
  RankedTensorType src = getSrc().getType();
  uint32_t axis = getAxis();
  if (axis >= src.getRank())
    return emitVerifyError(*this)
           << "axis " << axis << " is out of range for rank " << src.getRank();
  if (isa<PtrType>(src.getElementType()))
    return emitVerifyError(*this) << "cannot reduce a block of pointers";
  bool isArg =
      getKind() == ReduceKind::Argmax || getKind() == ReduceKind::Argmin;
  Type element =
      isArg ? IntegerType::get(getContext(), 32) : src.getElementType();
  SmallVector<int64_t> shape(src.getShape());
  shape.erase(shape.begin() + axis);
  Type expected =
      shape.empty() ? element : RankedTensorType::get(shape, element);
  Type result = getType();
  if (elementOf(result) != element ||
      isa<RankedTensorType>(result) != isa<RankedTensorType>(expected) ||
      !compatibleShapes(shapeOf(result), shape))
    return emitVerifyError(*this)
           << "result must be " << expected << ", got " << result;
  return success();
}
