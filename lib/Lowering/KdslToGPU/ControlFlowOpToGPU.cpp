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

//===----------------------------------------------------------------------===//
// Rings of staged dot operands
//===----------------------------------------------------------------------===//
//
// A loop that carries a window of W blocks staged for a dot (see
// -kdsl-pipeline-loops and -kdsl-assign-layouts) keeps them in a ring of
// W + 1 shared buffers. The prologue copies iterations 0 .. W-1 into slots
// 0 .. W-1, each copy a cp.async group; the loop carries each block's slot
// offset and the free slot's. Each iteration, before its dot first reads
// the oldest block, waits until at most (W - 1) G groups are pending (G:
// the loop's rings, each filled by one group an iteration) and a barrier
// makes every thread's copies visible; the copies of iteration i + W then
// fill the free slot, whose reads in the previous iteration that barrier
// ended; the slot just read is the next free one. After the loop, every
// copy is waited for: those past the end fill zeros, and the area is
// reused.

LogicalResult KernelEmitter::planRings() {
  WalkResult walk = kernel.walk([&](scf::ForOp loop) {
    auto staged = [&](Value v) { return isStaged(v.getType()); };
    auto passedFrom = [&](BlockArgument arg) {
      return llvm::any_of(loop.getRegionIterArgs(), [&](BlockArgument other) {
        return staged(other) &&
               loop.getTiedLoopYieldedValue(other)->get() == arg;
      });
    };
    SmallVector<Ring *> ofLoop;
    for (BlockArgument first : loop.getRegionIterArgs()) {
      if (!staged(first) || passedFrom(first))
        continue;
      auto ring = std::make_unique<Ring>();
      ring->loop = loop;
      ConvertLayoutOp fill;
      for (BlockArgument arg = first;;) {
        ring->window.push_back(arg);
        Value next = loop.getTiedLoopYieldedValue(arg)->get();
        auto nextArg = dyn_cast<BlockArgument>(next);
        if (nextArg && nextArg.getOwner() == loop.getBody() &&
            staged(nextArg) && !llvm::is_contained(ring->window, nextArg)) {
          arg = nextArg;
          continue;
        }
        fill = next.getDefiningOp<ConvertLayoutOp>();
        break;
      }
      if (!fill || fill->getBlock() != loop.getBody()) {
        loop.emitOpError("carries a block staged in shared memory that no "
                         "convert_layout of its body fills");
        return WalkResult::interrupt();
      }
      ringCopies[fill] = {ring.get(), -1};
      for (auto [slot, arg] : llvm::enumerate(ring->window)) {
        auto copy =
            loop.getTiedLoopInit(arg)->get().getDefiningOp<ConvertLayoutOp>();
        if (!copy || ringCopies.count(copy)) {
          loop.emitOpError("carries a block staged in shared memory whose "
                           "initial value no convert_layout of its own stages");
          return WalkResult::interrupt();
        }
        ringCopies[copy] = {ring.get(), static_cast<int64_t>(slot)};
        ringOf[arg] = ringOf[loop.getTiedLoopResult(arg)] = ring.get();
      }
      auto type = cast<RankedTensorType>(first.getType());
      ring->slotBytes =
          (type.getNumElements() * bytesOf(memoryType(type.getElementType())) +
           127) /
          128 * 128;
      ofLoop.push_back(ring.get());
      rings.push_back(std::move(ring));
    }
    if (llvm::any_of(loop.getRegionIterArgs(), [&](BlockArgument arg) {
          return staged(arg) && !ringOf.count(arg);
        })) {
      loop.emitOpError("carries a block staged in shared memory outside a "
                       "window of them");
      return WalkResult::interrupt();
    }
    if (ofLoop.empty())
      return WalkResult::advance();
    bool async = false;
    for (auto [op, copy] : ringCopies) {
      auto load = cast<ConvertLayoutOp>(op).getSrc().getDefiningOp<LoadOp>();
      async |= copy.first->loop == loop && load && copiedAsync(load);
    }
    for (Ring *ring : ofLoop)
      ring->async = async;
    // (W - 1) G pending groups leave the oldest block's complete where
    // every ring has the same window and the prologue copies stage by
    // stage; else all are waited for.
    int64_t window = ofLoop.front()->window.size();
    SmallVector<Operation *> prologue;
    for (Ring *ring : ofLoop)
      for (BlockArgument arg : ring->window)
        prologue.push_back(loop.getTiedLoopInit(arg)->get().getDefiningOp());
    bool stageByStage =
        llvm::all_of(
            ofLoop,
            [&](Ring *r) { return (int64_t)r->window.size() == window; }) &&
        llvm::all_of(prologue, [&](Operation *copy) {
          return copy->getBlock() == loop->getBlock();
        });
    if (stageByStage) {
      llvm::sort(prologue, [](Operation *x, Operation *y) {
        return x->isBeforeInBlock(y);
      });
      for (size_t i = 1; i < prologue.size(); ++i)
        stageByStage &= ringCopies[prologue[i - 1]].second <=
                        ringCopies[prologue[i]].second;
    }
    ringPending[loop] =
        stageByStage ? (window - 1) * static_cast<int64_t>(ofLoop.size()) : 0;
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

void KernelEmitter::beforeRingRead(Location loc, ValueRange operands) {
  for (Value v : operands) {
    if (auto trans = v.getDefiningOp<TransOp>())
      v = trans.getSrc();
    Ring *ring = ringOf.lookup(v);
    if (!ring || !isa<BlockArgument>(v))
      continue;
    // Waited already where this read is: in the body's block or one it
    // encloses.
    Block *waited = ringWaitedIn.lookup(ring->loop);
    bool dominated = false;
    for (Block *at = b.getInsertionBlock(); at && !dominated;
         at = at->getParentOp() ? at->getParentOp()->getBlock() : nullptr)
      dominated = at == waited;
    if (dominated)
      continue;
    int64_t pending = ringPending.lookup(ring->loop);
    if (ring->async)
      NVVM::CpAsyncWaitGroupOp::create(b, loc, pending);
    barrier(loc);
    remark(loc, [&](raw_ostream &os) {
      os << "dot reads a ring of " << ring->slots()
         << " shared buffers (num_stages), "
         << count(ring->window.size(), "block") << " in flight: ";
      if (ring->async)
        os << "cp.async.wait_group " << pending << ", then ";
      os << "1 barrier";
    });
    ringWaitedIn[ring->loop] = b.getInsertionBlock();
  }
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
  // The free slot of each ring: the one the prologue left empty.
  SmallVector<Ring *> loopRings = ringsOf(op);
  Slots inits = flatten(op.getInitArgs());
  for (Ring *ring : loopRings)
    inits.push_back(
        i32(loc, ring->base + ring->window.size() * ring->slotBytes));
  auto loop = scf::ForOp::create(b, loc, lb, ub, step, inits);
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
  for (auto [ring, free] : llvm::zip(
           loopRings, loop.getRegionIterArgs().take_back(loopRings.size())))
    ring->free = free;
  ringWaitedIn.erase(op);
  if (failed(emitRegion(*op.getBody())))
    return failure();
  auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
  Slots yielded = flatten(yield.getOperands());
  // The slot read this iteration is the next one's free slot.
  for (Ring *ring : loopRings)
    yielded.push_back(sharedPlaceOf(ring->window.front()).dynamic);
  scf::YieldOp::create(b, yield.getLoc(), yielded);
  b.setInsertionPointAfter(loop);
  bind(op.getResults(), loop.getResults());
  assumeSharedMemoryUsed();
  if (!loopRings.empty()) {
    if (loopRings.front()->async)
      NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    if (--liveSharedBlocks == 0)
      nextSharedOffset = exchangeBase;
  }
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
