//===- DistributedLayout.cpp - Which thread holds which block element -----===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "DistributedLayout.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kdsl {

BlockedEncodingAttr getDefaultBlockedEncoding(MLIRContext *ctx,
                                              ArrayRef<int64_t> shape,
                                              int64_t numWarps,
                                              ArrayRef<int64_t> warpOrder,
                                              int64_t maxVec) {
  int64_t rank = shape.size();
  int64_t elements = 1;
  for (int64_t d : shape)
    elements *= d;
  int64_t threads = numWarps * 32;
  // Up to maxVec elements per thread, while every thread still gets some.
  int64_t vec = 1;
  while (vec < maxVec && elements % (vec * 2) == 0 &&
         vec * 2 * threads <= elements)
    vec *= 2;
  SmallVector<int64_t> sizePerThread(rank, 1), threadsPerWarp(rank, 1),
      warpsPerCTA(rank, 1), order;
  for (int64_t d = rank - 1; d >= 0; --d)
    order.push_back(d);
  for (int64_t d = rank - 1, left = vec; d >= 0; --d) {
    sizePerThread[d] = std::min(left, shape[d]);
    left /= sizePerThread[d];
  }
  // Lanes, then warps, over `dims` in turn; the rest wrap dimension 0.
  auto spread = [&](int64_t count, ArrayRef<int64_t> dims,
                    SmallVectorImpl<int64_t> &out, ArrayRef<int64_t> inner) {
    for (int64_t d : dims) {
      int64_t room =
          std::max<int64_t>(1, shape[d] / (sizePerThread[d] * inner[d]));
      out[d] = std::min(count, room);
      count /= out[d];
    }
    out[0] *= count;
  };
  spread(32, order, threadsPerWarp, SmallVector<int64_t>(rank, 1));
  spread(numWarps, warpOrder.empty() ? ArrayRef<int64_t>(order) : warpOrder,
         warpsPerCTA, threadsPerWarp);
  return BlockedEncodingAttr::get(ctx, sizePerThread, threadsPerWarp,
                                  warpsPerCTA, order);
}

//===----------------------------------------------------------------------===//
// IRArith
//===----------------------------------------------------------------------===//

static std::optional<int64_t> constantOf(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

Value IRArith::constant(int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
Value IRArith::add(Value x, Value y) {
  std::optional<int64_t> cx = constantOf(x), cy = constantOf(y);
  if (cx && cy)
    return constant(*cx + *cy);
  if (cx == 0)
    return y;
  if (cy == 0)
    return x;
  return arith::AddIOp::create(b, loc, x, y);
}
Value IRArith::mul(Value x, int64_t c) {
  if (std::optional<int64_t> cx = constantOf(x))
    return constant(*cx * c);
  if (c == 1)
    return x;
  return arith::MulIOp::create(b, loc, x, constant(c));
}
Value IRArith::div(Value x, int64_t c) {
  if (std::optional<int64_t> cx = constantOf(x))
    return constant(*cx / c);
  if (c == 1)
    return x;
  return arith::DivUIOp::create(b, loc, x, constant(c));
}
Value IRArith::rem(Value x, int64_t c) {
  if (std::optional<int64_t> cx = constantOf(x))
    return constant(*cx % c);
  if (c == 1)
    return constant(0);
  return arith::RemUIOp::create(b, loc, x, constant(c));
}
Value IRArith::lessThan(Value x, int64_t c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x,
                               constant(c));
}
Value IRArith::both(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}

//===----------------------------------------------------------------------===//
// DistributedLayout
//===----------------------------------------------------------------------===//

FailureOr<DistributedLayout> DistributedLayout::get(RankedTensorType type) {
  DistributedLayout l;
  BlockedEncodingAttr blocked;
  l.visibleShape.assign(type.getShape().begin(), type.getShape().end());
  l.dims = l.visibleShape;
  if (auto slice = dyn_cast_or_null<SliceEncodingAttr>(type.getEncoding())) {
    blocked = slice.getParent();
    l.sliced = slice.getDim();
    if (l.sliced > static_cast<int64_t>(l.dims.size()))
      return failure();
    l.dims.insert(l.dims.begin() + l.sliced, 1);
  } else {
    blocked = dyn_cast_or_null<BlockedEncodingAttr>(type.getEncoding());
  }
  if (!blocked || blocked.getRank() != l.dims.size())
    return failure();
  l.sizePerThread.assign(blocked.getSizePerThread().begin(),
                         blocked.getSizePerThread().end());
  l.threadsPerWarp.assign(blocked.getThreadsPerWarp().begin(),
                          blocked.getThreadsPerWarp().end());
  l.warpsPerCTA.assign(blocked.getWarpsPerCTA().begin(),
                       blocked.getWarpsPerCTA().end());
  l.order.assign(blocked.getOrder().begin(), blocked.getOrder().end());
  l.numThreads = blocked.getNumThreads();
  for (size_t d = 0; d < l.dims.size(); ++d) {
    if (ShapedType::isDynamic(l.dims[d]))
      return failure();
    l.reps.push_back(std::max<int64_t>(1, l.dims[d] / l.tile(d)));
    l.slotSizes.push_back(std::min(l.sizePerThread[d], l.dims[d]));
    l.numSlots *= l.reps.back() * l.slotSizes.back();
  }
  return l;
}

int64_t DistributedLayout::contiguity() const {
  int64_t last = dims.size() - 1;
  if (last == sliced)
    --last;
  return last < 0 ? 1 : slotSizes[last];
}

bool DistributedLayout::replicated() const {
  for (size_t d = 0; d < dims.size(); ++d)
    if (tile(d) > dims[d])
      return true;
  return false;
}

void DistributedLayout::slotIndices(int64_t slot, SmallVectorImpl<int64_t> &rep,
                                    SmallVectorImpl<int64_t> &elem) const {
  size_t rank = dims.size();
  rep.assign(rank, 0);
  elem.assign(rank, 0);
  for (int64_t d = rank - 1; d >= 0; --d) {
    elem[d] = slot % slotSizes[d];
    slot /= slotSizes[d];
  }
  for (int64_t d = rank - 1; d >= 0; --d) {
    rep[d] = slot % reps[d];
    slot /= reps[d];
  }
}

static int64_t linearize(ArrayRef<int64_t> coords, ArrayRef<int64_t> shape) {
  int64_t linear = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    linear = linear * shape[d] + coords[d];
  return linear;
}

std::optional<SmallVector<int64_t>> findStaticSlotMap(
    const DistributedLayout &src, const DistributedLayout &dst,
    function_ref<SmallVector<int64_t>(ArrayRef<int64_t>)> srcCoordsOf) {
  if (src.threads() != dst.threads())
    return std::nullopt;
  SmallVector<int64_t> map(dst.slots(), -1);
  DenseMap<int64_t, int64_t> held;
  for (int64_t tid = 0; tid < src.threads(); ++tid) {
    held.clear();
    for (int64_t s = 0; s < src.slots(); ++s)
      held.try_emplace(linearize(src.coordsOf(tid, s), src.shape()), s);
    for (int64_t s = 0; s < dst.slots(); ++s) {
      auto it =
          held.find(linearize(srcCoordsOf(dst.coordsOf(tid, s)), src.shape()));
      if (it == held.end() || (tid > 0 && map[s] != it->second))
        return std::nullopt;
      map[s] = it->second;
    }
  }
  return map;
}

bool isRematerializable(Value v, DenseMap<Value, bool> &cache) {
  if (!isa<RankedTensorType>(v.getType()))
    return true; // scalars are available everywhere they dominate
  auto it = cache.find(v);
  if (it != cache.end())
    return it->second;
  Operation *op = v.getDefiningOp();
  bool result = false;
  if (op && (isa<ArangeOp, SplatOp, ExpandDimsOp, BroadcastOp, ReshapeOp,
                 TransOp, AddPtrOp, ConvertLayoutOp, tensor::CastOp>(op) ||
             ((isa<arith::ArithDialect, math::MathDialect>(op->getDialect())) &&
              op->getNumRegions() == 0 && op->getNumResults() == 1)))
    result = llvm::all_of(op->getOperands(), [&](Value o) {
      return isRematerializable(o, cache);
    });
  cache[v] = result;
  return result;
}

} // namespace kdsl
