//===- Limits.h - The limits every backend enforces -------------*- C++ -*-===//
//
// Part of the kdsl project.
//
// What a kernel and a launch may ask for, in one place, so that the front
// end, the interpreter, the GPU lowering and the runtime report the same
// limit with the same words (the language reference lists them). Plain C++
// (no LLVM): the runtime uses it too.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_LIMITS_H
#define KDSL_SUPPORT_LIMITS_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdsl {

/// Elements in one block: 2^20, as Triton's TRITON_MAX_TENSOR_NUMEL.
constexpr int64_t kMaxBlockElements = int64_t(1) << 20;

/// Elements of one block each thread holds. LLVM's back end takes time that
/// grows faster than the per-thread code, which spills long before: a
/// one-warp vector add of BLOCK = 16384 (512 a thread) compiles in 1.2 s,
/// 32768 in 3.7 s and 65536 in 18 s.
constexpr int64_t kMaxElementsPerThread = 512;

/// Shared memory one thread block may use on `arch` ("sm_80", "sm_90a"):
/// the opt-in maximum of the architecture (163 KiB on sm_80, 227 KiB on
/// sm_90).
int64_t maxSharedBytes(const std::string &arch);

/// Configs an @autotune space may hold (the product of its axes' lengths,
/// before `where`). Each is compiled for every specialization and arch, so
/// 4096 configs already take an hour to bundle; spaces in practice hold tens
/// to hundreds.
constexpr int64_t kMaxAutotuneConfigs = 4096;

/// Why the space of these axis lengths is over kMaxAutotuneConfigs, or an
/// empty string: "@autotune space has 1000000 configs (10 x 10 x ...), more
/// than the limit of 4096".
std::string checkAutotuneSpaceSize(const std::vector<size_t> &axisLengths);

/// CUDA's grid limits: x up to 2^31 - 1, y and z up to 65535.
constexpr std::array<int64_t, 3> kMaxGrid = {2147483647, 65535, 65535};

/// Why `grid` cannot be launched, or an empty string: "grid dimension 1 =
/// 70000 (from 'n_rows') is outside [0, 65535]". `origins[d]`, where given
/// and not empty, says where dimension d came from ("from 'n_rows'").
std::string checkGrid(const std::array<int64_t, 3> &grid,
                      const std::vector<std::string> &origins = {});

/// The number of elements of `shape`, or nullopt if the product overflows
/// int64 or a dimension is negative.
std::optional<int64_t> numElements(const std::vector<int64_t> &shape);

} // namespace kdsl

#endif // KDSL_SUPPORT_LIMITS_H
