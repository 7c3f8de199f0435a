//===- ReduceOpToGPU.cpp - Reductions -------------------------------------===//
//
// Part of the kdsl project.
//
// Reductions in-thread, across a warp by shuffles, then across warps through
// shared memory; argmax/argmin carry an index.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

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
                                                  Value ib, bool bLater) {
  Value bBetter;
  if (bLater) {
    // A tie keeps a, and so does a NaN in a: b wins if it is a NaN or
    // better, and a is not a NaN (unordered-greater is "NaN or greater").
    if (isa<FloatType>(va.getType()))
      bBetter = arith::AndIOp::create(
          b, loc,
          arith::CmpFOp::create(b, loc,
                                wantMax ? arith::CmpFPredicate::UGT
                                        : arith::CmpFPredicate::ULT,
                                vb, va),
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, va, va));
    else
      bBetter = arith::CmpIOp::create(b, loc,
                                      wantMax ? arith::CmpIPredicate::sgt
                                              : arith::CmpIPredicate::slt,
                                      vb, va);
    return {arith::SelectOp::create(b, loc, bBetter, vb, va),
            arith::SelectOp::create(b, loc, bBetter, ib, ia)};
  }
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

/// Whether every thread holds the elements of each line along `axis` in
/// index order: along each line (`lineOf` a slot), the indices of the slots
/// it owns (`owns`) never decrease with the slot (an equal index is a copy
/// of an element already met), and no slot it owns follows one it does not.
/// Combining a thread's slots in slot order then never needs the indices
/// compared: a later slot wins only by a better value.
static bool
slotsInIndexOrder(const DistributedLayout &l, unsigned axis, int64_t lines,
                  function_ref<int64_t(int64_t)> lineOf,
                  function_ref<bool(ArrayRef<int64_t>, int64_t)> owns) {
  HostArith h;
  for (int64_t tid = 0; tid < l.threads(); ++tid) {
    SmallVector<int64_t> within = l.threadIndices(h, tid);
    SmallVector<int64_t> last(lines, -1);
    SmallVector<bool> ended(lines, false);
    for (int64_t s = 0; s < l.slots(); ++s) {
      int64_t r = lineOf(s);
      if (!owns(within, s)) {
        ended[r] = true;
        continue;
      }
      int64_t at = l.coords(h, within, s)[axis];
      if (ended[r] || at < last[r])
        return false;
      last[r] = at;
    }
  }
  return true;
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

  int64_t barriersBefore = barriers;
  auto remarkHow = [&](int64_t perLine, int64_t shuffles, int64_t warps,
                       int64_t scratchBytes) {
    remark(loc, [&](raw_ostream &os) {
      os << stringifyReduceKind(kind);
      if (shape.size() > 1)
        os << " along axis " << op.getAxis();
      os << " of " << describe(src.getType()) << ": "
         << count(l.slots(), "element") << " per thread";
      if (shape.size() > 1)
        os << " (" << perLine << " per line)";
      os << ", " << count(shuffles, "shuffle round");
      if (warps > 1)
        os << ", then across " << warps << " warps through shared memory ("
           << scratchBytes << " bytes, "
           << count(barriers - barriersBefore, "barrier") << ")";
      else
        os << ", no shared memory";
    });
  };
  if (shape.size() == 1) {
    // In-thread, over the owned slots. The first slot stands for the
    // identity combined with it.
    Value v = identity(loc, kind, acc);
    Value idx = i32(loc, INT32_MAX);
    bool inOrder = isArg && slotsInIndexOrder(
                                l, 0, 1, [](int64_t) { return 0; },
                                [&](ArrayRef<int64_t> within, int64_t s) {
                                  HostArith h;
                                  return l.owner(h, within, s).value_or(true);
                                });
    for (int64_t s = 0; s < l.slots(); ++s) {
      Value own = ownerOf(loc, src.getType(), s);
      Value x = widen(slots[s]);
      if (isArg) {
        Value xi = coordsOf(loc, src.getType(), s)[0];
        if (own) {
          x = arith::SelectOp::create(b, loc, own, x, identity(loc, kind, acc));
          xi = arith::SelectOp::create(b, loc, own, xi, i32(loc, INT32_MAX));
        }
        if (s == 0)
          std::tie(v, idx) = std::pair(x, xi);
        else
          std::tie(v, idx) = combineArg(loc, wantMax, v, idx, x, xi, inOrder);
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
    remarkHow(l.slots(), 5, warps, warps * kScratchBytesPerWarp);
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
  SmallVector<bool> started(out.slots(), false);
  bool inOrder =
      isArg && slotsInIndexOrder(
                   l, k, out.slots(), [&](int64_t s) { return (*lineOf)[s]; },
                   [&](ArrayRef<int64_t> within, int64_t s) {
                     HostArith h;
                     return l.ownerAlong(h, within, s, k).value_or(true);
                   });
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
    if (isArg && !started[r])
      std::tie(values[r], indices[r]) = std::pair(x, xi);
    else if (isArg)
      std::tie(values[r], indices[r]) =
          combineArg(loc, wantMax, values[r], indices[r], x, xi, inOrder);
    else
      values[r] = combine(loc, kind, values[r], x);
    started[r] = true;
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
  int64_t scratch = 0;
  if (warps > 1) {
    int64_t lines = cast<RankedTensorType>(outType).getNumElements();
    int64_t valueBytes = (lines * warps * bytesOf(acc) + 15) / 16 * 16;
    scratch = valueBytes + (isArg ? lines * warps * 4 : 0);
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
  remarkHow(l.slots() / out.slots(), llvm::Log2_64(lanes), warps, scratch);
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
