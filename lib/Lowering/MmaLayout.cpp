//===- MmaLayout.cpp - Where mma.sync keeps a dot's accumulator -----------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "MmaLayout.h"

using namespace mlir;

std::string kdsl::whyNoMma(DotOp dot, int64_t numWarps) {
  auto a = cast<RankedTensorType>(dot.getA().getType());
  auto b = cast<RankedTensorType>(dot.getB().getType());
  auto acc = cast<RankedTensorType>(dot.getAcc().getType());
  Type elem = a.getElementType();
  if (!(elem.isF16() || elem.isBF16()) || b.getElementType() != elem)
    return "operands are not both f16 or both bf16";
  if (!acc.getElementType().isF32())
    return "the accumulator is not f32";
  int64_t M = a.getShape()[0], K = a.getShape()[1], N = b.getShape()[1];
  if (M % 16)
    return "M = " + std::to_string(M) + " is not a multiple of 16";
  if (K % 16)
    return "K = " + std::to_string(K) + " is not a multiple of 16";
  if (N % (8 * numWarps))
    return "N = " + std::to_string(N) + " is not a multiple of 8 x " +
           std::to_string(numWarps) + " warps";
  return "";
}

kdsl::BlockedEncodingAttr kdsl::getMmaAccumulatorEncoding(MLIRContext *ctx,
                                                          int64_t numWarps) {
  return BlockedEncodingAttr::get(ctx, {1, 2}, {8, 4}, {1, numWarps}, {1, 0});
}
