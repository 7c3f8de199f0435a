//===- DistributedLayoutTest.cpp - Layout encodings' index arithmetic ----===//
//
// The host instantiation of the code that -convert-kdsl-to-gpu emits for
// #kdsl.blocked and #kdsl.slice layouts: every element has exactly one
// owner, the default layout is the chunked row-major distribution the back
// end has always used, slices sit where expand_dims needs them, and the
// changes that move no data are found.
//
//===----------------------------------------------------------------------===//

#include "DistributedLayout.h"

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace kdsl;
using namespace mlir;

namespace {

class DistributedLayoutTest : public ::testing::Test {
protected:
  DistributedLayoutTest() { context.loadDialect<KdslDialect>(); }

  DistributedLayout layout(ArrayRef<int64_t> shape, Attribute encoding) {
    auto type =
        RankedTensorType::get(shape, IntegerType::get(&context, 32), encoding);
    FailureOr<DistributedLayout> l = DistributedLayout::get(type);
    EXPECT_TRUE(succeeded(l));
    return *l;
  }
  BlockedEncodingAttr defaultFor(ArrayRef<int64_t> shape, int64_t warps,
                                 ArrayRef<int64_t> warpOrder = {},
                                 int64_t maxVec = 4) {
    return getDefaultBlockedEncoding(&context, shape, warps, warpOrder, maxVec);
  }
  /// The warp order that keeps warps off axis `k` while other dimensions
  /// hold them (as -kdsl-assign-layouts picks for reductions along `k`),
  /// or the default order.
  static SmallVector<int64_t> warpOrderFor(int64_t rank, unsigned k,
                                           bool offAxis) {
    SmallVector<int64_t> order;
    if (!offAxis)
      return order;
    for (int64_t d = rank - 1; d >= 0; --d)
      if (d != k)
        order.push_back(d);
    order.push_back(k);
    return order;
  }
  /// The slice of `parent` along `dim`, on `shape` less that dimension.
  DistributedLayout sliceOf(ArrayRef<int64_t> shape, BlockedEncodingAttr parent,
                            unsigned dim) {
    SmallVector<int64_t> reduced(shape);
    reduced.erase(reduced.begin() + dim);
    return layout(reduced, SliceEncodingAttr::get(&context, dim, parent));
  }

  /// Every element of `shape` is owned by exactly one (thread, slot), and
  /// every slot holds an element of the block.
  void expectOneOwnerEach(const DistributedLayout &l) {
    std::map<SmallVector<int64_t>, int> owners;
    for (int64_t tid = 0; tid < l.threads(); ++tid)
      for (int64_t s = 0; s < l.slots(); ++s) {
        SmallVector<int64_t> c = l.coordsOf(tid, s);
        ASSERT_EQ(c.size(), l.shape().size());
        for (size_t d = 0; d < c.size(); ++d) {
          ASSERT_GE(c[d], 0);
          ASSERT_LT(c[d], l.shape()[d]);
        }
        if (l.owns(tid, s))
          ++owners[c];
      }
    int64_t elements = 1;
    for (int64_t d : l.shape())
      elements *= d;
    EXPECT_EQ(static_cast<int64_t>(owners.size()), elements);
    for (const auto &[coords, count] : owners)
      EXPECT_EQ(count, 1);
  }

  MLIRContext context;
};

const SmallVector<SmallVector<int64_t>> kShapes = {
    {512},     {64},        {16},    {2, 4},    {4, 8},  {64, 8},
    {8, 256},  {16, 16},    {64, 2}, {128, 64}, {1, 32}, {32, 1},
    {4, 4, 8}, {2, 32, 64}, {4096},  {1, 16384}};

TEST_F(DistributedLayoutTest, DefaultIsChunkedRowMajor) {
  // The reference: chunks of `vec` consecutive row-major elements, chunk
  // k * threads + tid in the thread's k-th chunk slot; blocks with fewer
  // chunks than threads are replicated (thread tid holds chunk tid % chunks
  // and owns it when tid < chunks).
  for (const auto &shape : kShapes)
    for (int64_t warps : {1, 2, 4, 8})
      for (int64_t maxVec : {2, 4, 8, 16}) {
        int64_t threads = warps * 32, elements = 1;
        for (int64_t d : shape)
          elements *= d;
        int64_t vec = 1;
        while (vec < maxVec && elements % (vec * 2) == 0 &&
               vec * 2 * threads <= elements)
          vec *= 2;
        int64_t chunks = elements / vec;
        bool replicated = chunks < threads;
        int64_t chunksPerThread = (chunks + threads - 1) / threads;
        DistributedLayout l =
            layout(shape, defaultFor(shape, warps, {}, maxVec));
        SCOPED_TRACE(::testing::Message()
                     << "shape " << shape.size() << "-d, " << elements
                     << " elements, " << warps << " warps, up to " << maxVec
                     << " per thread");
        ASSERT_EQ(l.slots(), chunksPerThread * vec);
        EXPECT_EQ(l.replicated(), replicated);
        for (int64_t tid = 0; tid < threads; ++tid)
          for (int64_t s = 0; s < l.slots(); ++s) {
            int64_t chunk =
                replicated ? tid % chunks : (s / vec) * threads + tid;
            int64_t linear = chunk * vec + s % vec;
            SmallVector<int64_t> expected(shape.size());
            for (int64_t d = shape.size() - 1; d >= 0; --d) {
              expected[d] = linear % shape[d];
              linear /= shape[d];
            }
            ASSERT_EQ(l.coordsOf(tid, s), expected)
                << "tid " << tid << " slot " << s;
            ASSERT_EQ(l.owns(tid, s), !replicated || tid < chunks);
          }
        expectOneOwnerEach(l);
      }
}

TEST_F(DistributedLayoutTest, WarpOrderPlacesWarpsAndKeepsLanes) {
  // Rows first: a warp per row, lanes and elements per thread as the
  // default's; what the rows cannot hold goes along the columns, then wraps.
  auto warpsOf = [&](ArrayRef<int64_t> shape, int64_t warps,
                     ArrayRef<int64_t> order) {
    BlockedEncodingAttr l = defaultFor(shape, warps, order);
    BlockedEncodingAttr d = defaultFor(shape, warps);
    EXPECT_EQ(l.getSizePerThread(), d.getSizePerThread());
    EXPECT_EQ(l.getThreadsPerWarp(), d.getThreadsPerWarp());
    EXPECT_EQ(l.getOrder(), d.getOrder());
    return SmallVector<int64_t>(l.getWarpsPerCTA());
  };
  EXPECT_EQ(warpsOf({4, 1024}, 4, {}), (SmallVector<int64_t>{1, 4}));
  EXPECT_EQ(warpsOf({4, 1024}, 4, {0, 1}), (SmallVector<int64_t>{4, 1}));
  EXPECT_EQ(warpsOf({2, 1024}, 4, {0, 1}), (SmallVector<int64_t>{2, 2}));
  EXPECT_EQ(warpsOf({8, 1024}, 4, {0, 1}), (SmallVector<int64_t>{4, 1}));
  EXPECT_EQ(warpsOf({2, 64}, 8, {0, 1}), (SmallVector<int64_t>{4, 2}));
}

TEST_F(DistributedLayoutTest, BlockedLayoutsOwnEachElementOnce) {
  auto blocked = [&](ArrayRef<int64_t> spt, ArrayRef<int64_t> tpw,
                     ArrayRef<int64_t> wpc, ArrayRef<int64_t> order) {
    return BlockedEncodingAttr::get(&context, spt, tpw, wpc, order);
  };
  // Column-major order, several elements per thread in both dimensions,
  // tiles larger and smaller than the block.
  expectOneOwnerEach(layout({64, 64}, blocked({2, 2}, {4, 8}, {2, 2}, {0, 1})));
  expectOneOwnerEach(layout({8, 8}, blocked({1, 4}, {8, 4}, {4, 1}, {1, 0})));
  expectOneOwnerEach(layout({128}, blocked({8}, {32}, {2}, {0})));
  expectOneOwnerEach(layout({2, 2}, blocked({4, 4}, {4, 8}, {1, 1}, {1, 0})));
}

TEST_F(DistributedLayoutTest, SlicesOwnEachElementOnceWhereTheParentHoldsIt) {
  for (const auto &shape : kShapes) {
    if (shape.size() < 2)
      continue;
    for (int64_t warps : {1, 4, 8})
      for (unsigned dim = 0; dim < shape.size(); ++dim)
        for (bool offAxis : {false, true}) {
          BlockedEncodingAttr parent = defaultFor(
              shape, warps, warpOrderFor(shape.size(), dim, offAxis));
          DistributedLayout full = layout(shape, parent);
          DistributedLayout slice = sliceOf(shape, parent, dim);
          expectOneOwnerEach(slice);
          // The thread holding a slice element holds that line of the parent.
          for (int64_t tid = 0; tid < full.threads(); ++tid) {
            std::set<SmallVector<int64_t>> lines;
            for (int64_t s = 0; s < full.slots(); ++s) {
              SmallVector<int64_t> c = full.coordsOf(tid, s);
              c.erase(c.begin() + dim);
              lines.insert(c);
            }
            for (int64_t s = 0; s < slice.slots(); ++s)
              ASSERT_TRUE(lines.count(slice.coordsOf(tid, s)))
                  << "tid " << tid << " slot " << s;
          }
        }
  }
}

TEST_F(DistributedLayoutTest, FindsChangesThatMoveNothing) {
  auto identity = [](ArrayRef<int64_t> c) { return SmallVector<int64_t>(c); };
  // A row statistic: expand_dims of the slice gives the parent back, and
  // its broadcast across the row stays in place.
  BlockedEncodingAttr parent = defaultFor({4, 1024}, 4);
  DistributedLayout rows =
      layout({4}, SliceEncodingAttr::get(&context, 1, parent));
  DistributedLayout column = layout({4, 1}, parent);
  DistributedLayout block = layout({4, 1024}, parent);
  EXPECT_TRUE(findStaticSlotMap(rows, column, [](ArrayRef<int64_t> c) {
                return SmallVector<int64_t>{c[0]};
              }).has_value());
  EXPECT_TRUE(findStaticSlotMap(column, block, [](ArrayRef<int64_t> c) {
                return SmallVector<int64_t>{c[0], 0};
              }).has_value());
  // The same elements in the same threads under another shape.
  DistributedLayout flat = layout({256}, defaultFor({256}, 4));
  DistributedLayout tall = layout({256, 1}, defaultFor({256, 1}, 4));
  EXPECT_TRUE(findStaticSlotMap(flat, tall, [](ArrayRef<int64_t> c) {
                return SmallVector<int64_t>{c[0]};
              }).has_value());
  // A transpose and a change of layout move data.
  DistributedLayout square = layout({16, 16}, defaultFor({16, 16}, 1));
  EXPECT_FALSE(findStaticSlotMap(square, square, [](ArrayRef<int64_t> c) {
                 return SmallVector<int64_t>{c[1], c[0]};
               }).has_value());
  EXPECT_FALSE(
      findStaticSlotMap(rows, layout({4}, defaultFor({4}, 4)), identity)
          .has_value());
  EXPECT_TRUE(findStaticSlotMap(block, block, identity).has_value());
}

} // namespace

namespace {

/// The reduction along an axis that -convert-kdsl-to-gpu emits, run for
/// every thread on the host with the same layout queries: in-thread over
/// each line's slots (wrapped copies along the axis masked), a butterfly
/// over the lanes along the axis (lane stride x 1, 2, ...), then the warps
/// along the axis through "shared memory". Every thread must end with the
/// exact sum of each line it holds.
TEST_F(DistributedLayoutTest, AxisReductionAlgorithmSumsEveryLine) {
  for (const auto &shape : kShapes) {
    if (shape.size() < 2)
      continue;
    for (int64_t warps : {1, 2, 4, 8})
      for (unsigned k = 0; k < shape.size(); ++k)
        for (bool offAxis : {false, true}) {
          BlockedEncodingAttr parent =
              defaultFor(shape, warps, warpOrderFor(shape.size(), k, offAxis));
          DistributedLayout in = layout(shape, parent);
          DistributedLayout out = sliceOf(shape, parent, k);
          ArrayRef<int64_t> reduced = out.shape();
          SCOPED_TRACE(::testing::Message()
                       << shape.size() << "-d, " << warps << " warps, axis "
                       << k << (offAxis ? ", warps off the axis" : ""));
          std::optional<SmallVector<int64_t>> lineOf =
              findStaticSlotMap(out, in, [&](ArrayRef<int64_t> c) {
                SmallVector<int64_t> line(c);
                line.erase(line.begin() + k);
                return line;
              });
          ASSERT_TRUE(lineOf.has_value());
          // Element values: distinct powers of small primes summed exactly.
          auto valueAt = [&](ArrayRef<int64_t> c) {
            int64_t v = 1;
            for (size_t d = 0; d < c.size(); ++d)
              v = v * 7 + c[d] * (d + 3);
            return v;
          };
          int64_t threads = in.threads();
          HostArith h;
          std::vector<std::vector<int64_t>> partial(threads);
          for (int64_t t = 0; t < threads; ++t) {
            partial[t].assign(out.slots(), 0);
            SmallVector<int64_t> within = in.threadIndices(h, t);
            for (int64_t s = 0; s < in.slots(); ++s) {
              bool own =
                  in.ownerAlong<HostArith>(h, within, s, k).value_or(true);
              if (own)
                partial[t][(*lineOf)[s]] += valueAt(in.coordsOf(t, s));
            }
          }
          int64_t lanes = in.lanesAlong(k), stride = in.laneStride(k);
          for (int64_t offset = stride; offset < stride * lanes; offset *= 2) {
            std::vector<std::vector<int64_t>> next = partial;
            for (int64_t t = 0; t < threads; ++t) {
              int64_t other = (t / 32) * 32 + ((t % 32) ^ offset);
              for (int64_t r = 0; r < out.slots(); ++r)
                next[t][r] = partial[t][r] + partial[other][r];
            }
            partial = next;
          }
          int64_t warpsK = in.warpsAlong(k);
          if (warpsK > 1) {
            int64_t lines = 1;
            for (int64_t d : reduced)
              lines *= d;
            std::vector<int64_t> shared(lines * warpsK, 0);
            auto lineIndex = [&](int64_t t, int64_t r) {
              SmallVector<int64_t> c = out.coordsOf(t, r);
              int64_t linear = 0;
              for (size_t d = 0; d < c.size(); ++d)
                linear = linear * reduced[d] + c[d];
              return linear * warpsK;
            };
            for (int64_t t = 0; t < threads; ++t) {
              int64_t alongK =
                  in.threadIndices(h, t)[k] / in.sizePerThreadAlong(k);
              if (alongK % lanes != 0)
                continue;
              for (int64_t r = 0; r < out.slots(); ++r)
                shared[lineIndex(t, r) + alongK / lanes] = partial[t][r];
            }
            for (int64_t t = 0; t < threads; ++t)
              for (int64_t r = 0; r < out.slots(); ++r) {
                partial[t][r] = 0;
                for (int64_t w = 0; w < warpsK; ++w)
                  partial[t][r] += shared[lineIndex(t, r) + w];
              }
          }
          for (int64_t t = 0; t < threads; ++t)
            for (int64_t r = 0; r < out.slots(); ++r) {
              SmallVector<int64_t> line = out.coordsOf(t, r);
              int64_t expected = 0;
              for (int64_t i = 0; i < shape[k]; ++i) {
                SmallVector<int64_t> c(line);
                c.insert(c.begin() + k, i);
                expected += valueAt(c);
              }
              ASSERT_EQ(partial[t][r], expected)
                  << "thread " << t << " slot " << r;
            }
        }
  }
}

} // namespace
