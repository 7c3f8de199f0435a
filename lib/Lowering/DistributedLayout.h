//===- DistributedLayout.h - Which thread holds which block element -*- C++
//-*-===//
//
// Part of the kdsl project.
//
// A layout encoding (#kdsl.blocked or #kdsl.slice) applied to a block
// shape: how many elements ("slots") each thread holds and the coordinates
// of each. The index arithmetic is written once, over an arithmetic policy,
// so the same code computes coordinates on the host (for tests and for
// deciding when a layout change moves no data) and emits them as IR.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LIB_LOWERING_DISTRIBUTEDLAYOUT_H
#define KDSL_LIB_LOWERING_DISTRIBUTEDLAYOUT_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace kdsl {

/// The blocked layout the back end gives a block of `shape` made by
/// `numWarps` warps: up to `maxVec` contiguous elements per thread (4: 16
/// bytes of f32), lanes spread from the last dimension to the first, then
/// warps in `warpOrder` (the dimensions warps fill first, first; empty: from
/// the last dimension to the first), and what is left over wrapping around
/// dimension 0.
BlockedEncodingAttr getDefaultBlockedEncoding(
    mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> shape, int64_t numWarps,
    llvm::ArrayRef<int64_t> warpOrder = {}, int64_t maxVec = 4);

/// Integer arithmetic on the host, for DistributedLayout's templates.
struct HostArith {
  using Int = int64_t;
  using Bool = bool;
  Int constant(int64_t v) { return v; }
  Int add(Int a, Int b) { return a + b; }
  Int mul(Int a, int64_t c) { return a * c; }
  Int div(Int a, int64_t c) { return a / c; }
  Int rem(Int a, int64_t c) { return a % c; }
  Bool lessThan(Int a, int64_t c) { return a < c; }
  Bool both(Bool a, Bool b) { return a && b; }
};

/// The same arithmetic emitted as i32 `arith` ops, folding constants.
struct IRArith {
  using Int = mlir::Value;
  using Bool = mlir::Value;
  mlir::OpBuilder &b;
  mlir::Location loc;
  Int constant(int64_t v);
  Int add(Int a, Int c);
  Int mul(Int a, int64_t c);
  Int div(Int a, int64_t c);
  Int rem(Int a, int64_t c);
  Bool lessThan(Int a, int64_t c);
  Bool both(Bool a, Bool c);
};

/// A distributed layout encoding on a block shape.
class DistributedLayout {
public:
  /// The layout of `type`, which must carry a #kdsl.blocked or #kdsl.slice
  /// encoding; failure otherwise.
  static mlir::FailureOr<DistributedLayout> get(mlir::RankedTensorType type);
  static bool isDistributed(mlir::Attribute encoding) {
    return mlir::isa_and_nonnull<BlockedEncodingAttr, SliceEncodingAttr>(
        encoding);
  }

  /// Elements each thread holds.
  int64_t slots() const { return numSlots; }
  int64_t threads() const { return numThreads; }
  llvm::ArrayRef<int64_t> shape() const { return visibleShape; }
  /// Consecutive slots hold runs of this many elements contiguous along
  /// the last dimension (runs start at multiples of it).
  int64_t contiguity() const;
  /// Whether some elements are held by more than one thread.
  bool replicated() const;

  /// The per-dimension index of thread `tid`'s first element in the CTA
  /// tile, over the blocked layout's dimensions: what `coords` and `owner`
  /// take, computed once per thread and layout.
  template <typename Arith>
  llvm::SmallVector<typename Arith::Int>
  threadIndices(Arith &a, typename Arith::Int tid) const;
  /// Coordinates of the element in `slot` of the thread at `within`.
  template <typename Arith>
  llvm::SmallVector<typename Arith::Int>
  coords(Arith &a, llvm::ArrayRef<typename Arith::Int> within,
         int64_t slot) const;
  /// Whether the thread at `within` owns the element in `slot` (holds its
  /// first copy); nullopt when every thread owns all its slots.
  template <typename Arith>
  std::optional<typename Arith::Bool>
  owner(Arith &a, llvm::ArrayRef<typename Arith::Int> within,
        int64_t slot) const;

  /// Whether the element in `slot` is, along blocked dimension `dim`, the
  /// thread's own rather than a wrapped-around copy; nullopt when always.
  template <typename Arith>
  std::optional<typename Arith::Bool>
  ownerAlong(Arith &a, llvm::ArrayRef<typename Arith::Int> within, int64_t slot,
             unsigned dim) const;

  /// Along blocked dimension `dim`: elements per thread, lanes, warps, and
  /// the lane-index stride (lanes are numbered along `order`), so lanes that
  /// differ only along `dim` differ by multiples of it.
  int64_t sizePerThreadAlong(unsigned dim) const { return sizePerThread[dim]; }
  int64_t lanesAlong(unsigned dim) const { return threadsPerWarp[dim]; }
  int64_t warpsAlong(unsigned dim) const { return warpsPerCTA[dim]; }
  int64_t laneStride(unsigned dim) const {
    int64_t stride = 1;
    for (int64_t d : order) {
      if (d == static_cast<int64_t>(dim))
        break;
      stride *= threadsPerWarp[d];
    }
    return stride;
  }

  /// Host versions.
  llvm::SmallVector<int64_t> coordsOf(int64_t tid, int64_t slot) const {
    HostArith h;
    return coords<HostArith>(h, threadIndices(h, tid), slot);
  }
  bool owns(int64_t tid, int64_t slot) const {
    HostArith h;
    return owner<HostArith>(h, threadIndices(h, tid), slot).value_or(true);
  }

private:
  // Over the dimensions of the blocked layout (for a slice, its parent's,
  // with size 1 at the sliced dimension).
  llvm::SmallVector<int64_t> dims, sizePerThread, threadsPerWarp, warpsPerCTA,
      order, reps, slotSizes;
  llvm::SmallVector<int64_t> visibleShape;
  int64_t sliced = -1;
  int64_t numSlots = 1;
  int64_t numThreads = 32;

  int64_t tile(size_t d) const {
    return sizePerThread[d] * threadsPerWarp[d] * warpsPerCTA[d];
  }
  /// Per-dimension repetition and in-thread element indices of `slot`.
  void slotIndices(int64_t slot, llvm::SmallVectorImpl<int64_t> &rep,
                   llvm::SmallVectorImpl<int64_t> &elem) const;
};

/// For each slot of `dst`, the slot of `src` holding (in the same thread,
/// for every thread) the element at `srcCoordsOf(dst coordinates)`; nullopt
/// when some thread would need an element from another thread or another
/// slot, so the change must move data.
std::optional<llvm::SmallVector<int64_t>> findStaticSlotMap(
    const DistributedLayout &src, const DistributedLayout &dst,
    llvm::function_ref<llvm::SmallVector<int64_t>(llvm::ArrayRef<int64_t>)>
        srcCoordsOf);

/// Whether `v` is computed from `arange`, splats and constants alone
/// (through elementwise ops and shape changes), so it can be recomputed at
/// any coordinates instead of moved. `cache` memoizes the answer.
bool isRematerializable(mlir::Value v,
                        llvm::DenseMap<mlir::Value, bool> &cache);

//===----------------------------------------------------------------------===//
// Template definitions
//===----------------------------------------------------------------------===//

template <typename Arith>
llvm::SmallVector<typename Arith::Int>
DistributedLayout::threadIndices(Arith &a, typename Arith::Int tid) const {
  size_t rank = dims.size();
  llvm::SmallVector<typename Arith::Int> lane(rank), warp(rank);
  // Each of `range` values of `x` split over the dimensions along `order`.
  auto split = [&](typename Arith::Int x, int64_t range,
                   llvm::ArrayRef<int64_t> sizes,
                   llvm::SmallVectorImpl<typename Arith::Int> &out) {
    for (int64_t d : order) {
      if (range <= 1) {
        out[d] = a.constant(0);
        continue;
      }
      out[d] = sizes[d] >= range ? x : a.rem(x, sizes[d]);
      x = sizes[d] >= range ? a.constant(0) : a.div(x, sizes[d]);
      range = sizes[d] >= range ? 1 : range / sizes[d];
    }
  };
  split(numThreads == 32 ? tid : a.rem(tid, 32), 32, threadsPerWarp, lane);
  split(a.div(tid, 32), numThreads / 32, warpsPerCTA, warp);
  llvm::SmallVector<typename Arith::Int> within(rank);
  // Index of the thread's first element along each dimension, in the tile.
  for (size_t d = 0; d < rank; ++d)
    within[d] = a.mul(a.add(a.mul(warp[d], threadsPerWarp[d]), lane[d]),
                      sizePerThread[d]);
  return within;
}

template <typename Arith>
llvm::SmallVector<typename Arith::Int>
DistributedLayout::coords(Arith &a, llvm::ArrayRef<typename Arith::Int> within,
                          int64_t slot) const {
  llvm::SmallVector<int64_t> rep, elem;
  slotIndices(slot, rep, elem);
  llvm::SmallVector<typename Arith::Int> result;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (static_cast<int64_t>(d) == sliced)
      continue;
    typename Arith::Int c =
        a.add(within[d], a.constant(rep[d] * tile(d) + elem[d]));
    if (tile(d) > dims[d])
      c = a.rem(c, dims[d]);
    result.push_back(c);
  }
  return result;
}

template <typename Arith>
std::optional<typename Arith::Bool>
DistributedLayout::owner(Arith &a, llvm::ArrayRef<typename Arith::Int> within,
                         int64_t slot) const {
  std::optional<typename Arith::Bool> result;
  for (size_t d = 0; d < dims.size(); ++d)
    if (std::optional<typename Arith::Bool> first =
            ownerAlong(a, within, slot, d))
      result = result ? a.both(*result, *first) : *first;
  return result;
}

template <typename Arith>
std::optional<typename Arith::Bool>
DistributedLayout::ownerAlong(Arith &a,
                              llvm::ArrayRef<typename Arith::Int> within,
                              int64_t slot, unsigned dim) const {
  if (tile(dim) <= dims[dim])
    return std::nullopt;
  llvm::SmallVector<int64_t> rep, elem;
  slotIndices(slot, rep, elem);
  return a.lessThan(a.add(within[dim], a.constant(elem[dim])), dims[dim]);
}

} // namespace kdsl

#endif // KDSL_LIB_LOWERING_DISTRIBUTEDLAYOUT_H
