//===- SweepTest.cpp - The autotuner's decisions, with a fake device -----===//

#include "kdsl/Autotune/Sweep.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

using namespace kdsl::tune;

namespace {

/// A device whose candidate i takes times[i] microseconds, with optional
/// scripted surprises.
class FakeMeasurer : public Measurer {
public:
  explicit FakeMeasurer(std::vector<double> times) : times(std::move(times)) {}

  Timing measure(size_t index, double budgetMs) override {
    calls.push_back({index, budgetMs});
    if (failing.count(index))
      throw std::runtime_error(failing[index]);
    double t = times[index];
    // The n-th measurement of a candidate may be scripted (noise, luck).
    int n = measured[index]++;
    auto scripted = script.find({index, n});
    if (scripted != script.end())
      return scripted->second;
    return Timing{t, t * 0.99, t * 1.01, 50};
  }

  std::vector<double> times;
  std::map<size_t, std::string> failing;
  std::map<std::pair<size_t, int>, Timing> script;
  std::map<size_t, int> measured;
  std::vector<std::pair<size_t, double>> calls;
};

SweepOptions noPruning() {
  SweepOptions o;
  o.prune = false;
  return o;
}

TEST(SweepTest, SummarizeTakesNearestRankPercentiles) {
  Timing t = summarize({5, 1, 4, 2, 3, 10, 9, 8, 7, 6});
  EXPECT_EQ(t.medianUs, 5);
  EXPECT_EQ(t.p20Us, 2);
  EXPECT_EQ(t.p80Us, 8);
  EXPECT_EQ(t.reps, 10);
  EXPECT_EQ(summarize({7}).medianUs, 7);
  EXPECT_EQ(summarize({}).reps, 0);
}

TEST(SweepTest, TheFastestWins) {
  FakeMeasurer device({30, 10, 20, 40});
  std::vector<CandidateResult> seen;
  SweepResult r = sweep(std::vector<std::string>(4), device, noPruning(),
                        [&](const CandidateResult &c) { seen.push_back(c); });
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(*r.winner, 1u);
  EXPECT_EQ(r.results.size(), 4u);
  // Four results as they finish, then the three re-validated again.
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(r.pruned, 0u);
  EXPECT_EQ(r.invalid, 0u);
}

TEST(SweepTest, RevalidationOverturnsALuckyMeasurement) {
  // Candidate 2 looked fastest once (a lucky measurement); timed again in
  // isolation it is slower than candidate 0.
  FakeMeasurer device({10, 30, 12, 40});
  device.script[{2, 0}] = Timing{5, 4.9, 5.1, 50};
  SweepResult r =
      sweep(std::vector<std::string>(4), device, noPruning(), nullptr);
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(*r.winner, 0u);
  EXPECT_TRUE(r.results[0].revalidated);
  EXPECT_TRUE(r.results[2].revalidated);
  EXPECT_TRUE(r.results[1].revalidated); // the top 3 of 4
  EXPECT_FALSE(r.results[3].revalidated);
  EXPECT_DOUBLE_EQ(r.results[2].timing.medianUs, 12);
}

TEST(SweepTest, TheWinnerIsOneThatWasRetimed) {
  // The top three all slow down when timed again; the fourth, never
  // re-timed, does not win on its single measurement.
  FakeMeasurer device({10, 11, 12, 13});
  for (size_t i = 0; i < 3; ++i)
    device.script[{i, 1}] = Timing{20.0 + i, 19.9 + i, 20.1 + i, 50};
  SweepResult r =
      sweep(std::vector<std::string>(4), device, noPruning(), nullptr);
  ASSERT_TRUE(r.winner);
  EXPECT_EQ(*r.winner, 0u);
  EXPECT_FALSE(r.results[3].revalidated);
}

TEST(SweepTest, OnlyTheTopFewAreRevalidated) {
  FakeMeasurer device({10, 20, 30, 40, 50});
  SweepOptions o = noPruning();
  o.revalidateTop = 2;
  SweepResult r = sweep(std::vector<std::string>(5), device, o, nullptr);
  EXPECT_TRUE(r.results[0].revalidated);
  EXPECT_TRUE(r.results[1].revalidated);
  EXPECT_FALSE(r.results[2].revalidated);
  EXPECT_EQ(device.measured[0], 2);
  EXPECT_EQ(device.measured[4], 1);
}

TEST(SweepTest, NoisyMeasurementsAreRepeatedAndTheSteadiestKept) {
  FakeMeasurer device({10, 20});
  device.script[{0, 0}] = Timing{10, 5, 20, 50}; // spread 4
  device.script[{0, 1}] = Timing{11, 9, 13, 50}; // spread 1.44
  SweepOptions o = noPruning();
  o.revalidateTop = 0;
  SweepResult r = sweep(std::vector<std::string>(2), device, o, nullptr);
  EXPECT_EQ(r.results[0].repeats, 2); // 4, 1.44, then a steady 1.02
  EXPECT_LT(r.results[0].timing.spread(), 1.1);
  EXPECT_EQ(r.results[1].repeats, 0);
}

TEST(SweepTest, SlowConfigsArePrunedOnAnEarlyEstimate) {
  FakeMeasurer device({10, 100, 12, 35, 29});
  SweepOptions o;
  o.pruneFactor = 3.0;
  SweepResult r = sweep(std::vector<std::string>(5), device, o, nullptr);
  EXPECT_EQ(r.pruned, 2u);
  EXPECT_EQ(r.results[1].outcome, Outcome::Pruned);
  EXPECT_EQ(r.results[3].outcome, Outcome::Pruned);
  EXPECT_EQ(r.results[4].outcome, Outcome::Ok);
  EXPECT_NE(r.results[1].reason.find("early estimate"), std::string::npos);
  // The estimate uses the short budget; a pruned config is never re-timed.
  EXPECT_EQ(device.calls[1],
            (std::pair<size_t, double>{1, o.estimateBudgetMs}));
  EXPECT_EQ(device.measured[1], 1);
  EXPECT_EQ(*r.winner, 0u);
}

TEST(SweepTest, InvalidConfigsAreRecordedNeverTimedNeverWin) {
  FakeMeasurer device({1, 20, 10});
  device.failing[2] = "CUDA_ERROR_OUT_OF_RESOURCES: too many resources";
  std::vector<std::string> reasons = {"needs 300 KB of shared memory", "", ""};
  std::vector<CandidateResult> seen;
  SweepResult r = sweep(reasons, device, noPruning(),
                        [&](const CandidateResult &c) { seen.push_back(c); });
  EXPECT_EQ(r.invalid, 2u);
  EXPECT_EQ(r.results[0].outcome, Outcome::Invalid);
  EXPECT_EQ(r.results[0].reason, "needs 300 KB of shared memory");
  EXPECT_EQ(device.measured.count(0), 0u);
  EXPECT_EQ(r.results[2].outcome, Outcome::Invalid);
  EXPECT_NE(r.results[2].reason.find("OUT_OF_RESOURCES"), std::string::npos);
  EXPECT_EQ(*r.winner, 1u);
  EXPECT_EQ(seen.size(), 3u); // one valid config: nothing to re-validate
}

TEST(SweepTest, NoValidConfigMeansNoWinner) {
  FakeMeasurer device({1, 2});
  SweepResult r = sweep({"a", "b"}, device, SweepOptions(), nullptr);
  EXPECT_FALSE(r.winner);
  EXPECT_EQ(r.invalid, 2u);
}

TEST(SweepTest, ProgressCountsEveryCandidate) {
  FakeMeasurer device({3, 2, 1});
  std::vector<size_t> done;
  sweep(std::vector<std::string>(3), device, noPruning(), nullptr,
        [&](size_t d, size_t total) {
          EXPECT_EQ(total, 3u);
          done.push_back(d);
        });
  EXPECT_EQ(done, (std::vector<size_t>{1, 2, 3}));
}

TEST(SweepTest, KeyValuesBucketToPowersOfTwoUnlessExact) {
  EXPECT_EQ(bucketKeyValue(1000, false), 1024);
  EXPECT_EQ(bucketKeyValue(1024, false), 1024);
  EXPECT_EQ(bucketKeyValue(1025, false), 2048);
  EXPECT_EQ(bucketKeyValue(3, false), 4);
  EXPECT_EQ(bucketKeyValue(1, false), 1);
  EXPECT_EQ(bucketKeyValue(0, false), 0);
  EXPECT_EQ(bucketKeyValue(-5, false), -5);
  EXPECT_EQ(bucketKeyValue(1000, true), 1000);
  EXPECT_EQ(bucketKeyValue((1LL << 62) + 1, false), (1LL << 62) + 1);
  EXPECT_EQ(bucketKeyValue(1LL << 62, false), 1LL << 62);
}

} // namespace
