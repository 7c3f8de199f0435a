//===- DotOpToGPU.cpp - dot by FMA ----------------------------------------===//
//
// Part of the kdsl project.
//
// dot by FMA, its operands staged in shared memory.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

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
  int64_t barriersBefore = barriers;
  beforeSharedRead(loc, std::min(aOffset, bOffset),
                   std::max(end(a, aOffset), end(bv, bOffset)));
  remark(loc, [&](raw_ostream &os) {
    os << "dot of " << describe(a.getType()) << " and "
       << describe(bv.getType()) << ": " << K
       << " FMA steps, each thread reading its operands from shared memory ("
       << count(barriers - barriersBefore, "barrier") << " before)";
  });
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
