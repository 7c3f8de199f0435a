//===- MmaLayout.h - Where mma.sync keeps a dot's accumulator ---*- C++ -*-===//
//
// Part of the kdsl project.
//
// mma.sync's m16n8 accumulator fragment (PTX ISA: lane l holds rows g and
// g + 8, g = l / 4, columns 2 (l % 4) and 2 (l % 4) + 1 of a 16x8 tile) over
// a block whose warps are tiled Wm x Wn is the blocked layout sizePerThread
// [1, 2], threadsPerWarp [8, 4], warpsPerCTA [Wm, Wn], order [1, 0]: warp
// (wm, wn) holds rows 8 wm + g + 8 Wm i and columns 8 wn + 8 Wn j + 2 (l % 4)
// + e. Its repetitions i = 2 p and 2 p + 1 are the rows g and g + 8 of one
// mma.sync tile: rows R + g and R + 8 Wm + g, R = 8 wm + 16 Wm p, whose A
// fragment ldmatrix reads from those rows (they need not be adjacent).
// -kdsl-assign-layouts gives it to the dots mma.sync can compute, so that the
// accumulator, the loop that carries it and the epilogue use it as any
// blocked layout.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LIB_LOWERING_MMALAYOUT_H
#define KDSL_LIB_LOWERING_MMALAYOUT_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include <optional>
#include <string>

namespace kdsl {

/// How a dot's warps tile its result: m along M, n along N.
struct MmaWarps {
  int64_t m, n;
};

/// The warps of a [M, N] dot result: as Triton's warpsPerTile for mma v2,
/// doubled along M while each warp has at least as many 16-row tiles as
/// 8-column ones, else along N; with `rowsWithinWarps` (a kernel whose dot
/// results are reduced along rows, as a softmax's), along M first, so that
/// each row stays in one warp.
MmaWarps chooseMmaWarps(int64_t M, int64_t N, int64_t numWarps,
                        bool rowsWithinWarps);

/// Why mma.sync cannot compute `dot` with `warps` (f16 or bf16 operands, an
/// f32 accumulator, K a multiple of 16, M of 16 per warp along M, N of 8 per
/// warp along N), or an empty string when it can.
std::string whyNoMma(DotOp dot, MmaWarps warps);

/// The accumulator layout of mma.sync m16n8 with `warps`.
BlockedEncodingAttr getMmaAccumulatorEncoding(mlir::MLIRContext *ctx,
                                              MmaWarps warps);

/// The warps of `encoding` when it is an mma.sync accumulator layout.
std::optional<MmaWarps> mmaWarpsOf(mlir::Attribute encoding);

} // namespace kdsl

#endif // KDSL_LIB_LOWERING_MMALAYOUT_H
