//===- ControlFlowOpToGPU.cpp - scf.for and scf.if ------------------------===//
//
// Part of the kdsl project.
//
// scf.for and scf.if rebuilt with their block values flattened into slots.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

/// Whether an i32 loop from `lb` to `ub` by `step` can step its induction
/// variable in i32: only when `ub` and `step` are constants and the last
/// increment stays below 2^31 (else it would wrap, and the loop go on).
static bool steppingFitsI32(Value ub, Value step) {
  APInt upper, by;
  return matchPattern(ub, m_ConstantInt(&upper)) &&
         matchPattern(step, m_ConstantInt(&by)) &&
         upper.getSExtValue() + by.getSExtValue() <= INT32_MAX;
}

LogicalResult KernelEmitter::emitFor(scf::ForOp op) {
  Location loc = op.getLoc();
  Value lb = scalar(op.getLowerBound()), ub = scalar(op.getUpperBound()),
        step = scalar(op.getStep());
  // The language's loop never wraps (the interpreter counts in i64): step
  // an i32 induction variable in i64 unless it provably fits.
  Type ivType = lb.getType();
  bool widen = ivType.isInteger(32) && !steppingFitsI32(ub, step);
  if (widen)
    for (Value *bound : {&lb, &ub, &step})
      *bound = arith::ExtSIOp::create(b, loc, b.getI64Type(), *bound);
  // A step known only at run time is checked there: the GPU traps with the
  // message (__assertfail), as the interpreter reports it.
  APInt constantStep;
  if (!matchPattern(step, m_ConstantInt(&constantStep))) {
    Value zero =
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(step.getType(), 0));
    Value positive =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, step, zero);
    cf::AssertOp::create(b, loc, positive, "loop step must be positive");
  }
  auto loop =
      scf::ForOp::create(b, loc, lb, ub, step, flatten(op.getInitArgs()));
  OpBuilder::InsertionGuard guard(b);
  // A loop without results comes with an implicit scf.yield.
  if (loop.getBody()->mightHaveTerminator())
    loop.getBody()->getTerminator()->erase();
  b.setInsertionPointToStart(loop.getBody());
  // The previous iteration's uses of shared memory.
  assumeSharedMemoryUsed();
  Value iv = loop.getInductionVar();
  if (widen)
    iv = arith::TruncIOp::create(b, loc, ivType, iv);
  scalars.map(op.getInductionVar(), iv);
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
