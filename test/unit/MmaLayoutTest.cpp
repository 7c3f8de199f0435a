//===- MmaLayoutTest.cpp - mma.sync's accumulator as a blocked layout -----===//
//
// lib/Lowering/MmaLayout.h claims that the blocked layout sizePerThread
// [1, 2], threadsPerWarp [8, 4], warpsPerCTA [Wm, Wn], order [1, 0] holds,
// in each warp, whole mma.sync m16n8 accumulator tiles: for every thread and
// every pair of its 8-row repetitions (2p, 2p + 1) and 8-column repetition
// j, its four slots are the PTX ISA's c0..c3 (rows g, g, g + 8', g + 8',
// columns 2 t, 2 t + 1) of a tile whose rows are R + g and R + 8 Wm + g,
// R = 8 wm + 16 Wm p, and columns 8 wn + 8 Wn j. Checked here on the host
// for every thread of several tilings, and the warps' choice.
//
//===----------------------------------------------------------------------===//

#include "MmaLayout.h"
#include "DistributedLayout.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include <gtest/gtest.h>

#include <set>

using namespace kdsl;
using namespace mlir;

namespace {

class MmaLayoutTest : public ::testing::Test {
protected:
  MLIRContext context;
  void SetUp() override { context.loadDialect<KdslDialect>(); }
};

TEST_F(MmaLayoutTest, ThreadsHoldWholeAccumulatorTiles) {
  for (auto [M, N, warps] :
       {std::tuple<int64_t, int64_t, MmaWarps>{128, 128, {2, 2}},
        {64, 64, {2, 4}},
        {64, 32, {4, 1}},
        {32, 64, {1, 4}},
        {128, 64, {4, 2}}}) {
    SCOPED_TRACE(std::to_string(M) + "x" + std::to_string(N) + " over " +
                 std::to_string(warps.m) + "x" + std::to_string(warps.n));
    auto type =
        RankedTensorType::get({M, N}, Float32Type::get(&context),
                              getMmaAccumulatorEncoding(&context, warps));
    FailureOr<DistributedLayout> layout = DistributedLayout::get(type);
    ASSERT_TRUE(succeeded(layout));
    EXPECT_FALSE(layout->replicated());
    int64_t threads = 32 * warps.m * warps.n;
    // Each element once, and in the place the fragment table gives it.
    std::set<std::pair<int64_t, int64_t>> seen;
    for (int64_t tid = 0; tid < threads; ++tid) {
      int64_t warp = tid / 32, lane = tid % 32;
      int64_t wm = warp / warps.n, wn = warp % warps.n;
      int64_t g = lane / 4, t = lane % 4;
      ASSERT_EQ(layout->slots(),
                (M / (16 * warps.m)) * (N / (8 * warps.n)) * 4);
      for (int64_t s = 0; s < layout->slots(); ++s) {
        SmallVector<int64_t> at = layout->coordsOf(tid, s);
        EXPECT_TRUE(seen.insert({at[0], at[1]}).second);
        // Which tile and which of c0..c3: rows R + g (c0, c1) or
        // R + 8 Wm + g (c2, c3), columns C + 2 t (+1 for c1, c3).
        int64_t row = at[0] - 8 * wm - g, col = at[1] - 8 * wn - 2 * t;
        ASSERT_GE(row, 0);
        ASSERT_GE(col, 0);
        EXPECT_EQ(row % (8 * warps.m), 0) << "row " << at[0];
        EXPECT_EQ(col % (8 * warps.n), col % 2 == 0 ? 0 : 1) << "col " << at[1];
        int64_t half = row / (8 * warps.m); // 2 p (c0, c1) or 2 p + 1
        int64_t tileRow = 8 * wm + 16 * warps.m * (half / 2);
        int64_t expectedRow = tileRow + (half % 2) * 8 * warps.m + g;
        EXPECT_EQ(at[0], expectedRow);
        EXPECT_LT(col % (8 * warps.n), 2);
      }
    }
    EXPECT_EQ(int64_t(seen.size()), M * N);
  }
}

TEST_F(MmaLayoutTest, WarpsAsTritonsWarpsPerTile) {
  auto warps = [](int64_t M, int64_t N, int64_t n, bool rows) {
    MmaWarps w = chooseMmaWarps(M, N, n, rows);
    return std::make_pair(w.m, w.n);
  };
  EXPECT_EQ(warps(128, 128, 4, false), std::make_pair(int64_t(2), int64_t(2)));
  EXPECT_EQ(warps(64, 64, 8, false), std::make_pair(int64_t(2), int64_t(4)));
  EXPECT_EQ(warps(128, 64, 8, false), std::make_pair(int64_t(4), int64_t(2)));
  // A kernel that reduces rows keeps them in one warp.
  EXPECT_EQ(warps(64, 32, 4, true), std::make_pair(int64_t(4), int64_t(1)));
  EXPECT_EQ(warps(128, 128, 8, true), std::make_pair(int64_t(8), int64_t(1)));
  // Too few rows: the rest go along N.
  EXPECT_EQ(warps(16, 64, 4, true), std::make_pair(int64_t(1), int64_t(4)));
}

} // namespace
