//===- BundleFuzzer.cpp - libFuzzer target over the bundle reader ----------===//
//
// Arbitrary bytes as a .kpack image (an SQLite database read from memory, as
// kdsl_bundle_open_memory does): opening it either throws rt::Error naming
// what is wrong or gives kernels the runtime can plan launches of. Each
// kernel is then planned with small arguments, as a launch would before it
// touches the GPU: constexpr defaults, the grid, the config and the variant
// the arguments select. A crash or sanitizer report is a bug.
//
//===----------------------------------------------------------------------===//

#include "kdsl/bundle.hpp"
#include "kdsl/tune_cache.hpp"

#include <cstdint>
#include <cstdlib>
#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool untuned = (kdsl::rt::setTuningCache(""), true);
  (void)untuned;
  std::optional<kdsl::rt::Bundle> bundle;
  kdsl::rt::BundleContents contents;
  try {
    contents = kdsl::rt::readBundle(data, size, "fuzz.kpack");
    bundle = kdsl::rt::Bundle::fromMemory(data, size, "fuzz.kpack");
  } catch (const kdsl::rt::Error &error) {
    if (std::string(error.what()).empty())
      std::abort(); // a refusal must say why
    return 0;
  }
  for (const kdsl::rt::KernelInfo &info : contents.kernels) {
    try {
      kdsl::rt::Kernel &kernel = bundle->kernel(info.name);
      (void)kernel.signature();
      std::vector<kdsl::rt::Arg> args;
      for (const kdsl::rt::ParamInfo &p : info.params) {
        if (p.kind == kdsl::rt::ParamInfo::Kind::Pointer)
          args.push_back(kdsl::rt::Arg::ptr(256, p.type));
        else if (p.kind == kdsl::rt::ParamInfo::Kind::Scalar)
          args.push_back(kdsl::rt::isFloat(p.type) ? kdsl::rt::Arg(1.0)
                                                   : kdsl::rt::Arg(int64_t(16)));
      }
      (void)kernel.plan(args.data(), args.size());
    } catch (const kdsl::rt::Error &error) {
      if (std::string(error.what()).empty())
        std::abort();
    }
  }
  return 0;
}
