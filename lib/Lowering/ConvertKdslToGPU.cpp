//===- ConvertKdslToGPU.cpp - kdsl variants to per-thread GPU code --------===//
//
// Part of the kdsl project.
//
// Implements -convert-kdsl-to-gpu (see Passes.td for the strategy). The
// kernel body is walked in order; each block value becomes the list of
// scalars its thread holds in its layout encoding (its "slots"), each scalar
// value its converted self, and each block staged in shared memory its byte
// offset there. scf.for and scf.if are rebuilt with their block values
// flattened into slots.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Lowering/Passes.h"

#include "AxisInfo.h"
#include "DistributedLayout.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

namespace kdsl {
#define GEN_PASS_DEF_CONVERTKDSLTOGPU
#include "kdsl/Lowering/Passes.h.inc"
} // namespace kdsl

using namespace mlir;
using namespace kdsl;

namespace {

using Slots = SmallVector<Value>;

template <typename Arith>
typename Arith::Int linearizeIn(Arith &a, ArrayRef<typename Arith::Int> coords,
                                ArrayRef<int64_t> shape) {
  typename Arith::Int linear = coords.empty() ? a.constant(0) : coords[0];
  for (size_t d = 1; d < shape.size(); ++d)
    linear = a.add(a.mul(linear, shape[d]), coords[d]);
  return linear;
}

template <typename Arith>
SmallVector<typename Arith::Int>
delinearizeIn(Arith &a, typename Arith::Int linear, ArrayRef<int64_t> shape) {
  SmallVector<typename Arith::Int> coords(shape.size());
  for (int64_t d = shape.size() - 1; d > 0; --d) {
    coords[d] = a.rem(linear, shape[d]);
    linear = a.div(linear, shape[d]);
  }
  if (!shape.empty())
    coords[0] = linear;
  return coords;
}

/// The coordinates in the source of a layout or shape change (expand_dims,
/// broadcast, reshape, trans, cast, convert_layout) of the result element
/// at `coords`.
template <typename Arith>
SmallVector<typename Arith::Int>
sourceCoords(Arith &a, Operation *op, ArrayRef<typename Arith::Int> coords) {
  SmallVector<typename Arith::Int> in(coords);
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  if (auto e = dyn_cast<ExpandDimsOp>(op)) {
    in.erase(in.begin() + e.getAxis());
  } else if (auto bc = dyn_cast<BroadcastOp>(op)) {
    ArrayRef<int64_t> inShape = shapeOf(bc.getSrc());
    ArrayRef<int64_t> outShape = shapeOf(bc.getResult());
    for (size_t d = 0; d < in.size(); ++d)
      if (inShape[d] == 1 && outShape[d] != 1)
        in[d] = a.constant(0);
  } else if (isa<TransOp>(op)) {
    in = {coords[1], coords[0]};
  } else if (auto r = dyn_cast<ReshapeOp>(op)) {
    in = delinearizeIn(a, linearizeIn(a, coords, shapeOf(r.getResult())),
                       shapeOf(r.getSrc()));
  }
  return in;
}

//===----------------------------------------------------------------------===//
// The emitter
//===----------------------------------------------------------------------===//

class KernelEmitter {
public:
  KernelEmitter(KernelOp kernel, gpu::GPUFuncOp func, LLVM::GlobalOp smem,
                bool assumeAligned, ArrayRef<std::string> divisible)
      : kernel(kernel), b(func.getBody()), smemGlobal(smem),
        axis(assumeAligned, divisible) {
    threads = *kernel.getNumWarps() * 32;
    ctx = kernel.getContext();
  }

  LogicalResult run(gpu::GPUFuncOp func);
  int64_t sharedBytes() const { return maxShared; }

private:
  KernelOp kernel;
  OpBuilder b;
  LLVM::GlobalOp smemGlobal;
  AxisInfoAnalysis axis;
  MLIRContext *ctx;
  int64_t threads;
  int64_t maxShared = 0;
  Value tid;
  /// Ops that compute per-thread layout indices go before this op, in the
  /// kernel's entry block, so they dominate every use.
  Operation *prologueEnd = nullptr;
  IRMapping scalars;
  DenseMap<Value, Slots> blocks;
  /// Blocks staged in shared memory (#kdsl.shared): their byte offsets.
  DenseMap<Value, int64_t> sharedOffsets;
  DenseMap<Value, bool> rematCache;
  DenseMap<Type, std::unique_ptr<DistributedLayout>> layouts;
  DenseMap<Type, SmallVector<Value>> threadIndexCache;
  LogicalResult status = success();

  LogicalResult checkLayouts();

  // Types and constants.
  Type convert(Type type) {
    if (isa<PtrType>(type))
      return LLVM::LLVMPointerType::get(ctx, 1);
    return type;
  }
  Type elementOf(Value v) {
    return convert(cast<RankedTensorType>(v.getType()).getElementType());
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  /// Layouts depend on the shape and encoding only.
  static Type layoutKey(Type t) {
    auto tensor = cast<RankedTensorType>(t);
    return RankedTensorType::get(tensor.getShape(),
                                 IntegerType::get(t.getContext(), 8),
                                 tensor.getEncoding());
  }
  /// The distributed layout of a block type (checked up front by
  /// checkLayouts).
  const DistributedLayout &layoutOf(Type t) {
    std::unique_ptr<DistributedLayout> &l = layouts[layoutKey(t)];
    if (!l)
      l = std::make_unique<DistributedLayout>(
          *DistributedLayout::get(cast<RankedTensorType>(t)));
    return *l;
  }
  const DistributedLayout &layoutOf(Value v) { return layoutOf(v.getType()); }
  SmallVector<Value> threadIndicesOf(Type t) {
    SmallVector<Value> &cached = threadIndexCache[layoutKey(t)];
    if (cached.empty()) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(prologueEnd);
      IRArith a{b, prologueEnd->getLoc()};
      cached = layoutOf(t).threadIndices(a, tid);
    }
    return cached;
  }
  /// Coordinates of the element in `slot` of this thread, for a block of
  /// type `t`.
  SmallVector<Value> coordsOf(Location loc, Type t, int64_t slot) {
    IRArith a{b, loc};
    return layoutOf(t).coords<IRArith>(a, threadIndicesOf(t), slot);
  }
  /// Whether this thread owns `slot` (not a copy); null when it owns all.
  Value ownerOf(Location loc, Type t, int64_t slot) {
    IRArith a{b, loc};
    std::optional<Value> own =
        layoutOf(t).owner<IRArith>(a, threadIndicesOf(t), slot);
    return own ? *own : Value();
  }
  Value i32(Location loc, int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value scalar(Value v) { return scalars.lookupOrDefault(v); }

  LogicalResult fail(Operation *op, const Twine &message) {
    op->emitOpError() << message;
    status = failure();
    return failure();
  }

  SmallVector<Value> delinearize(Location loc, Value linear,
                                 ArrayRef<int64_t> shape) {
    IRArith a{b, loc};
    return delinearizeIn(a, linear, shape);
  }
  Value linearize(Location loc, ArrayRef<Value> coords,
                  ArrayRef<int64_t> shape) {
    IRArith a{b, loc};
    return linearizeIn<IRArith>(a, coords, shape);
  }

  // Shared memory.
  Value smemPtr(Location loc, Type elem, Value index, int64_t byteOffset) {
    Value base = LLVM::AddressOfOp::create(b, loc, smemGlobal);
    Value byteBase = LLVM::GEPOp::create(
        b, loc, base.getType(), b.getI8Type(), base,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(byteOffset)});
    return LLVM::GEPOp::create(b, loc, base.getType(), elem, byteBase,
                               ValueRange{index});
  }
  static int64_t bytesOf(Type t) {
    if (isa<LLVM::LLVMPointerType>(t))
      return 8;
    unsigned bits = t.getIntOrFloatBitWidth();
    return bits <= 8 ? 1 : bits / 8;
  }
  /// i1 is kept as i8 in memory.
  Type memoryType(Type t) { return t.isInteger(1) ? b.getI8Type() : t; }
  Value toMemory(Location loc, Value v) {
    if (v.getType().isInteger(1))
      return arith::ExtUIOp::create(b, loc, b.getI8Type(), v);
    return v;
  }
  Value fromMemory(Location loc, Value v, Type t) {
    if (t.isInteger(1))
      return arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne, v,
          arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0));
    return v;
  }
  void reserveShared(int64_t bytes) { maxShared = std::max(maxShared, bytes); }
  /// Bytes per warp in each half of the scalar-reduction scratch, which sits
  /// at the start of shared memory (a value of up to 8 bytes and an index).
  static constexpr int64_t kScratchBytesPerWarp = 16;
  /// Where the other uses of shared memory start: after the scratch, when
  /// the kernel reduces to scalars across warps.
  int64_t exchangeBase = 0;
  int64_t scalarReductions = 0;
  /// The last use of shared memory emitted was a top-level scalar reduction.
  bool lastSharedUseWasReduction = false;
  /// Where the next block staged in shared memory goes: past the live ones,
  /// back at exchangeBase when none is live.
  int64_t nextSharedOffset = 0;
  int64_t liveSharedBlocks = 0;
  /// Writes to shared memory since the last barrier, which a read must wait
  /// for, and the bytes [pendingReadBegin, pendingReadEnd) read since then
  /// (none when empty), which a write there must wait for.
  bool pendingSharedWrites = false;
  int64_t pendingReadBegin = 0, pendingReadEnd = 0;
  static constexpr int64_t kAllShared = INT64_MAX;
  void barrier(Location loc) {
    gpu::BarrierOp::create(b, loc);
    pendingSharedWrites = false;
    pendingReadBegin = pendingReadEnd = 0;
  }
  bool readsPendingIn(int64_t begin, int64_t end) const {
    return begin < pendingReadEnd && pendingReadBegin < end;
  }
  void beforeSharedWrite(Location loc, int64_t begin, int64_t end) {
    if (readsPendingIn(begin, end))
      barrier(loc);
    pendingSharedWrites = true;
    lastSharedUseWasReduction = false;
  }
  void beforeSharedRead(Location loc, int64_t begin, int64_t end) {
    if (pendingSharedWrites)
      barrier(loc);
    if (pendingReadBegin >= pendingReadEnd) {
      pendingReadBegin = begin;
      pendingReadEnd = end;
    } else {
      pendingReadBegin = std::min(pendingReadBegin, begin);
      pendingReadEnd = std::max(pendingReadEnd, end);
    }
    lastSharedUseWasReduction = false;
  }
  /// After control flow, whose bodies may have used shared memory.
  void assumeSharedMemoryUsed() {
    pendingSharedWrites = true;
    pendingReadBegin = 0;
    pendingReadEnd = kAllShared;
    lastSharedUseWasReduction = false;
  }
  /// Where `bytes` exchanged through shared memory go: at nextSharedOffset,
  /// or, where bytes there were read since the last barrier, just past
  /// those, so the write need not wait for a barrier (consecutive exchanges,
  /// like a softmax's two row reductions, alternate between two areas). A
  /// barrier is cheaper than shared memory that lowers occupancy: a large
  /// exchange moves only within what the kernel reserves already.
  static constexpr int64_t kSmallExchangeBytes = 1024;
  int64_t exchangeOffset(int64_t bytes) const {
    int64_t at = nextSharedOffset;
    if (!readsPendingIn(at, at + bytes) || pendingReadEnd == kAllShared)
      return at;
    int64_t past = std::max(at, (pendingReadEnd + 15) / 16 * 16);
    return bytes <= kSmallExchangeBytes || past + bytes <= maxShared ? past
                                                                     : at;
  }
  /// Runs `body` only where `cond` holds (always when `cond` is null).
  void guarded(Location loc, Value cond, function_ref<void()> body) {
    if (!cond) {
      body();
      return;
    }
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    body();
  }
  /// `cond ? then() : otherwise` as an scf.if yielding one value.
  Value select(Location loc, Value cond, function_ref<Value()> then,
               Value otherwise) {
    auto ifOp = scf::IfOp::create(b, loc, otherwise.getType(), cond,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loc, then());
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, loc, otherwise);
    return ifOp.getResult(0);
  }
  /// Index of the element at `coords` in a dense array whose dimensions
  /// vary fastest in `order`.
  Value sharedIndex(Location loc, ArrayRef<Value> coords,
                    ArrayRef<int64_t> shape, ArrayRef<int64_t> order) {
    SmallVector<Value> permuted;
    SmallVector<int64_t> permutedShape;
    for (int64_t d : llvm::reverse(order)) {
      permuted.push_back(coords[d]);
      permutedShape.push_back(shape[d]);
    }
    return linearize(loc, permuted, permutedShape);
  }
  static SmallVector<int64_t> rowMajor(int64_t rank) {
    SmallVector<int64_t> order;
    for (int64_t d = rank - 1; d >= 0; --d)
      order.push_back(d);
    return order;
  }
  /// Writes the owned slots of the distributed block `value` to shared
  /// memory at `byteOffset`, as a dense array in `order`.
  void writeShared(Location loc, Value value, int64_t byteOffset,
                   ArrayRef<int64_t> order) {
    Type type = value.getType();
    const DistributedLayout &l = layoutOf(type);
    Type elem = elementOf(value);
    int64_t bytes = cast<RankedTensorType>(type).getNumElements() *
                    bytesOf(memoryType(elem));
    reserveShared(byteOffset + bytes);
    beforeSharedWrite(loc, byteOffset, byteOffset + bytes);
    Slots slots = blocks[value];
    for (int64_t s = 0; s < l.slots(); ++s) {
      Value index = sharedIndex(loc, coordsOf(loc, type, s), l.shape(), order);
      guarded(loc, ownerOf(loc, type, s), [&] {
        LLVM::StoreOp::create(
            b, loc, toMemory(loc, slots[s]),
            smemPtr(loc, memoryType(elem), index, byteOffset));
      });
    }
  }
  Value readShared(Location loc, Type elem, Value index, int64_t byteOffset) {
    Value v =
        LLVM::LoadOp::create(b, loc, memoryType(elem),
                             smemPtr(loc, memoryType(elem), index, byteOffset));
    return fromMemory(loc, v, elem);
  }

  /// Elements per vector access to the block of pointers `ptrs`: the
  /// layout's chunk, halved until the axis analysis proves the addresses
  /// contiguous and aligned to the access, within one row and 16 bytes.
  int64_t vectorWidth(Value ptrs, int64_t elementBytes) {
    AxisInfo info = axis.get(ptrs);
    int64_t last = shapeOf(ptrs).back();
    int64_t width = layoutOf(ptrs).contiguity();
    while (width > 1 && (info.contiguity < width ||
                         info.divisibility < width * elementBytes ||
                         last % width != 0 || width * elementBytes > 16))
      width /= 2;
    return width;
  }

  // Rematerialization.
  bool isRematerializable(Value v) {
    return kdsl::isRematerializable(v, rematCache);
  }
  Value emitAt(Value v, ArrayRef<Value> coords, Location loc);

  // Emission.
  LogicalResult emitRegion(Block &block);
  LogicalResult emitOp(Operation *op);
  LogicalResult emitElementwise(Operation *op);
  Operation *emitScalarOp(Operation *op, ValueRange operands);
  LogicalResult emitLayoutChange(Operation *op);
  LogicalResult emitConvertLayout(ConvertLayoutOp op);
  int64_t sharedOffsetOf(Value value);
  void releaseShared(Operation *op);
  LogicalResult emitLoad(LoadOp op);
  LogicalResult emitStore(Operation *op, Value ptr, Value value, Value mask);
  LogicalResult emitReduce(ReduceOp op);
  LogicalResult emitDot(DotOp op);
  LogicalResult emitFor(scf::ForOp op);
  LogicalResult emitIf(scf::IfOp op);

  Slots flatten(ValueRange values) {
    Slots flat;
    for (Value v : values) {
      if (isa<RankedTensorType>(v.getType()))
        llvm::append_range(flat, blocks[v]);
      else
        flat.push_back(scalar(v));
    }
    return flat;
  }
  SmallVector<Type> flatTypes(TypeRange types) {
    SmallVector<Type> flat;
    for (Type t : types) {
      if (auto tensor = dyn_cast<RankedTensorType>(t)) {
        flat.append(layoutOf(tensor).slots(), convert(tensor.getElementType()));
      } else {
        flat.push_back(convert(t));
      }
    }
    return flat;
  }
  /// Maps `values` to consecutive runs of `flat`.
  void bind(ValueRange values, ValueRange flat) {
    size_t at = 0;
    for (Value v : values) {
      if (isa<RankedTensorType>(v.getType())) {
        int64_t n = layoutOf(v).slots();
        blocks[v] = Slots(flat.begin() + at, flat.begin() + at + n);
        at += n;
      } else {
        scalars.map(v, flat[at++]);
      }
    }
  }

  // Reductions.
  Value combine(Location loc, ReduceKind kind, Value a, Value c);
  std::pair<Value, Value> combineArg(Location loc, bool wantMax, Value va,
                                     Value ia, Value vb, Value ib);
  Value identity(Location loc, ReduceKind kind, Type t);
  Value shuffleXor(Location loc, Value v, int64_t offset);
};

//===----------------------------------------------------------------------===//
// Rematerialization
//===----------------------------------------------------------------------===//

Value KernelEmitter::emitAt(Value v, ArrayRef<Value> coords, Location loc) {
  if (!isa<RankedTensorType>(v.getType()))
    return scalar(v);
  Operation *op = v.getDefiningOp();
  return TypeSwitch<Operation *, Value>(op)
      .Case([&](ArangeOp a) -> Value {
        return arith::AddIOp::create(b, loc, scalar(a.getStart()), coords[0]);
      })
      .Case([&](SplatOp s) { return scalar(s.getValue()); })
      .Case([&](ExpandDimsOp e) {
        SmallVector<Value> in(coords);
        in.erase(in.begin() + e.getAxis());
        return emitAt(e.getSrc(), in, loc);
      })
      .Case([&](BroadcastOp bc) {
        SmallVector<Value> in(coords);
        ArrayRef<int64_t> inShape = shapeOf(bc.getSrc());
        ArrayRef<int64_t> outShape = shapeOf(bc.getResult());
        for (size_t d = 0; d < in.size(); ++d)
          if (inShape[d] == 1 && outShape[d] != 1)
            in[d] = i32(loc, 0);
        return emitAt(bc.getSrc(), in, loc);
      })
      .Case([&](ReshapeOp r) {
        Value linear = linearize(loc, coords, shapeOf(r.getResult()));
        return emitAt(r.getSrc(), delinearize(loc, linear, shapeOf(r.getSrc())),
                      loc);
      })
      .Case([&](TransOp t) {
        return emitAt(t.getSrc(), {coords[1], coords[0]}, loc);
      })
      .Case(
          [&](tensor::CastOp c) { return emitAt(c.getSource(), coords, loc); })
      .Case([&](ConvertLayoutOp c) { return emitAt(c.getSrc(), coords, loc); })
      .Case([&](AddPtrOp a) -> Value {
        Type elem = convert(
            cast<PtrType>(getElementTypeOrSelf(a.getPtr())).getPointeeType());
        return LLVM::GEPOp::create(
            b, loc, LLVM::LLVMPointerType::get(ctx, 1), elem,
            emitAt(a.getPtr(), coords, loc),
            ValueRange{emitAt(a.getOffset(), coords, loc)});
      })
      .Default([&](Operation *op) -> Value {
        if (auto c = dyn_cast<arith::ConstantOp>(op)) {
          auto dense = cast<DenseElementsAttr>(c.getValue());
          return arith::ConstantOp::create(
              b, loc, cast<TypedAttr>(dense.getSplatValue<Attribute>()));
        }
        OperationState state(loc, op->getName());
        for (Value operand : op->getOperands())
          state.addOperands(emitAt(operand, coords, loc));
        state.addTypes(getElementTypeOrSelf(op->getResult(0).getType()));
        state.addAttributes(op->getAttrs());
        return b.create(state)->getResult(0);
      });
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitRegion(Block &block) {
  for (Operation &op : block.without_terminator())
    if (failed(emitOp(&op)))
      return failure();
  return status;
}

LogicalResult KernelEmitter::emitOp(Operation *op) {
  Location loc = op->getLoc();
  auto isBlock = [](Value v) { return isa<RankedTensorType>(v.getType()); };
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ProgramIdOp p) {
        Value id;
        Type t = b.getI32Type();
        switch (p.getAxis()) {
        case 0:
          id = NVVM::BlockIdXOp::create(b, loc, t);
          break;
        case 1:
          id = NVVM::BlockIdYOp::create(b, loc, t);
          break;
        default:
          id = NVVM::BlockIdZOp::create(b, loc, t);
        }
        scalars.map(p.getResult(), id);
        return success();
      })
      .Case([&](NumProgramsOp p) {
        Value n;
        Type t = b.getI32Type();
        switch (p.getAxis()) {
        case 0:
          n = NVVM::GridDimXOp::create(b, loc, t);
          break;
        case 1:
          n = NVVM::GridDimYOp::create(b, loc, t);
          break;
        default:
          n = NVVM::GridDimZOp::create(b, loc, t);
        }
        scalars.map(p.getResult(), n);
        return success();
      })
      .Case([&](ArangeOp a) {
        Type type = a.getType();
        Slots slots;
        for (int64_t s = 0; s < layoutOf(type).slots(); ++s)
          slots.push_back(arith::AddIOp::create(b, loc, scalar(a.getStart()),
                                                coordsOf(loc, type, s)[0]));
        blocks[a.getResult()] = slots;
        return success();
      })
      .Case([&](SplatOp s) {
        blocks[s.getResult()] =
            Slots(layoutOf(s.getResult()).slots(), scalar(s.getValue()));
        return success();
      })
      .Case<ExpandDimsOp, BroadcastOp, ReshapeOp, TransOp, tensor::CastOp>(
          [&](Operation *op) { return emitLayoutChange(op); })
      .Case([&](ConvertLayoutOp c) { return emitConvertLayout(c); })
      .Case([&](AddPtrOp a) {
        Type elem = convert(
            cast<PtrType>(getElementTypeOrSelf(a.getPtr())).getPointeeType());
        Type ptrType = LLVM::LLVMPointerType::get(ctx, 1);
        if (!isBlock(a.getResult())) {
          scalars.map(a.getResult(),
                      LLVM::GEPOp::create(b, loc, ptrType, elem,
                                          scalar(a.getPtr()),
                                          ValueRange{scalar(a.getOffset())}));
          return success();
        }
        Slots slots;
        const Slots &ptrs = blocks[a.getPtr()], &offs = blocks[a.getOffset()];
        for (size_t s = 0; s < ptrs.size(); ++s)
          slots.push_back(LLVM::GEPOp::create(b, loc, ptrType, elem, ptrs[s],
                                              ValueRange{offs[s]}));
        blocks[a.getResult()] = slots;
        return success();
      })
      .Case([&](LoadOp l) { return emitLoad(l); })
      .Case([&](StoreOp s) {
        return emitStore(s, s.getPtr(), s.getValue(), s.getMask());
      })
      .Case([&](AtomicAddOp a) {
        return emitStore(a, a.getPtr(), a.getValue(), a.getMask());
      })
      .Case([&](ReduceOp r) { return emitReduce(r); })
      .Case([&](DotOp d) { return emitDot(d); })
      .Case([&](scf::ForOp f) { return emitFor(f); })
      .Case([&](scf::IfOp i) { return emitIf(i); })
      .Case([&](StaticAssertOp s) {
        return fail(s, "is left after specialization (compile a variant)");
      })
      .Default([&](Operation *op) -> LogicalResult {
        if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()) ||
            op->getNumRegions() != 0)
          return fail(op, "cannot be lowered to GPU code yet");
        if (llvm::any_of(op->getResultTypes(),
                         [](Type t) { return isa<RankedTensorType>(t); }))
          return emitElementwise(op);
        SmallVector<Value> operands = llvm::map_to_vector(
            op->getOperands(), [&](Value v) { return scalar(v); });
        for (auto [from, to] : llvm::zip(
                 op->getResults(), emitScalarOp(op, operands)->getResults()))
          scalars.map(from, to);
        return success();
      });
}

/// One scalar instance of the arith or math op `op` on `operands`. An f32
/// division is PTX's `div.full.f32` (full range, within 2 ulp, as Triton
/// lowers it and as LANGUAGE.md allows the math functions) rather than the
/// correctly rounded `div.rn.f32`, whose slow path doubles `ptxas` time and
/// adds registers.
Operation *KernelEmitter::emitScalarOp(Operation *op, ValueRange operands) {
  Type type = getElementTypeOrSelf(op->getResult(0).getType());
  if (isa<arith::DivFOp>(op) && type.isF32())
    return LLVM::CallIntrinsicOp::create(
        b, op->getLoc(), type, b.getStringAttr("llvm.nvvm.div.full"), operands);
  OperationState state(op->getLoc(), op->getName());
  state.addOperands(operands);
  for (Type t : op->getResultTypes())
    state.addTypes(getElementTypeOrSelf(t));
  state.addAttributes(op->getAttrs());
  return b.create(state);
}

LogicalResult KernelEmitter::emitElementwise(Operation *op) {
  Location loc = op->getLoc();
  Value result = op->getResult(0);
  const DistributedLayout &l = layoutOf(result);
  Slots slots;
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    if (!dense || !dense.isSplat())
      return fail(op, "with a non-splat block constant cannot be lowered");
    Value v = arith::ConstantOp::create(
        b, loc, cast<TypedAttr>(dense.getSplatValue<Attribute>()));
    blocks[result] = Slots(l.slots(), v);
    return success();
  }
  for (int64_t s = 0; s < l.slots(); ++s) {
    SmallVector<Value> operands =
        llvm::map_to_vector(op->getOperands(), [&](Value operand) {
          return isa<RankedTensorType>(operand.getType()) ? blocks[operand][s]
                                                          : scalar(operand);
        });
    slots.push_back(emitScalarOp(op, operands)->getResult(0));
  }
  blocks[result] = slots;
  return success();
}

/// A change of shape or layout: nothing moves when every thread already
/// holds what it needs at a fixed slot; index arithmetic is recomputed at
/// the new coordinates; anything else makes one round trip through shared
/// memory.
LogicalResult KernelEmitter::emitLayoutChange(Operation *op) {
  Location loc = op->getLoc();
  Value src = op->getOperand(0), result = op->getResult(0);
  const DistributedLayout &in = layoutOf(src), &out = layoutOf(result);
  if (std::optional<SmallVector<int64_t>> map =
          findStaticSlotMap(in, out, [&](ArrayRef<int64_t> coords) {
            HostArith h;
            return sourceCoords<HostArith>(h, op, coords);
          })) {
    const Slots &from = blocks[src];
    Slots slots;
    for (int64_t s : *map)
      slots.push_back(from[s]);
    blocks[result] = slots;
    return success();
  }
  Type outType = result.getType();
  Slots slots;
  if (isRematerializable(result)) {
    for (int64_t s = 0; s < out.slots(); ++s)
      slots.push_back(emitAt(result, coordsOf(loc, outType, s), loc));
    blocks[result] = slots;
    return success();
  }
  SmallVector<int64_t> order = rowMajor(in.shape().size());
  int64_t bytes = cast<RankedTensorType>(src.getType()).getNumElements() *
                  bytesOf(memoryType(elementOf(src)));
  int64_t at = exchangeOffset(bytes);
  writeShared(loc, src, at, order);
  beforeSharedRead(loc, at, at + bytes);
  IRArith a{b, loc};
  for (int64_t s = 0; s < out.slots(); ++s) {
    SmallVector<Value> inCoords =
        sourceCoords<IRArith>(a, op, coordsOf(loc, outType, s));
    slots.push_back(readShared(loc, elementOf(src),
                               sharedIndex(loc, inCoords, in.shape(), order),
                               at));
  }
  blocks[result] = slots;
  return success();
}

/// To a distributed layout, as any layout change; to #kdsl.shared, the
/// block is written to its own area of shared memory, live until its user
/// (a dot or a reduction) has read it.
LogicalResult KernelEmitter::emitConvertLayout(ConvertLayoutOp op) {
  auto shared = dyn_cast<SharedEncodingAttr>(op.getType().getEncoding());
  if (!shared)
    return emitLayoutChange(op);
  Value src = op.getSrc();
  int64_t bytes =
      op.getType().getNumElements() * bytesOf(memoryType(elementOf(src)));
  int64_t offset = exchangeOffset(bytes);
  writeShared(op.getLoc(), src, offset, shared.getOrder());
  nextSharedOffset = (offset + bytes + 15) / 16 * 16;
  ++liveSharedBlocks;
  sharedOffsets[op.getResult()] = offset;
  return success();
}

/// Where `value`, a block staged in shared memory, starts there.
int64_t KernelEmitter::sharedOffsetOf(Value value) {
  return sharedOffsets.lookup(value);
}

/// `op` has read the staged blocks among its operands.
void KernelEmitter::releaseShared(Operation *op) {
  for (Value operand : op->getOperands())
    if (sharedOffsets.count(operand))
      --liveSharedBlocks;
  if (liveSharedBlocks == 0)
    nextSharedOffset = exchangeBase;
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitLoad(LoadOp op) {
  Location loc = op.getLoc();
  Value result = op.getResult();
  auto loadScalar = [&](Value ptr, Type t) -> Value {
    Value v = LLVM::LoadOp::create(b, loc, memoryType(t), ptr,
                                   bytesOf(memoryType(t)));
    return fromMemory(loc, v, t);
  };
  if (!isa<RankedTensorType>(result.getType())) {
    Type t = convert(result.getType());
    Value ptr = scalar(op.getPtr());
    Value v =
        op.getMask()
            ? select(
                  loc, scalar(op.getMask()), [&] { return loadScalar(ptr, t); },
                  op.getOther() ? scalar(op.getOther())
                                : LLVM::ZeroOp::create(b, loc, t))
            : loadScalar(ptr, t);
    scalars.map(result, v);
    return success();
  }
  const DistributedLayout &l = layoutOf(result);
  Type elem = elementOf(result);
  const Slots &ptrs = blocks[op.getPtr()];
  Slots masks = op.getMask() ? blocks[op.getMask()] : Slots();
  Slots others = op.getOther() ? blocks[op.getOther()] : Slots();
  auto otherAt = [&](int64_t s) -> Value {
    return others.empty() ? Value(LLVM::ZeroOp::create(b, loc, elem))
                          : others[s];
  };
  AxisInfo maskInfo = op.getMask() ? axis.get(op.getMask()) : AxisInfo{};
  int64_t bytes = bytesOf(memoryType(elem));
  int64_t width = vectorWidth(op.getPtr(), bytes);
  Slots slots(l.slots());
  for (int64_t s0 = 0; s0 < l.slots(); s0 += width) {
    auto perLane = [&]() -> SmallVector<Value> {
      SmallVector<Value> lanes;
      for (int64_t s = s0; s < s0 + width; ++s)
        lanes.push_back(masks.empty()
                            ? loadScalar(ptrs[s], elem)
                            : select(
                                  loc, masks[s],
                                  [&] { return loadScalar(ptrs[s], elem); },
                                  otherAt(s)));
      return lanes;
    };
    if (width == 1) {
      slots[s0] = perLane()[0];
      continue;
    }
    auto vecType = VectorType::get({width}, memoryType(elem));
    auto vectorLoad = [&]() -> SmallVector<Value> {
      Value v = LLVM::LoadOp::create(b, loc, vecType, ptrs[s0], width * bytes);
      SmallVector<Value> lanes;
      for (int64_t i = 0; i < width; ++i)
        lanes.push_back(fromMemory(
            loc, vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{i}),
            elem));
      return lanes;
    };
    SmallVector<Value> lanes;
    if (masks.empty()) {
      lanes = vectorLoad();
    } else {
      // One test when the mask is uniform over the vector, else all lanes.
      Value all = masks[s0];
      if (maskInfo.constancy < width)
        for (int64_t s = s0 + 1; s < s0 + width; ++s)
          all = arith::AndIOp::create(b, loc, all, masks[s]);
      SmallVector<Type> types(width, elem);
      auto ifOp = scf::IfOp::create(b, loc, types, all, true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&ifOp.getThenRegion().front());
        scf::YieldOp::create(b, loc, vectorLoad());
        b.setInsertionPointToStart(&ifOp.getElseRegion().front());
        if (maskInfo.constancy >= width) {
          SmallVector<Value> o;
          for (int64_t s = s0; s < s0 + width; ++s)
            o.push_back(otherAt(s));
          scf::YieldOp::create(b, loc, o);
        } else {
          scf::YieldOp::create(b, loc, perLane());
        }
      }
      lanes = ifOp.getResults();
    }
    for (int64_t i = 0; i < width; ++i)
      slots[s0 + i] = lanes[i];
  }
  blocks[result] = slots;
  return success();
}

LogicalResult KernelEmitter::emitStore(Operation *op, Value ptr, Value value,
                                       Value mask) {
  Location loc = op->getLoc();
  bool atomic = isa<AtomicAddOp>(op);
  auto storeScalar = [&](Value p, Value v) -> Value {
    if (!atomic) {
      LLVM::StoreOp::create(b, loc, toMemory(loc, v), p,
                            bytesOf(memoryType(v.getType())));
      return nullptr;
    }
    auto kind = isa<FloatType>(v.getType()) ? LLVM::AtomicBinOp::fadd
                                            : LLVM::AtomicBinOp::add;
    return LLVM::AtomicRMWOp::create(b, loc, kind, p, v,
                                     LLVM::AtomicOrdering::monotonic);
  };
  if (!isa<RankedTensorType>(value.getType())) {
    // A scalar store or atomic: one thread does it.
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                        i32(loc, 0));
    Value cond =
        mask ? arith::AndIOp::create(b, loc, first, scalar(mask)) : first;
    if (atomic) {
      Type t = value.getType();
      Value old = select(
          loc, cond, [&] { return storeScalar(scalar(ptr), scalar(value)); },
          LLVM::ZeroOp::create(b, loc, t));
      if (op->getResult(0).use_empty()) {
        scalars.map(op->getResult(0), LLVM::ZeroOp::create(b, loc, t));
        return success();
      }
      // Thread 0 hands the old value to every thread through shared memory.
      int64_t at = exchangeOffset(bytesOf(t));
      reserveShared(at + bytesOf(t));
      beforeSharedWrite(loc, at, at + bytesOf(t));
      guarded(loc, first, [&] {
        LLVM::StoreOp::create(b, loc, old, smemPtr(loc, t, i32(loc, 0), at));
      });
      beforeSharedRead(loc, at, at + bytesOf(t));
      scalars.map(op->getResult(0), readShared(loc, t, i32(loc, 0), at));
      return success();
    }
    guarded(loc, cond, [&] { storeScalar(scalar(ptr), scalar(value)); });
    return success();
  }
  const DistributedLayout &l = layoutOf(value);
  Type elem = elementOf(value);
  const Slots &ptrs = blocks[ptr], &values = blocks[value];
  Slots masks = mask ? blocks[mask] : Slots();
  AxisInfo maskInfo = mask ? axis.get(mask) : AxisInfo{};
  int64_t bytes = bytesOf(memoryType(elem));
  int64_t width = atomic ? 1 : vectorWidth(ptr, bytes);
  Slots old(l.slots());
  for (int64_t s0 = 0; s0 < l.slots(); s0 += width) {
    Value own = ownerOf(loc, value.getType(), s0);
    if (width == 1) {
      Value cond = own;
      if (!masks.empty())
        cond = cond ? arith::AndIOp::create(b, loc, cond, masks[s0]).getResult()
                    : masks[s0];
      if (atomic)
        old[s0] = cond ? select(
                             loc, cond,
                             [&] { return storeScalar(ptrs[s0], values[s0]); },
                             LLVM::ZeroOp::create(b, loc, elem))
                       : storeScalar(ptrs[s0], values[s0]);
      else
        guarded(loc, cond, [&] { storeScalar(ptrs[s0], values[s0]); });
      continue;
    }
    auto vecType = VectorType::get({width}, memoryType(elem));
    auto vectorStore = [&] {
      SmallVector<Value> lanes;
      for (int64_t s = s0; s < s0 + width; ++s)
        lanes.push_back(toMemory(loc, values[s]));
      Value v = vector::FromElementsOp::create(b, loc, vecType, lanes);
      LLVM::StoreOp::create(b, loc, v, ptrs[s0], width * bytes);
    };
    if (masks.empty()) {
      guarded(loc, own, vectorStore);
      continue;
    }
    Value all = masks[s0];
    if (maskInfo.constancy < width)
      for (int64_t s = s0 + 1; s < s0 + width; ++s)
        all = arith::AndIOp::create(b, loc, all, masks[s]);
    Value cond =
        own ? arith::AndIOp::create(b, loc, own, all).getResult() : all;
    if (maskInfo.constancy >= width) {
      guarded(loc, cond, vectorStore);
      continue;
    }
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    vectorStore();
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    for (int64_t s = s0; s < s0 + width; ++s) {
      Value c = own ? arith::AndIOp::create(b, loc, own, masks[s]).getResult()
                    : masks[s];
      guarded(loc, c, [&] { storeScalar(ptrs[s], values[s]); });
    }
  }
  if (!atomic)
    return success();
  Value result = op->getResult(0);
  blocks[result] = old;
  if (!l.replicated() || result.use_empty())
    return success();
  // Only an element's owner added to it: its copies in other threads get
  // the old value through shared memory.
  SmallVector<int64_t> order = rowMajor(l.shape().size());
  int64_t exchanged =
      cast<RankedTensorType>(result.getType()).getNumElements() *
      bytesOf(memoryType(elem));
  int64_t at = exchangeOffset(exchanged);
  writeShared(loc, result, at, order);
  beforeSharedRead(loc, at, at + exchanged);
  Slots copies;
  for (int64_t s = 0; s < l.slots(); ++s)
    copies.push_back(readShared(
        loc, elem,
        sharedIndex(loc, coordsOf(loc, result.getType(), s), l.shape(), order),
        at));
  blocks[result] = copies;
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

Value KernelEmitter::identity(Location loc, ReduceKind kind, Type t) {
  if (auto f = dyn_cast<FloatType>(t)) {
    if (kind == ReduceKind::Sum)
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, 0.0));
    bool max = kind == ReduceKind::Max || kind == ReduceKind::Argmax;
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(t, APFloat::getInf(f.getFloatSemantics(), max)));
  }
  unsigned width = t.getIntOrFloatBitWidth();
  APInt v = kind == ReduceKind::Sum ? APInt(width, 0)
            : (kind == ReduceKind::Max || kind == ReduceKind::Argmax)
                ? APInt::getSignedMinValue(width)
                : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
}

Value KernelEmitter::combine(Location loc, ReduceKind kind, Value x, Value y) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::Sum:
    return isFloat ? arith::AddFOp::create(b, loc, x, y).getResult()
                   : arith::AddIOp::create(b, loc, x, y).getResult();
  case ReduceKind::Max:
    return isFloat ? arith::MaximumFOp::create(b, loc, x, y).getResult()
                   : arith::MaxSIOp::create(b, loc, x, y).getResult();
  default:
    return isFloat ? arith::MinimumFOp::create(b, loc, x, y).getResult()
                   : arith::MinSIOp::create(b, loc, x, y).getResult();
  }
}

/// (value, index) pairs: NaN wins (the first NaN), then the larger (or
/// smaller) value, then the smaller index, as the interpreter does.
std::pair<Value, Value> KernelEmitter::combineArg(Location loc, bool wantMax,
                                                  Value va, Value ia, Value vb,
                                                  Value ib) {
  Value bBetter;
  Value smallerIndex =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ib, ia);
  if (isa<FloatType>(va.getType())) {
    Value aNan =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, va, va);
    Value bNan =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, vb, vb);
    Value strictly = arith::CmpFOp::create(
        b, loc, wantMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        vb, va);
    Value equal =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, vb, va);
    Value tie = arith::AndIOp::create(b, loc, equal, smallerIndex);
    Value notNanBetter = arith::OrIOp::create(b, loc, strictly, tie);
    // a NaN: b wins only if b is a NaN with a smaller index.
    Value whenANan = arith::AndIOp::create(b, loc, bNan, smallerIndex);
    // a not NaN: b wins if b is NaN or better.
    Value whenANotNan = arith::OrIOp::create(b, loc, bNan, notNanBetter);
    bBetter = arith::SelectOp::create(b, loc, aNan, whenANan, whenANotNan);
  } else {
    Value strictly = arith::CmpIOp::create(
        b, loc, wantMax ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
        vb, va);
    Value equal =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, vb, va);
    bBetter = arith::OrIOp::create(
        b, loc, strictly, arith::AndIOp::create(b, loc, equal, smallerIndex));
  }
  return {arith::SelectOp::create(b, loc, bBetter, vb, va),
          arith::SelectOp::create(b, loc, bBetter, ib, ia)};
}

Value KernelEmitter::shuffleXor(Location loc, Value v, int64_t offset) {
  Type t = v.getType();
  unsigned bits = t.getIntOrFloatBitWidth();
  if (bits == 32)
    return gpu::ShuffleOp::create(b, loc, v, offset, 32, gpu::ShuffleMode::XOR)
        .getShuffleResult();
  Type intType = b.getIntegerType(bits);
  Value asInt =
      isa<FloatType>(t) ? arith::BitcastOp::create(b, loc, intType, v) : v;
  Value shuffled;
  if (bits < 32) {
    Value wide = arith::ExtUIOp::create(b, loc, b.getI32Type(), asInt);
    Value s =
        gpu::ShuffleOp::create(b, loc, wide, offset, 32, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    shuffled = arith::TruncIOp::create(b, loc, intType, s);
  } else {
    Value lo = arith::TruncIOp::create(b, loc, b.getI32Type(), asInt);
    Value hi = arith::TruncIOp::create(
        b, loc, b.getI32Type(),
        arith::ShRUIOp::create(
            b, loc, asInt, arith::ConstantIntOp::create(b, loc, intType, 32)));
    Value slo =
        gpu::ShuffleOp::create(b, loc, lo, offset, 32, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    Value shi =
        gpu::ShuffleOp::create(b, loc, hi, offset, 32, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    Value wlo = arith::ExtUIOp::create(b, loc, intType, slo);
    Value whi = arith::ShLIOp::create(
        b, loc, arith::ExtUIOp::create(b, loc, intType, shi),
        arith::ConstantIntOp::create(b, loc, intType, 32));
    shuffled = arith::OrIOp::create(b, loc, wlo, whi);
  }
  return isa<FloatType>(t)
             ? arith::BitcastOp::create(b, loc, t, shuffled).getResult()
             : shuffled;
}

LogicalResult KernelEmitter::emitReduce(ReduceOp op) {
  Location loc = op.getLoc();
  ReduceKind kind = op.getKind();
  bool isArg = kind == ReduceKind::Argmax || kind == ReduceKind::Argmin;
  bool wantMax = kind == ReduceKind::Max || kind == ReduceKind::Argmax;
  Value src = op.getSrc();
  Type elem = elementOf(src);
  // Low-precision sums accumulate in f32.
  Type acc = (kind == ReduceKind::Sum && isa<FloatType>(elem) &&
              elem.getIntOrFloatBitWidth() < 32)
                 ? Type(b.getF32Type())
                 : elem;
  auto widen = [&](Value v) -> Value {
    return acc == elem ? v : arith::ExtFOp::create(b, loc, acc, v).getResult();
  };
  auto narrow = [&](Value v) -> Value {
    return acc == elem ? v
                       : arith::TruncFOp::create(b, loc, elem, v).getResult();
  };
  const DistributedLayout &l = layoutOf(src);
  Slots slots = blocks[src];
  ArrayRef<int64_t> shape = shapeOf(src);
  Type i32Type = b.getI32Type();

  if (shape.size() == 1) {
    // In-thread, over the owned slots.
    Value v = identity(loc, kind, acc);
    Value idx = i32(loc, INT32_MAX);
    for (int64_t s = 0; s < l.slots(); ++s) {
      Value own = ownerOf(loc, src.getType(), s);
      Value x = widen(slots[s]);
      if (isArg) {
        Value xi = coordsOf(loc, src.getType(), s)[0];
        if (own) {
          x = arith::SelectOp::create(b, loc, own, x, identity(loc, kind, acc));
          xi = arith::SelectOp::create(b, loc, own, xi, i32(loc, INT32_MAX));
        }
        std::tie(v, idx) = combineArg(loc, wantMax, v, idx, x, xi);
      } else {
        if (own)
          x = arith::SelectOp::create(b, loc, own, x, identity(loc, kind, acc));
        v = combine(loc, kind, v, x);
      }
    }
    // Across the warp.
    for (int64_t offset = 16; offset >= 1; offset /= 2) {
      Value ov = shuffleXor(loc, v, offset);
      if (isArg) {
        Value oi = shuffleXor(loc, idx, offset);
        std::tie(v, idx) = combineArg(loc, wantMax, v, idx, ov, oi);
      } else {
        v = combine(loc, kind, v, ov);
      }
    }
    // Across warps, through one half of the reduction scratch. Consecutive
    // top-level reductions alternate halves, so the barrier that ends one
    // reduction's writes also orders the next one's: it needs no barrier
    // before its own writes. Nor does the kernel's first, when it is at the
    // top level: no thread has read the scratch yet.
    int64_t warps = threads / 32;
    if (warps > 1) {
      int64_t valueBytes = bytesOf(acc);
      bool first = scalarReductions == 0;
      int64_t half = scalarReductions++ % 2;
      int64_t base = half * warps * kScratchBytesPerWarp;
      reserveShared(2 * warps * kScratchBytesPerWarp);
      Value warp = arith::DivUIOp::create(b, loc, tid, i32(loc, 32));
      Value lane = arith::RemUIOp::create(b, loc, tid, i32(loc, 32));
      Value isLane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            lane, i32(loc, 0));
      bool topLevel = op->getBlock() == &kernel.getBody().front();
      if (!(topLevel && (first || lastSharedUseWasReduction)))
        barrier(loc);
      guarded(loc, isLane0, [&] {
        LLVM::StoreOp::create(b, loc, v, smemPtr(loc, acc, warp, base));
        if (isArg)
          LLVM::StoreOp::create(
              b, loc, idx,
              smemPtr(loc, i32Type, warp, base + warps * valueBytes));
      });
      barrier(loc);
      lastSharedUseWasReduction = topLevel;
      Value rv = identity(loc, kind, acc);
      Value ri = i32(loc, INT32_MAX);
      for (int64_t w = 0; w < warps; ++w) {
        Value wv = LLVM::LoadOp::create(b, loc, acc,
                                        smemPtr(loc, acc, i32(loc, w), base));
        if (isArg) {
          Value wi = LLVM::LoadOp::create(
              b, loc, i32Type,
              smemPtr(loc, i32Type, i32(loc, w), base + warps * valueBytes));
          std::tie(rv, ri) = combineArg(loc, wantMax, rv, ri, wv, wi);
        } else {
          rv = combine(loc, kind, rv, wv);
        }
      }
      v = rv;
      idx = ri;
    }
    Value result = isArg ? idx : narrow(v);
    if (isArg && result.getType() != op.getResult().getType())
      result = arith::ExtSIOp::create(b, loc, op.getResult().getType(), result);
    scalars.map(op.getResult(), result);
    return success();
  }

  // Along axis k of a block, as Triton does: each thread combines the
  // elements of each of its lines in registers, lanes that differ along k
  // combine with butterfly shuffles, and warps that differ along k through
  // shared memory. The result's slots (#kdsl.slice<k> of the source's
  // layout) are the thread's lines.
  unsigned k = op.getAxis();
  Value result = op.getResult();
  Type srcType = src.getType(), outType = result.getType();
  const DistributedLayout &out = layoutOf(outType);
  // The result slot that holds each source slot's line, in every thread.
  std::optional<SmallVector<int64_t>> lineOf =
      findStaticSlotMap(out, l, [&](ArrayRef<int64_t> c) {
        SmallVector<int64_t> line(c);
        line.erase(line.begin() + k);
        return line;
      });
  if (!lineOf)
    return fail(op, "has a result layout that is not the slice of its "
                    "operand's layout along the axis");
  SmallVector<Value> within = threadIndicesOf(srcType);
  IRArith arith{b, loc};
  SmallVector<Value> values(out.slots(), identity(loc, kind, acc));
  SmallVector<Value> indices(out.slots(), i32(loc, INT32_MAX));
  for (int64_t s = 0; s < l.slots(); ++s) {
    Value x = widen(slots[s]);
    Value xi = isArg ? coordsOf(loc, srcType, s)[k] : Value();
    // Wrapped-around copies along k would count twice.
    if (std::optional<Value> own = l.ownerAlong<IRArith>(arith, within, s, k)) {
      x = arith::SelectOp::create(b, loc, *own, x, identity(loc, kind, acc));
      if (isArg)
        xi = arith::SelectOp::create(b, loc, *own, xi, i32(loc, INT32_MAX));
    }
    int64_t r = (*lineOf)[s];
    if (isArg)
      std::tie(values[r], indices[r]) =
          combineArg(loc, wantMax, values[r], indices[r], x, xi);
    else
      values[r] = combine(loc, kind, values[r], x);
  }
  // Across the lanes along k: their lane indices differ in the bits of
  // laneStride * [1, lanesAlong).
  int64_t lanes = l.lanesAlong(k), stride = l.laneStride(k);
  for (int64_t offset = stride; offset < stride * lanes; offset *= 2)
    for (int64_t r = 0; r < out.slots(); ++r) {
      Value ov = shuffleXor(loc, values[r], offset);
      if (isArg) {
        Value oi = shuffleXor(loc, indices[r], offset);
        std::tie(values[r], indices[r]) =
            combineArg(loc, wantMax, values[r], indices[r], ov, oi);
      } else {
        values[r] = combine(loc, kind, values[r], ov);
      }
    }
  // Across the warps along k: lane 0 along k of each writes its partials,
  // in line-major order, then every thread combines its lines'.
  int64_t warps = l.warpsAlong(k);
  if (warps > 1) {
    int64_t lines = cast<RankedTensorType>(outType).getNumElements();
    int64_t valueBytes = (lines * warps * bytesOf(acc) + 15) / 16 * 16;
    int64_t scratch = valueBytes + (isArg ? lines * warps * 4 : 0);
    int64_t base = exchangeOffset(scratch);
    reserveShared(base + scratch);
    Value alongK = arith.div(within[k], l.sizePerThreadAlong(k));
    Value laneK = arith.rem(alongK, lanes), warpK = arith.div(alongK, lanes);
    Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, laneK,
                                        i32(loc, 0));
    SmallVector<Value> lineIndex;
    for (int64_t r = 0; r < out.slots(); ++r)
      lineIndex.push_back(arith.mul(
          linearize(loc, coordsOf(loc, outType, r), out.shape()), warps));
    // Copies of a line wrapped around another dimension hold the same
    // partials: only the first copy writes them, so no two threads write
    // one scratch slot.
    SmallVector<Value> lineOwner(out.slots());
    for (int64_t s = 0; s < l.slots(); ++s) {
      int64_t r = (*lineOf)[s];
      for (unsigned d = 0; d < shape.size(); ++d) {
        std::optional<Value> own;
        if (d != k && (own = l.ownerAlong<IRArith>(arith, within, s, d)))
          lineOwner[r] = lineOwner[r] ? arith.both(lineOwner[r], *own) : *own;
      }
    }
    beforeSharedWrite(loc, base, base + scratch);
    guarded(loc, first, [&] {
      for (int64_t r = 0; r < out.slots(); ++r) {
        auto store = [&] {
          Value at = arith::AddIOp::create(b, loc, lineIndex[r], warpK);
          LLVM::StoreOp::create(b, loc, values[r], smemPtr(loc, acc, at, base));
          if (isArg)
            LLVM::StoreOp::create(b, loc, indices[r],
                                  smemPtr(loc, i32Type, at, base + valueBytes));
        };
        if (lineOwner[r])
          guarded(loc, lineOwner[r], store);
        else
          store();
      }
    });
    beforeSharedRead(loc, base, base + scratch);
    for (int64_t r = 0; r < out.slots(); ++r) {
      values[r] = identity(loc, kind, acc);
      indices[r] = i32(loc, INT32_MAX);
      for (int64_t w = 0; w < warps; ++w) {
        Value at = arith::AddIOp::create(b, loc, lineIndex[r], i32(loc, w));
        Value wv =
            LLVM::LoadOp::create(b, loc, acc, smemPtr(loc, acc, at, base));
        if (isArg) {
          Value wi = LLVM::LoadOp::create(
              b, loc, i32Type, smemPtr(loc, i32Type, at, base + valueBytes));
          std::tie(values[r], indices[r]) =
              combineArg(loc, wantMax, values[r], indices[r], wv, wi);
        } else {
          values[r] = combine(loc, kind, values[r], wv);
        }
      }
    }
  }
  Slots slotsOut;
  Type resultElem = elementOf(result);
  for (int64_t r = 0; r < out.slots(); ++r) {
    Value v = isArg ? indices[r] : narrow(values[r]);
    if (isArg && v.getType() != resultElem)
      v = arith::ExtSIOp::create(b, loc, resultElem, v);
    slotsOut.push_back(v);
  }
  blocks[result] = slotsOut;
  return success();
}

//===----------------------------------------------------------------------===//
// dot, by FMA through shared memory
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitDot(DotOp op) {
  Location loc = op.getLoc();
  Value a = op.getA(), bv = op.getB(), accIn = op.getAcc();
  ArrayRef<int64_t> aShape = shapeOf(a), bShape = shapeOf(bv);
  int64_t M = aShape[0], K = aShape[1], N = bShape[1];
  Type aElem = elementOf(a), bElem = elementOf(bv);
  auto sharedOrder = [&](Value v) -> std::optional<ArrayRef<int64_t>> {
    auto shared = dyn_cast<SharedEncodingAttr>(
        cast<RankedTensorType>(v.getType()).getEncoding());
    if (!shared || !sharedOffsets.count(v))
      return std::nullopt;
    return shared.getOrder();
  };
  std::optional<ArrayRef<int64_t>> aOrder = sharedOrder(a),
                                   bOrder = sharedOrder(bv);
  if (!aOrder || !bOrder)
    return fail(op, "needs its operands staged in shared memory (run "
                    "-kdsl-assign-layouts)");
  int64_t aOffset = sharedOffsetOf(a), bOffset = sharedOffsetOf(bv);
  auto end = [&](Value v, int64_t offset) {
    auto type = cast<RankedTensorType>(v.getType());
    return offset +
           type.getNumElements() * bytesOf(memoryType(type.getElementType()));
  };
  beforeSharedRead(loc, std::min(aOffset, bOffset),
                   std::max(end(a, aOffset), end(bv, bOffset)));
  Type resultType = op.getResult().getType();
  SmallVector<SmallVector<Value>> coords;
  for (int64_t s = 0; s < layoutOf(resultType).slots(); ++s)
    coords.push_back(coordsOf(loc, resultType, s));
  auto loop = scf::ForOp::create(b, loc, i32(loc, 0), i32(loc, K), i32(loc, 1),
                                 ValueRange(blocks[accIn]));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k = loop.getInductionVar();
    Type f32 = b.getF32Type();
    auto toF32 = [&](Value v) -> Value {
      return v.getType() == f32
                 ? v
                 : arith::ExtFOp::create(b, loc, f32, v).getResult();
    };
    SmallVector<Value> next;
    for (size_t s = 0; s < coords.size(); ++s) {
      Value ai = sharedIndex(loc, {coords[s][0], k}, {M, K}, *aOrder);
      Value bi = sharedIndex(loc, {k, coords[s][1]}, {K, N}, *bOrder);
      Value x = toF32(readShared(loc, aElem, ai, aOffset));
      Value y = toF32(readShared(loc, bElem, bi, bOffset));
      next.push_back(
          LLVM::FMAOp::create(b, loc, x, y, loop.getRegionIterArgs()[s]));
    }
    scf::YieldOp::create(b, loc, next);
  }
  blocks[op.getResult()] = Slots(loop.getResults());
  releaseShared(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitFor(scf::ForOp op) {
  Location loc = op.getLoc();
  auto loop = scf::ForOp::create(
      b, loc, scalar(op.getLowerBound()), scalar(op.getUpperBound()),
      scalar(op.getStep()), flatten(op.getInitArgs()));
  OpBuilder::InsertionGuard guard(b);
  // A loop without results comes with an implicit scf.yield.
  if (loop.getBody()->mightHaveTerminator())
    loop.getBody()->getTerminator()->erase();
  b.setInsertionPointToStart(loop.getBody());
  // The previous iteration's uses of shared memory.
  assumeSharedMemoryUsed();
  scalars.map(op.getInductionVar(), loop.getInductionVar());
  bind(op.getRegionIterArgs(), loop.getRegionIterArgs());
  if (failed(emitRegion(*op.getBody())))
    return failure();
  auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
  scf::YieldOp::create(b, yield.getLoc(), flatten(yield.getOperands()));
  b.setInsertionPointAfter(loop);
  bind(op.getResults(), loop.getResults());
  assumeSharedMemoryUsed();
  return success();
}

LogicalResult KernelEmitter::emitIf(scf::IfOp op) {
  Location loc = op.getLoc();
  bool hasElse = !op.getElseRegion().empty();
  auto ifOp = scf::IfOp::create(b, loc, flatTypes(op.getResultTypes()),
                                scalar(op.getCondition()),
                                hasElse || op.getNumResults() > 0);
  OpBuilder::InsertionGuard guard(b);
  auto emitBranch = [&](Region &from, Region &to) -> LogicalResult {
    b.setInsertionPointToStart(&to.front());
    assumeSharedMemoryUsed();
    if (failed(emitRegion(from.front())))
      return failure();
    auto yield = cast<scf::YieldOp>(from.front().getTerminator());
    if (to.front().empty() ||
        !to.front().back().hasTrait<OpTrait::IsTerminator>())
      scf::YieldOp::create(b, yield.getLoc(), flatten(yield.getOperands()));
    return success();
  };
  if (failed(emitBranch(op.getThenRegion(), ifOp.getThenRegion())))
    return failure();
  if (hasElse && failed(emitBranch(op.getElseRegion(), ifOp.getElseRegion())))
    return failure();
  b.setInsertionPointAfter(ifOp);
  bind(op.getResults(), ifOp.getResults());
  assumeSharedMemoryUsed();
  return success();
}

/// Every block has a distributed layout for the kernel's threads, but the
/// #kdsl.shared operands of dot and reductions that convert_layout makes.
LogicalResult KernelEmitter::checkLayouts() {
  WalkResult walk = kernel.walk([&](Operation *op) {
    for (Value v : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (!type)
        continue;
      Attribute encoding = type.getEncoding();
      if (isa_and_nonnull<SharedEncodingAttr>(encoding) &&
          isa<ConvertLayoutOp>(op) &&
          llvm::all_of(v.getUsers(),
                       [](Operation *user) { return isa<DotOp>(user); }))
        continue;
      if (!DistributedLayout::isDistributed(encoding)) {
        op->emitOpError() << "has a block without a distributed layout "
                             "encoding (run -kdsl-assign-layouts first): "
                          << type;
        return WalkResult::interrupt();
      }
      if (layoutOf(type).threads() != threads) {
        op->emitOpError() << "has a layout for " << layoutOf(type).threads()
                          << " threads in a kernel of " << threads;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult KernelEmitter::run(gpu::GPUFuncOp func) {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Location loc = kernel.getLoc();
  tid = NVVM::ThreadIdXOp::create(b, loc, b.getI32Type());
  prologueEnd = i32(loc, 0).getDefiningOp();
  if (failed(checkLayouts()))
    return failure();
  // The scalar-reduction scratch comes first when there is any.
  bool scalarReduces = false;
  kernel.walk([&](ReduceOp r) {
    scalarReduces |= !isa<RankedTensorType>(r.getResult().getType());
  });
  if (scalarReduces && threads > 32)
    exchangeBase = 2 * (threads / 32) * kScratchBytesPerWarp;
  nextSharedOffset = exchangeBase;
  for (auto [from, to] : llvm::zip(kernel.getArguments(), entry.getArguments()))
    scalars.map(from, to);
  if (failed(emitRegion(kernel.getBody().front())))
    return failure();
  gpu::ReturnOp::create(b, loc);
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertKdslToGPUPass
    : public kdsl::impl::ConvertKdslToGPUBase<ConvertKdslToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder builder(module.getContext());
    for (KernelOp kernel : llvm::to_vector(module.getOps<KernelOp>())) {
      if (!kernel.isVariant()) {
        kernel.emitError() << "kernel '" << kernel.getSymName()
                           << "' is not a variant; run -kdsl-specialize first";
        return signalPassFailure();
      }
      builder.setInsertionPoint(kernel);
      Location loc = kernel.getLoc();
      auto gpuModule = gpu::GPUModuleOp::create(
          builder, loc, (kernel.getSymName() + "_module").str());
      builder.setInsertionPointToStart(gpuModule.getBody());
      auto smem = LLVM::GlobalOp::create(
          builder, loc, LLVM::LLVMArrayType::get(builder.getI8Type(), 0),
          /*isConstant=*/false, LLVM::Linkage::External, "kdsl_shared",
          Attribute(), /*alignment=*/16, /*addrSpace=*/3);
      SmallVector<Type> argTypes;
      for (Type t : kernel.getArgumentTypes())
        argTypes.push_back(
            isa<PtrType>(t) ? LLVM::LLVMPointerType::get(&getContext(), 1) : t);
      auto func = gpu::GPUFuncOp::create(builder, loc, kernel.getSymName(),
                                         builder.getFunctionType(argTypes, {}));
      func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                    builder.getUnitAttr());
      int32_t threads = *kernel.getNumWarps() * 32;
      func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr({threads, 1, 1}));
      SmallVector<std::string> divisibleParams(divisible.begin(),
                                               divisible.end());
      KernelEmitter emitter(kernel, func, smem, assumeAligned, divisibleParams);
      if (failed(emitter.run(func)))
        return signalPassFailure();
      func->setAttr("kdsl.shared_bytes",
                    builder.getI64IntegerAttr(emitter.sharedBytes()));
      func->setAttr("kdsl.num_warps",
                    builder.getI32IntegerAttr(*kernel.getNumWarps()));
      if (emitter.sharedBytes() == 0)
        smem.erase();
      kernel.erase();
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    builder.getUnitAttr());
  }
};

} // namespace
