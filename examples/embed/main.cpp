//===- main.cpp - Embedding the kdsl runtime in an application ------------===//
//
// Loads a bundle, allocates device memory, launches `vector_add`, checks the
// result against the CPU and reports. Build it against an installed runtime:
//
//   cmake -S examples/embed -B build-embed -DCMAKE_PREFIX_PATH=/opt/kdsl
//   cmake --build build-embed
//   build-embed/kdsl-embed kernels.kpack
//
//===----------------------------------------------------------------------===//

#include <kdsl/runtime.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s BUNDLE.kpack\n", argv[0]);
    return 1;
  }
  try {
    namespace rt = kdsl::rt;
    rt::Bundle bundle = rt::Bundle::open(argv[1]);
    rt::Kernel &add = bundle.kernel("vector_add");

    const int n = (1 << 20) + 3; // a tail the last program masks off
    std::mt19937 rng(std::random_device{}());
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> x(n), y(n);
    for (int i = 0; i < n; ++i) {
      x[i] = dist(rng);
      y[i] = dist(rng);
    }

    // The first call that needs the GPU loads the driver.
    rt::Buffer dx(n * sizeof(float), rt::DType::F32);
    rt::Buffer dy(n * sizeof(float), rt::DType::F32);
    rt::Buffer dout(n * sizeof(float), rt::DType::F32);
    dx.upload(x);
    dy.upload(y);
    dout.fill(0xff); // NaN everywhere: an unwritten element cannot pass

    add.launch({dx, dy, dout, n});
    rt::Device::get().synchronize();
    std::vector<float> out = dout.download<float>();

    for (int i = 0; i < n; ++i)
      if (!(out[i] == x[i] + y[i])) {
        std::fprintf(stderr, "kdsl-embed: error: out[%d] = %g, expected %g\n",
                     i, out[i], x[i] + y[i]);
        return 1;
      }
    rt::VariantResources used = add.resources({dx, dy, dout, n});
    std::printf("ok: vector_add of %d elements on %s matches the CPU "
                "(variant %s%s%s, %s, %d registers)\n",
                n, rt::Device::get().info().name.c_str(), used.config.c_str(),
                used.specialization.empty() ? "" : ", ",
                used.specialization.c_str(), used.loadedFrom.c_str(),
                used.registers);
    return 0;
  } catch (const kdsl::rt::Error &error) {
    std::fprintf(stderr, "kdsl-embed: error: %s\n", error.what());
    return 1;
  }
}
