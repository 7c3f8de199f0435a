//===- TestBundles.h - Bundles the runtime's CPU tests write ----*- C++ -*-===//

#ifndef KDSL_TEST_RUNTIME_TESTBUNDLES_H
#define KDSL_TEST_RUNTIME_TESTBUNDLES_H

#include "kdsl/bundle.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace kdsl::rt::test {

/// A scratch directory removed at the end of the test.
class TempDir {
public:
  TempDir() {
    char pattern[] = "/tmp/kdsl-rt-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string file(const std::string &name) const { return path + "/" + name; }
  std::string path;
};

inline VariantInfo fakeVariant(ConfigEntries config, std::string entry,
                               std::string specialization = "") {
  VariantInfo v;
  v.config = std::move(config);
  for (const auto &[name, value] : v.config)
    if (name == "num_warps")
      v.numWarps = static_cast<int>(value);
  v.entry = std::move(entry);
  v.specialization = std::move(specialization);
  v.ptx = "// not real PTX: the CPU tests never load it\n";
  v.binaries.push_back({"sm_90a", {0x7f, 'E', 'L', 'F'}, 16, 0, 0});
  return v;
}

/// vector_add (as examples/kernels/vector_add.kdsl, with two BLOCKs and an
/// aligned specialization) and row_sum, whose BLOCK defaults to
/// next_pow2(n_cols).
inline BundleContents sampleBundle() {
  BundleContents bundle;
  bundle.producer = "runtime tests";
  KernelInfo add;
  add.name = "vector_add";
  add.params = {{"x", ParamInfo::Kind::Pointer, DType::F32, ""},
                {"y", ParamInfo::Kind::Pointer, DType::F32, ""},
                {"out", ParamInfo::Kind::Pointer, DType::F32, ""},
                {"n", ParamInfo::Kind::Scalar, DType::I32, ""},
                {"BLOCK", ParamInfo::Kind::Constexpr, DType::I32, ""}};
  add.grid = {"cdiv(n, BLOCK)"};
  add.tuneSpace = {{"BLOCK", {256, 1024}}, {"num_warps", {2, 4}}};
  add.tuneWhere = "BLOCK / num_warps >= 128";
  add.tuneKey = {"n"};
  add.sourceHash = "0123abcd";
  add.variants = {
      fakeVariant({{"BLOCK", 256}, {"num_warps", 2}, {"num_stages", 2}},
                  "add_256_2"),
      fakeVariant({{"BLOCK", 1024}, {"num_warps", 4}, {"num_stages", 2}},
                  "add_1024_4"),
      fakeVariant({{"BLOCK", 1024}, {"num_warps", 4}, {"num_stages", 2}},
                  "add_1024_4_aligned", "x:align16,y:align16,out:align16")};
  bundle.kernels.push_back(add);

  KernelInfo rows;
  rows.name = "row_sum";
  rows.params = {
      {"x", ParamInfo::Kind::Pointer, DType::F16, ""},
      {"out", ParamInfo::Kind::Pointer, DType::F32, ""},
      {"n_rows", ParamInfo::Kind::Scalar, DType::I32, ""},
      {"n_cols", ParamInfo::Kind::Scalar, DType::I32, ""},
      {"eps", ParamInfo::Kind::Scalar, DType::F32, ""},
      {"BLOCK", ParamInfo::Kind::Constexpr, DType::I32, "next_pow2(n_cols)"}};
  rows.grid = {"n_rows"};
  rows.fixedConfig = {{"num_warps", 8}};
  rows.variants = {
      fakeVariant({{"BLOCK", 128}, {"num_warps", 8}, {"num_stages", 2}},
                  "rows_128"),
      fakeVariant({{"BLOCK", 256}, {"num_warps", 8}, {"num_stages", 2}},
                  "rows_256")};
  bundle.kernels.push_back(rows);
  return bundle;
}

/// Expects `body` to throw kdsl::rt::Error whose message contains `text`.
#define EXPECT_RT_ERROR(body, text)                                            \
  do {                                                                         \
    try {                                                                      \
      body;                                                                    \
      ADD_FAILURE() << "expected an error containing: " << (text);             \
    } catch (const ::kdsl::rt::Error &error) {                                 \
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos)       \
          << "message: " << error.what();                                      \
    }                                                                          \
  } while (0)

} // namespace kdsl::rt::test

#endif // KDSL_TEST_RUNTIME_TESTBUNDLES_H
