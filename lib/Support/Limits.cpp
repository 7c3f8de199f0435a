//===- Limits.cpp - The limits every backend enforces ---------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Limits.h"

using namespace kdsl;

int64_t kdsl::maxSharedBytes(const std::string &arch) {
  // cudaDevAttrMaxSharedMemoryPerBlockOptin: 163 KiB on compute 8.0, 227 KiB
  // on 9.0 (the CUDA C++ Programming Guide's table of compute capabilities).
  return arch == "sm_80" ? 163 * 1024 : 227 * 1024;
}

std::string kdsl::checkGrid(const std::array<int64_t, 3> &grid,
                            const std::vector<std::string> &origins) {
  for (size_t d = 0; d < 3; ++d) {
    if (grid[d] >= 0 && grid[d] <= kMaxGrid[d])
      continue;
    std::string origin = d < origins.size() && !origins[d].empty()
                             ? " (" + origins[d] + ")"
                             : "";
    return "grid dimension " + std::to_string(d) + " = " +
           std::to_string(grid[d]) + origin + " is outside [0, " +
           std::to_string(kMaxGrid[d]) + "]";
  }
  return "";
}

std::optional<int64_t> kdsl::numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  return n;
}

std::string
kdsl::checkAutotuneSpaceSize(const std::vector<size_t> &axisLengths) {
  int64_t size = 1;
  bool overflow = false;
  std::string product;
  for (size_t length : axisLengths) {
    overflow |=
        __builtin_mul_overflow(size, static_cast<int64_t>(length), &size);
    product += (product.empty() ? "" : " x ") + std::to_string(length);
  }
  if (!overflow && size <= kMaxAutotuneConfigs)
    return "";
  return "@autotune space has " +
         (overflow ? std::string("2^63 or more") : std::to_string(size)) +
         " configs (" + product + "), more than the limit of " +
         std::to_string(kMaxAutotuneConfigs);
}
