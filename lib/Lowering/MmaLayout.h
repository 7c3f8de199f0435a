//===- MmaLayout.h - Where mma.sync keeps a dot's accumulator ---*- C++ -*-===//
//
// Part of the kdsl project.
//
// mma.sync's m16n8 accumulator fragment (PTX ISA: lane l holds rows l/4 and
// l/4 + 8, columns 2 (l % 4) and 2 (l % 4) + 1 of each 16x8 tile) with the
// block's warps side by side along N is a blocked layout: sizePerThread
// [1, 2], threadsPerWarp [8, 4], warpsPerCTA [1, W], order [1, 0]. Warp w
// holds the 16x8 tiles at columns 8 (w + W j); each thread's slots at rows
// r, r + 8 of a tile are repetitions along dimension 0. -kdsl-assign-layouts
// gives it to the dots mma.sync can compute, so that the accumulator, the
// loop that carries it and the epilogue use it as any blocked layout.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LIB_LOWERING_MMALAYOUT_H
#define KDSL_LIB_LOWERING_MMALAYOUT_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include <string>

namespace kdsl {

/// Why mma.sync cannot compute `dot` in a kernel of `numWarps` warps (f16 or
/// bf16 operands, an f32 accumulator, M and K multiples of 16 and N a
/// multiple of 8 per warp), or an empty string when it can.
std::string whyNoMma(DotOp dot, int64_t numWarps);

/// The accumulator layout of mma.sync m16n8 with `numWarps` warps along N.
BlockedEncodingAttr getMmaAccumulatorEncoding(mlir::MLIRContext *ctx,
                                              int64_t numWarps);

} // namespace kdsl

#endif // KDSL_LIB_LOWERING_MMALAYOUT_H
