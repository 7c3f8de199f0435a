//===- Specialize.cpp - Bind constexprs to produce a variant --------------===//
//
// Implements -kdsl-specialize: a generic kernel, whose block dimensions may
// depend on constexpr parameters, becomes a variant with every constexpr
// bound, constants folded, static_asserts decided and every type static.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"
#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/ConstExpr.h"
#include "kdsl/Support/Limits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

namespace kdsl {
#define GEN_PASS_DEF_KDSLSPECIALIZE
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h.inc"
} // namespace kdsl

using namespace mlir;
using namespace kdsl;

namespace {

/// Values of constexprs, num_warps/num_stages and scalar parameters.
using Bindings = llvm::StringMap<int64_t>;

//===----------------------------------------------------------------------===//
// Choosing the config
//===----------------------------------------------------------------------===//

/// Resolves every constexpr of `kernel` and the two tuning knobs: explicit
/// bindings, then @config, then the first valid @autotune config, then
/// defaults.
LogicalResult resolveBindings(KernelOp kernel, Bindings &values) {
  ConfigValues resolved;
  for (const auto &entry : values)
    resolved[entry.getKey().str()] = entry.getValue();
  std::string error = resolveConfig(getConfigInfo(kernel), resolved);
  if (!error.empty())
    return kernel.emitError() << error;
  for (const auto &[name, value] : resolved)
    values[name] = value;
  return success();
}

//===----------------------------------------------------------------------===//
// Shape refinement
//===----------------------------------------------------------------------===//

void setShape(Value value, ArrayRef<int64_t> shape) {
  if (auto tensor = dyn_cast<RankedTensorType>(value.getType()))
    value.setType(RankedTensorType::get(shape, tensor.getElementType()));
}

ArrayRef<int64_t> shapeOf(Value value) {
  if (auto tensor = dyn_cast<RankedTensorType>(value.getType()))
    return tensor.getShape();
  return {};
}

/// Moves constant size operands of `op` (its operands from `firstSize` on)
/// into the static shape of its single result.
LogicalResult absorbConstantSizes(Operation *op, unsigned firstSize) {
  SmallVector<int64_t> shape(shapeOf(op->getResult(0)));
  SmallVector<Value> operands(op->getOperands().take_front(firstSize));
  auto sizes = op->getOperands().drop_front(firstSize);
  unsigned next = 0;
  for (int64_t &dim : shape) {
    if (!ShapedType::isDynamic(dim))
      continue;
    Value size = sizes[next++];
    APInt constant;
    if (!matchPattern(size, m_ConstantInt(&constant))) {
      operands.push_back(size);
      continue;
    }
    dim = constant.getSExtValue();
    if (dim <= 0 || !llvm::isPowerOf2_64(dim))
      return op->emitError()
             << "block dimension " << dim << " is not a positive power of two";
  }
  op->setOperands(operands);
  setShape(op->getResult(0), shape);
  return success();
}

LogicalResult refineBlock(Block &block);

/// Gives the results of `op` the static shapes its operands now imply.
LogicalResult refineOp(Operation *op) {
  if (auto forOp = dyn_cast<scf::ForOp>(op)) {
    for (auto [init, arg, result] :
         llvm::zip(forOp.getInitArgs(), forOp.getRegionIterArgs(),
                   forOp.getResults())) {
      arg.setType(init.getType());
      result.setType(init.getType());
    }
    if (failed(refineBlock(*forOp.getBody())))
      return failure();
    for (auto [yielded, init] :
         llvm::zip(forOp.getBody()->getTerminator()->getOperands(),
                   forOp.getInitArgs()))
      if (yielded.getType() != init.getType())
        return forOp.emitError()
               << "a loop-carried value changes type from " << init.getType()
               << " to " << yielded.getType();
    return success();
  }
  for (Region &region : op->getRegions())
    for (Block &block : region)
      if (failed(refineBlock(block)))
        return failure();
  if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
    for (auto [i, result] : llvm::enumerate(ifOp.getResults())) {
      Type thenType = ifOp.thenYield().getOperand(i).getType();
      Type elseType = ifOp.elseYield().getOperand(i).getType();
      if (thenType != elseType)
        return ifOp.emitError()
               << "the branches give a value different types: " << thenType
               << " and " << elseType;
      result.setType(thenType);
    }
    return success();
  }
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([](ArangeOp arange) -> LogicalResult {
        APInt start, end;
        if (!matchPattern(arange.getStart(), m_ConstantInt(&start)) ||
            !matchPattern(arange.getEnd(), m_ConstantInt(&end)))
          return success();
        // Report here, before the blocks sized by this range complain.
        int64_t length = end.getSExtValue() - start.getSExtValue();
        if (length <= 0 || !llvm::isPowerOf2_64(length))
          return arange.emitError()
                 << "arange: length must be a positive power of two, got "
                 << length;
        setShape(arange, {length});
        return success();
      })
      .Case<SplatOp, BroadcastOp, ReshapeOp>(
          [](Operation *shaped) { return absorbConstantSizes(shaped, 1); })
      .Case([](ExpandDimsOp expand) {
        SmallVector<int64_t> shape(shapeOf(expand.getSrc()));
        if (expand.getAxis() <= shape.size())
          shape.insert(shape.begin() + expand.getAxis(), 1);
        setShape(expand, shape);
        return success();
      })
      .Case([](TransOp trans) {
        ArrayRef<int64_t> src = shapeOf(trans.getSrc());
        setShape(trans, {src[1], src[0]});
        return success();
      })
      .Case([](ReduceOp reduce) {
        SmallVector<int64_t> shape(shapeOf(reduce.getSrc()));
        if (reduce.getAxis() < shape.size())
          shape.erase(shape.begin() + reduce.getAxis());
        setShape(reduce, shape);
        return success();
      })
      .Case([](DotOp dot) {
        setShape(dot, {shapeOf(dot.getA())[0], shapeOf(dot.getB())[1]});
        return success();
      })
      .Case([](LoadOp load) {
        setShape(load, shapeOf(load.getPtr()));
        return success();
      })
      .Case([](AtomicAddOp atomic) {
        setShape(atomic, shapeOf(atomic.getValue()));
        return success();
      })
      .Case([](tensor::CastOp cast) {
        setShape(cast, shapeOf(cast.getSource()));
        return success();
      })
      .Case([](AddPtrOp add) {
        setShape(add, shapeOf(add.getPtr()));
        return success();
      })
      .Default([](Operation *other) -> LogicalResult {
        if (!other->hasTrait<OpTrait::Elementwise>())
          return success();
        // Elementwise ops: every block operand has the result's shape.
        std::optional<SmallVector<int64_t>> shape;
        for (Value operand : other->getOperands()) {
          if (!isa<RankedTensorType>(operand.getType()))
            continue;
          SmallVector<int64_t> operandShape(shapeOf(operand));
          if (!shape) {
            shape = operandShape;
            continue;
          }
          // Merge: a dimension still dynamic here may be known elsewhere.
          for (auto [dim, other_dim] : llvm::zip(*shape, operandShape)) {
            if (ShapedType::isDynamic(dim))
              dim = other_dim;
            else if (!ShapedType::isDynamic(other_dim) && dim != other_dim)
              return other->emitError()
                     << "shape mismatch: " << formatShape(*shape) << " and "
                     << formatShape(operandShape);
          }
        }
        if (shape)
          for (Value result : other->getResults())
            setShape(result, *shape);
        return success();
      });
}

LogicalResult refineBlock(Block &block) {
  for (Operation &op : block)
    if (failed(refineOp(&op)))
      return failure();
  return success();
}

/// Folds constants; with `canonicalize`, also applies every canonicalization
/// pattern (which may delete code, such as a loop that runs zero times).
LogicalResult foldConstants(Operation *root, bool canonicalize = true) {
  MLIRContext *context = root->getContext();
  RewritePatternSet patterns(context);
  if (canonicalize) {
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : context->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, context);
  }
  return applyPatternsGreedily(root, std::move(patterns));
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct KdslSpecializePass
    : public kdsl::impl::KdslSpecializeBase<KdslSpecializePass> {
  using Base::Base;

  void runOnOperation() override {
    Bindings explicitValues;
    for (const std::string &entry : config) {
      StringRef text(entry);
      auto [name, valueText] = text.split('=');
      int64_t value;
      name = name.trim();
      valueText = valueText.trim();
      if (valueText == "true" || valueText == "false")
        value = valueText == "true";
      else if (name.empty() || valueText.getAsInteger(0, value)) {
        getOperation().emitError()
            << "config entry '" << entry << "' must be NAME=INTEGER";
        return signalPassFailure();
      }
      explicitValues[name] = value;
    }
    bool found = false;
    for (KernelOp kernel : llvm::to_vector(getOperation().getOps<KernelOp>())) {
      if (!this->kernel.empty() && kernel.getSymName() != this->kernel)
        continue;
      found = true;
      if (kernel.isVariant())
        continue;
      if (failed(specialize(kernel, explicitValues)))
        return signalPassFailure();
    }
    if (!found && !kernel.empty()) {
      getOperation().emitError() << "no kernel named '" << kernel << "'";
      return signalPassFailure();
    }
    // Binding makes many splats and constants identical.
    OpPassManager cleanup(ModuleOp::getOperationName());
    cleanup.addPass(createCSEPass());
    if (failed(runPipeline(cleanup, getOperation())))
      return signalPassFailure();
  }

  LogicalResult specialize(KernelOp kernel, const Bindings &explicitValues) {
    for (const auto &entry : explicitValues) {
      StringRef name = entry.getKey();
      if (name == "num_warps" || name == "num_stages")
        continue;
      std::optional<unsigned> index = kernel.lookupParam(name);
      if (!index)
        return kernel.emitError() << "kernel '" << kernel.getSymName()
                                  << "' has no parameter '" << name << "'";
      if (isa<PtrType>(kernel.getArgumentTypes()[*index]))
        return kernel.emitError() << "'" << name
                                  << "' is a pointer; only constexprs and "
                                     "scalar parameters take config values";
    }
    Bindings values = explicitValues;
    if (failed(resolveBindings(kernel, values)))
      return failure();

    // Replace each constexpr argument by a constant and drop it.
    OpBuilder builder = OpBuilder::atBlockBegin(&kernel.getBody().front());
    llvm::BitVector erase(kernel.getNumArguments());
    SmallVector<NamedAttribute> bound;
    SmallVector<Attribute> keptNames;
    for (unsigned i = 0, e = kernel.getNumArguments(); i != e; ++i) {
      auto name = cast<StringAttr>(kernel.getParamNames()[i]);
      if (!kernel.isConstexpr(i)) {
        keptNames.push_back(name);
        continue;
      }
      auto type = cast<IntegerType>(kernel.getArgument(i).getType());
      int64_t value = values.lookup(name.getValue());
      if (type.getWidth() == 1 ? (value != 0 && value != 1)
                               : !llvm::isIntN(type.getWidth(), value))
        return kernel.emitError() << "value " << value << " does not fit "
                                  << "constexpr '" << name.getValue()
                                  << "' of type " << formatType(type);
      Value constant = arith::ConstantOp::create(builder, kernel.getLoc(),
                                                 IntegerAttr::get(type, value));
      kernel.getArgument(i).replaceAllUsesWith(constant);
      bound.push_back(
          builder.getNamedAttr(name, IntegerAttr::get(type, value)));
      erase.set(i);
    }
    if (failed(kernel.eraseArguments(erase)))
      return failure();
    kernel.setParamNamesAttr(builder.getArrayAttr(keptNames));
    kernel.setBindingsAttr(builder.getDictionaryAttr(bound));
    // The variant's grid reads only runtime parameters; its config is the
    // bindings, so the space it came from is dropped.
    if (std::optional<ArrayAttr> grid = kernel.getGrid()) {
      SmallVector<Attribute> dims;
      for (Attribute dim : *grid) {
        ConstExprParseResult parsed =
            parseConstExpr(cast<StringAttr>(dim).str());
        ConstExprRef bound = parsed.expr->substitute(
            [&](const std::string &name) -> std::optional<int64_t> {
              std::optional<unsigned> index = kernel.lookupParam(name);
              if (index)
                return std::nullopt;
              auto it = values.find(name);
              if (it == values.end())
                return std::nullopt;
              return it->second;
            });
        dims.push_back(builder.getStringAttr(bound->print()));
      }
      kernel.setGridAttr(builder.getArrayAttr(dims));
    }
    kernel.removeAutotuneAttr();
    kernel.removeConfigAttr();
    for (StringRef knob : {"num_warps", "num_stages"}) {
      int64_t value = values.lookup(knob);
      if ((knob == "num_warps" &&
           (value < 1 || value > 32 || !llvm::isPowerOf2_64(value))) ||
          (knob == "num_stages" && (value < 1 || value > 8)))
        return kernel.emitError() << knob << " = " << value
                                  << " is out of range (num_warps: a power of "
                                     "two from 1 to 32; num_stages: 1 to 8)";
      kernel->setAttr(knob, builder.getI32IntegerAttr(value));
    }

    // Decide static_asserts before canonicalization can delete the code
    // around them (a loop that runs zero times still has its checks).
    (void)foldConstants(kernel, /*canonicalize=*/false);
    if (failed(decideStaticAsserts(kernel)))
      return failure();
    // Sizes read back from refined types (tensor.dim) fold only after a
    // refinement, so alternate until the types settle.
    for (int round = 0; round < 3; ++round) {
      if (failed(refineBlock(kernel.getBody().front())))
        return failure();
      (void)foldConstants(kernel);
    }
    return checkStatic(kernel);
  }

  static LogicalResult decideStaticAsserts(KernelOp kernel) {
    WalkResult result = kernel.walk([](StaticAssertOp check) {
      APInt value;
      if (!matchPattern(check.getCondition(), m_ConstantInt(&value))) {
        check.emitError() << "static_assert condition is not a compile-time "
                             "constant";
        return WalkResult::interrupt();
      }
      if (value.isZero()) {
        check.emitError() << "static_assert failed: " << check.getMessage();
        return WalkResult::interrupt();
      }
      check.erase();
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  static LogicalResult checkStatic(KernelOp kernel) {
    WalkResult result = kernel.walk([](Operation *op) {
      for (Value value : op->getResults()) {
        auto tensor = dyn_cast<RankedTensorType>(value.getType());
        if (tensor && !tensor.hasStaticShape()) {
          // Every constexpr is bound, so a size that did not fold comes from
          // an expression that cannot be evaluated.
          op->emitError() << "block shape " << formatShape(tensor.getShape())
                          << " is still unknown after binding every "
                             "constexpr: its size does not fold to a "
                             "constant (a runtime value, a division by zero "
                             "or an out-of-range shift?)";
          return WalkResult::interrupt();
        }
        // Every backend holds a block whole: its size is bounded here, once
        // it is known, before anything allocates it.
        std::optional<int64_t> elements =
            tensor ? numElements(tensor.getShape().vec()) : std::nullopt;
        if (tensor && (!elements || *elements > kMaxBlockElements)) {
          op->emitError() << "block " << formatType(tensor) << " has "
                          << (elements ? std::to_string(*elements)
                                       : std::string("2^63 or more"))
                          << " elements; a block may have at most "
                          << kMaxBlockElements << " (2^20)";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace

KernelConfigInfo kdsl::getConfigInfo(KernelOp kernel) {
  KernelConfigInfo info;
  info.name = kernel.getSymName().str();
  for (unsigned i = 0, e = kernel.getNumArguments(); i != e; ++i) {
    StringAttr def = kernel.isConstexpr(i) ? kernel.getDefaultExpr(i) : nullptr;
    info.params.push_back({cast<StringAttr>(kernel.getParamNames()[i]).str(),
                           kernel.isConstexpr(i),
                           def ? def.str() : std::string()});
  }
  if (std::optional<DictionaryAttr> config = kernel.getConfig())
    for (NamedAttribute entry : *config)
      info.fixedConfig.emplace_back(
          entry.getName().str(),
          getConfigInt(cast<IntegerAttr>(entry.getValue())));
  if (std::optional<AutotuneAttr> tune = kernel.getAutotune()) {
    for (Attribute entry : tune->getSpace()) {
      auto param = cast<TuneParamAttr>(entry);
      info.tuneAxes.push_back(
          {param.getName().str(),
           std::vector<int64_t>(param.getValues().asArrayRef())});
    }
    info.tuneWhere = tune->getWhere().str();
  }
  return info;
}
