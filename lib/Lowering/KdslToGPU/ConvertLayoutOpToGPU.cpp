//===- ConvertLayoutOpToGPU.cpp - Shape and layout changes ----------------===//
//
// Part of the kdsl project.
//
// Rematerialization of index arithmetic at new coordinates, shape and layout
// changes (in place or through shared memory), and blocks staged in shared
// memory for dot.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

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
  StringRef what = isa<ConvertLayoutOp>(op) ? StringRef("layout change")
                                            : op->getName().stripDialect();
  if (isRematerializable(result)) {
    for (int64_t s = 0; s < out.slots(); ++s)
      slots.push_back(emitAt(result, coordsOf(loc, outType, s), loc));
    blocks[result] = slots;
    return success();
  }
  SmallVector<int64_t> order = rowMajor(in.shape().size());
  int64_t bytes = cast<RankedTensorType>(src.getType()).getNumElements() *
                  bytesOf(memoryType(elementOf(src)));
  int64_t barriersBefore = barriers;
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
  remark(loc, [&](raw_ostream &os) {
    os << what << " of " << describe(outType)
       << ": a round trip through shared memory (" << bytes << " bytes, "
       << count(barriers - barriersBefore, "barrier") << ")";
  });
  return success();
}

/// To a distributed layout, as any layout change; to #kdsl.shared, the
/// block is written to its own area of shared memory, live until its user
/// (a dot or a reduction) has read it, or, when a loop carries it, to a
/// slot of its ring: one the prologue fills (each slot's copies a cp.async
/// group of their own, empty where the block goes through registers), or
/// the body's free slot.
LogicalResult KernelEmitter::emitConvertLayout(ConvertLayoutOp op) {
  auto shared = dyn_cast<SharedEncodingAttr>(op.getType().getEncoding());
  if (!shared)
    return emitLayoutChange(op);
  Location loc = op.getLoc();
  Value src = op.getSrc();
  int64_t bytes =
      op.getType().getNumElements() * bytesOf(memoryType(elementOf(src)));
  std::pair<Ring *, int64_t> copy = ringCopies.lookup(op);
  Ring *ring = copy.first;
  int64_t slot = copy.second;
  if (ring && ring->base < 0) {
    // Every ring of the loop, live until the loop ends.
    for (Ring *r : ringsOf(ring->loop)) {
      r->base = (nextSharedOffset + 127) / 128 * 128;
      nextSharedOffset = r->end();
      reserveShared(r->end());
    }
    ++liveSharedBlocks;
  }
  SharedPlace at;
  if (!ring) {
    at = exchangeOffset(bytes);
  } else if (slot >= 0) {
    at = SharedPlace(ring->base, i32(loc, ring->base + slot * ring->slotBytes));
    beforeSharedWrite(loc, ring->base, ring->end());
  } else {
    at = SharedPlace(ring->base, ring->free);
  }
  int64_t barriersBefore = barriers;
  auto load = src.getDefiningOp<LoadOp>();
  bool async = load && copiedAsync(load);
  if (async) {
    emitAsyncCopy(load, at, shared, /*intoRing=*/ring);
  } else {
    writeShared(loc, src, at, shared);
    // An empty group keeps one group per ring slot filled.
    if (ring && ring->async)
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
  }
  remark(loc, [&](raw_ostream &os) {
    os << describe(op.getType()) << " staged in shared memory for dot ("
       << bytes << " bytes, " << count(barriers - barriersBefore, "barrier");
    if (ring)
      os << ", into "
         << (slot >= 0 ? "slot " + std::to_string(slot) + " of "
                       : std::string("the free slot of "))
         << "a ring of " << ring->slots() << " (num_stages)";
    if (async)
      os << "; by cp.async from global memory, "
         << layoutOf(src).slots() / (16 / bytesOf(elementOf(src)))
         << " 16-byte copies per thread, masked ones zero-filled";
    os << ")";
  });
  sharedOffsets[op.getResult()] = at;
  if (ring)
    return success();
  nextSharedOffset = (at.offset + bytes + 15) / 16 * 16;
  ++liveSharedBlocks;
  return success();
}

/// Where `value`, a block staged in shared memory, starts there (its
/// ring's start, for a block in a ring).
int64_t KernelEmitter::sharedOffsetOf(Value value) {
  return sharedOffsets.lookup(value).offset;
}

/// `op` has read the staged blocks among its operands (a ring lives until
/// its loop ends).
void KernelEmitter::releaseShared(Operation *op) {
  for (Value operand : op->getOperands())
    if (sharedOffsets.count(operand) && !sharedOffsets[operand].dynamic)
      --liveSharedBlocks;
  if (liveSharedBlocks == 0)
    nextSharedOffset = exchangeBase;
}

bool KernelEmitter::copiedAsync(LoadOp load) {
  Value result = load.getResult();
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type || !result.hasOneUse())
    return false;
  auto stage = dyn_cast<ConvertLayoutOp>(*result.getUsers().begin());
  auto shared =
      stage ? dyn_cast<SharedEncodingAttr>(stage.getType().getEncoding())
            : SharedEncodingAttr();
  // Each vector lands as 16 contiguous bytes only where the staged block's
  // fastest dimension is the last one, along which vectors run.
  if (!shared || shared.getOrder()[0] != type.getRank() - 1)
    return false;
  int64_t bytes = bytesOf(memoryType(elementOf(result)));
  int64_t width = vectorWidth(load.getPtr(), bytes);
  if (width * bytes != 16)
    return false;
  if (load.getMask() && axis.get(load.getMask()).constancy < width)
    return false;
  if (Value other = load.getOther()) {
    auto splat = other.getDefiningOp<SplatOp>();
    Value zero = splat ? splat.getValue() : other;
    if (!matchPattern(zero, m_AnyZeroFloat()) && !matchPattern(zero, m_Zero()))
      return false;
  }
  return true;
}

void KernelEmitter::emitAsyncCopy(LoadOp load, SharedPlace at,
                                  SharedEncodingAttr shared, bool intoRing) {
  Location loc = load.getLoc();
  Value result = load.getResult();
  Type type = result.getType();
  const DistributedLayout &l = layoutOf(type);
  Type elem = memoryType(elementOf(result));
  int64_t width = 16 / bytesOf(elem);
  int64_t bytes = cast<RankedTensorType>(type).getNumElements() * bytesOf(elem);
  if (!intoRing) {
    reserveShared(at.offset + bytes);
    beforeSharedWrite(loc, at.offset, at.offset + bytes);
  }
  const Slots &ptrs = blocks[load.getPtr()];
  Slots masks = load.getMask() ? blocks[load.getMask()] : Slots();
  for (int64_t s = 0; s < l.slots(); s += width) {
    Value index = sharedIndex(loc, coordsOf(loc, type, s), l.shape(), shared);
    guarded(loc, ownerOf(loc, type, s), [&] {
      // src-size 0 reads nothing and fills the 16 bytes with zeros.
      Value sourceBytes;
      if (!masks.empty())
        sourceBytes = arith::SelectOp::create(b, loc, masks[s], i32(loc, 16),
                                              i32(loc, 0));
      NVVM::CpAsyncOp::create(b, loc, smemPtr(loc, elem, index, at), ptrs[s],
                              16, NVVM::LoadCacheModifierKind::CG, sourceBytes);
    });
  }
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
  if (!intoRing)
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
}
