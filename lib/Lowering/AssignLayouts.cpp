//===- AssignLayouts.cpp - Give every block of a variant a layout ---------===//
//
// Part of the kdsl project.
//
// Implements -kdsl-assign-layouts (see Passes.td). The body is walked in
// order; each op's results get an encoding from its operands' (or the
// default blocked layout of their shape), and operands an op needs in one
// layout are converted to it with kdsl.convert_layout.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Lowering/Passes.h"

#include "DistributedLayout.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "llvm/ADT/TypeSwitch.h"

namespace kdsl {
#define GEN_PASS_DEF_KDSLASSIGNLAYOUTS
#include "kdsl/Lowering/Passes.h.inc"
} // namespace kdsl

using namespace mlir;
using namespace kdsl;

namespace {

class LayoutAssigner {
public:
  explicit LayoutAssigner(KernelOp kernel)
      : numWarps(*kernel.getNumWarps()), ctx(kernel.getContext()), b(ctx) {}

  void assign(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block))
      assign(&op);
  }

private:
  int64_t numWarps;
  MLIRContext *ctx;
  OpBuilder b;
  DenseMap<Value, bool> rematerializable;

  static bool isBlock(Value v) { return isa<RankedTensorType>(v.getType()); }
  static Attribute encodingOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getEncoding();
  }
  static RankedTensorType withEncoding(Type type, Attribute encoding) {
    auto tensor = cast<RankedTensorType>(type);
    return RankedTensorType::get(tensor.getShape(), tensor.getElementType(),
                                 encoding);
  }
  Attribute defaultFor(Value v) {
    return getDefaultBlockedEncoding(
        ctx, cast<RankedTensorType>(v.getType()).getShape(), numWarps);
  }
  static Attribute rowMajorShared(Value v, MLIRContext *ctx) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    SmallVector<int64_t> order;
    for (int64_t d = rank - 1; d >= 0; --d)
      order.push_back(d);
    return SharedEncodingAttr::get(ctx, order);
  }

  void setEncoding(Value v, Attribute encoding) {
    v.setType(withEncoding(v.getType(), encoding));
  }
  /// Makes `operand` hold its value in `encoding`, converting before its
  /// owner when needed.
  void convert(OpOperand &operand, Attribute encoding) {
    Value v = operand.get();
    if (encodingOf(v) == encoding)
      return;
    b.setInsertionPoint(operand.getOwner());
    operand.set(ConvertLayoutOp::create(
        b, v.getLoc(), withEncoding(v.getType(), encoding), v));
  }
  /// Puts the block operands of `op` in one layout, that of the first one
  /// that cannot be recomputed in place (else the first's), and gives it
  /// to the block results.
  void unify(Operation *op) {
    Attribute encoding;
    for (Value v : op->getOperands()) {
      if (!isBlock(v))
        continue;
      if (!isRematerializable(v, rematerializable)) {
        encoding = encodingOf(v);
        break;
      }
      if (!encoding)
        encoding = encodingOf(v);
    }
    for (OpOperand &operand : op->getOpOperands())
      if (isBlock(operand.get()))
        convert(operand, encoding);
    for (Value result : op->getResults())
      if (isBlock(result))
        setEncoding(result, encoding ? encoding : defaultFor(result));
  }

  void assign(Operation *op);
  void assignFor(scf::ForOp op);
  void assignIf(scf::IfOp op);
};

void LayoutAssigner::assign(Operation *op) {
  TypeSwitch<Operation *>(op)
      .Case([&](scf::ForOp f) { assignFor(f); })
      .Case([&](scf::IfOp i) { assignIf(i); })
      .Case([&](ReduceOp r) {
        if (!isBlock(r.getResult()))
          return; // to a scalar: any distributed layout will do
        OpOperand &src = r.getSrcMutable();
        auto parent = dyn_cast<BlockedEncodingAttr>(encodingOf(src.get()));
        if (!parent) {
          parent = cast<BlockedEncodingAttr>(defaultFor(src.get()));
          convert(src, parent);
        }
        setEncoding(r.getResult(),
                    SliceEncodingAttr::get(ctx, r.getAxis(), parent));
      })
      .Case([&](ExpandDimsOp e) {
        auto slice = dyn_cast<SliceEncodingAttr>(encodingOf(e.getSrc()));
        setEncoding(e.getResult(), slice && slice.getDim() == e.getAxis()
                                       ? Attribute(slice.getParent())
                                       : defaultFor(e.getResult()));
      })
      .Case([&](DotOp d) {
        convert(d.getAMutable(), rowMajorShared(d.getA(), ctx));
        convert(d.getBMutable(), rowMajorShared(d.getB(), ctx));
        Attribute encoding = defaultFor(d.getResult());
        convert(d.getAccMutable(), encoding);
        setEncoding(d.getResult(), encoding);
      })
      .Case([&](tensor::CastOp c) {
        setEncoding(c.getResult(), encodingOf(c.getSource()));
      })
      .Case([&](arith::ConstantOp c) {
        auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!dense)
          return;
        auto type = withEncoding(c.getType(), defaultFor(c.getResult()));
        c.setValueAttr(dense.reshape(type));
        c.getResult().setType(type);
      })
      .Case<LoadOp, StoreOp, AtomicAddOp, AddPtrOp>(
          [&](Operation *op) { unify(op); })
      .Default([&](Operation *op) {
        bool elementwise =
            isa<arith::ArithDialect, math::MathDialect>(op->getDialect());
        if (elementwise) {
          unify(op);
          return;
        }
        for (Value result : op->getResults())
          if (isBlock(result))
            setEncoding(result, defaultFor(result));
      });
}

void LayoutAssigner::assignFor(scf::ForOp op) {
  for (auto [init, arg, result] :
       llvm::zip(op.getInitArgs(), op.getRegionIterArgs(), op.getResults())) {
    if (!isBlock(init))
      continue;
    arg.setType(init.getType());
    result.setType(init.getType());
  }
  assign(*op.getBody());
  auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
  for (auto [operand, arg] :
       llvm::zip(yield->getOpOperands(), op.getRegionIterArgs()))
    if (isBlock(arg))
      convert(operand, encodingOf(arg));
}

void LayoutAssigner::assignIf(scf::IfOp op) {
  assign(op.getThenRegion().front());
  if (!op.getElseRegion().empty())
    assign(op.getElseRegion().front());
  if (op.getNumResults() == 0)
    return;
  scf::YieldOp thenYield = op.thenYield(), elseYield = op.elseYield();
  for (auto [i, result] : llvm::enumerate(op.getResults())) {
    if (!isBlock(result))
      continue;
    Attribute encoding = encodingOf(thenYield.getOperand(i));
    convert(elseYield->getOpOperand(i), encoding);
    setEncoding(result, encoding);
  }
}

struct AssignLayoutsPass
    : public kdsl::impl::KdslAssignLayoutsBase<AssignLayoutsPass> {
  void runOnOperation() override {
    for (KernelOp kernel : getOperation().getOps<KernelOp>()) {
      if (!kernel.isVariant()) {
        kernel.emitError() << "kernel '" << kernel.getSymName()
                           << "' is not a variant; run -kdsl-specialize first";
        return signalPassFailure();
      }
      LayoutAssigner(kernel).assign(kernel.getBody().front());
    }
  }
};

} // namespace
