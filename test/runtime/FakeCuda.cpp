//===- FakeCuda.cpp - A CUDA driver that runs nothing, for tests ----------===//
//
// Part of the kdsl project.
//
// libkdsl-fake-cuda.so implements the driver entry points the runtime
// resolves, on the host: one device ("kdsl fake GPU", compute capability
// 9.0, CUDA 13.0), memory from malloc, modules that load any image, and
// launches that run no code but advance a virtual clock that events read.
// Tests point KDSL_CUDA_DRIVER at it to exercise tuning and tuned dispatch
// on machines without a GPU. The environment steers it, read at each call:
//   KDSL_FAKE_CUDA_COST=entry=us,...  microseconds per launch of an entry,
//                                     or of `entry@THREADS` launched with
//                                     THREADS per block (default 10)
//   KDSL_FAKE_CUDA_MISSING=entry,...  entries cuModuleGetFunction lacks
//   KDSL_FAKE_CUDA_LOG=path           appends the entry of each launch
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace {

std::mutex mutex;
std::map<CUdeviceptr, size_t> allocations;
std::set<std::string> entries; // interned names: CUfunction handles
double clockUs = 0;
int context = 1, module = 1, stream = 1;

/// The value of `name` in a `name=value,...` environment variable.
std::string lookup(const char *variable, const std::string &name) {
  const char *value = std::getenv(variable);
  if (!value)
    return "";
  std::string list = value;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    std::string item = list.substr(start, end - start);
    size_t eq = item.find('=');
    if (item.substr(0, eq) == name)
      return eq == std::string::npos ? "1" : item.substr(eq + 1);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return "";
}

} // namespace

extern "C" {

CUresult cuInit(unsigned int) { return CUDA_SUCCESS; }
CUresult cuDriverGetVersion(int *version) {
  *version = 13000;
  return CUDA_SUCCESS;
}
CUresult cuGetErrorName(CUresult error, const char **name) {
  *name = error == CUDA_ERROR_NOT_FOUND ? "CUDA_ERROR_NOT_FOUND"
                                        : "CUDA_ERROR_UNKNOWN";
  return CUDA_SUCCESS;
}
CUresult cuGetErrorString(CUresult error, const char **text) {
  *text = error == CUDA_ERROR_NOT_FOUND ? "named symbol not found"
                                        : "unknown error";
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}
CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  std::snprintf(name, length, "kdsl fake GPU");
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute,
                              CUdevice) {
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = 9;
    break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = 0;
    break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = 132;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    *value = 227 * 1024;
    break;
  case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE:
    *value = 1 << 20;
    break;
  default:
    *value = 0;
  }
  return CUDA_SUCCESS;
}
CUresult cuDeviceTotalMem(size_t *bytes, CUdevice) {
  *bytes = size_t(80) << 30;
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice) {
  *ctx = reinterpret_cast<CUcontext>(&context);
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice) { return CUDA_SUCCESS; }
CUresult cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }
CUresult cuCtxSynchronize() { return CUDA_SUCCESS; }
CUresult cuStreamCreate(CUstream *s, unsigned int) {
  *s = reinterpret_cast<CUstream>(&stream);
  return CUDA_SUCCESS;
}
CUresult cuStreamDestroy(CUstream) { return CUDA_SUCCESS; }
CUresult cuStreamSynchronize(CUstream) { return CUDA_SUCCESS; }

CUresult cuMemAlloc(CUdeviceptr *pointer, size_t bytes) {
  void *memory = std::malloc(bytes ? bytes : 1);
  if (!memory)
    return CUDA_ERROR_OUT_OF_MEMORY;
  std::lock_guard<std::mutex> lock(mutex);
  *pointer = reinterpret_cast<CUdeviceptr>(memory);
  allocations[*pointer] = bytes;
  return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr pointer) {
  std::lock_guard<std::mutex> lock(mutex);
  allocations.erase(pointer);
  std::free(reinterpret_cast<void *>(pointer));
  return CUDA_SUCCESS;
}
CUresult cuMemGetAddressRange(CUdeviceptr *base, size_t *size,
                              CUdeviceptr pointer) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = allocations.upper_bound(pointer);
  if (it == allocations.begin())
    return CUDA_ERROR_NOT_FOUND;
  --it;
  if (pointer >= it->first + it->second + (it->second == 0))
    return CUDA_ERROR_NOT_FOUND;
  if (base)
    *base = it->first;
  if (size)
    *size = it->second;
  return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoD(CUdeviceptr to, const void *from, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(to), from, bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoH(void *to, CUdeviceptr from, size_t bytes) {
  std::memcpy(to, reinterpret_cast<void *>(from), bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr to, CUdeviceptr from, size_t bytes,
                           CUstream) {
  std::memmove(reinterpret_cast<void *>(to), reinterpret_cast<void *>(from),
               bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemsetD8(CUdeviceptr to, unsigned char value, size_t bytes) {
  std::memset(reinterpret_cast<void *>(to), value, bytes);
  return CUDA_SUCCESS;
}
// The L2 flush: nothing to evict on the host, and the buffer is large.
CUresult cuMemsetD8Async(CUdeviceptr, unsigned char, size_t, CUstream) {
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule *m, const void *, unsigned int,
                            CUjit_option *, void **) {
  *m = reinterpret_cast<CUmodule>(&module);
  return CUDA_SUCCESS;
}
CUresult cuModuleUnload(CUmodule) { return CUDA_SUCCESS; }
CUresult cuModuleGetFunction(CUfunction *function, CUmodule, const char *name) {
  if (!lookup("KDSL_FAKE_CUDA_MISSING", name).empty())
    return CUDA_ERROR_NOT_FOUND;
  std::lock_guard<std::mutex> lock(mutex);
  const std::string &interned = *entries.insert(name).first;
  *function =
      reinterpret_cast<CUfunction>(const_cast<char *>(interned.c_str()));
  return CUDA_SUCCESS;
}
CUresult cuFuncGetAttribute(int *value, CUfunction_attribute attribute,
                            CUfunction) {
  switch (attribute) {
  case CU_FUNC_ATTRIBUTE_NUM_REGS:
    *value = 32;
    break;
  case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
    *value = 1024;
    break;
  default:
    *value = 0;
  }
  return CUDA_SUCCESS;
}
CUresult cuFuncSetAttribute(CUfunction, CUfunction_attribute, int) {
  return CUDA_SUCCESS;
}
CUresult cuLaunchKernel(CUfunction function, unsigned, unsigned, unsigned,
                        unsigned threads, unsigned, unsigned, unsigned,
                        CUstream, void **, void **) {
  const char *entry = reinterpret_cast<const char *>(function);
  std::string cost = lookup("KDSL_FAKE_CUDA_COST",
                            std::string(entry) + "@" + std::to_string(threads));
  if (cost.empty())
    cost = lookup("KDSL_FAKE_CUDA_COST", entry);
  std::lock_guard<std::mutex> lock(mutex);
  clockUs += cost.empty() ? 10.0 : std::strtod(cost.c_str(), nullptr);
  if (const char *log = std::getenv("KDSL_FAKE_CUDA_LOG"))
    if (FILE *f = std::fopen(log, "a")) {
      std::fprintf(f, "%s\n", entry);
      std::fclose(f);
    }
  return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent *event, unsigned int) {
  *event = reinterpret_cast<CUevent>(new double(0));
  return CUDA_SUCCESS;
}
CUresult cuEventDestroy(CUevent event) {
  delete reinterpret_cast<double *>(event);
  return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent event, CUstream) {
  std::lock_guard<std::mutex> lock(mutex);
  *reinterpret_cast<double *>(event) = clockUs;
  return CUDA_SUCCESS;
}
CUresult cuEventSynchronize(CUevent) { return CUDA_SUCCESS; }
CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent stop) {
  *ms = static_cast<float>(
      (*reinterpret_cast<double *>(stop) - *reinterpret_cast<double *>(start)) /
      1000.0);
  return CUDA_SUCCESS;
}

} // extern "C"
