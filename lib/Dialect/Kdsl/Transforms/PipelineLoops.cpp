//===- PipelineLoops.cpp - Issue loads num_stages - 1 iterations ahead ----===//
//
// Implements -kdsl-pipeline-loops (see Passes.td): software pipelining of
// the loads of an scf.for, in the variant's kdsl IR, so that the back end
// and the interpreter see the same program.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Dialect/Kdsl/Transforms/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kdsl {
#define GEN_PASS_DEF_KDSLPIPELINELOOPS
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h.inc"
} // namespace kdsl

using namespace mlir;
using namespace kdsl;

namespace {

/// The ops of the loop body that compute the operands of `root` (and `root`
/// itself with `inclusive`), in block order, if they are pure, have no
/// regions, and read besides each other only values defined outside the
/// loop and the body's arguments `readable` accepts.
std::optional<SmallVector<Operation *>>
pureBodySlice(scf::ForOp loop, Operation *root, bool inclusive,
              function_ref<bool(BlockArgument)> readable) {
  Block *body = loop.getBody();
  BackwardSliceOptions options;
  options.omitBlockArguments = true;
  options.inclusive = inclusive;
  options.filter = [&](Operation *op) { return op->getBlock() == body; };
  SetVector<Operation *> slice;
  if (failed(getBackwardSlice(root, &slice, options)))
    return std::nullopt;
  auto readsAllowed = [&](Operation *op) {
    return llvm::all_of(op->getOperands(), [&](Value operand) {
      if (auto arg = dyn_cast<BlockArgument>(operand);
          arg && arg.getOwner() == body)
        return readable(arg);
      return slice.contains(operand.getDefiningOp()) ||
             loop.isDefinedOutsideOfLoop(operand);
    });
  };
  if (!readsAllowed(root))
    return std::nullopt;
  for (Operation *op : slice)
    if (!isPure(op) || op->getNumRegions() != 0 || !readsAllowed(op))
      return std::nullopt;
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return ordered;
}

/// A loop-carried value that advances by the same amount every iteration,
/// as Triton's pointer increments: the loop yields `update`, that is
/// `kdsl.addptr %arg, %inc` (or `arith.addi` of an integer), where `inc` is
/// computed by `slice` from values defined outside the loop.
struct Stride {
  BlockArgument arg;
  Operation *update;
  SmallVector<Operation *> slice;
};

SmallVector<Stride> findStrides(scf::ForOp loop) {
  SmallVector<Stride> strides;
  auto none = [](BlockArgument) { return false; };
  for (auto [arg, yielded] :
       llvm::zip(loop.getRegionIterArgs(), loop.getYieldedValues())) {
    Operation *update = yielded.getDefiningOp();
    if (!update || update->getBlock() != loop.getBody())
      continue;
    Value inc;
    if (auto add = dyn_cast<AddPtrOp>(update); add && add.getPtr() == arg)
      inc = add.getOffset();
    else if (auto add = dyn_cast<arith::AddIOp>(update))
      inc = add.getLhs() == arg   ? add.getRhs()
            : add.getRhs() == arg ? add.getLhs()
                                  : Value();
    if (!inc || inc == arg)
      continue;
    SmallVector<Operation *> slice;
    if (!loop.isDefinedOutsideOfLoop(inc)) {
      Operation *def = inc.getDefiningOp();
      if (!def)
        continue; // another loop-carried value
      auto incSlice = pureBodySlice(loop, def, /*inclusive=*/true, none);
      if (!incSlice)
        continue;
      slice = std::move(*incSlice);
    }
    strides.push_back({arg, update, std::move(slice)});
  }
  return strides;
}

/// A load of the loop body and the ops of the body its operands are
/// computed by, in block order: pure, and reading only the induction
/// variable, strides and values defined outside the loop.
struct PipelinedLoad {
  LoadOp load;
  SmallVector<Operation *> slice;
  /// The strides it reads.
  SmallVector<const Stride *> strides;
};

/// The load with its address computation, if it can be issued for a later
/// iteration; std::nullopt when it reads another loop-carried value,
/// depends on an op with effects, or changes with neither the induction
/// variable nor a stride (nothing to pipeline).
std::optional<PipelinedLoad> analyzeLoad(scf::ForOp loop, LoadOp load,
                                         ArrayRef<Stride> strides) {
  bool readsIv = false;
  SmallVector<const Stride *> read;
  auto readable = [&](BlockArgument arg) {
    if (arg == loop.getInductionVar())
      return readsIv = true;
    for (const Stride &stride : strides)
      if (stride.arg == arg) {
        if (!llvm::is_contained(read, &stride))
          read.push_back(&stride);
        return true;
      }
    return false;
  };
  auto slice = pureBodySlice(loop, load, /*inclusive=*/false, readable);
  if (!slice || (!readsIv && read.empty()))
    return std::nullopt;
  return PipelinedLoad{load, std::move(*slice), std::move(read)};
}

/// `value`, a stride's value at some iteration, advanced `count` iterations.
Value advance(OpBuilder &b, const Stride &stride, Value value, int64_t count) {
  if (count == 0)
    return value;
  IRMapping mapping;
  for (Operation *op : stride.slice)
    b.clone(*op, mapping);
  for (int64_t i = 0; i < count; ++i) {
    mapping.map(stride.arg, value);
    value = b.clone(*stride.update, mapping)->getResult(0);
  }
  return value;
}

/// `iv + stages * step < ub`, the iteration `stages` ahead of `iv` exists
/// (compared in i64 for an i32 loop, so that it cannot wrap).
Value iterationExists(OpBuilder &b, Location loc, scf::ForOp loop, Value iv,
                      int64_t stages) {
  Value step = loop.getStep(), ub = loop.getUpperBound();
  if (iv.getType().isInteger(32)) {
    Type i64 = b.getI64Type();
    iv = arith::ExtSIOp::create(b, loc, i64, iv);
    step = arith::ExtSIOp::create(b, loc, i64, step);
    ub = arith::ExtSIOp::create(b, loc, i64, ub);
  }
  Value ahead = arith::MulIOp::create(
      b, loc, step,
      arith::ConstantOp::create(b, loc,
                                b.getIntegerAttr(step.getType(), stages)));
  Value next = arith::AddIOp::create(b, loc, iv, ahead);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, next, ub);
}

/// The load of `p` for the iteration `stages` ahead of `iv`, masked off
/// where that iteration does not exist: it touches no memory then.
/// `strideAt` gives each stride's value at iteration `iv`.
Value emitLoadAhead(OpBuilder &b, scf::ForOp loop, PipelinedLoad &p, Value iv,
                    int64_t stages,
                    function_ref<Value(const Stride &)> strideAt) {
  Location loc = p.load.getLoc();
  IRMapping mapping;
  for (const Stride *stride : p.strides)
    mapping.map(stride->arg, advance(b, *stride, strideAt(*stride), stages));
  Value at = iv;
  if (stages != 0) {
    Value ahead = arith::MulIOp::create(
        b, loc, loop.getStep(),
        arith::ConstantOp::create(b, loc,
                                  b.getIntegerAttr(iv.getType(), stages)));
    at = arith::AddIOp::create(b, loc, iv, ahead);
  }
  mapping.map(loop.getInductionVar(), at);
  for (Operation *op : p.slice)
    b.clone(*op, mapping);
  Value exists = iterationExists(b, loc, loop, iv, stages);
  Value ptr = mapping.lookupOrDefault(p.load.getPtr());
  Value mask = exists;
  if (auto type = dyn_cast<RankedTensorType>(ptr.getType()))
    mask = SplatOp::create(
        b, loc, RankedTensorType::get(type.getShape(), b.getI1Type()), exists,
        ValueRange{});
  if (Value own = p.load.getMask())
    mask = arith::AndIOp::create(b, loc, mapping.lookupOrDefault(own), mask);
  Value other =
      p.load.getOther() ? mapping.lookupOrDefault(p.load.getOther()) : Value();
  return LoadOp::create(b, loc, p.load.getType(), ptr, mask, other);
}

/// Rewrites `loop` so that each pipelined load is issued `stages - 1`
/// iterations before the one that uses it: a prologue loads the first
/// `stages - 1` iterations, the loop carries them and loads one more
/// iteration ahead at the start of its body.
void pipeline(scf::ForOp loop, MutableArrayRef<PipelinedLoad> loads,
              int64_t stages) {
  IRRewriter rewriter(loop.getContext());
  rewriter.setInsertionPoint(loop);
  auto initial = [&](const Stride &stride) {
    return loop.getTiedLoopInit(stride.arg)->get();
  };
  // Issued stage by stage (every load of iteration 0, then of iteration 1):
  // the order in which the back end's copies into shared memory complete.
  int64_t window = stages - 1;
  SmallVector<Value> prologue(loads.size() * window);
  for (int64_t s = 0; s < window; ++s)
    for (auto [i, p] : llvm::enumerate(loads))
      prologue[i * window + s] =
          emitLoadAhead(rewriter, loop, p, loop.getLowerBound(), s, initial);
  auto yieldAhead = [&](OpBuilder &b, Location,
                        ArrayRef<BlockArgument> carried) {
    Block *body = carried.front().getOwner();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(body);
    SmallVector<Value> yields;
    for (auto [i, p] : llvm::enumerate(loads)) {
      ArrayRef<BlockArgument> window =
          carried.slice(i * (stages - 1), stages - 1);
      // The new loop's arguments: the induction variable, then the old
      // iteration arguments, then the carried blocks.
      auto current = [&](const Stride &stride) -> Value {
        return body->getArgument(stride.arg.getArgNumber());
      };
      Value next =
          emitLoadAhead(b, loop, p, body->getArgument(0), stages - 1, current);
      p.load.getResult().replaceAllUsesWith(window.front());
      llvm::append_range(yields, window.drop_front());
      yields.push_back(next);
    }
    return yields;
  };
  // The callback runs before the old body moves into the new loop: the
  // slices still read the old induction variable, which emitLoadAhead maps
  // to the new one plus the distance, at the start of the new body.
  (void)cast<LoopLikeOpInterface>(loop.getOperation())
      .replaceWithAdditionalYields(rewriter, prologue,
                                   /*replaceInitOperandUsesInLoop=*/false,
                                   yieldAhead);
  // The original loads, then what only they used (slices may share ops).
  SetVector<Operation *> sliceOps;
  for (PipelinedLoad &p : loads) {
    rewriter.eraseOp(p.load);
    sliceOps.insert(p.slice.begin(), p.slice.end());
  }
  SmallVector<Operation *> dead = sliceOps.takeVector();
  llvm::sort(dead,
             [](Operation *a, Operation *b) { return b->isBeforeInBlock(a); });
  for (Operation *op : dead)
    if (op->use_empty())
      rewriter.eraseOp(op);
}

/// 32-bit registers per thread that a loaded value of `type` takes, spread
/// over `threads` threads.
int64_t registersPerThread(Type type, int64_t threads) {
  auto block = dyn_cast<RankedTensorType>(type);
  int64_t elements = block ? block.getNumElements() : 1;
  Type elem = getElementTypeOrSelf(type);
  int64_t bits = elem.isIntOrFloat()
                     ? std::max<int64_t>(elem.getIntOrFloatBitWidth(), 32)
                     : 64; // a pointer
  return (elements + threads - 1) / threads * bits / 32;
}

/// Registers per thread that the loads issued ahead may hold, so that the
/// kernel keeps room for its own values (a thread has at most 255); a loop
/// over more gets fewer stages.
constexpr int64_t kMaxRegistersInFlight = 32;

struct KdslPipelineLoopsPass
    : public kdsl::impl::KdslPipelineLoopsBase<KdslPipelineLoopsPass> {
  void runOnOperation() override {
    getOperation().walk([&](KernelOp kernel) {
      int64_t stages = kernel.getNumStages().value_or(1);
      if (stages < 2)
        return;
      int64_t threads = kernel.getNumWarps().value_or(4) * 32;
      SmallVector<scf::ForOp> loops;
      kernel.walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops) {
        // A write in the loop may feed a later iteration's load.
        bool writes = false;
        loop.walk(
            [&](Operation *op) { writes |= isa<StoreOp, AtomicAddOp>(op); });
        if (writes)
          continue;
        SmallVector<Stride> strides = findStrides(loop);
        SmallVector<PipelinedLoad> loads;
        int64_t wordsPerStage = 0;
        for (auto load : loop.getBody()->getOps<LoadOp>()) {
          // An operand of a dot (or of a transpose that only a dot uses)
          // is carried staged in shared memory, not in registers: the
          // blocks in flight are a ring of shared buffers that the back end
          // fills by cp.async (see -kdsl-assign-layouts). Any other use
          // would carry it in registers, where tiles in flight spill.
          auto isOperand = [](OpOperand &use) {
            auto dot = dyn_cast<DotOp>(use.getOwner());
            return dot && use.getOperandNumber() < 2;
          };
          auto feedsDot = [&](OpOperand &use) {
            Operation *user = use.getOwner();
            return isOperand(use) || (isa<TransOp>(user) && user->hasOneUse() &&
                                      isOperand(*user->use_begin()));
          };
          bool staged = load->hasOneUse() && feedsDot(*load->use_begin());
          if (!staged && llvm::any_of(load->getUses(), feedsDot))
            continue;
          if (std::optional<PipelinedLoad> p =
                  analyzeLoad(loop, load, strides)) {
            if (!staged)
              wordsPerStage += registersPerThread(load.getType(), threads);
            loads.push_back(std::move(*p));
          }
        }
        // No more than kMaxRegistersInFlight per thread for loads ahead.
        int64_t fit =
            1 + kMaxRegistersInFlight / std::max<int64_t>(wordsPerStage, 1);
        if (!loads.empty() && std::min(stages, fit) >= 2)
          pipeline(loop, loads, std::min(stages, fit));
      }
    });
  }
};

} // namespace
