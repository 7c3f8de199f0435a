//===- ConfigSpaceTest.cpp - Tests for kdsl::enumerateConfigs -------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/ConfigSpace.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

using namespace kdsl;

namespace {

/// The @autotune space of the matmul example in LANGUAGE.md, without `where`.
std::vector<TuneAxis> matmulAxes() {
  return {{"BM", {64, 128}},
          {"BN", {64, 128}},
          {"BK", {32, 64}},
          {"num_warps", {4, 8}},
          {"num_stages", {2, 3, 4}}};
}

/// Enumerates and expects no error.
std::vector<Config> enumerate(const std::vector<TuneAxis> &axes,
                              const std::string &where) {
  std::string error;
  std::vector<Config> configs = enumerateConfigs(axes, where, error);
  EXPECT_EQ(error, "") << "where '" << where << "'";
  return configs;
}

/// The value of `name` in `config`, or -1.
int64_t valueOf(const Config &config, const std::string &name) {
  for (const auto &[key, value] : config)
    if (key == name)
      return value;
  return -1;
}

//===----------------------------------------------------------------------===//
// Enumeration order
//===----------------------------------------------------------------------===//

TEST(ConfigSpaceTest, LastAxisVariesFastest) {
  std::vector<Config> configs =
      enumerate({{"A", {1, 2}}, {"B", {10, 20, 30}}}, "");
  std::vector<Config> expected = {{{"A", 1}, {"B", 10}}, {{"A", 1}, {"B", 20}},
                                  {{"A", 1}, {"B", 30}}, {{"A", 2}, {"B", 10}},
                                  {{"A", 2}, {"B", 20}}, {{"A", 2}, {"B", 30}}};
  EXPECT_EQ(configs, expected);
}

TEST(ConfigSpaceTest, ValuesKeepSourceOrder) {
  // Values are not sorted: the order written in @autotune is the order tried.
  std::vector<Config> configs = enumerate({{"BLOCK", {1024, 256, 512}}}, "");
  ASSERT_EQ(configs.size(), 3u);
  EXPECT_EQ(valueOf(configs[0], "BLOCK"), 1024);
  EXPECT_EQ(valueOf(configs[1], "BLOCK"), 256);
  EXPECT_EQ(valueOf(configs[2], "BLOCK"), 512);
}

TEST(ConfigSpaceTest, EntriesFollowAxisOrder) {
  std::vector<Config> configs = enumerate(matmulAxes(), "");
  ASSERT_FALSE(configs.empty());
  for (const Config &config : configs) {
    ASSERT_EQ(config.size(), 5u);
    EXPECT_EQ(config[0].first, "BM");
    EXPECT_EQ(config[1].first, "BN");
    EXPECT_EQ(config[2].first, "BK");
    EXPECT_EQ(config[3].first, "num_warps");
    EXPECT_EQ(config[4].first, "num_stages");
  }
}

TEST(ConfigSpaceTest, FullProductWithoutWhere) {
  std::vector<Config> configs = enumerate(matmulAxes(), "");
  ASSERT_EQ(configs.size(), 2u * 2 * 2 * 2 * 3);
  // First and last configs of the odometer.
  EXPECT_EQ(formatConfig(configs.front()),
            "BM=64,BN=64,BK=32,num_warps=4,num_stages=2");
  EXPECT_EQ(formatConfig(configs[1]),
            "BM=64,BN=64,BK=32,num_warps=4,num_stages=3");
  EXPECT_EQ(formatConfig(configs[3]),
            "BM=64,BN=64,BK=32,num_warps=8,num_stages=2");
  EXPECT_EQ(formatConfig(configs.back()),
            "BM=128,BN=128,BK=64,num_warps=8,num_stages=4");
  // Every point is distinct.
  std::set<std::string> unique;
  for (const Config &config : configs)
    unique.insert(formatConfig(config));
  EXPECT_EQ(unique.size(), configs.size());
}

TEST(ConfigSpaceTest, SingleAxis) {
  std::vector<Config> configs =
      enumerate({{"num_warps", {1, 2, 4, 8, 16}}}, "");
  ASSERT_EQ(configs.size(), 5u);
  EXPECT_EQ(formatConfig(configs[4]), "num_warps=16");
}

TEST(ConfigSpaceTest, NoAxesGiveOneEmptyConfig) {
  std::vector<Config> configs = enumerate({}, "");
  ASSERT_EQ(configs.size(), 1u);
  EXPECT_TRUE(configs[0].empty());
}

TEST(ConfigSpaceTest, AxisWithoutValuesGivesNothing) {
  std::vector<Config> configs = enumerate({{"A", {1, 2}}, {"B", {}}}, "");
  EXPECT_TRUE(configs.empty());
}

//===----------------------------------------------------------------------===//
// `where` filtering
//===----------------------------------------------------------------------===//

TEST(ConfigSpaceTest, LanguageMatmulSpace) {
  // LANGUAGE.md: where = BM * BN <= 16384. The largest tile, 128 x 128, is
  // exactly 16384, so every one of the 2 * 2 * 2 * 2 * 3 = 48 points passes.
  std::vector<Config> configs = enumerate(matmulAxes(), "BM * BN <= 16384");
  EXPECT_EQ(configs.size(), 48u);
  EXPECT_EQ(configs, enumerate(matmulAxes(), ""));
}

TEST(ConfigSpaceTest, WhereDropsConfigsAndKeepsOrder) {
  // A strict bound drops the 12 configs with BM = BN = 128.
  std::vector<Config> configs = enumerate(matmulAxes(), "BM * BN < 16384");
  ASSERT_EQ(configs.size(), 36u);
  for (const Config &config : configs)
    EXPECT_LT(valueOf(config, "BM") * valueOf(config, "BN"), 16384);
  // The survivors are the unfiltered list with the dropped ones removed.
  std::vector<Config> expected;
  for (const Config &config : enumerate(matmulAxes(), ""))
    if (valueOf(config, "BM") * valueOf(config, "BN") < 16384)
      expected.push_back(config);
  EXPECT_EQ(configs, expected);
}

TEST(ConfigSpaceTest, WhereOverTuningKnobs) {
  std::vector<Config> configs =
      enumerate(matmulAxes(), "BM * BN / num_warps >= 2048 && num_stages != 3");
  // BM * BN / num_warps >= 2048 holds for (64, 128) and (128, 64) with 4
  // warps and for (128, 128) with 4 or 8 warps, never for (64, 64): 4
  // (BM, BN, num_warps) combinations * 2 BK values * 2 stage values = 16.
  EXPECT_EQ(configs.size(), 16u);
  for (const Config &config : configs) {
    EXPECT_NE(valueOf(config, "num_stages"), 3);
    EXPECT_GE(valueOf(config, "BM") * valueOf(config, "BN") /
                  valueOf(config, "num_warps"),
              2048);
  }
  ASSERT_FALSE(configs.empty());
  EXPECT_EQ(formatConfig(configs.front()),
            "BM=64,BN=128,BK=32,num_warps=4,num_stages=2");
}

TEST(ConfigSpaceTest, WhereWithBuiltins) {
  std::vector<Config> configs =
      enumerate({{"BLOCK", {100, 128, 200, 256}}}, "next_pow2(BLOCK) == BLOCK");
  ASSERT_EQ(configs.size(), 2u);
  EXPECT_EQ(formatConfig(configs[0]), "BLOCK=128");
  EXPECT_EQ(formatConfig(configs[1]), "BLOCK=256");
}

TEST(ConfigSpaceTest, WhereThatRejectsEverything) {
  std::string error;
  std::vector<Config> configs =
      enumerateConfigs(matmulAxes(), "BM > 1024", error);
  EXPECT_TRUE(configs.empty());
  EXPECT_EQ(error, "");
}

TEST(ConfigSpaceTest, EmptyWhereKeepsEverything) {
  std::string error;
  std::vector<Config> configs = enumerateConfigs(matmulAxes(), "", error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(configs.size(), 48u);
}

TEST(ConfigSpaceTest, ConstantWhere) {
  EXPECT_EQ(enumerate(matmulAxes(), "true").size(), 48u);
  EXPECT_EQ(enumerate(matmulAxes(), "1").size(), 48u);
  EXPECT_TRUE(enumerate(matmulAxes(), "false").empty());
  EXPECT_TRUE(enumerate(matmulAxes(), "0").empty());
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(ConfigSpaceTest, MalformedWhereIsAnError) {
  for (const char *where : {"BM * ", "BM <= (16384", "BM BN", "BM $ 2",
                            "unknown_fn(BM)", "cdiv(BM)"}) {
    std::string error;
    std::vector<Config> configs = enumerateConfigs(matmulAxes(), where, error);
    EXPECT_TRUE(configs.empty()) << "where '" << where << "'";
    EXPECT_NE(error, "") << "where '" << where << "'";
    // The message quotes the offending expression.
    EXPECT_NE(error.find(where), std::string::npos) << error;
  }
}

TEST(ConfigSpaceTest, WhereNamingAnUnknownParameterIsAnError) {
  std::string error;
  std::vector<Config> configs =
      enumerateConfigs(matmulAxes(), "BX * BN <= 16384", error);
  EXPECT_TRUE(configs.empty());
  EXPECT_NE(error.find("BX"), std::string::npos) << error;
}

TEST(ConfigSpaceTest, WhereThatFailsToEvaluateIsAnError) {
  std::string error;
  std::vector<Config> configs =
      enumerateConfigs({{"A", {1, 0}}}, "4 / A == 4", error);
  EXPECT_TRUE(configs.empty());
  EXPECT_NE(error.find("division by zero"), std::string::npos) << error;
}

TEST(ConfigSpaceTest, GoodWhereAfterBadWhere) {
  // One failed enumeration leaves nothing behind for the next.
  std::string error;
  EXPECT_TRUE(enumerateConfigs(matmulAxes(), "BM *", error).empty());
  ASSERT_NE(error, "");
  std::string ok;
  EXPECT_EQ(enumerateConfigs(matmulAxes(), "BM > 64", ok).size(), 24u);
  EXPECT_EQ(ok, "");
}

//===----------------------------------------------------------------------===//
// formatConfig
//===----------------------------------------------------------------------===//

TEST(ConfigSpaceTest, FormatConfig) {
  EXPECT_EQ(formatConfig({{"BM", 64}, {"BN", 128}, {"num_warps", 4}}),
            "BM=64,BN=128,num_warps=4");
  EXPECT_EQ(formatConfig({{"BLOCK", 1024}}), "BLOCK=1024");
  EXPECT_EQ(formatConfig({}), "");
  EXPECT_EQ(formatConfig({{"OFFSET", -3}, {"FLAG", 0}}), "OFFSET=-3,FLAG=0");
}

TEST(ConfigSpaceTest, FormatConfigKeepsOrder) {
  // No sorting: the entries print in axis order.
  EXPECT_EQ(formatConfig({{"num_stages", 3}, {"BM", 64}}),
            "num_stages=3,BM=64");
}

} // namespace
