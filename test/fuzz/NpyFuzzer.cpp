//===- NpyFuzzer.cpp - libFuzzer target over the .npy reader ---------------===//
//
// Arbitrary bytes as a .npy file image: parseNpy either fails with a message
// or returns an array whose data size matches its shape and dtype, which
// serializes and parses back to the same array. A crash, a sanitizer report
// or a round trip that differs is a bug.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/Npy.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kdsl::NpyArray array;
  std::string error;
  if (!kdsl::parseNpy("fuzz.npy", data, size, array, error)) {
    if (error.empty())
      std::abort(); // a failure must say why
    return 0;
  }
  int64_t n = array.numElements();
  if (n < 0 || array.data.size() != static_cast<size_t>(n) *
                                        kdsl::npyItemSize(array.dtype))
    std::abort();
  std::vector<uint8_t> bytes = kdsl::serializeNpy(array);
  kdsl::NpyArray back;
  if (bytes.empty() ||
      !kdsl::parseNpy("again.npy", bytes.data(), bytes.size(), back, error) ||
      back.dtype != array.dtype || back.shape != array.shape ||
      back.data != array.data)
    std::abort();
  return 0;
}
