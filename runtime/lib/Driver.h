//===- Driver.h - The CUDA driver API, loaded with dlopen -------*- C++ -*-===//
//
// Part of the kdsl project.
//
// libcuda.so.1 is opened on first use and every entry point the runtime
// needs is resolved by its versioned name (cuda.h's macros give it: the
// member `cuMemAlloc` is really `cuMemAlloc_v2`), so nothing links libcuda.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_RUNTIME_DRIVER_H
#define KDSL_RUNTIME_DRIVER_H

#include "kdsl/runtime.hpp"

#include <cuda.h>

#include <string>

#define KDSL_DRIVER_FUNCTIONS(X)                                               \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDeviceTotalMem)                                                          \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease)                                                 \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuMemAlloc)                                                                \
  X(cuMemFree)                                                                 \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemcpyDtoDAsync)                                                         \
  X(cuMemsetD8)                                                                \
  X(cuMemsetD8Async)                                                           \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncGetAttribute)                                                        \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime)                                                        \
  X(cuMemGetAddressRange)

namespace kdsl::rt {

/// The driver's entry points.
struct DriverApi {
#define KDSL_DRIVER_MEMBER(fn) decltype(&::fn) fn = nullptr;
  KDSL_DRIVER_FUNCTIONS(KDSL_DRIVER_MEMBER)
#undef KDSL_DRIVER_MEMBER
};

/// Loads the driver on first call and initializes it (cuInit); throws
/// Error("no CUDA driver found: ...") when libcuda.so.1 is missing, lacks an
/// entry point, or finds no device.
const DriverApi &driver();

/// `cuLaunchKernel failed: CUDA_ERROR_X (text)`, with `context` appended
/// (e.g. "for kernel 'k' (BLOCK=128,...)").
std::string driverError(CUresult result, const char *call,
                        const std::string &context = "");

/// Throws Error(driverError(...)) unless `result` is CUDA_SUCCESS.
inline void check(CUresult result, const char *call,
                  const std::string &context = "") {
  if (result != CUDA_SUCCESS)
    throw Error(driverError(result, call, context));
}

} // namespace kdsl::rt

#endif // KDSL_RUNTIME_DRIVER_H
