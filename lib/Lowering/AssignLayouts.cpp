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
#include "MmaLayout.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "llvm/ADT/DenseSet.h"
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
      : numWarps(*kernel.getNumWarps()), ctx(kernel.getContext()), b(ctx) {
    chooseVectorWidths(kernel);
    chooseWarpOrders(kernel);
    chooseDotLayouts(kernel);
    findWantedLayouts(kernel);
  }

  void assign(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block))
      assign(&op);
  }
  /// Erases the ops that stageForDot remade (after the walk, so that no map
  /// of the walk holds an erased value).
  void eraseReplaced() {
    for (Operation *op : replaced)
      op->erase();
    replaced.clear();
  }

private:
  int64_t numWarps;
  MLIRContext *ctx;
  OpBuilder b;
  /// Ops stageForDot remade, erased after the walk.
  SmallVector<Operation *> replaced;
  DenseMap<Value, bool> rematerializable;
  /// By rank, the order in which warps fill the dimensions of blocks of that
  /// rank (absent: from the last dimension to the first).
  DenseMap<int64_t, SmallVector<int64_t>> warpOrders;
  /// Blocks one layout serves as they are, as a union-find forest: the
  /// operands and results of elementwise ops, pointer arithmetic, loads,
  /// stores and reshapes, a loop's or an if's carried values, and a dot's
  /// accumulator and result.
  DenseMap<Value, Value> groupParent;
  /// By group (its root), the contiguous elements each thread holds at
  /// most: 16 bytes of the widest element type the group's loads and stores
  /// access, as Triton's coalescing gives each access 16 bytes where it can.
  /// Absent: 4.
  DenseMap<Value, int64_t> groupWidths;

  Value groupOf(Value v) {
    Value parent = groupParent.lookup(v);
    if (!parent || parent == v)
      return v;
    Value root = groupOf(parent);
    groupParent[v] = root;
    return root;
  }
  void join(Value a, Value c) {
    Value ra = groupOf(a), rc = groupOf(c);
    if (ra != rc)
      groupParent[ra] = rc;
  }
  void chooseVectorWidths(KernelOp kernel) {
    kernel.walk([&](Operation *op) {
      SmallVector<Value> together;
      if (isElementwise(op) || isa<LoadOp, StoreOp, AddPtrOp, ReshapeOp>(op)) {
        llvm::append_range(together, op->getOperands());
        llvm::append_range(together, op->getResults());
      } else if (auto dot = dyn_cast<DotOp>(op)) {
        together = {dot.getAcc(), dot.getResult()};
      } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
        Operation *yield = loop.getBody()->getTerminator();
        for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs()))
          if (isBlock(arg)) {
            join(arg, loop.getInitArgs()[i]);
            join(arg, loop.getResult(i));
            join(arg, yield->getOperand(i));
          }
      } else if (auto branch = dyn_cast<scf::IfOp>(op)) {
        for (auto [i, result] : llvm::enumerate(branch.getResults()))
          if (isBlock(result)) {
            join(result, branch.thenYield()->getOperand(i));
            if (!branch.getElseRegion().empty())
              join(result, branch.elseYield()->getOperand(i));
          }
      }
      llvm::erase_if(together, [](Value v) { return !isBlock(v); });
      for (Value v : together)
        join(together.front(), v);
    });
    kernel.walk([&](Operation *op) {
      Value ptrs;
      if (auto load = dyn_cast<LoadOp>(op))
        ptrs = load.getPtr();
      else if (auto store = dyn_cast<StoreOp>(op))
        ptrs = store.getPtr();
      if (!ptrs || !isBlock(ptrs))
        return;
      Type pointee =
          cast<PtrType>(getElementTypeOrSelf(ptrs.getType())).getPointeeType();
      int64_t width =
          16 / std::max<int64_t>(1, pointee.getIntOrFloatBitWidth() / 8);
      auto [it, added] = groupWidths.try_emplace(groupOf(ptrs), width);
      if (!added)
        it->second = std::min(it->second, width);
    });
  }
  /// The elements per thread `v`'s default layout may hold: its group's
  /// width, within its last dimension, and never fewer than 4 (the width
  /// of every block before the widths followed the element types).
  int64_t vectorWidth(Value v) {
    auto it = groupWidths.find(groupOf(v));
    int64_t width = it == groupWidths.end() ? 4 : it->second;
    ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
    return std::max<int64_t>(
        4, llvm::bit_floor(static_cast<uint64_t>(
               std::min(width, shape.empty() ? int64_t(1) : shape.back()))));
  }

  /// Where every reduction of blocks of some rank (2 or more) is along one
  /// axis, and the other dimensions of each reduced block hold all the
  /// warps, warps fill those dimensions first: each line is then reduced
  /// within one warp, by shuffles alone, with no trip through shared memory
  /// and no barrier. Lanes stay where the default puts them, so accesses
  /// coalesce as before, and each thread holds as many elements. (Where
  /// warps would still share lines, the default's fewer copies of what the
  /// lines are combined with win.)
  void chooseWarpOrders(KernelOp kernel) {
    DenseMap<int64_t, std::optional<SmallVector<int64_t>>> orders;
    kernel.walk([&](ReduceOp r) {
      auto type = cast<RankedTensorType>(r.getSrc().getType());
      int64_t rank = type.getRank();
      if (rank < 2)
        return;
      SmallVector<int64_t> order;
      for (int64_t d = rank - 1; d >= 0; --d)
        if (d != r.getAxis())
          order.push_back(d);
      order.push_back(r.getAxis());
      BlockedEncodingAttr layout = getDefaultBlockedEncoding(
          ctx, type.getShape(), numWarps, order, vectorWidth(r.getSrc()));
      bool withinWarps = layout.getWarpsPerCTA()[r.getAxis()] == 1;
      auto it = orders.try_emplace(rank, order).first;
      if (!withinWarps || (it->second && *it->second != order))
        it->second = std::nullopt;
    });
    for (auto &[rank, order] : orders)
      if (order)
        warpOrders[rank] = *order;
  }

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
    ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
    return getDefaultBlockedEncoding(
        ctx, shape, numWarps, warpOrders.lookup(shape.size()), vectorWidth(v));
  }
  static Attribute rowMajorShared(Value v, MLIRContext *ctx) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    SmallVector<int64_t> order;
    for (int64_t d = rank - 1; d >= 0; --d)
      order.push_back(d);
    return SharedEncodingAttr::get(ctx, order);
  }

  /// Layouts wanted downstream, by value. A block that `expand_dims` and a
  /// broadcast make into a larger one is best made in the slice of the
  /// larger one's layout: the broadcast then moves nothing, where otherwise
  /// a loaded row would make a round trip through shared memory. The wish
  /// passes back through the loads, pointer arithmetic and elementwise ops
  /// that make the block, as Triton's RemoveLayoutConversions moves
  /// conversions back to where they are free. Null where uses disagree, and
  /// for loop-carried blocks (a loop keeps its initial layout in every
  /// iteration, where a slice's copies would cost each time); both pass on
  /// to the operands, so the result does not depend on the order of the walk.
  DenseMap<Value, Attribute> wanted;

  void findWantedLayouts(KernelOp kernel) {
    SmallVector<Value> worklist;
    auto want = [&](Value v, Attribute encoding) {
      if (!isBlock(v))
        return;
      if (llvm::any_of(v.getUsers(), llvm::IsaPred<scf::ForOp, scf::YieldOp>))
        encoding = nullptr;
      auto [it, inserted] = wanted.try_emplace(v, encoding);
      if (!inserted) {
        if (!it->second || it->second == encoding)
          return;
        it->second = nullptr;
      }
      worklist.push_back(v);
    };
    kernel.walk([&](ExpandDimsOp e) {
      SmallVector<Operation *> between;
      std::optional<Value> to = broadcastOf(e.getResult(), between);
      if (!to)
        return;
      auto parent = cast<BlockedEncodingAttr>(layoutOfGroup(*to));
      want(e.getSrc(), SliceEncodingAttr::get(ctx, e.getAxis(), parent));
      // What the elementwise ops on the way combine it with, in the layout
      // expand_dims gives it.
      for (Operation *op : between)
        for (Value operand : op->getOperands())
          if (operand != e.getResult() &&
              !llvm::is_contained(between, operand.getDefiningOp()))
            want(operand, parent);
    });
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *op = v.getDefiningOp();
      if (!op || !(isa<LoadOp, AddPtrOp>(op) || isElementwise(op)))
        continue;
      for (Value operand : op->getOperands())
        want(operand, wanted.lookup(v));
    }
  }
  /// The block that `v` is broadcast to, directly or after the elementwise
  /// ops put in `between`; none where there is no broadcast or they make
  /// blocks of several shapes or default layouts.
  std::optional<Value> broadcastOf(Value v,
                                   SmallVectorImpl<Operation *> &between) {
    std::optional<Value> to;
    SmallVector<Value> worklist = {v};
    DenseSet<Value> seen;
    while (!worklist.empty()) {
      Value next = worklist.pop_back_val();
      if (!seen.insert(next).second)
        continue;
      for (Operation *user : next.getUsers()) {
        if (auto broadcast = dyn_cast<BroadcastOp>(user)) {
          if (to && (to->getType() != broadcast.getType() ||
                     defaultFor(*to) != defaultFor(broadcast.getResult())))
            return std::nullopt;
          to = broadcast.getResult();
        } else if (isElementwise(user) && user->getNumResults() == 1) {
          between.push_back(user);
          worklist.push_back(user->getResult(0));
        }
      }
    }
    return to;
  }
  static bool isElementwise(Operation *op) {
    return isa<arith::ArithDialect, math::MathDialect>(op->getDialect());
  }
  /// Dots mma.sync computes keep their accumulator in its layout
  /// (MmaLayout.h): the dot's result, and the accumulator it starts from
  /// when no operand decides that one's layout (a loop's initial value, a
  /// constant), so that a loop carries it, and updates it, in that layout;
  /// and the loop-carried statistics of its rows, in the slice of it.
  DenseMap<Value, Attribute> dotLayouts;
  void chooseDotLayouts(KernelOp kernel) {
    // A kernel that reduces a dot's result along its rows (a softmax, as
    // attention's) keeps each row in one warp: its dots tile warps along M.
    bool rowsWithinWarps = false;
    kernel.walk([&](DotOp dot) {
      SmallVector<Value> worklist = {dot.getResult()};
      while (!worklist.empty() && !rowsWithinWarps)
        for (Operation *user : worklist.pop_back_val().getUsers()) {
          if (auto reduce = dyn_cast<ReduceOp>(user))
            rowsWithinWarps |= reduce.getAxis() == 1;
          else if (isElementwise(user) && user->getNumResults() == 1)
            worklist.push_back(user->getResult(0));
        }
    });
    kernel.walk([&](DotOp dot) {
      ArrayRef<int64_t> shape =
          cast<RankedTensorType>(dot.getType()).getShape();
      MmaWarps warps =
          chooseMmaWarps(shape[0], shape[1], numWarps, rowsWithinWarps);
      if (!whyNoMma(dot, warps).empty())
        return;
      Attribute mma = getMmaAccumulatorEncoding(ctx, warps);
      dotLayouts[dot.getResult()] = mma;
      // Back through elementwise ops that update the accumulator (a
      // rescale, acc * alpha[:, None]) to the value a loop carries.
      Value acc = dot.getAcc();
      while (Operation *def = acc.getDefiningOp()) {
        if (!isElementwise(def) || def->getNumResults() != 1)
          break;
        auto updated = llvm::find_if(def->getOperands(), [&](Value operand) {
          return operand.getType() == acc.getType() &&
                 !operand.getDefiningOp<BroadcastOp>();
        });
        if (updated == def->getOperands().end())
          break;
        acc = *updated;
      }
      if (auto arg = dyn_cast<BlockArgument>(acc))
        if (auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
          if (arg.getArgNumber() > 0)
            acc = loop.getInitArgs()[arg.getArgNumber() - 1];
      dotLayouts.try_emplace(acc, mma);
    });
    // Statistics of a dot's rows (a softmax's running maximum and sum) that a
    // loop carries start in the slice of the dot's layout, so that they meet
    // the rows' reductions and broadcast back over them with no conversion.
    kernel.walk([&](ReduceOp reduce) {
      if (reduce.getAxis() != 1 ||
          cast<RankedTensorType>(reduce.getSrc().getType()).getRank() != 2 ||
          !isBlock(reduce.getResult()))
        return;
      Attribute parent;
      for (auto [value, layout] : dotLayouts)
        if (isa<OpResult>(value) && isa<DotOp>(value.getDefiningOp()) &&
            groupOf(value) == groupOf(reduce.getSrc()))
          parent = layout;
      if (!parent)
        return;
      auto slice =
          SliceEncodingAttr::get(ctx, 1, cast<BlockedEncodingAttr>(parent));
      Value stats = groupOf(reduce.getResult());
      kernel.walk([&](scf::ForOp loop) {
        for (auto [init, arg] :
             llvm::zip(loop.getInitArgs(), loop.getRegionIterArgs()))
          if (isBlock(arg) && groupOf(arg) == stats)
            dotLayouts.try_emplace(init, slice);
      });
    });
  }

  /// A block's default layout, or, where it joins a dot's result (of its
  /// shape) through elementwise ops, the dot's mma.sync layout: what a
  /// broadcast of a row statistic (m[:, None]) combines with.
  Attribute layoutOfGroup(Value v) {
    // (Shapes, not types: the dot's type may carry its encoding already.)
    auto shape = cast<RankedTensorType>(v.getType()).getShape();
    for (auto [value, layout] : dotLayouts)
      if (isa<OpResult>(value) && isa<DotOp>(value.getDefiningOp()) &&
          cast<RankedTensorType>(value.getType()).getShape() == shape &&
          groupOf(value) == groupOf(v))
        return layout;
    return defaultFor(v);
  }

  /// The layout for a result no operand decides.
  Attribute freeLayoutFor(Value v) {
    if (Attribute encoding = dotLayouts.lookup(v))
      return encoding;
    if (Attribute encoding = wanted.lookup(v))
      return encoding;
    return layoutOfGroup(v);
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
  /// that cannot be recomputed in place (else the one wanted of the result,
  /// else the first operand's), and gives it to the block results. (The ops
  /// that get here have at most one block result.)
  void unify(Operation *op) {
    Attribute encoding, anchor;
    for (Value v : op->getOperands()) {
      if (!isBlock(v))
        continue;
      if (!isRematerializable(v, rematerializable)) {
        anchor = encodingOf(v);
        break;
      }
      if (!encoding)
        encoding = encodingOf(v);
    }
    if (anchor)
      encoding = anchor;
    else if (Attribute w = op->getNumResults() ? wanted.lookup(op->getResult(0))
                                               : Attribute())
      encoding = w;
    for (OpOperand &operand : op->getOpOperands())
      if (isBlock(operand.get()))
        convert(operand, encoding);
    for (Value result : op->getResults())
      if (isBlock(result))
        setEncoding(result, encoding ? encoding : defaultFor(result));
  }

  /// The row-major shared layout of a 16-bit operand of mma.sync, swizzled
  /// so that the 8 rows an ldmatrix reads (16 bytes each, one chunk of
  /// `vec` = 8 elements) fall in 8 different groups of 4 banks: rows that
  /// share 128 bytes share a phase (perPhase = 128 / row bytes, at least
  /// 1), and the phase XORs a chunk index among as many chunks as a row
  /// has, up to 8 (maxPhase). Rows run along `order[0]`.
  SharedEncodingAttr swizzledForLdmatrix(Value v, ArrayRef<int64_t> order) {
    int64_t rowBytes =
        cast<RankedTensorType>(v.getType()).getShape()[order[0]] * 2;
    // A row of one chunk has nothing to trade places with.
    if (rowBytes <= 16)
      return SharedEncodingAttr::get(ctx, order);
    return SharedEncodingAttr::get(ctx, order, /*vec=*/8,
                                   std::max<int64_t>(1, 128 / rowBytes),
                                   std::min<int64_t>(8, rowBytes / 16));
  }

  /// Puts a dot operand in shared memory, row-major, just before the dot. A
  /// transpose used only there stages its source instead, in the transposed
  /// order, and is remade there as a view of it (as Triton's memdesc_trans):
  /// one round trip, not two. (Staged where the transpose was, a block could
  /// outlive a dot in a loop that frees its area for the next exchange.)
  ///
  /// For mma.sync, the transposed B of `x @ trans(w)` (w [N, K], as a
  /// linear layer's weight or attention's keys) stages w as it is, K
  /// contiguous, where its rows are the 16-byte ldmatrix rows of B's
  /// fragments (read without .trans) and its loads can be cp.async copies.
  void stageForDot(OpOperand &operand, bool mma) {
    Attribute shared = rowMajorShared(operand.get(), ctx);
    ArrayRef<int64_t> order = cast<SharedEncodingAttr>(shared).getOrder();
    auto trans = operand.get().getDefiningOp<TransOp>();
    bool viewed = trans && trans.getResult().hasOneUse();
    SmallVector<int64_t> viewOrder(order);
    if (mma && viewed && operand.getOperandNumber() == 1)
      viewOrder = {order[1], order[0]};
    if (mma)
      shared = swizzledForLdmatrix(operand.get(), viewOrder);
    if (!viewed) {
      convert(operand, shared);
      return;
    }
    // The view and the staged source name the same rows (along the
    // source's fastest dimension), so they swizzle alike.
    SmallVector<int64_t> sourceOrder = {1 - viewOrder[0], 1 - viewOrder[1]};
    auto view = cast<SharedEncodingAttr>(shared);
    Value source = trans.getSrc();
    b.setInsertionPoint(operand.getOwner());
    auto staged = ConvertLayoutOp::create(
        b, source.getLoc(),
        withEncoding(source.getType(),
                     SharedEncodingAttr::get(ctx, sourceOrder, view.getVec(),
                                             view.getPerPhase(),
                                             view.getMaxPhase())),
        source);
    operand.set(TransOp::create(b, trans.getLoc(),
                                withEncoding(trans.getType(), shared), staged));
    replaced.push_back(trans);
  }
  /// The users of `v`, less the ops about to be erased.
  SmallVector<Operation *> liveUsers(Value v) {
    SmallVector<Operation *> users;
    for (Operation *user : v.getUsers())
      if (!llvm::is_contained(replaced, user))
        users.push_back(user);
    return users;
  }
  void stageCarriedOperands(scf::ForOp op);
  void assign(Operation *op);
  void assignFor(scf::ForOp op);
  void assignIf(scf::IfOp op);
};

/// A dot operand that the loop carries (as -kdsl-pipeline-loops leaves the
/// blocks it loads ahead: a window of iteration arguments, the first read
/// by the dot, each passing its block to the one before) is carried staged
/// in shared memory rather than in registers: the window's arguments take
/// the dot's shared encoding, and each block is staged once, where it is
/// loaded (the prologue's blocks just after their loads, the one loaded in
/// the body at the end of the iteration). The back end keeps such a window
/// in a ring of shared buffers, one more than the window, filled by
/// cp.async while the dot reads the oldest.
void LayoutAssigner::stageCarriedOperands(scf::ForOp op) {
  auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
  for (BlockArgument first : op.getRegionIterArgs()) {
    SmallVector<Operation *> users = liveUsers(first);
    auto stage = users.size() == 1 ? dyn_cast<ConvertLayoutOp>(users.front())
                                   : ConvertLayoutOp();
    if (!stage || !isa<SharedEncodingAttr>(stage.getType().getEncoding()))
      continue;
    Attribute shared = stage.getType().getEncoding();
    SmallVector<BlockArgument> window = {first};
    for (;;) {
      auto next = dyn_cast<BlockArgument>(
          op.getTiedLoopYieldedValue(window.back())->get());
      if (!next || next.getOwner() != op.getBody() || next == first ||
          llvm::is_contained(window, next) ||
          next.getArgNumber() < op.getNumInductionVars() ||
          liveUsers(next).size() != 1 || liveUsers(next).front() != yield)
        break;
      window.push_back(next);
    }
    bool carriedOnlyHere = llvm::all_of(window, [&](BlockArgument arg) {
      Value init = op.getTiedLoopInit(arg)->get();
      return op.getTiedLoopResult(arg).use_empty() && isBlock(init) &&
             !isa<SharedEncodingAttr>(encodingOf(init));
    });
    if (!carriedOnlyHere)
      continue;
    for (BlockArgument arg : window) {
      setEncoding(arg, shared);
      setEncoding(op.getTiedLoopResult(arg), shared);
      OpOperand &init = *op.getTiedLoopInit(arg);
      Operation *def = init.get().getDefiningOp();
      b.setInsertionPoint(op);
      if (def && def->getBlock() == op->getBlock())
        b.setInsertionPointAfter(def);
      init.set(ConvertLayoutOp::create(
          b, init.get().getLoc(), withEncoding(init.get().getType(), shared),
          init.get()));
    }
    stage.getResult().replaceAllUsesWith(first);
    stage.erase();
  }
}

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
                                       : freeLayoutFor(e.getResult()));
      })
      .Case([&](DotOp d) {
        Attribute encoding = dotLayouts.lookup(d.getResult());
        // A chained dot's A (attention's p @ v: the previous dot's result,
        // cast) already held as this dot's accumulator, warps along M only,
        // is its A fragments as it is: no trip through shared memory.
        std::optional<MmaWarps> warps =
            encoding ? mmaWarpsOf(encoding) : std::nullopt;
        bool aInRegisters =
            warps && warps->n == 1 && encodingOf(d.getA()) == encoding;
        if (!aInRegisters)
          stageForDot(d.getAMutable(), /*mma=*/bool(encoding));
        stageForDot(d.getBMutable(), /*mma=*/bool(encoding));
        if (!encoding)
          encoding = defaultFor(d.getResult());
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
        auto type = withEncoding(c.getType(), freeLayoutFor(c.getResult()));
        c.setValueAttr(dense.reshape(type));
        c.getResult().setType(type);
      })
      .Case<LoadOp, StoreOp, AtomicAddOp, AddPtrOp>(
          [&](Operation *op) { unify(op); })
      .Default([&](Operation *op) {
        if (isElementwise(op)) {
          unify(op);
          return;
        }
        for (Value result : op->getResults())
          if (isBlock(result))
            setEncoding(result, freeLayoutFor(result));
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
  stageCarriedOperands(op);
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
      LayoutAssigner assigner(kernel);
      assigner.assign(kernel.getBody().front());
      assigner.eraseReplaced();
    }
  }
};

} // namespace
