//===- LoadStoreOpToGPU.cpp - Loads, stores and atomics -------------------===//
//
// Part of the kdsl project.
//
// Masked vector loads and stores, and atomics, as the axis analysis allows.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

/// With remarks: how the load, store or atomic `op` of `block` accesses
/// memory, `width` elements at a time (`narrower`: why not more).
void KernelEmitter::remarkAccess(Operation *op, Value block, int64_t width,
                                 StringRef narrower, Value mask,
                                 StringRef exchange) {
  remark(op->getLoc(), [&](raw_ostream &os) {
    const DistributedLayout &l = layoutOf(block);
    Type elem = elementOf(block);
    os << op->getName().stripDialect() << " of " << describe(block.getType())
       << ": ";
    if (isa<AtomicAddOp>(op)) {
      os << "one atomic per element, " << l.slots() << " per thread";
    } else {
      int64_t bytes = bytesOf(memoryType(elem));
      os << width * bytes * 8 << "-bit accesses";
      if (width > 1)
        os << " (" << width << " x " << elem << ")";
      os << ", " << l.slots() / width << " per thread";
      if (!narrower.empty())
        os << ", not "
           << std::min<int64_t>(l.contiguity(), 16 / bytes) * bytes * 8
           << "-bit: " << narrower;
      if (mask && width > 1 && axis.get(mask).constancy < width)
        os << "; the mask is tested per element (it is known constant over "
              "only "
           << axis.get(mask).constancy << ")";
      else if (mask && width > 1)
        os << "; one mask test per access";
    }
    if (l.replicated() && !isa<LoadOp>(op))
      os << "; each element's copies in other threads skip it";
    os << exchange;
  });
}

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
  std::string narrower;
  int64_t width = vectorWidth(op.getPtr(), bytes, &narrower);
  remarkAccess(op, result, width, narrower, op.getMask());
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
      int64_t barriersBefore = barriers;
      int64_t at = exchangeOffset(bytesOf(t));
      reserveShared(at + bytesOf(t));
      beforeSharedWrite(loc, at, at + bytesOf(t));
      guarded(loc, first, [&] {
        LLVM::StoreOp::create(b, loc, old, smemPtr(loc, t, i32(loc, 0), at));
      });
      beforeSharedRead(loc, at, at + bytesOf(t));
      scalars.map(op->getResult(0), readShared(loc, t, i32(loc, 0), at));
      remark(loc, [&](raw_ostream &os) {
        os << "atomic_add of a scalar: thread 0 adds; the old value reaches "
              "the other threads through shared memory ("
           << bytesOf(t) << " bytes, "
           << count(barriers - barriersBefore, "barrier") << ")";
      });
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
  std::string narrower;
  int64_t width = atomic ? 1 : vectorWidth(ptr, bytes, &narrower);
  if (!atomic || !l.replicated() || op->getResult(0).use_empty())
    remarkAccess(op, value, width, narrower, mask);
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
  int64_t barriersBefore = barriers;
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
  remarkAccess(op, value, width, narrower, mask,
               "; the old values reach those copies through shared memory (" +
                   std::to_string(exchanged) + " bytes, " +
                   count(barriers - barriersBefore, "barrier") + ")");
  return success();
}
