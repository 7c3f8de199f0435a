//===- ControlFlowOpToGPU.cpp - scf.for and scf.if ------------------------===//
//
// Part of the kdsl project.
//
// scf.for and scf.if rebuilt with their block values flattened into slots.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

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
