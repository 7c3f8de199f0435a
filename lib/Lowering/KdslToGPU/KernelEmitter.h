//===- KernelEmitter.h - Per-thread code for one kernel ---------*- C++ -*-===//
//
// Part of the kdsl project.
//
// The emitter behind -convert-kdsl-to-gpu, shared by the files of
// lib/Lowering/KdslToGPU/, one per op family (as Triton's TritonGPUToLLVM/):
// the kernel body is walked in order; each block value becomes the list of
// scalars its thread holds in its layout encoding (its "slots"), each scalar
// value its converted self, and each block staged in shared memory its byte
// offset there. scf.for and scf.if are rebuilt with their block values
// flattened into slots.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LOWERING_KDSLTOGPU_KERNELEMITTER_H
#define KDSL_LOWERING_KDSLTOGPU_KERNELEMITTER_H

#include "AxisInfo.h"
#include "DistributedLayout.h"
#include "MmaLayout.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#include <set>

// Only the files of this conversion include this header; its code reads as
// theirs does, with mlir's names unqualified.
namespace kdsl::to_gpu {
using namespace mlir;

using Slots = SmallVector<Value>;

/// Where a block staged in shared memory starts: `offset` bytes from the
/// start of shared memory, or, for a slot of a ring, at `dynamic` (an i32
/// byte offset the kernel computes; `offset` is then the ring's start).
struct SharedPlace {
  int64_t offset;
  Value dynamic;
  SharedPlace(int64_t offset = 0, Value dynamic = {})
      : offset(offset), dynamic(dynamic) {}
};

/// The shared buffers of a window of dot operands that a loop carries
/// staged (see -kdsl-assign-layouts): the window's blocks in flight and a
/// free slot the next copy fills, `slotBytes` each from `base`.
struct Ring {
  scf::ForOp loop;
  /// The loop's arguments, the first read by the dot, each passed the next.
  SmallVector<BlockArgument> window;
  int64_t slotBytes = 0;
  /// Set when the loop's first copy into a ring is emitted.
  int64_t base = -1;
  /// In the body: the byte offset of the slot the iteration's copy fills.
  Value free;
  /// Whether cp.async fills any ring of the loop (else no group is
  /// committed or waited for: the barrier alone orders the writes).
  bool async = false;
  int64_t slots() const { return window.size() + 1; }
  int64_t end() const { return base + slots() * slotBytes; }
};

template <typename Arith>
typename Arith::Int linearizeIn(Arith &a, ArrayRef<typename Arith::Int> coords,
                                ArrayRef<int64_t> shape) {
  typename Arith::Int linear = coords.empty() ? a.constant(0) : coords[0];
  for (size_t d = 1; d < shape.size(); ++d)
    linear = a.add(a.mul(linear, shape[d]), coords[d]);
  return linear;
}

template <typename Arith>
SmallVector<typename Arith::Int>
delinearizeIn(Arith &a, typename Arith::Int linear, ArrayRef<int64_t> shape) {
  SmallVector<typename Arith::Int> coords(shape.size());
  for (int64_t d = shape.size() - 1; d > 0; --d) {
    coords[d] = a.rem(linear, shape[d]);
    linear = a.div(linear, shape[d]);
  }
  if (!shape.empty())
    coords[0] = linear;
  return coords;
}

/// The coordinates in the source of a layout or shape change (expand_dims,
/// broadcast, reshape, trans, cast, convert_layout) of the result element
/// at `coords`.
template <typename Arith>
SmallVector<typename Arith::Int>
sourceCoords(Arith &a, Operation *op, ArrayRef<typename Arith::Int> coords) {
  SmallVector<typename Arith::Int> in(coords);
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  if (auto e = dyn_cast<ExpandDimsOp>(op)) {
    in.erase(in.begin() + e.getAxis());
  } else if (auto bc = dyn_cast<BroadcastOp>(op)) {
    ArrayRef<int64_t> inShape = shapeOf(bc.getSrc());
    ArrayRef<int64_t> outShape = shapeOf(bc.getResult());
    for (size_t d = 0; d < in.size(); ++d)
      if (inShape[d] == 1 && outShape[d] != 1)
        in[d] = a.constant(0);
  } else if (isa<TransOp>(op)) {
    in = {coords[1], coords[0]};
  } else if (auto r = dyn_cast<ReshapeOp>(op)) {
    in = delinearizeIn(a, linearizeIn(a, coords, shapeOf(r.getResult())),
                       shapeOf(r.getSrc()));
  }
  return in;
}

//===----------------------------------------------------------------------===//
// The emitter
//===----------------------------------------------------------------------===//

class KernelEmitter {
public:
  KernelEmitter(KernelOp kernel, gpu::GPUFuncOp func, LLVM::GlobalOp smem,
                bool assumeAligned, ArrayRef<std::string> divisible,
                ArrayRef<std::string> equalToOne, bool remarks)
      : kernel(kernel), b(func.getBody()), smemGlobal(smem),
        axis(assumeAligned, divisible, equalToOne), remarks(remarks) {
    threads = *kernel.getNumWarps() * 32;
    ctx = kernel.getContext();
  }

  LogicalResult run(gpu::GPUFuncOp func);
  int64_t sharedBytes() const { return maxShared; }
  /// Bytes of the largest loop's rings of staged dot operands.
  int64_t ringBytes() const {
    DenseMap<Operation *, int64_t> byLoop;
    int64_t most = 0;
    for (const std::unique_ptr<Ring> &ring : rings)
      most =
          std::max(most, byLoop[ring->loop] += ring->slots() * ring->slotBytes);
    return most;
  }

private:
  KernelOp kernel;
  OpBuilder b;
  LLVM::GlobalOp smemGlobal;
  AxisInfoAnalysis axis;
  MLIRContext *ctx;
  int64_t threads;
  int64_t maxShared = 0;
  Value tid;
  /// Ops that compute per-thread layout indices go before this op, in the
  /// kernel's entry block, so they dominate every use.
  Operation *prologueEnd = nullptr;
  IRMapping scalars;
  DenseMap<Value, Slots> blocks;
  /// Blocks staged in shared memory (#kdsl.shared): where they start.
  DenseMap<Value, SharedPlace> sharedOffsets;
  /// Rings of staged dot operands, the copies that fill them (by the
  /// convert_layout that stages: its ring and slot, -1 for the free slot
  /// in the body), and the ring each carried block lives in.
  SmallVector<std::unique_ptr<Ring>> rings;
  DenseMap<Operation *, std::pair<Ring *, int64_t>> ringCopies;
  DenseMap<Value, Ring *> ringOf;
  /// By loop with rings: the cp.async groups its body may leave pending
  /// where a dot first reads a ring, and the block of the body emitted so
  /// far where it waited.
  DenseMap<Operation *, int64_t> ringPending;
  DenseMap<Operation *, Block *> ringWaitedIn;
  DenseMap<Value, bool> rematCache;
  DenseMap<Type, std::unique_ptr<DistributedLayout>> layouts;
  DenseMap<Type, SmallVector<Value>> threadIndexCache;
  LogicalResult status = success();
  /// Whether to say, as a remark at each op's location, how it was lowered.
  bool remarks;
  /// Barriers emitted so far.
  int64_t barriers = 0;

  /// With `remarks`, a remark at `loc` with what `say` writes.
  /// Said once per location and text: the copies of a load that
  /// -kdsl-pipeline-loops issues ahead of its loop say it once.
  void remark(Location loc, function_ref<void(raw_ostream &)> say) {
    if (!remarks)
      return;
    std::string text;
    llvm::raw_string_ostream os(text);
    say(os);
    if (remarked.insert({loc.getAsOpaquePointer(), text}).second)
      emitRemark(loc, text);
  }
  std::set<std::pair<const void *, std::string>> remarked;
  /// "1 barrier", "2 barriers".
  static std::string count(int64_t n, StringRef noun) {
    return std::to_string(n) + " " + noun.str() + (n == 1 ? "" : "s");
  }
  /// A block type as kdsl writes it: f32[4, 1024].
  static std::string describe(Type type) {
    std::string text;
    llvm::raw_string_ostream os(text);
    auto tensor = cast<RankedTensorType>(type);
    Type elem = tensor.getElementType();
    if (elem.isInteger(1))
      os << "bool";
    else if (isa<PtrType>(elem))
      os << "pointer";
    else
      os << elem;
    os << "[";
    llvm::interleaveComma(tensor.getShape(), os);
    os << "]";
    return text;
  }

  LogicalResult checkLayouts();

  // Types and constants.
  Type convert(Type type) {
    if (isa<PtrType>(type))
      return LLVM::LLVMPointerType::get(ctx, 1);
    return type;
  }
  Type elementOf(Value v) {
    return convert(cast<RankedTensorType>(v.getType()).getElementType());
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  /// Layouts depend on the shape and encoding only.
  static Type layoutKey(Type t) {
    auto tensor = cast<RankedTensorType>(t);
    return RankedTensorType::get(tensor.getShape(),
                                 IntegerType::get(t.getContext(), 8),
                                 tensor.getEncoding());
  }
  /// The distributed layout of a block type (checked up front by
  /// checkLayouts).
  const DistributedLayout &layoutOf(Type t) {
    std::unique_ptr<DistributedLayout> &l = layouts[layoutKey(t)];
    if (!l)
      l = std::make_unique<DistributedLayout>(
          *DistributedLayout::get(cast<RankedTensorType>(t)));
    return *l;
  }
  const DistributedLayout &layoutOf(Value v) { return layoutOf(v.getType()); }
  SmallVector<Value> threadIndicesOf(Type t) {
    SmallVector<Value> &cached = threadIndexCache[layoutKey(t)];
    if (cached.empty()) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(prologueEnd);
      IRArith a{b, prologueEnd->getLoc()};
      cached = layoutOf(t).threadIndices(a, tid);
    }
    return cached;
  }
  /// Coordinates of the element in `slot` of this thread, for a block of
  /// type `t`.
  SmallVector<Value> coordsOf(Location loc, Type t, int64_t slot) {
    IRArith a{b, loc};
    return layoutOf(t).coords<IRArith>(a, threadIndicesOf(t), slot);
  }
  /// Whether this thread owns `slot` (not a copy); null when it owns all.
  Value ownerOf(Location loc, Type t, int64_t slot) {
    IRArith a{b, loc};
    std::optional<Value> own =
        layoutOf(t).owner<IRArith>(a, threadIndicesOf(t), slot);
    return own ? *own : Value();
  }
  Value i32(Location loc, int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value scalar(Value v) { return scalars.lookupOrDefault(v); }

  LogicalResult fail(Operation *op, const Twine &message) {
    op->emitOpError() << message;
    status = failure();
    return failure();
  }

  SmallVector<Value> delinearize(Location loc, Value linear,
                                 ArrayRef<int64_t> shape) {
    IRArith a{b, loc};
    return delinearizeIn(a, linear, shape);
  }
  Value linearize(Location loc, ArrayRef<Value> coords,
                  ArrayRef<int64_t> shape) {
    IRArith a{b, loc};
    return linearizeIn<IRArith>(a, coords, shape);
  }

  // Shared memory.
  Value smemPtr(Location loc, Type elem, Value index, SharedPlace at) {
    Value base = LLVM::AddressOfOp::create(b, loc, smemGlobal);
    Value byteBase =
        at.dynamic
            ? LLVM::GEPOp::create(b, loc, base.getType(), b.getI8Type(), base,
                                  ValueRange{at.dynamic})
            : LLVM::GEPOp::create(
                  b, loc, base.getType(), b.getI8Type(), base,
                  ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(at.offset)});
    return LLVM::GEPOp::create(b, loc, base.getType(), elem, byteBase,
                               ValueRange{index});
  }
  static int64_t bytesOf(Type t) {
    if (isa<LLVM::LLVMPointerType>(t))
      return 8;
    unsigned bits = t.getIntOrFloatBitWidth();
    return bits <= 8 ? 1 : bits / 8;
  }
  /// i1 is kept as i8 in memory.
  Type memoryType(Type t) { return t.isInteger(1) ? b.getI8Type() : t; }
  Value toMemory(Location loc, Value v) {
    if (v.getType().isInteger(1))
      return arith::ExtUIOp::create(b, loc, b.getI8Type(), v);
    return v;
  }
  Value fromMemory(Location loc, Value v, Type t) {
    if (t.isInteger(1))
      return arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ne, v,
          arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0));
    return v;
  }
  void reserveShared(int64_t bytes) { maxShared = std::max(maxShared, bytes); }
  /// Bytes per warp in each half of the scalar-reduction scratch, which sits
  /// at the start of shared memory (a value of up to 8 bytes and an index).
  static constexpr int64_t kScratchBytesPerWarp = 16;
  /// Where the other uses of shared memory start: after the scratch, when
  /// the kernel reduces to scalars across warps.
  int64_t exchangeBase = 0;
  int64_t scalarReductions = 0;
  /// The last use of shared memory emitted was a top-level scalar reduction.
  bool lastSharedUseWasReduction = false;
  /// Where the next block staged in shared memory goes: past the live ones,
  /// back at exchangeBase when none is live.
  int64_t nextSharedOffset = 0;
  int64_t liveSharedBlocks = 0;
  /// Writes to shared memory since the last barrier, which a read must wait
  /// for, and the bytes [pendingReadBegin, pendingReadEnd) read since then
  /// (none when empty), which a write there must wait for.
  bool pendingSharedWrites = false;
  int64_t pendingReadBegin = 0, pendingReadEnd = 0;
  static constexpr int64_t kAllShared = INT64_MAX;
  void barrier(Location loc) {
    gpu::BarrierOp::create(b, loc);
    ++barriers;
    pendingSharedWrites = false;
    pendingReadBegin = pendingReadEnd = 0;
  }
  bool readsPendingIn(int64_t begin, int64_t end) const {
    return begin < pendingReadEnd && pendingReadBegin < end;
  }
  void beforeSharedWrite(Location loc, int64_t begin, int64_t end) {
    if (readsPendingIn(begin, end))
      barrier(loc);
    pendingSharedWrites = true;
    lastSharedUseWasReduction = false;
  }
  void beforeSharedRead(Location loc, int64_t begin, int64_t end) {
    if (pendingSharedWrites)
      barrier(loc);
    if (pendingReadBegin >= pendingReadEnd) {
      pendingReadBegin = begin;
      pendingReadEnd = end;
    } else {
      pendingReadBegin = std::min(pendingReadBegin, begin);
      pendingReadEnd = std::max(pendingReadEnd, end);
    }
    lastSharedUseWasReduction = false;
  }
  /// After control flow, whose bodies may have used shared memory.
  void assumeSharedMemoryUsed() {
    pendingSharedWrites = true;
    pendingReadBegin = 0;
    pendingReadEnd = kAllShared;
    lastSharedUseWasReduction = false;
  }
  /// Where `bytes` exchanged through shared memory go: at nextSharedOffset,
  /// or, where bytes there were read since the last barrier, just past
  /// those, so the write need not wait for a barrier (consecutive exchanges,
  /// like a softmax's two row reductions, alternate between two areas). A
  /// barrier is cheaper than shared memory that lowers occupancy: a large
  /// exchange moves only within what the kernel reserves already.
  static constexpr int64_t kSmallExchangeBytes = 1024;
  int64_t exchangeOffset(int64_t bytes) const {
    int64_t at = nextSharedOffset;
    if (!readsPendingIn(at, at + bytes) || pendingReadEnd == kAllShared)
      return at;
    int64_t past = std::max(at, (pendingReadEnd + 15) / 16 * 16);
    return bytes <= kSmallExchangeBytes || past + bytes <= maxShared ? past
                                                                     : at;
  }
  /// Runs `body` only where `cond` holds (always when `cond` is null).
  void guarded(Location loc, Value cond, function_ref<void()> body) {
    if (!cond) {
      body();
      return;
    }
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    body();
  }
  /// `cond ? then() : otherwise` as an scf.if yielding one value.
  Value select(Location loc, Value cond, function_ref<Value()> then,
               Value otherwise) {
    auto ifOp = scf::IfOp::create(b, loc, otherwise.getType(), cond,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, loc, then());
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, loc, otherwise);
    return ifOp.getResult(0);
  }
  /// Index of the element at `coords` in a dense array whose dimensions
  /// vary fastest in `order`.
  Value sharedIndex(Location loc, ArrayRef<Value> coords,
                    ArrayRef<int64_t> shape, ArrayRef<int64_t> order) {
    SmallVector<Value> permuted;
    SmallVector<int64_t> permutedShape;
    for (int64_t d : llvm::reverse(order)) {
      permuted.push_back(coords[d]);
      permutedShape.push_back(shape[d]);
    }
    return linearize(loc, permuted, permutedShape);
  }
  /// Index of the element at `coords` of a block staged in `shared`: its
  /// order, and where it is swizzled, chunk c of row r moved to chunk
  /// c ^ ((r / perPhase) % maxPhase) of that row.
  Value sharedIndex(Location loc, ArrayRef<Value> coords,
                    ArrayRef<int64_t> shape, SharedEncodingAttr shared) {
    if (!shared.isSwizzled())
      return sharedIndex(loc, coords, shape, shared.getOrder());
    int64_t fast = shared.getOrder()[0], slow = shared.getOrder()[1];
    IRArith a{b, loc};
    Value row = coords[slow], col = coords[fast];
    Value phase = a.rem(a.div(row, shared.getPerPhase()), shared.getMaxPhase());
    Value chunk =
        arith::XOrIOp::create(b, loc, a.div(col, shared.getVec()), phase);
    Value swizzled =
        a.add(a.mul(chunk, shared.getVec()), a.rem(col, shared.getVec()));
    return a.add(a.mul(row, shape[fast]), swizzled);
  }
  static SmallVector<int64_t> rowMajor(int64_t rank) {
    SmallVector<int64_t> order;
    for (int64_t d = rank - 1; d >= 0; --d)
      order.push_back(d);
    return order;
  }
  /// Writes the owned slots of the distributed block `value` to shared
  /// memory at `byteOffset`, as a dense array in `order`.
  void writeShared(Location loc, Value value, int64_t byteOffset,
                   ArrayRef<int64_t> order) {
    writeShared(loc, value, byteOffset,
                SharedEncodingAttr::get(value.getContext(), order));
  }
  /// The same, laid out as `shared` says (swizzled or not).
  /// A write to a ring's free slot (`at.dynamic`) waits for no barrier:
  /// the ring's protocol orders it (see emitFor).
  void writeShared(Location loc, Value value, SharedPlace at,
                   SharedEncodingAttr shared) {
    Type type = value.getType();
    const DistributedLayout &l = layoutOf(type);
    Type elem = elementOf(value);
    int64_t bytes = cast<RankedTensorType>(type).getNumElements() *
                    bytesOf(memoryType(elem));
    reserveShared(at.offset + bytes);
    if (!at.dynamic)
      beforeSharedWrite(loc, at.offset, at.offset + bytes);
    Slots slots = blocks[value];
    for (int64_t s = 0; s < l.slots(); ++s) {
      Value index = sharedIndex(loc, coordsOf(loc, type, s), l.shape(), shared);
      guarded(loc, ownerOf(loc, type, s), [&] {
        LLVM::StoreOp::create(b, loc, toMemory(loc, slots[s]),
                              smemPtr(loc, memoryType(elem), index, at));
      });
    }
  }
  Value readShared(Location loc, Type elem, Value index, SharedPlace at) {
    Value v = LLVM::LoadOp::create(b, loc, memoryType(elem),
                                   smemPtr(loc, memoryType(elem), index, at));
    return fromMemory(loc, v, elem);
  }

  /// Elements per vector access to the block of pointers `ptrs`: the
  /// layout's chunk, halved until the axis analysis proves the addresses
  /// contiguous and aligned to the access, within one row and 16 bytes.
  /// `why`, when given, says what made it narrower than both the chunk and
  /// 16 bytes: the limit that set the final width (empty when none did).
  int64_t vectorWidth(Value ptrs, int64_t elementBytes,
                      std::string *why = nullptr) {
    AxisInfo info = axis.get(ptrs);
    int64_t last = shapeOf(ptrs).back();
    int64_t width = layoutOf(ptrs).contiguity();
    while (width > 1) {
      std::string reason;
      llvm::raw_string_ostream os(reason);
      if (width * elementBytes > 16) {
      } else if (info.contiguity < width) {
        os << "the addresses are known contiguous over only "
           << count(info.contiguity, "element");
      } else if (info.divisibility < width * elementBytes) {
        os << "the addresses are known aligned to only " << info.divisibility
           << " bytes";
      } else if (last % width != 0) {
        os << "the last dimension, " << last << ", is not a multiple of "
           << width;
      } else {
        break;
      }
      if (why && !reason.empty())
        *why = reason;
      width /= 2;
    }
    return width;
  }

  // Rematerialization.
  bool isRematerializable(Value v) {
    return kdsl::isRematerializable(v, rematCache);
  }
  Value emitAt(Value v, ArrayRef<Value> coords, Location loc);

  // Emission.
  LogicalResult emitRegion(Block &block);
  LogicalResult emitOp(Operation *op);
  LogicalResult emitElementwise(Operation *op);
  Operation *emitScalarOp(Operation *op, ValueRange operands);
  LogicalResult emitLayoutChange(Operation *op);
  LogicalResult emitConvertLayout(ConvertLayoutOp op);
  int64_t sharedOffsetOf(Value value);
  SharedPlace sharedPlaceOf(Value value) { return sharedOffsets.lookup(value); }
  void releaseShared(Operation *op);
  /// Finds the rings of the kernel's loops (or says why a block staged in
  /// shared memory is carried in a way no ring holds).
  LogicalResult planRings();
  /// Before a dot's first read of a ring in an iteration: waits for the
  /// copies into the slots it reads, and a barrier makes every thread's
  /// visible (and ends the previous iteration's reads of the free slot).
  void beforeRingRead(Location loc, ValueRange operands);
  /// Before reading the blocks staged in shared memory among `operands`.
  void beforeStagedRead(Location loc, ValueRange operands);
  SmallVector<Ring *> ringsOf(scf::ForOp loop) {
    SmallVector<Ring *> of;
    for (const std::unique_ptr<Ring> &ring : rings)
      if (ring->loop == loop)
        of.push_back(ring.get());
    return of;
  }
  LogicalResult emitLoad(LoadOp op);
  /// Whether `load` goes from global to shared memory by cp.async, with no
  /// registers between: its one use stages it for a dot, each thread's
  /// accesses are 16-byte vectors whose mask is constant over each, and the
  /// masked-off elements are zeros (what cp.async's src-size 0 fills in).
  bool copiedAsync(LoadOp load);
  /// Stages `load` at `at` of shared memory in `order` by cp.async: one
  /// 16-byte copy per vector of its owner. A block staged for one dot is
  /// committed and waited for; one copied into a ring is committed only.
  void emitAsyncCopy(LoadOp load, SharedPlace at, SharedEncodingAttr shared,
                     bool intoRing);
  LogicalResult emitStore(Operation *op, Value ptr, Value value, Value mask);
  void remarkAccess(Operation *op, Value block, int64_t width,
                    StringRef narrower, Value mask, StringRef exchange = "");
  LogicalResult emitReduce(ReduceOp op);
  LogicalResult emitDot(DotOp op);
  /// dot by mma.sync, its result in the accumulator layout of MmaLayout.h.
  /// (`barriersBefore`: the count before the dot's ring wait, if any.)
  LogicalResult emitMmaDot(DotOp op, MmaWarps warps, int64_t barriersBefore);
  LogicalResult emitFor(scf::ForOp op);
  LogicalResult emitIf(scf::IfOp op);

  /// Loops carry a block staged in a ring as one i32, its slot's byte
  /// offset; other blocks as their slots.
  static bool isStaged(Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && isa_and_nonnull<SharedEncodingAttr>(tensor.getEncoding());
  }
  Slots flatten(ValueRange values) {
    Slots flat;
    for (Value v : values) {
      if (isStaged(v.getType()))
        flat.push_back(sharedPlaceOf(v).dynamic);
      else if (isa<RankedTensorType>(v.getType()))
        llvm::append_range(flat, blocks[v]);
      else
        flat.push_back(scalar(v));
    }
    return flat;
  }
  SmallVector<Type> flatTypes(TypeRange types) {
    SmallVector<Type> flat;
    for (Type t : types) {
      if (isStaged(t)) {
        flat.push_back(b.getI32Type());
      } else if (auto tensor = dyn_cast<RankedTensorType>(t)) {
        flat.append(layoutOf(tensor).slots(), convert(tensor.getElementType()));
      } else {
        flat.push_back(convert(t));
      }
    }
    return flat;
  }
  /// Maps `values` to consecutive runs of `flat`.
  void bind(ValueRange values, ValueRange flat) {
    size_t at = 0;
    for (Value v : values) {
      if (isStaged(v.getType())) {
        sharedOffsets[v] = SharedPlace(ringOf.lookup(v)->base, flat[at++]);
      } else if (isa<RankedTensorType>(v.getType())) {
        int64_t n = layoutOf(v).slots();
        blocks[v] = Slots(flat.begin() + at, flat.begin() + at + n);
        at += n;
      } else {
        scalars.map(v, flat[at++]);
      }
    }
  }

  // Reductions.
  Value combine(Location loc, ReduceKind kind, Value a, Value c);
  /// `bLater`: b's index is known to be larger than a's (or b is the
  /// identity), so no tie needs the indices compared.
  std::pair<Value, Value> combineArg(Location loc, bool wantMax, Value va,
                                     Value ia, Value vb, Value ib,
                                     bool bLater = false);
  Value identity(Location loc, ReduceKind kind, Type t);
  Value shuffleXor(Location loc, Value v, int64_t offset);
};

} // namespace kdsl::to_gpu

#endif // KDSL_LOWERING_KDSLTOGPU_KERNELEMITTER_H
