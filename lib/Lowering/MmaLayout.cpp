//===- MmaLayout.cpp - Where mma.sync keeps a dot's accumulator -----------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "MmaLayout.h"

using namespace mlir;

kdsl::MmaWarps kdsl::chooseMmaWarps(int64_t M, int64_t N, int64_t numWarps,
                                    bool rowsWithinWarps) {
  MmaWarps warps{1, 1};
  while (warps.m * warps.n < numWarps) {
    bool moreRows =
        M / (16 * warps.m) >= 2 &&
        (rowsWithinWarps || M / (16 * warps.m) >= N / (8 * warps.n));
    if (moreRows || N / (8 * warps.n) < 2)
      warps.m *= 2;
    else
      warps.n *= 2;
  }
  return warps;
}

std::string kdsl::whyNoMma(DotOp dot, MmaWarps warps) {
  auto a = cast<RankedTensorType>(dot.getA().getType());
  auto b = cast<RankedTensorType>(dot.getB().getType());
  auto acc = cast<RankedTensorType>(dot.getAcc().getType());
  Type elem = a.getElementType();
  if (!(elem.isF16() || elem.isBF16()) || b.getElementType() != elem)
    return "operands are not both f16 or both bf16";
  if (!acc.getElementType().isF32())
    return "the accumulator is not f32";
  int64_t M = a.getShape()[0], K = a.getShape()[1], N = b.getShape()[1];
  if (K % 16)
    return "K = " + std::to_string(K) + " is not a multiple of 16";
  if (M % (16 * warps.m))
    return "M = " + std::to_string(M) + " is not a multiple of 16 x " +
           std::to_string(warps.m) + " warps";
  if (N % (8 * warps.n))
    return "N = " + std::to_string(N) + " is not a multiple of 8 x " +
           std::to_string(warps.n) + " warps";
  return "";
}

kdsl::BlockedEncodingAttr kdsl::getMmaAccumulatorEncoding(MLIRContext *ctx,
                                                          MmaWarps warps) {
  return BlockedEncodingAttr::get(ctx, {1, 2}, {8, 4}, {warps.m, warps.n},
                                  {1, 0});
}

std::optional<kdsl::MmaWarps> kdsl::mmaWarpsOf(Attribute encoding) {
  auto blocked = dyn_cast_or_null<BlockedEncodingAttr>(encoding);
  if (!blocked || blocked.getSizePerThread() != ArrayRef<int64_t>{1, 2} ||
      blocked.getThreadsPerWarp() != ArrayRef<int64_t>{8, 4} ||
      blocked.getOrder() != ArrayRef<int64_t>{1, 0})
    return std::nullopt;
  return MmaWarps{blocked.getWarpsPerCTA()[0], blocked.getWarpsPerCTA()[1]};
}
