//===- DotOpToGPU.cpp - dot by FMA ----------------------------------------===//
//
// Part of the kdsl project.
//
// dot by mma.sync where the operands are f16 or bf16 and -kdsl-assign-layouts
// gave the result the mma accumulator layout (MmaLayout.h), else by FMA; the
// operands are staged in shared memory either way.
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"
#include "MmaLayout.h"

#include <map>

using namespace mlir;
using namespace kdsl;
using namespace kdsl::to_gpu;

//===----------------------------------------------------------------------===//
// dot, by FMA through shared memory
//===----------------------------------------------------------------------===//

/// Before reading the blocks staged in shared memory among `operands`.
void KernelEmitter::beforeStagedRead(Location loc, ValueRange operands) {
  int64_t begin = INT64_MAX, end = 0;
  for (Value v : operands) {
    auto type = cast<RankedTensorType>(v.getType());
    if (!isa_and_nonnull<SharedEncodingAttr>(type.getEncoding()))
      continue;
    int64_t at = sharedOffsetOf(v);
    begin = std::min(begin, at);
    end = std::max(end, at + type.getNumElements() *
                                 bytesOf(memoryType(type.getElementType())));
  }
  if (begin < end)
    beforeSharedRead(loc, begin, end);
}

LogicalResult KernelEmitter::emitDot(DotOp op) {
  Location loc = op.getLoc();
  Value a = op.getA(), bv = op.getB(), accIn = op.getAcc();
  ArrayRef<int64_t> aShape = shapeOf(a), bShape = shapeOf(bv);
  int64_t M = aShape[0], K = aShape[1], N = bShape[1];
  Type aElem = elementOf(a), bElem = elementOf(bv);
  auto sharedOf = [&](Value v) {
    auto shared = dyn_cast<SharedEncodingAttr>(
        cast<RankedTensorType>(v.getType()).getEncoding());
    return shared && sharedOffsets.count(v) ? shared : SharedEncodingAttr();
  };
  SharedEncodingAttr aShared = sharedOf(a), bShared = sharedOf(bv);
  std::optional<MmaWarps> warps =
      mmaWarpsOf(cast<RankedTensorType>(op.getType()).getEncoding());
  // A chained dot's A may be held as this dot's accumulator (see
  // -kdsl-assign-layouts): its registers are the A fragments.
  bool aInRegisters = !aShared && warps && warps->n == 1 &&
                      cast<RankedTensorType>(a.getType()).getEncoding() ==
                          cast<RankedTensorType>(op.getType()).getEncoding() &&
                      whyNoMma(op, *warps).empty();
  if ((!aShared && !aInRegisters) || !bShared)
    return fail(op, "needs its operands staged in shared memory (run "
                    "-kdsl-assign-layouts)");
  int64_t barriersBefore = barriers;
  beforeRingRead(loc, {a, bv});
  if (aInRegisters)
    return emitMmaDot(op, *warps, barriersBefore);
  int64_t numWarps = threads / 32;
  // B may be staged either way: N contiguous (ldmatrix .trans) or, as the
  // view of a transposed [N, K] block, K contiguous (ldmatrix).
  bool rowMajorOperands = aShared.getOrder() == ArrayRef<int64_t>{1, 0};
  std::string noMma =
      whyNoMma(op, warps ? *warps : chooseMmaWarps(M, N, numWarps, false));
  if (noMma.empty() && rowMajorOperands && warps)
    return emitMmaDot(op, *warps, barriersBefore);
  if (noMma.empty())
    noMma = rowMajorOperands
                ? "the result is not in the mma.sync accumulator layout"
                : "an operand is not staged row-major";
  beforeStagedRead(loc, {a, bv});
  remark(loc, [&](raw_ostream &os) {
    os << "dot of " << describe(a.getType()) << " and "
       << describe(bv.getType()) << ": " << K
       << " FMA steps, each thread reading its operands from shared memory ("
       << count(barriers - barriersBefore, "barrier")
       << " before); not mma.sync: " << noMma;
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
      Value ai = sharedIndex(loc, {coords[s][0], k}, {M, K}, aShared);
      Value bi = sharedIndex(loc, {k, coords[s][1]}, {K, N}, bShared);
      Value x = toF32(readShared(loc, aElem, ai, sharedPlaceOf(a)));
      Value y = toF32(readShared(loc, bElem, bi, sharedPlaceOf(bv)));
      next.push_back(
          LLVM::FMAOp::create(b, loc, x, y, loop.getRegionIterArgs()[s]));
    }
    scf::YieldOp::create(b, loc, next);
  }
  blocks[op.getResult()] = Slots(loop.getResults());
  releaseShared(op);
  return success();
}

//===----------------------------------------------------------------------===//
// dot, by mma.sync on fragments ldmatrix reads from shared memory
//===----------------------------------------------------------------------===//

/// Per warp (wm, wn) of `warps`: for each 16-wide step of K, the B fragments
/// of the warp's n-tiles (ldmatrix .x2.trans: B is staged row-major, N
/// contiguous), then for each of its m-tiles (rows R + g and R + 8 Wm + g,
/// R = 8 wm + 16 Wm p: MmaLayout.h) the A fragment (ldmatrix .x4: K
/// contiguous) and one mma.sync.m16n8k16 per n-tile into the accumulator's
/// slots. (Both operands
/// are staged row-major, a transposed one as a view of its source staged in
/// the transposed order: see -kdsl-assign-layouts.) Fragment rows are 8
/// contiguous 16-bit elements, 16-byte aligned: shared blocks start at
/// 16-byte boundaries and every dimension is a multiple of 8.
LogicalResult KernelEmitter::emitMmaDot(DotOp op, MmaWarps warps,
                                        int64_t barriersBefore) {
  Location loc = op.getLoc();
  Value a = op.getA(), bv = op.getB(), accIn = op.getAcc();
  int64_t M = shapeOf(a)[0], K = shapeOf(a)[1], N = shapeOf(bv)[1];
  Type elem = elementOf(a);
  bool isBF16 = elem.isBF16();
  auto aShared = dyn_cast<SharedEncodingAttr>(
      cast<RankedTensorType>(a.getType()).getEncoding());
  beforeStagedRead(loc, {a, bv});

  // The slots of a block in the accumulator layout by their place in a
  // warp's tiles: thread 0 holds (8 Wm i, 8 Wn j + e) in slot
  // slotsByTile[{i, j, e}] (i: its 8-row repetitions, two to an m-tile; j:
  // its n-tiles).
  auto slotsByTile = [&](Value block) {
    const DistributedLayout &layout = layoutOf(block);
    std::map<std::array<int64_t, 3>, int64_t> slotAt;
    for (int64_t s = 0; s < layout.slots(); ++s) {
      SmallVector<int64_t> at = layout.coordsOf(0, s);
      slotAt[{at[0] / (8 * warps.m), at[1] / (8 * warps.n), at[1] % 2}] = s;
    }
    return slotAt;
  };
  Type resultType = op.getResult().getType();
  int64_t mTiles = M / (16 * warps.m), nTiles = N / (8 * warps.n);
  std::map<std::array<int64_t, 3>, int64_t> slotAt =
      slotsByTile(op.getResult());
  Slots acc = blocks[accIn];

  Value lane = arith::RemUIOp::create(b, loc, tid, i32(loc, 32));
  Value warp = arith::DivUIOp::create(b, loc, tid, i32(loc, 32));
  // Warps are numbered along N first (the layout's order).
  Value warpN = arith::RemUIOp::create(b, loc, warp, i32(loc, warps.n));
  Value warpM = arith::DivUIOp::create(b, loc, warp, i32(loc, warps.n));
  Value row = arith::RemUIOp::create(b, loc, lane, i32(loc, 8));    // r
  Value matrix = arith::DivUIOp::create(b, loc, lane, i32(loc, 8)); // j
  IRArith ar{b, loc};
  auto add = [&](Value x, int64_t c) { return ar.add(x, ar.constant(c)); };
  auto mul = [&](Value x, int64_t c) { return ar.mul(x, c); };
  Type i32Type = b.getI32Type();
  auto f16x2 = VectorType::get({2}, b.getF16Type());
  auto shape = NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8);
  // ldmatrix of `num` 8x8 matrices from the rows whose first elements lanes
  // give at `coords` in the block at `offset`.
  auto ldmatrix = [&](int num, bool transpose, ArrayRef<Value> coords,
                      ArrayRef<int64_t> blockShape, SharedEncodingAttr shared,
                      SharedPlace at) {
    Value index = sharedIndex(loc, coords, blockShape, shared);
    Value ptr = smemPtr(loc, elem, index, at);
    Type type = num == 1 ? Type(i32Type)
                         : LLVM::LLVMStructType::getLiteral(
                               ctx, SmallVector<Type>(num, i32Type));
    Value loaded = NVVM::LdMatrixOp::create(
        b, loc, type, ptr, num,
        transpose ? NVVM::MMALayout::col : NVVM::MMALayout::row, shape,
        NVVM::LdStMatrixEltType::B16);
    SmallVector<Value> registers;
    for (int i = 0; i < num; ++i) {
      Value reg = LLVM::ExtractValueOp::create(b, loc, loaded, i);
      // f16 operands go to mma.sync as f16x2, bf16 ones as i32.
      registers.push_back(
          isBF16 ? reg
                 : LLVM::BitcastOp::create(b, loc, f16x2, reg).getResult());
    }
    return registers;
  };
  // A [M, K]: lane l gives row r = l % 8 of matrix j = l / 8, which holds
  // the tile's rows g (j even) or g + 8 (j odd), at R + r or R + 8 Wm + r,
  // and its columns 8 (j / 2).. (a0a1, a2a3, a4a5, a6a7).
  auto bShared = cast<SharedEncodingAttr>(
      cast<RankedTensorType>(bv.getType()).getEncoding());
  Value jRow = mul(ar.rem(matrix, 2), 8 * warps.m),
        jCol = mul(ar.div(matrix, 2), 8);
  Value rowBase = ar.add(mul(warpM, 8), ar.add(row, jRow));
  // A held as the accumulator (warps along M only, so a warp's rows are
  // its m-tiles' here too): a0a1 and a2a3 are rows g and g + 8 of n-tile
  // 2 ki, a4a5 and a6a7 those of n-tile 2 ki + 1, two f16 to a register.
  std::map<std::array<int64_t, 3>, int64_t> aSlotAt;
  if (!aShared)
    aSlotAt = slotsByTile(a);
  auto aFromRegisters = [&](int64_t mi, int64_t ki) {
    const Slots &slots = blocks[a];
    SmallVector<Value> registers;
    for (auto [rep, tile] : {std::pair<int64_t, int64_t>{2 * mi, 2 * ki},
                             {2 * mi + 1, 2 * ki},
                             {2 * mi, 2 * ki + 1},
                             {2 * mi + 1, 2 * ki + 1}}) {
      // Element 0 in the low half.
      Value halves[2];
      for (int64_t e = 0; e < 2; ++e) {
        Value bits = arith::BitcastOp::create(
            b, loc, b.getI16Type(), slots[aSlotAt.at({rep, tile, e})]);
        halves[e] = arith::ExtUIOp::create(b, loc, i32Type, bits);
      }
      Value packed = arith::OrIOp::create(
          b, loc, halves[0],
          arith::ShLIOp::create(b, loc, halves[1], ar.constant(16)));
      // f16 operands go to mma.sync as f16x2, bf16 ones as i32.
      registers.push_back(
          isBF16 ? packed
                 : LLVM::BitcastOp::create(b, loc, f16x2, packed).getResult());
    }
    return registers;
  };
  auto aFragment = [&](int64_t mi, int64_t ki) {
    if (!aShared)
      return aFromRegisters(mi, ki);
    Value m = add(rowBase, 16 * warps.m * mi);
    return ldmatrix(4, /*transpose=*/false, {m, add(jCol, 16 * ki)}, {M, K},
                    aShared, sharedPlaceOf(a));
  };
  // B [K, N], N contiguous: lanes 0-15 give row k = 8 j + r of the k16 x n8
  // tile, whose transposes are b0b1 (j = 0) and b2b3 (j = 1). K contiguous:
  // they give column n0 + r from k = 8 j, whose 8 elements are b0b1 (j = 0)
  // and b2b3 (j = 1) as they are. Lanes 16-31 repeat them.
  Value bMatrix = ar.rem(matrix, 2);
  bool bTransposed = bShared.getOrder() == ArrayRef<int64_t>{1, 0};
  auto bFragment = [&](Value n0, int64_t ki) {
    Value k = add(mul(bMatrix, 8), 16 * ki);
    if (bTransposed)
      return ldmatrix(2, /*transpose=*/true, {ar.add(k, row), n0}, {K, N},
                      bShared, sharedPlaceOf(bv));
    return ldmatrix(2, /*transpose=*/false, {k, ar.add(n0, row)}, {K, N},
                    bShared, sharedPlaceOf(bv));
  };

  auto structType = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(4, b.getF32Type()));
  std::optional<std::array<NVVM::MMATypes, 2>> ptxTypes;
  if (isBF16)
    ptxTypes = {NVVM::MMATypes::bf16, NVVM::MMATypes::bf16};
  int64_t mmas = 0;
  for (int64_t ki = 0; ki < K / 16; ++ki) {
    SmallVector<SmallVector<Value>> bFragments;
    for (int64_t nj = 0; nj < nTiles; ++nj)
      bFragments.push_back(bFragment(mul(add(warpN, warps.n * nj), 8), ki));
    for (int64_t mi = 0; mi < mTiles; ++mi) {
      SmallVector<Value> aRegisters = aFragment(mi, ki);
      for (int64_t nj = 0; nj < nTiles; ++nj) {
        // c0, c1: row g of the tile (repetition 2 mi); c2, c3: row g + 8.
        int64_t c[4] = {slotAt.at({2 * mi, nj, 0}), slotAt.at({2 * mi, nj, 1}),
                        slotAt.at({2 * mi + 1, nj, 0}),
                        slotAt.at({2 * mi + 1, nj, 1})};
        Value d = NVVM::MmaOp::create(
            b, loc, structType, aRegisters, bFragments[nj],
            ValueRange{acc[c[0]], acc[c[1]], acc[c[2]], acc[c[3]]}, {16, 8, 16},
            std::nullopt, std::nullopt, ptxTypes,
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        for (int i = 0; i < 4; ++i)
          acc[c[i]] = LLVM::ExtractValueOp::create(b, loc, d, i);
        ++mmas;
      }
    }
  }
  remark(loc, [&](raw_ostream &os) {
    os << "dot of " << describe(a.getType()) << " and "
       << describe(bv.getType()) << ": mma.sync.m16n8k16 ("
       << (isBF16 ? "bf16" : "f16") << " -> f32), warps " << warps.m << " x "
       << warps.n << ", " << mmas << " per warp; ";
    if (!aShared)
      os << "A from the registers that hold it (the accumulator layout), B "
            "by ldmatrix .x2"
         << (bTransposed ? ".trans" : "") << " from shared memory, "
         << (bShared.isSwizzled() ? "swizzled" : "unswizzled");
    else
      os << "operands by ldmatrix (A .x4, B .x2"
         << (bTransposed ? ".trans" : "") << ") from shared memory, "
         << (aShared.isSwizzled() && bShared.isSwizzled()   ? "swizzled"
             : aShared.isSwizzled() || bShared.isSwizzled() ? "partly swizzled"
                                                            : "unswizzled");
    os << " (" << count(barriers - barriersBefore, "barrier") << " before)";
  });
  blocks[op.getResult()] = acc;
  releaseShared(op);
  return success();
}
