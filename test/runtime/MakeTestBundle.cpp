//===- MakeTestBundle.cpp - The runtime tests' bundle from nvcc output ----===//
//
// Part of the kdsl project.
//
// Until kdslc emits PTX, the runtime's tests launch hand-written CUDA kernels
// (kernels/runtime_kernels.cu) compiled by nvcc. This tool describes them as
// kdsl kernels and writes them into one .kpack with the writer library:
//
//   kdsl-make-test-bundle OUT.kpack MODULE.ptx sm_80=A.cubin sm_90a=B.cubin
//
//===----------------------------------------------------------------------===//

#include "kdsl/bundle.hpp"

#include <fstream>
#include <iostream>
#include <iterator>

using namespace kdsl::rt;

namespace {

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error("cannot read '" + path + "'");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in),
                              std::istreambuf_iterator<char>());
}

ParamInfo ptr(const std::string &name, DType type = DType::F32) {
  return {name, ParamInfo::Kind::Pointer, type, ""};
}
ParamInfo scalar(const std::string &name, DType type = DType::I32) {
  return {name, ParamInfo::Kind::Scalar, type, ""};
}
ParamInfo constexpr_(const std::string &name, const std::string &def = "") {
  return {name, ParamInfo::Kind::Constexpr, DType::I32, def};
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::cerr << "usage: kdsl-make-test-bundle OUT.kpack MODULE.ptx "
                 "[ARCH=FILE.cubin ...]\n";
    return 1;
  }
  try {
    std::vector<uint8_t> ptxBytes = readFile(argv[2]);
    std::string ptx(ptxBytes.begin(), ptxBytes.end());
    std::vector<BinaryInfo> cubins;
    for (int i = 3; i < argc; ++i) {
      std::string spec = argv[i];
      size_t eq = spec.find('=');
      if (eq == std::string::npos)
        throw Error("expected ARCH=FILE.cubin, got '" + spec + "'");
      cubins.push_back({spec.substr(0, eq), readFile(spec.substr(eq + 1))});
    }
    auto variant = [&](ConfigEntries config, const std::string &entry,
                       bool withCubins = true) {
      VariantInfo v;
      v.config = std::move(config);
      for (const auto &[name, value] : v.config) {
        if (name == "num_warps")
          v.numWarps = static_cast<int>(value);
        if (name == "num_stages")
          v.numStages = static_cast<int>(value);
      }
      v.entry = entry;
      v.ptx = ptx;
      if (withCubins)
        v.binaries = cubins;
      return v;
    };

    BundleContents bundle;
    bundle.producer = "kdsl-make-test-bundle (nvcc)";

    KernelInfo add;
    add.name = "vector_add";
    add.params = {ptr("x"), ptr("y"), ptr("out"), scalar("n"),
                  constexpr_("BLOCK")};
    add.grid = {"cdiv(n, BLOCK)"};
    add.tuneSpace = {{"BLOCK", {256, 1024}}, {"num_warps", {4}}};
    add.tuneKey = {"n"};
    add.variants = {
        variant({{"BLOCK", 256}, {"num_warps", 4}, {"num_stages", 2}},
                "vector_add_256"),
        variant({{"BLOCK", 1024}, {"num_warps", 4}, {"num_stages", 2}},
                "vector_add_1024"),
        variant({{"BLOCK", 1024}, {"num_warps", 4}, {"num_stages", 2}},
                "vector_add_1024_aligned")};
    add.variants.back().specialization = "x:align16,y:align16,out:align16";
    bundle.kernels.push_back(add);

    // The same kernel loaded from PTX through the driver's JIT.
    KernelInfo jit = add;
    jit.name = "vector_add_jit";
    jit.tuneSpace.clear();
    jit.fixedConfig = {{"BLOCK", 256}};
    jit.variants = {variant(
        {{"BLOCK", 256}, {"num_warps", 4}, {"num_stages", 2}}, "vector_add_256",
        /*withCubins=*/false)};
    bundle.kernels.push_back(jit);

    KernelInfo scale;
    scale.name = "scale";
    scale.params = {ptr("x"),
                    ptr("out"),
                    scalar("alpha", DType::F32),
                    scalar("h", DType::F16),
                    scalar("b", DType::BF16),
                    scalar("n", DType::I64),
                    scalar("flag", DType::Bool)};
    scale.grid = {"cdiv(n, 128)"};
    scale.variants = {variant({{"num_warps", 4}, {"num_stages", 2}}, "scale")};
    bundle.kernels.push_back(scale);

    KernelInfo empty4;
    empty4.name = "empty4";
    empty4.params = {ptr("a"), ptr("b"), scalar("n"), scalar("m"),
                     constexpr_("BLOCK", "1024")};
    empty4.grid = {"cdiv(n, BLOCK)"};
    empty4.variants = {variant(
        {{"BLOCK", 1024}, {"num_warps", 4}, {"num_stages", 2}}, "empty4")};
    bundle.kernels.push_back(empty4);

    KernelInfo empty16;
    empty16.name = "empty16";
    for (int i = 0; i < 8; ++i)
      empty16.params.push_back(ptr("a" + std::to_string(i)));
    empty16.params.push_back(scalar("n"));
    for (int i = 0; i < 7; ++i)
      empty16.params.push_back(scalar("m" + std::to_string(i)));
    empty16.params.push_back(constexpr_("BLOCK", "1024"));
    empty16.grid = {"cdiv(n, BLOCK)"};
    empty16.variants = {variant(
        {{"BLOCK", 1024}, {"num_warps", 4}, {"num_stages", 2}}, "empty16")};
    bundle.kernels.push_back(empty16);

    // A kernel without a grid expression: the caller gives the grid.
    KernelInfo gridless = empty4;
    gridless.name = "empty4_nogrid";
    gridless.grid.clear();
    bundle.kernels.push_back(gridless);

    KernelInfo fault;
    fault.name = "fault";
    fault.params = {ptr("p"), scalar("n")};
    fault.grid = {"1"};
    fault.fixedConfig = {{"num_warps", 1}};
    fault.variants = {variant({{"num_warps", 1}, {"num_stages", 2}}, "fault")};
    bundle.kernels.push_back(fault);

    KernelInfo heavy;
    heavy.name = "heavy";
    heavy.params = {ptr("out"), scalar("n")};
    heavy.grid = {"1"};
    heavy.fixedConfig = {{"num_warps", 32}};
    heavy.variants = {variant({{"num_warps", 32}, {"num_stages", 2}}, "heavy")};
    bundle.kernels.push_back(heavy);

    // Dynamic shared memory above 48 KB (opted in), and beyond any device.
    KernelInfo shared;
    shared.name = "shared_sum";
    shared.params = {ptr("x"), ptr("out"), scalar("n"), constexpr_("KB", "96")};
    shared.grid = {"1"};
    shared.fixedConfig = {{"num_warps", 8}};
    shared.variants = {
        variant({{"KB", 96}, {"num_warps", 8}, {"num_stages", 2}},
                "shared_sum"),
        variant({{"KB", 1024}, {"num_warps", 8}, {"num_stages", 2}},
                "shared_sum")};
    shared.variants[0].sharedBytes = 96 * 1024;
    shared.variants[1].sharedBytes = 1024 * 1024;
    bundle.kernels.push_back(shared);

    // PTX the driver rejects, and no cubin.
    KernelInfo bad;
    bad.name = "bad_ptx";
    bad.params = {ptr("p"), scalar("n")};
    bad.grid = {"1"};
    bad.fixedConfig = {{"num_warps", 1}};
    bad.variants = {variant({{"num_warps", 1}, {"num_stages", 2}}, "bad",
                            /*withCubins=*/false)};
    bad.variants[0].ptx = ".version 8.0\n.target sm_80\n.address_size 64\n"
                          ".visible .entry bad() { this is not ptx; }\n";
    bundle.kernels.push_back(bad);

    writeBundle(argv[1], bundle);
  } catch (const std::exception &error) {
    std::cerr << "kdsl-make-test-bundle: error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
